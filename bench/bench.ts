/**
 * `npm run bench [-- --runs N --sizes 1,10,50,200 --keep]` (`-- --help` for every option): what
 * `pulumi preview` spends in this program, measured as whole processes, against
 * `kubectl kustomize` on the same catalogs; then how long the policy pack takes to start serving,
 * from policy/ (TypeScript) and from policy-pack/ (compiled), alone with `--only policy-pack`
 * (bench/policyPack.ts).
 *
 * Each Pulumi case runs Pulumi's own program runner (`@pulumi/pulumi/cmd/run`) the way the
 * language host starts it for a preview: the same arguments, the configuration in PULUMI_CONFIG,
 * the project's runtime options from Pulumi.yaml (so the TypeScript loader Pulumi.yaml selects; for
 * the loader comparison, the other one of sucrase and ts-node+SWC; for the "before" cases, ts-node
 * without SWC, as Pulumi's defaults ran it). Only the engine is replaced, by
 * Pulumi's mock monitor (bench/runner.ts, bench/preload.ts). Configuration is read from
 * Pulumi.yaml and Pulumi.<stack>.yaml by the render harness (tools/harness/stackFiles).
 * Cases run round-robin, after one warm-up round, so that load on the machine spreads evenly.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CommandSpec, EXIT, parseCommandLine, Parsed, runCommand } from "../tools/cli";
import { readStackFiles, StackConfig } from "../tools/harness/stackFiles";
import { benchServices, writeProject } from "./catalog";
import { writeKustomize } from "./kustomize";
import { Command, runOnce } from "./measure";
import type { ChildReport } from "./preload";
import { benchPolicyPack, policyPackReport } from "./policyPack";
import { BenchCase, machine, packageVersion, printReport } from "./report";
import { childEnv, compilePreload, Loader, LOADERS, loaderOf, projectRuntime, REPO, Runtime, runnerCommand, tsNodeRuntime } from "./runner";
import { findOnPath } from "./which";

export interface Options {
    readonly runs: number;
    readonly sizes: number[];
    readonly keep: boolean;
    /** Exit 4 when a target is not met. */
    readonly requireTargets: boolean;
    /** Run only this group of cases. */
    readonly only?: "policy-pack";
}

export const SPEC = {
    name: "bench",
    usage: "npm run bench -- [--runs <n>] [--sizes <a,b,c,...>] [--keep] [--require-targets] [--only policy-pack]",
    summary:
        "Times what 'pulumi preview' spends in this program (Pulumi's own program runner, the engine mocked) on this\n" +
        "repository's staging stack and on generated catalogs, against 'kubectl kustomize' on the same catalogs\n" +
        "(when kubectl is on PATH), then times 'npm run import' of the largest overlay and the policy pack's start (from\n" +
        "policy/ and from policy-pack/), and prints the figures, how they grow and the targets. About five minutes.",
    options: {
        runs: { type: "string", value: "<n>", help: "timed runs per case, after one warm-up round (default 5; 'before' cases at most 3)" },
        sizes: { type: "string", value: "<a,b,c,...>", help: "generated catalog sizes in services, three or more, increasing (default 1,10,50,200)" },
        keep: { type: "boolean", help: "keep the generated projects and Kustomize overlays, and print where they are" },
        "require-targets": { type: "boolean", help: "exit 4 when a target is NOT MET (without it, the report is the result)" },
        only: { type: "string", value: "policy-pack", help: "run only the policy pack's start, TypeScript policy/ against compiled policy-pack/ (about a minute)" },
    },
    exits: [
        [EXIT.failed, "a case failed, or did not run the way its label says"],
        [EXIT.findings, "with --require-targets: a target was NOT MET"],
    ],
} as const satisfies CommandSpec;

export function parseArgs(argv: readonly string[]): Parsed<Options> {
    return parseCommandLine(SPEC, argv, (v) => {
        const whole = (text: string) => (/^[1-9][0-9]*$/.test(text.trim()) ? Number(text) : NaN);
        const runs = whole(v.runs ?? "5");
        if (Number.isNaN(runs)) return `--runs needs a whole number of 1 or more, got ${JSON.stringify(v.runs)}`;
        const sizes = (v.sizes ?? "1,10,50,200").split(",").map(whole);
        if (sizes.length < 3 || sizes.some(Number.isNaN) || sizes.some((n, i) => i > 0 && n <= sizes[i - 1])) {
            return `--sizes needs three or more increasing whole numbers, separated by commas, got ${JSON.stringify(v.sizes)}`;
        }
        if (v.only !== undefined && v.only !== "policy-pack") return `--only takes policy-pack, got ${JSON.stringify(v.only)}`;
        if (v.only !== undefined && (v.sizes !== undefined || v["require-targets"] === true)) {
            return "--only policy-pack runs no catalogs and has no targets: drop --sizes and --require-targets";
        }
        return { runs, sizes, keep: v.keep === true, requireTargets: v["require-targets"] === true, ...(v.only !== undefined ? { only: v.only } : {}) };
    });
}

