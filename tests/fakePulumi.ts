import * as fs from "fs";
import * as path from "path";

/**
 * The `pulumi` CLI as the tests' tools see it: one fake, shared by every test that runs a tool
 * driving the CLI (the rollback, promotion). It answers what those tools call, from recorded
 * data, the way the real CLI answers (its messages and exit code 255 on an error), and logs each
 * call (arguments, working directory, git HEAD, what the rollback hands the program) as a line of
 * JSON.
 *
 * - `stack history --json [--page-size N]`: the file FAKE_PULUMI_HISTORY (newest first; its first N
 *   entries with --page-size). FAKE_PULUMI_HISTORY_SLEEP (ms) makes it wait first, after writing
 *   `<log>.history` with its process id.
 * - `stack export --version N`: FAKE_PULUMI_STATE_DIR/vN.json, else the self-managed backends' error.
 * - `stack output [<name>] --json --stack <s>`: from FAKE_PULUMI_OUTPUTS, a JSON file
 *   `{ "<stack>": { "<output>": value } }`. A qualified name (`org/project/stack`) not listed
 *   as such finds its last segment, as the backend resolves it for the default organization.
 *   An unknown stack or output fails as the CLI does. FAKE_PULUMI_OUTPUT_SLEEP (ms) makes it wait
 *   first, after writing `<log>.reading` with its process id.
 * - `preview`: exits FAKE_PULUMI_PREVIEW_EXIT; FAKE_PULUMI_PREVIEW_SLEEP (ms) makes it wait
 *   first, after writing `<log>.previewing` with its process id.
 * - `up`: exits FAKE_PULUMI_UP_EXIT, and records the update in FAKE_PULUMI_HISTORY (when set) as
 *   the CLI does: the next version, newest first, with its `--message`, result, and the git
 *   commit it ran from (`git.dirty` true when `git status --porcelain` shows anything).
 * Anything else exits 99, saying so.
 */
export const FAKE_PULUMI = `#!/usr/bin/env node
const fs = require("fs");
const { execFileSync } = require("child_process");
const argv = process.argv.slice(2);
let head = null;
try { head = execFileSync("git", ["rev-parse", "HEAD"], { cwd: process.cwd(), encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim(); } catch {}
fs.appendFileSync(process.env.FAKE_PULUMI_LOG, JSON.stringify({
    argv, cwd: process.cwd(), head, pinned: process.env.PLATFORM_PINNED_IMAGES ?? null,
    hasProject: fs.existsSync("Pulumi.yaml"), installed: fs.existsSync("node_modules/local-dep/package.json"),
    stackFile: fs.existsSync("Pulumi.production.yaml") ? fs.readFileSync("Pulumi.production.yaml", "utf8") : null,
}) + "\\n");
const is = (...words) => words.every((w, i) => argv[i] === w);
const flag = (name) => (argv.indexOf(name) >= 0 ? argv[argv.indexOf(name) + 1] : undefined);
const fail = (message) => { process.stderr.write("error: " + message + "\\n"); process.exit(255); };
if (is("stack", "history")) {
    const answer = () => {
        const text = fs.readFileSync(process.env.FAKE_PULUMI_HISTORY, "utf8");
        const size = flag("--page-size");
        process.stdout.write(size === undefined ? text : JSON.stringify(JSON.parse(text).slice(0, Number(size))));
        process.exit(0);
    };
    if (process.env.FAKE_PULUMI_HISTORY_SLEEP) {
        fs.writeFileSync(process.env.FAKE_PULUMI_LOG + ".history", String(process.pid));
        setTimeout(answer, Number(process.env.FAKE_PULUMI_HISTORY_SLEEP));
        return;
    }
    answer();
}
if (is("stack", "export")) {
    const file = process.env.FAKE_PULUMI_STATE_DIR + "/v" + flag("--version") + ".json";
    if (!fs.existsSync(file)) { process.stderr.write("error: exporting a version is not supported by this backend\\n"); process.exit(255); }
    process.stdout.write(fs.readFileSync(file, "utf8")); process.exit(0);
}
if (is("stack", "output")) {
    const answer = () => {
        const stacks = process.env.FAKE_PULUMI_OUTPUTS ? JSON.parse(fs.readFileSync(process.env.FAKE_PULUMI_OUTPUTS, "utf8")) : {};
        const stack = flag("--stack");
        if (stack === undefined) fail("no stack selected; please use \`pulumi stack select\`");
        const outputs = Object.hasOwn(stacks, stack) ? stacks[stack] : stacks[stack.split("/").pop()];
        if (outputs === undefined) fail("no stack named '" + stack + "' found");
        const name = argv[2] !== undefined && !argv[2].startsWith("-") ? argv[2] : undefined;
        if (name !== undefined && !Object.hasOwn(outputs, name)) fail("current stack does not have output property '" + name + "'");
        const value = name === undefined ? outputs : outputs[name];
        process.stdout.write(argv.includes("--json") ? JSON.stringify(value, null, 2) + "\\n" : String(value) + "\\n");
        process.exit(0);
    };
    if (process.env.FAKE_PULUMI_OUTPUT_SLEEP) {
        fs.writeFileSync(process.env.FAKE_PULUMI_LOG + ".reading", String(process.pid));
        setTimeout(answer, Number(process.env.FAKE_PULUMI_OUTPUT_SLEEP));
        return;
    }
    answer();
}
if (is("preview")) {
    if (process.env.FAKE_PULUMI_PREVIEW_SLEEP) {
        fs.writeFileSync(process.env.FAKE_PULUMI_LOG + ".previewing", String(process.pid));
        setTimeout(() => process.exit(0), Number(process.env.FAKE_PULUMI_PREVIEW_SLEEP));
        return;
    }
    process.exit(Number(process.env.FAKE_PULUMI_PREVIEW_EXIT || 0));
}
if (is("up")) {
    const code = Number(process.env.FAKE_PULUMI_UP_EXIT || 0);
    if (process.env.FAKE_PULUMI_HISTORY) {
        const history = JSON.parse(fs.readFileSync(process.env.FAKE_PULUMI_HISTORY, "utf8"));
        const version = Math.max(0, ...history.map((u) => u.version)) + 1;
        const status = execFileSync("git", ["status", "--porcelain"], { cwd: process.cwd(), encoding: "utf8" });
        const environment = head ? { "git.head": head, "git.dirty": String(status.trim() !== ""), "git.headName": "HEAD" } : {};
        const entry = { version, kind: "update", result: code === 0 ? "succeeded" : "failed", startTime: new Date().toISOString(), message: flag("--message"), environment };
        fs.writeFileSync(process.env.FAKE_PULUMI_HISTORY, JSON.stringify([entry, ...history]));
    }
    process.exit(code);
}
process.stderr.write("fake pulumi: unexpected " + argv.join(" ") + "\\n"); process.exit(99);
`;

