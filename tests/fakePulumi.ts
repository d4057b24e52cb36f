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
 * - `up`: exits FAKE_PULUMI_UP_EXIT (255 when its `--message` contains FAKE_PULUMI_UP_FAIL_WHEN),
 *   and records the update in FAKE_PULUMI_HISTORY (when set) as the CLI does: the next version,
 *   newest first, with its `--message`, result, and the git commit it ran from (`git.dirty` true
 *   when `git status --porcelain` shows anything), `exec.kind` (`auto.local` from the Automation
 *   API). With FAKE_PULUMI_IMAGES (`{"<service>": "<repo>@sha256:..."}`, what the program's
 *   configuration deploys) and FAKE_PULUMI_OUTPUTS, a successful update keeps the stack's outputs
 *   as the program would (config/canary.ts): with `PLATFORM_CANARY`, a `canary` output and the
 *   `releases` of the services named in `stable` unchanged; without it, no `canary` output and
 *   each service's newest release the image it runs (a `PLATFORM_PINNED_IMAGES` pin, else the
 *   configured one). FAKE_PULUMI_UP_SLEEP (ms) makes an update whose message contains
 *   FAKE_PULUMI_UP_SLEEP_WHEN (any, unset) last that long, after writing `<log>.updating` with
 *   its process id; a SIGINT or SIGTERM then cancels it as pulumi does (it ends failed shortly
 *   after), a second one terminates it at once (no history entry); each is logged to `<log>.signals`.
 * - `version`: `v3.248.0`, as the Automation API's `PulumiCommand.get` reads it.
 * Anything else exits 99, saying so.
 */
export const FAKE_PULUMI = `#!/usr/bin/env node
const fs = require("fs");
const { execFileSync } = require("child_process");
const argv = process.argv.slice(2);
let head = null;
try { head = execFileSync("git", ["rev-parse", "HEAD"], { cwd: process.cwd(), encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim(); } catch {}
fs.appendFileSync(process.env.FAKE_PULUMI_LOG, JSON.stringify({
    argv, cwd: process.cwd(), head, pinned: process.env.PLATFORM_PINNED_IMAGES ?? null, canary: process.env.PLATFORM_CANARY ?? null,
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
if (is("version")) { process.stdout.write("v3.248.0\\n"); process.exit(0); }
if (is("up")) {
    const message = flag("--message") ?? "";
    const failWhen = process.env.FAKE_PULUMI_UP_FAIL_WHEN;
    const code = failWhen && message.includes(failWhen) ? 255 : Number(process.env.FAKE_PULUMI_UP_EXIT || 0);
    const record = (code) => {
        if (!process.env.FAKE_PULUMI_HISTORY) return;
        const history = JSON.parse(fs.readFileSync(process.env.FAKE_PULUMI_HISTORY, "utf8"));
        const version = Math.max(0, ...history.map((u) => u.version)) + 1;
        const status = execFileSync("git", ["status", "--porcelain"], { cwd: process.cwd(), encoding: "utf8" });
        const environment = head ? { "git.head": head, "git.dirty": String(status.trim() !== ""), "git.headName": "HEAD", "exec.kind": flag("--exec-kind") ?? "cli" } : {};
        const entry = { version, kind: "update", result: code === 0 ? "succeeded" : "failed", startTime: new Date().toISOString(), message: flag("--message"), environment };
        fs.writeFileSync(process.env.FAKE_PULUMI_HISTORY, JSON.stringify([entry, ...history]));
    };
    const keepOutputs = () => {
        if (!process.env.FAKE_PULUMI_IMAGES || !process.env.FAKE_PULUMI_OUTPUTS) return;
        const configured = JSON.parse(process.env.FAKE_PULUMI_IMAGES);
        const canary = process.env.PLATFORM_CANARY ? JSON.parse(process.env.PLATFORM_CANARY) : null;
        const pins = process.env.PLATFORM_PINNED_IMAGES ? JSON.parse(process.env.PLATFORM_PINNED_IMAGES) : {};
        const stacks = JSON.parse(fs.readFileSync(process.env.FAKE_PULUMI_OUTPUTS, "utf8"));
        const stack = flag("--stack");
        const key = Object.hasOwn(stacks, stack) ? stack : stack.split("/").pop();
        const outputs = (stacks[key] ??= {});
        const releases = (outputs.releases ??= {});
        const since = new Date().toISOString().replace(/\\.\\d+Z$/, "Z");
        const runs = (service, image, source) => {
            const list = releases[service] ?? [];
            if (list[0]?.image !== image) releases[service] = [{ image, source, since }, ...list];
        };
        const released = canary ? Object.keys(canary.stable) : [];
        for (const [service, image] of Object.entries(configured)) {
            if (!released.includes(service)) runs(service, pins[service] ?? image, pins[service] ? "rollback" : "registry");
        }
        if (canary) outputs.canary = { weight: canary.weight, services: Object.fromEntries(released.map((s) => [s, configured[s]])) };
        else delete outputs.canary;
        fs.writeFileSync(process.env.FAKE_PULUMI_OUTPUTS, JSON.stringify(stacks));
    };
    const finish = (code) => {
        record(code);
        if (code === 0) keepOutputs();
        process.exit(code);
    };
    const sleepWhen = process.env.FAKE_PULUMI_UP_SLEEP_WHEN;
    if (process.env.FAKE_PULUMI_UP_SLEEP && (!sleepWhen || message.includes(sleepWhen))) {
        let signals = 0;
        const stop = (signal) => {
            signals += 1;
            fs.appendFileSync(process.env.FAKE_PULUMI_LOG + ".signals", JSON.stringify({ message, signal, action: signals === 1 ? "cancel" : "terminate" }) + "\\n");
            if (signals === 1) setTimeout(() => finish(255), 300);
            else process.exit(255);
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
        fs.writeFileSync(process.env.FAKE_PULUMI_LOG + ".updating", String(process.pid));
        setTimeout(() => { if (signals === 0) finish(code); }, Number(process.env.FAKE_PULUMI_UP_SLEEP));
        return;
    }
    finish(code);
}
process.stderr.write("fake pulumi: unexpected " + argv.join(" ") + "\\n"); process.exit(99);
`;