async function main(opts: Options): Promise<number> {
    if (opts.only === "policy-pack") return policyPackOnly(opts.runs);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "platform-bench-"));
    try {
        const missed = await benchmark(opts, work);
        if (opts.requireTargets && missed.length > 0) {
            process.stderr.write(`bench: targets not met: ${missed.join(", ")}\n`);
            return EXIT.findings;
        }
        return EXIT.done;
    } catch (e) {
        process.stderr.write("\n"); // ends the progress line before the error
        throw e;
    } finally {
        if (opts.keep) {
            process.stdout.write(`\ngenerated projects and overlays kept in ${work}\n`);
        } else {
            fs.rmSync(work, { recursive: true, force: true });
        }
    }
}

/** `--only policy-pack`: the policy pack's start, from policy/ and from policy-pack/, with the versions that decide it. */
async function policyPackOnly(runs: number): Promise<number> {
    const load = [os.loadavg()[0]];
    const cases = await benchPolicyPack(runs, readStackFiles(REPO, "staging", { fillSecrets: true }), (s) => process.stderr.write(s));
    load.push(os.loadavg()[0]);
    const versions = ["@pulumi/pulumi", "@pulumi/policy", "ts-node", "typescript"].map((p) => `${p} ${packageVersion(p)}`).join(", ");
    process.stdout.write([`hft-platform bench --only policy-pack (${runs} starts each)`, machine(load), `versions: ${versions}`, "", ...policyPackReport(cases)].join("\n"));
    return EXIT.done;
}

