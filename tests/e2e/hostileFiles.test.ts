import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { aliasBomb, hostileProject, linkInstead } from "../hostileProject";
import { REPO, TS_NODE_ARGS, TS_NODE_ENV } from "../support";

/** Longer than any tool takes to refuse, far shorter than "forever": a tool still running then hangs. */
const HANG_MS = 20_000;

interface Exit {
    readonly code: number | null;
    readonly stdout: string;
    readonly stderr: string;
    /** Still running at HANG_MS, and killed. */
    readonly hung: boolean;
}

/** Runs a tool (tools/<tool>.ts) as `npm run <tool>` does, killed after HANG_MS. */
function tool(name: string, args: readonly string[]): Promise<Exit> {
    return new Promise((resolve) => {
        const child = spawn(process.execPath, [...TS_NODE_ARGS, path.join(REPO, `tools/${name}.ts`), ...args], {
            cwd: REPO,
            env: { ...process.env, ...TS_NODE_ENV },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        let hung = false;
        const timer = setTimeout(() => {
            hung = true;
            child.kill("SIGKILL");
        }, HANG_MS);
        child.on("close", (code) => {
            clearTimeout(timer);
            resolve({ code, stdout, stderr, hung });
        });
    });
}

/** What every refusal of a hostile file must be: exit 1, one line naming the problem, no stack trace, nothing written. */
function assertRefused(r: Exit, stderr: string, out?: string): void {
    assert.equal(r.hung, false, `still running after ${HANG_MS / 1000} s (killed); stderr so far: ${r.stderr.slice(0, 300)}`);
    assert.equal(r.stderr, stderr);
    assert.equal(r.code, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
    if (out !== undefined) assert.equal(fs.existsSync(out), false, "nothing written");
}

/**
 * Issue 18, classes 1, 2 and 11, as a user meets them: the tools as processes, on a project a
 * pull request could have changed. Special files are here rather than in-process: a reader that
 * blocks on one would stop the test process itself.
 */
describe("hostile project files, through the tools as processes", function () {
    this.timeout(4 * HANG_MS);
    let tmp: string;
    beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hostile-files-"))));
    afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

    const render = (dir: string, out: string) => tool("render", ["staging", "--dir", dir, "--out", out]);
    const catalogProblem = (reason: string) =>
        `render: stack 'staging': Invalid configuration (1 problem):\n  - Pulumi.yaml: hft-platform:catalogFile: cannot read "catalog.yaml" in the project directory (${reason})\n`;

    describe("special files (class 1): refused at once, never waited on", () => {
        it("a catalogFile that is a FIFO (the example)", async () => {
            const p = hostileProject(tmp);
            fs.rmSync(path.join(p.dir, "catalog.yaml"));
            mkfifo(path.join(p.dir, "catalog.yaml"));
            const out = path.join(tmp, "out");
            assertRefused(await render(p.dir, out), catalogProblem("a FIFO, not a regular file"), out);
        });

        it("a catalogFile that is a symbolic link to /dev/zero (the example)", async () => {
            const p = hostileProject(tmp);
            linkInstead(p.dir, "catalog.yaml", "/dev/zero");
            const out = path.join(tmp, "out");
            assertRefused(await render(p.dir, out), catalogProblem("it leads outside the project directory through a symbolic link"), out);
        });

        it("a stack file and a Pulumi.yaml that are FIFOs", async () => {
            const p = hostileProject(tmp);
            fs.rmSync(path.join(p.dir, "Pulumi.staging.yaml"));
            mkfifo(path.join(p.dir, "Pulumi.staging.yaml"));
            const out = path.join(tmp, "out");
            assertRefused(await render(p.dir, out), "render: cannot read Pulumi.staging.yaml in the project directory (a FIFO, not a regular file)\n", out);
            fs.rmSync(path.join(p.dir, "Pulumi.yaml"));
            mkfifo(path.join(p.dir, "Pulumi.yaml"));
            assertRefused(await render(p.dir, out), "render: cannot read Pulumi.yaml in the project directory (a FIFO, not a regular file)\n", out);
        });

        it("a FIFO among the manifests of a plain folder, for import and compare", async () => {
            const overlay = path.join(tmp, "overlay");
            fs.mkdirSync(overlay);
            fs.writeFileSync(path.join(overlay, "a.yaml"), "kind: Service\nmetadata: {name: a}\n");
            mkfifo(path.join(overlay, "b.yaml"));
            const out = path.join(tmp, "out");
            assertRefused(await tool("import", [overlay, "--out", out]), `import: cannot read ${path.join(overlay, "b.yaml")} (a FIFO, not a regular file)\n`, out);
            assertRefused(await tool("compare", [overlay, "--stack", "staging"]), `compare: cannot read ${path.join(overlay, "b.yaml")} (a FIFO, not a regular file)\n`);
        });
    });

    describe("aliases (class 2): a bounded parse, the file and the key named", () => {
        it("a 2.7 KB catalogFile of nested aliases (10^21 values) is refused at the alias that crosses 16 MiB (the example)", async () => {
            const p = hostileProject(tmp);
            fs.writeFileSync(path.join(p.dir, "catalog.yaml"), aliasBomb(21, 2));
            const out = path.join(tmp, "out");
            assertRefused(
                await render(p.dir, out),
                "render: stack 'staging': Invalid configuration (1 problem):\n" +
                    "  - catalog.yaml.level_06[0]: with the alias *level_05 expanded, the document is larger than 16 MiB as JSON (the limit against alias bombs); docs/limits.md\n",
                out,
            );
        });

        it("a catalogFile whose alias is inside the value it names (the example)", async () => {
            const p = hostileProject(tmp);
            fs.writeFileSync(path.join(p.dir, "catalog.yaml"), "system: hft\nservices: &services\n  execution: {port: 8080, env: *services}\n");
            const out = path.join(tmp, "out");
            assertRefused(
                await render(p.dir, out),
                "render: stack 'staging': Invalid configuration (1 problem):\n" +
                    "  - catalog.yaml.services.execution.env: the alias *services is inside the value it names (&services), which would never end\n",
                out,
            );
        });

        it("a stack file with an alias bomb, and one with a cycle, exit 1 naming the file and the key (they exited 3)", async () => {
            const p = hostileProject(tmp);
            const staging = fs.readFileSync(path.join(p.dir, "Pulumi.staging.yaml"), "utf8");
            const bomb = aliasBomb(21, 2)
                .trimEnd()
                .split("\n")
                .map((l) => `  hft-platform:${l}`)
                .join("\n");
            fs.writeFileSync(path.join(p.dir, "Pulumi.staging.yaml"), `${staging}${bomb}\n`);
            const out = path.join(tmp, "out");
            assertRefused(
                await render(p.dir, out),
                "render: Pulumi.staging.yaml: config.hft-platform:level_06[0]: with the alias *level_05 expanded, the document is larger than 16 MiB as JSON (the limit against alias bombs); docs/limits.md\n",
                out,
            );
            fs.writeFileSync(path.join(p.dir, "Pulumi.staging.yaml"), `${staging}  hft-platform:loop: &loop {again: *loop}\n`);
            assertRefused(await render(p.dir, out), "render: Pulumi.staging.yaml: config.hft-platform:loop.again: the alias *loop is inside the value it names (&loop), which would never end\n", out);
        });

        it("manifests with an alias bomb or a cycle, for import and compare (they exited 3, or imported the cycle)", async () => {
            const overlay = path.join(tmp, "overlay");
            fs.mkdirSync(overlay);
            const file = path.join(overlay, "deployment.yaml");
            fs.writeFileSync(file, "kind: Deployment\nmetadata: {name: web}\nspec:\n  template: &pod\n    spec: {containers: [{name: web, image: nginx}], again: *pod}\n");
            const out = path.join(tmp, "out");
            const cycle = "spec.template.spec.again: the alias *pod is inside the value it names (&pod), which would never end";
            assertRefused(await tool("import", [overlay, "--out", out]), `import: ${overlay}: ${cycle}\n`, out);
            assertRefused(await tool("compare", [overlay, "--stack", "staging"]), `compare: ${file}: ${cycle}\n`);
            fs.writeFileSync(file, aliasBomb(21, 2));
            const bomb = "level_06[0]: with the alias *level_05 expanded, the document is larger than 16 MiB as JSON (the limit against alias bombs); docs/limits.md";
            assertRefused(await tool("import", [overlay, "--out", out]), `import: ${overlay}: ${bomb}\n`, out);
            assertRefused(await tool("compare", [overlay, "--stack", "staging"]), `compare: ${file}: ${bomb}\n`);
        });
    });

    describe("YAML errors in the stack files (class 11): exit 1, one line naming the file, nothing of its text", () => {
        /** The line after the repository's staging file: where text appended to it starts. */
        const end = () => fs.readFileSync(path.join(REPO, "Pulumi.staging.yaml"), "utf8").split("\n").length;
        const withStack = (text: (staging: string) => string) => {
            const p = hostileProject(tmp);
            const file = path.join(p.dir, "Pulumi.staging.yaml");
            fs.writeFileSync(file, text(fs.readFileSync(file, "utf8")));
            return p.dir;
        };

        it("a stack file that is not YAML (the example)", async () => {
            const dir = withStack((s) => `${s}  hft-platform:extra: [unclosed\n`);
            const out = path.join(tmp, "out");
            const r = await render(dir, out);
            assertRefused(r, `render: Pulumi.staging.yaml: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line ${end() + 1}, column 1\n`, out);
        });

        it("a key given twice in a stack file, at its key path", async () => {
            const dir = withStack((s) => `${s}  hft-platform:extra: 1\n  hft-platform:extra: 2\n`);
            const out = path.join(tmp, "out");
            assertRefused(await render(dir, out), `render: Pulumi.staging.yaml: config.hft-platform:extra: given twice (line ${end() + 1}, column 3); a mapping holds each key once\n`, out);
        });

        it("a Pulumi.yaml that is not YAML, and one that is a list", async () => {
            const p = hostileProject(tmp);
            const out = path.join(tmp, "out");
            fs.appendFileSync(path.join(p.dir, "Pulumi.yaml"), "name: {unclosed\n");
            const r = await render(p.dir, out);
            assert.match(r.stderr, /^render: Pulumi\.yaml: not valid YAML: [^\n]* at line \d+, column \d+\n$/);
            assertRefused(r, r.stderr, out);
            fs.writeFileSync(path.join(p.dir, "Pulumi.yaml"), "- name: hft-platform\n");
            assertRefused(await render(p.dir, out), "render: Pulumi.yaml: expected a mapping with the project's name (name: <project>), got a list\n", out);
        });

        it("a stack file whose config is a list, and an alias to no anchor", async () => {
            const out = path.join(tmp, "out");
            assertRefused(await render(withStack(() => "config: [a, b]\n"), out), "render: Pulumi.staging.yaml: config: expected a mapping of configuration keys, got a list\n", out);
            assertRefused(
                await render(withStack((s) => `${s}  hft-platform:extra: *nowhere\n`), out),
                "render: Pulumi.staging.yaml: config.hft-platform:extra: the alias *nowhere names no anchor (&nowhere) before it\n",
                out,
            );
        });
    });
});

/** A named pipe: a reader that opens it for reading waits for a writer, forever without one. */
function mkfifo(file: string): void {
    const r = spawnSync("mkfifo", [file], { encoding: "utf8" });
    assert.equal(r.status, 0, `mkfifo: ${r.stderr}`);
}