/** One call the fake received. */
export interface PulumiCall {
    readonly argv: string[];
    readonly cwd: string;
    readonly head: string | null;
    readonly pinned: string | null;
    /** `PLATFORM_CANARY` as the update saw it (the release driver's). */
    readonly canary: string | null;
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
    /** The signals a slow `up` received, oldest first: the update's message, the signal, and what it did. */
    signals(): { message: string; signal: string; action: "cancel" | "terminate" }[];
}

/** Where the fake finds what it answers; each is optional. */
export interface FakePulumiData {
    /** A file holding `pulumi stack history --json`'s answer. */
    readonly history?: string;
    /** A folder of `v<N>.json` state exports. */
    readonly states?: string;
    /** Each stack's outputs, written to `<root>/outputs.json`. */
    readonly outputs?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
    /** What the program's configuration deploys, by service: `up` then keeps the outputs as the program would. */
    readonly images?: Readonly<Record<string, string>>;
}

/** Installs the fake in `<root>/bin` and returns it; `PLATFORM_PINNED_IMAGES` and `PLATFORM_CANARY` are cleared from its environment. */
export function installFakePulumi(root: string, data: FakePulumiData = {}): FakePulumi {
    const bin = path.join(root, "bin");
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, "pulumi"), FAKE_PULUMI, { mode: 0o755 });
    const log = path.join(root, "pulumi.log");
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}`, FAKE_PULUMI_LOG: log };
    delete env.PLATFORM_PINNED_IMAGES;
    delete env.PLATFORM_CANARY;
    if (data.images) env.FAKE_PULUMI_IMAGES = JSON.stringify(data.images);
    if (data.history) env.FAKE_PULUMI_HISTORY = data.history;
    if (data.states) env.FAKE_PULUMI_STATE_DIR = data.states;
    if (data.outputs) {
        env.FAKE_PULUMI_OUTPUTS = path.join(root, "outputs.json");
        fs.writeFileSync(env.FAKE_PULUMI_OUTPUTS, JSON.stringify(data.outputs));
    }
    const lines = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l)) : []);
    return { bin, log, env, calls: () => lines(log) as PulumiCall[], signals: () => lines(`${log}.signals`) };
}