/** Runs every case and prints the report; returns the targets not met. */
async function benchmark(opts: Options, work: string): Promise<string[]> {
    const preload = compilePreload();
    const runtime = projectRuntime();
    const loader = loaderOf(runtime);
    // The loaders Pulumi.yaml does not name run as cases of their own, on staging and the largest catalog.
    const otherLoaders = (Object.keys(LOADERS) as Loader[]).filter((l) => l !== loader);
    const beforeRuntime = tsNodeRuntime();
    const cases: BenchCase[] = [];
    const pulumiCase = (
        id: string,
        label: string,
        stack: StackConfig,
        extra: { services?: number; env?: NodeJS.ProcessEnv; programDir?: string; runs?: number; runtime?: Runtime; role?: BenchCase["role"]; loader?: Loader } = {},
    ) => {
        const reportFile = path.join(work, `${id}.report.json`);
        const { command, configBytes } = runnerCommand({
            stack,
            programDir: extra.programDir ?? REPO,
            runtime: extra.runtime ?? runtime,
            preload,
            reportFile,
            configFile: path.join(work, `${id}.config.json`),
            env: extra.env,
        });
        const caseLoader = extra.runtime === undefined ? loader : extra.loader;
        cases.push({ id, label, tool: "pulumi", role: extra.role, loader: caseLoader, services: extra.services, runs: extra.runs ?? opts.runs, command, reportFile, configBytes, stack, samples: [], reports: [] });
    };
    // How this program ran before this project tuned it: Pulumi's default TypeScript runtime (ts-node,
    // registered by Pulumi's runner) and the SDK's promise traces formatted (PULUMI_DEBUG_PROMISE_LEAKS
    // keeps runtime/promiseTraces.ts from installing; it changes nothing else unless promises leak).
    const before = (transpileOnly: boolean): NodeJS.ProcessEnv => ({ PULUMI_NODEJS_TRANSPILE_ONLY: String(transpileOnly), PULUMI_DEBUG_PROMISE_LEAKS: "1" });
    const fewer = Math.min(3, opts.runs);

    const floorCommand: Command = { file: process.execPath, args: ["-e", 'require("@pulumi/pulumi"); require("@pulumi/kubernetes")'], cwd: REPO, env: childEnv() };
    cases.push({ id: "floor", label: "floor: node loads @pulumi/pulumi + @pulumi/kubernetes", tool: "node", runs: opts.runs, command: floorCommand, samples: [], reports: [] });
    const empty = writeEmptyProgram(work);
    pulumiCase("runtime-floor", "runtime floor: empty program, Pulumi's runner", empty.stack, { programDir: empty.dir, role: "floor" });
    const staging = readStackFiles(REPO, "staging", { fillSecrets: true });
    const stagingServices = Object.keys((JSON.parse(staging.config["hft-platform:catalog"]) as { services: object }).services).length;
    pulumiCase("staging", `staging (this repo, ${stagingServices} services)`, staging, { services: stagingServices });
    for (const l of otherLoaders) {
        pulumiCase(`staging:${l}`, `staging, loaded through ${l}`, staging, { services: stagingServices, runtime: LOADERS[l], loader: l, role: "loader" });
    }
    pulumiCase("staging-default", "staging, before: Pulumi's default (ts-node type-checks, SDK traces formatted)", staging, {
        services: stagingServices,
        runtime: beforeRuntime,
        env: before(false),
        runs: fewer,
        role: "before",
    });
    pulumiCase("staging-transpile", "staging, before: ts-node transpile-only, SDK traces formatted", staging, {
        services: stagingServices,
        runtime: beforeRuntime,
        env: before(true),
        runs: fewer,
        role: "before",
    });

    const kubectl = findOnPath("kubectl");
    if (kubectl === undefined) {
        process.stderr.write("kubectl not found on PATH: the kustomize comparison will not run (install kubectl or add it to PATH)\n");
    }
    for (const n of opts.sizes) {
        const dir = path.join(work, `catalog-${n}`);
        const services = benchServices(n);
        writeProject(dir, services, runtime.raw);
        pulumiCase(`pulumi-${n}`, `pulumi ${n}`, readStackFiles(dir, "bench", { fillSecrets: true }), { services: n, programDir: dir });
        if (kubectl) {
            const overlay = writeKustomize(path.join(dir, "kustomize"), services);
            cases.push({
                id: `kustomize-${n}`,
                label: `kustomize ${n}`,
                tool: "kustomize",
                services: n,
                runs: opts.runs,
                command: { file: kubectl, args: ["kustomize", overlay], cwd: dir, env: childEnv() },
                samples: [],
                reports: [],
            });
            if (n === opts.sizes[opts.sizes.length - 1]) cases.push(importCase(overlay, path.join(work, `import-${n}`), n, Math.min(3, opts.runs)));
        }
    }

    const largest = opts.sizes[opts.sizes.length - 1];
    const largestCase = cases.find((c) => c.id === `pulumi-${largest}`)!;
    const largestStack = largestCase.stack!;
    const largestDir = largestCase.command.cwd;
    const sdkFloor = writeSdkFloorProgram(work);
    // As many resources as the largest catalog has: set once its warm-up run has counted them.
    pulumiCase(`sdk-floor-${largest}`, `SDK floor: as many bare ConfigMaps as pulumi ${largest} has resources`, sdkFloor.stack, {
        programDir: sdkFloor.dir,
        role: "diagnostic",
    });
    for (const l of otherLoaders) {
        pulumiCase(`pulumi-${largest}:${l}`, `pulumi ${largest}, loaded through ${l}`, largestStack, { services: largest, programDir: largestDir, runtime: LOADERS[l], loader: l, role: "loader" });
    }
    pulumiCase(`pulumi-${largest}-before`, `pulumi ${largest}, before: ts-node transpile-only, SDK traces formatted`, largestStack, {
        services: largest,
        programDir: largestDir,
        runtime: beforeRuntime,
        env: before(true),
        runs: fewer,
        role: "before",
    });
    pulumiCase(`pulumi-${largest}-nodebugger`, `pulumi ${largest} without the runner's V8 debugger session (diagnostic)`, largestStack, {
        services: largest,
        programDir: largestDir,
        env: { BENCH_NO_DEBUGGER: "1" },
        runs: fewer,
        role: "diagnostic",
    });

    const load = [os.loadavg()[0]];
    const rounds = Math.max(...cases.map((c) => c.runs));
    for (let round = 0; round <= rounds; round++) {
        process.stderr.write(round === 0 ? "warm-up round" : `\rround ${round}/${rounds}  `);
        for (const c of cases.filter((x) => round === 0 || x.runs >= round)) {
            const sample = await runOnce(c.command);
            if (sample.exitCode !== 0) {
                throw new Error(`${c.label} exited with ${sample.exitCode}:\n${sample.stderr || sample.stdout}`);
            }
            if (round === 0) {
                // The warm-up fills the page cache and checks what each case produces.
                c.objects = c.tool === "kustomize" ? (sample.stdout.match(/^kind: /gm) ?? []).length : undefined;
                if (c.id === `pulumi-${largest}`) {
                    const counted = (JSON.parse(fs.readFileSync(c.reportFile!, "utf8")) as ChildReport).resources;
                    cases.find((x) => x.id === `sdk-floor-${largest}`)!.command.env.FLOOR_RESOURCES = String(counted - 1);
                }
                continue;
            }
            c.samples.push(sample);
            if (c.reportFile) c.reports.push(checkedReport(c, JSON.parse(fs.readFileSync(c.reportFile, "utf8")) as ChildReport));
        }
    }
    process.stderr.write("\n");
    load.push(os.loadavg()[0]);

    const missed = printReport(cases, { runs: opts.runs, load, kubectl, runtime: runtime.raw, loader });
    // Timed apart: a pack is timed to its first answer, not to its exit.
    process.stdout.write(["", ...policyPackReport(await benchPolicyPack(opts.runs, staging, (s) => process.stderr.write(s)))].join("\n"));
    return missed;
}

