import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { transformSync } from "@swc/core";
import { benchServices, writeProject } from "../../bench/catalog";
import { MAX_ARG_STRLEN, projectRuntime, Runtime } from "../../bench/runner";
import { evaluate } from "../../tools/harness/evaluate";
import { readStackFiles, StackConfig } from "../../tools/harness/stackFiles";
import { previewThroughRunner, REPO, run, stackConfig } from "../support";

/** Runs a repository stack as `pulumi preview` would start it, with a mock engine. */
function preview(stack: string | StackConfig, tmp: string, opts: { runtime?: Runtime; programDir?: string; env?: NodeJS.ProcessEnv } = {}) {
    return previewThroughRunner(typeof stack === "string" ? stackConfig(stack) : stack, opts.programDir ?? REPO, opts.runtime ?? projectRuntime(), tmp, opts.env);
}

/** A small program with its own files, run with this repository's packages and tsconfig.json. */
function writeProgram(tmp: string, files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(tmp, "program-"));
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"));
    fs.symlinkSync(path.join(REPO, "tsconfig.json"), path.join(dir, "tsconfig.json"));
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "probe", main: "index.ts" }));
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return dir;
}

const lineOf = (text: string, marker: string) => text.split("\n").findIndex((l) => l.includes(marker)) + 1;

describe("Pulumi's runner with Pulumi.yaml's runtime options (as `pulumi preview` starts the program)", function () {
    this.timeout(60000);
    let tmp: string;
    before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "platform-runner-"))));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("takes Pulumi's own TypeScript path: no nodeargs, TypeScript on", () => {
        const runtime = projectRuntime();
        assert.equal(runtime.typescript, true);
        assert.deepEqual(runtime.nodeargs, []);
    });

    for (const stack of ["staging", "production"]) {
        it(`runs ${stack} through the project's ts-node, transpiling with SWC, with every object declared and the promise traces skipped`, async () => {
            const { sample, report } = await preview(stack, tmp);
            assert.equal(sample.exitCode, 0, sample.stderr);
            const expected = (await run(stack)).resources.filter((r) => r.type.startsWith("kubernetes:")).length;
            assert.equal(report?.kubernetesObjects, expected);
            assert.deepEqual(report?.tsNode, { transpileOnly: true, swc: true, tsconfig: path.join(REPO, "tsconfig.json") });
            assert.equal(report?.sucrase, false);
            assert.equal(report?.promiseTraceHook, true);
        });
    }

    it("uses ts-node, TypeScript and SWC from dependencies, which `npm ci --omit=dev` keeps (without them Pulumi falls back to its bundled ts-node)", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as { dependencies: Record<string, string> };
        for (const name of ["ts-node", "typescript", "@swc/core"]) {
            assert.ok(name in pkg.dependencies, `${name} is not in dependencies`);
            assert.doesNotThrow(() => require.resolve(name, { paths: [REPO] }));
        }
    });

    it("records each resource's source position on the TypeScript line that declares it (SWC's source maps)", async () => {
        const { sample, report } = await preview("staging", tmp, { env: { BENCH_SOURCE_POSITIONS: "1" } });
        assert.equal(sample.exitCode, 0, sample.stderr);
        const inProgram = Object.entries(report?.sourcePositions ?? {}).filter(([, at]) => at.startsWith(REPO + path.sep) && !at.includes(`${path.sep}node_modules${path.sep}`));
        assert.ok(inProgram.length >= 40, `${inProgram.length} positions in the program's files`);
        for (const [name, at] of inProgram) {
            const [file, line] = [at.slice(0, at.lastIndexOf(":")), Number(at.slice(at.lastIndexOf(":") + 1))];
            const text = fs.readFileSync(file, "utf8").split("\n")[line - 1];
            assert.match(text, /\bnew [A-Za-z.0-9]+\(/, `${name} at ${path.relative(REPO, file)}:${line}: ${text.trim()}`);
        }
    });

    it("reports an error thrown by the program at its TypeScript file and line", async () => {
        const helper = [
            'import type { Readable } from "stream";',
            "",
            "export interface Unused {",
            "    readonly stream?: Readable;",
            "}",
            "",
            "export function fail(): never {",
            "    const values: Record<string, number> = {};",
            '    throw new Error(`boom after ${Object.keys(values).length} values`); // <- THROW',
            "}",
            "",
        ].join("\n");
        const index = ['import * as pulumi from "@pulumi/pulumi";', 'import { fail } from "./helper";', "", "type Stack = string;", "const stack: Stack = pulumi.getStack();", "if (stack) fail(); // <- CALL", ""].join("\n");
        // SWC moves the line (so only a source map can point back at it).
        const compiled = transformSync(helper, { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } }).code;
        assert.notEqual(lineOf(compiled, "throw new Error"), lineOf(helper, "<- THROW"));

        const dir = writeProgram(tmp, { "helper.ts": helper, "index.ts": index });
        const { sample } = await preview({ project: "probe", stack: "staging", config: {}, secretKeys: [], placeholders: [] }, tmp, { programDir: dir });
        assert.notEqual(sample.exitCode, 0);
        const stderr = sample.stderr.replace(/\x1b\[[0-9;]*m/g, "");
        assert.match(stderr, /Error: boom after 0 values/);
        assert.ok(stderr.includes(`${path.join(dir, "helper.ts")}:${lineOf(helper, "<- THROW")}:`), stderr);
        assert.ok(stderr.includes(`${path.join(dir, "index.ts")}:${lineOf(index, "<- CALL")}:`), stderr);
    });

    it("lets 200 generated services preview through Pulumi's runner: the catalog is out of PULUMI_CONFIG", async () => {
        const dir = path.join(tmp, "generated-200");
        writeProject(dir, benchServices(200), projectRuntime().raw);
        const stack = readStackFiles(dir, "bench", { fillSecrets: true });
        const expected = (await evaluate(stack, { ciEnv: {} })).resources.filter((r) => r.type.startsWith("kubernetes:")).length;
        const { sample, report, configBytes } = await preview(stack, tmp, { programDir: dir });
        assert.ok(configBytes < MAX_ARG_STRLEN / 4, `PULUMI_CONFIG is ${configBytes} bytes`);
        assert.equal(sample.exitCode, 0, sample.stderr);
        assert.ok(expected > 1800);
        assert.equal(report?.kubernetesObjects, expected);
    });
});