/** One call the fake received. */
export interface PulumiCall {
    readonly argv: string[];
    readonly cwd: string;
    readonly head: string | null;
    readonly pinned: string | null;
    readonly hasProject: boolean;
    readonly installed: boolean;
    readonly stackFile: string | null;
}

export interface FakePulumi {
    /** The folder holding the `pulumi` executable. */
    readonly bin: string;
    /** Where each call is logged, one JSON line each. */
    readonly log: string;
    /** This process's environment with the fake first on PATH and its data set. */
    readonly env: NodeJS.ProcessEnv;
    /** The calls so far, oldest first. */
    calls(): PulumiCall[];
}

/** Where the fake finds what it answers; each is optional. */
export interface FakePulumiData {
    /** A file holding `pulumi stack history --json`'s answer. */
    readonly history?: string;
    /** A folder of `v<N>.json` state exports. */
    readonly states?: string;
    /** Each stack's outputs, written to `<root>/outputs.json`. */
    readonly outputs?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** Installs the fake in `<root>/bin` and returns it; `PLATFORM_PINNED_IMAGES` is cleared from its environment. */
export function installFakePulumi(root: string, data: FakePulumiData = {}): FakePulumi {
    const bin = path.join(root, "bin");
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, "pulumi"), FAKE_PULUMI, { mode: 0o755 });
    const log = path.join(root, "pulumi.log");
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}`, FAKE_PULUMI_LOG: log };
    delete env.PLATFORM_PINNED_IMAGES;
    if (data.history) env.FAKE_PULUMI_HISTORY = data.history;
    if (data.states) env.FAKE_PULUMI_STATE_DIR = data.states;
    if (data.outputs) {
        env.FAKE_PULUMI_OUTPUTS = path.join(root, "outputs.json");
        fs.writeFileSync(env.FAKE_PULUMI_OUTPUTS, JSON.stringify(data.outputs));
    }
    const calls = () => (fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as PulumiCall) : []);
    return { bin, log, env, calls };
}