/**
 * `npm run import` of the largest generated overlay: the tool prints kubectl kustomize's own
 * time apart from its mapping (report.ts reads that line), so the report shows both.
 */
function importCase(overlay: string, out: string, services: number, runs: number): BenchCase {
    const command: Command = {
        file: process.execPath,
        args: ["-r", "ts-node/register", path.join(REPO, "tools", "import.ts"), overlay, "--out", out],
        cwd: REPO,
        env: childEnv(),
    };
    return { id: `import-${services}`, label: `npm run import of the ${services}-service overlay`, tool: "import", services, runs, command, samples: [], reports: [] };
}

/** A case's report, refused when the case did not run the way its label says. */
function checkedReport(c: BenchCase, r: ChildReport): ChildReport {
    const tsNode = c.command.env.PULUMI_NODEJS_TYPESCRIPT === "true";
    const problems = [
        tsNode && r.tsNode === undefined ? "ts-node was not registered" : undefined,
        !tsNode && r.tsNode !== undefined ? "ts-node was registered" : undefined,
        tsNode && r.tsNode && String(r.tsNode.transpileOnly) !== (c.command.env.PULUMI_NODEJS_TRANSPILE_ONLY ?? "true") ? `ts-node transpileOnly is ${r.tsNode.transpileOnly}` : undefined,
        c.role !== "floor" && r.promiseTraceHook === (c.role === "before") ? `the promise-trace formatter was ${r.promiseTraceHook ? "" : "not "}installed` : undefined,
        c.loader === "sucrase" && !r.sucrase ? "sucrase was not registered" : undefined,
        c.loader === "ts-node+SWC" && !r.tsNode?.swc ? "ts-node did not transpile through SWC" : undefined,
        c.role === "before" && r.tsNode?.swc ? "ts-node transpiled through SWC" : undefined,
    ].filter((p) => p !== undefined);
    if (problems.length > 0) {
        throw new Error(`${c.label}: ${problems.join("; ")}`);
    }
    return r;
}

/** A program that only loads the two SDKs, run like the real one. */
function writeEmptyProgram(work: string): { dir: string; stack: StackConfig } {
    return writeProgram(work, "empty", 'import * as pulumi from "@pulumi/pulumi";\nimport * as k8s from "@pulumi/kubernetes";\n\nexport const loaded = [pulumi.getStack(), typeof k8s.Provider];\n');
}

/**
 * The SDK's own cost for a number of resources (FLOOR_RESOURCES): that many ConfigMaps with
 * fixed names and plain inputs, no provider, parent or dependency, the promise traces skipped
 * as in this program. No program declaring that many resources can run faster under the runner.
 */
function writeSdkFloorProgram(work: string): { dir: string; stack: StackConfig } {
    const hook = JSON.stringify(path.join(REPO, "runtime", "promiseTraces"));
    return writeProgram(
        work,
        "sdk-floor",
        [
            'import * as k8s from "@pulumi/kubernetes";',
            `import { skipPromiseDebugTraces } from ${hook};`,
            "",
            "skipPromiseDebugTraces();",
            'for (let i = 0; i < Number(process.env.FLOOR_RESOURCES ?? "0"); i++) {',
            '    new k8s.core.v1.ConfigMap(`cm-${i}`, { metadata: { name: `cm-${i}`, namespace: "bench" }, data: { key: "value" } });',
            "}",
            "",
        ].join("\n"),
    );
}

function writeProgram(work: string, name: string, source: string): { dir: string; stack: StackConfig } {
    const dir = path.join(work, name);
    fs.mkdirSync(dir);
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"));
    // The repository's compiler and ts-node settings, which Pulumi's runner reads from the program's directory.
    fs.symlinkSync(path.join(REPO, "tsconfig.json"), path.join(dir, "tsconfig.json"));
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, main: "index.ts" }));
    fs.writeFileSync(path.join(dir, "index.ts"), source);
    return { dir, stack: { project: name, stack: "bench", config: {}, secretKeys: [], placeholders: [] } };
}

if (require.main === module) {
    runCommand(SPEC, parseArgs(process.argv.slice(2)), main);
}
