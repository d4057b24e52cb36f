/**
 * `npm run bench [-- --runs N --sizes 1,10,50,200 --keep]`: what `pulumi preview` spends in this
 * program, measured as whole processes, against `kubectl kustomize` on the same catalogs.
 *
 * Each Pulumi case runs Pulumi's own program runner (`@pulumi/pulumi/cmd/run`) the way the
 * language host starts it for a preview: the same arguments, the configuration in PULUMI_CONFIG,
 * the project's runtime options from Pulumi.yaml (so the TypeScript loader Pulumi.yaml names, or
 * ts-node registered by Pulumi's own code for the "before" cases). Only the engine is replaced, by
 * Pulumi's mock monitor (bench/preload.ts). Configuration is
 * read from Pulumi.yaml and Pulumi.<stack>.yaml by the render harness (tools/harness/stackFiles).
 * Cases run round-robin, after one warm-up round, so that load on the machine spreads evenly.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { transform } from "sucrase";
import YAML from "yaml";
import { readStackFiles, StackConfig } from "../tools/harness/stackFiles";
import { benchServices, projectFile, stackFile } from "./catalog";
import { writeKustomize } from "./kustomize";
import { cleanUp, Command, runOnce } from "./measure";
import type { ChildReport } from "./preload";
import { BenchCase, MAX_ARG_STRLEN, printReport } from "./report";
import { findOnPath } from "./which";

const REPO = path.resolve(__dirname, "..");
const RUNNER = require.resolve("@pulumi/pulumi/cmd/run", { paths: [REPO] });

interface Options {
    readonly runs: number;
    readonly sizes: number[];
    readonly keep: boolean;
}

async function main(opts: Options): Promise<void> {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "hft-bench-"));
    try {
        await benchmark(opts, work);
    } finally {
        if (opts.keep) {
            process.stdout.write(`\ngenerated projects and overlays kept in ${work}\n`);
        } else {
            fs.rmSync(work, { recursive: true, force: true });
        }
        cleanUp();
    }
}

async function benchmark(opts: Options, work: string): Promise<void> {
    const preload = compilePreload();
    const runtime = runtimeOptions();
    const cases: BenchCase[] = [];
    const pulumiCase = (
        id: string,
        label: string,
        stack: StackConfig,
        extra: { services?: number; env?: NodeJS.ProcessEnv; programDir?: string; runs?: number; runtime?: Runtime; role?: BenchCase["role"] } = {},
    ) => {
        const reportFile = path.join(work, `${id}.report.json`);
        const programDir = extra.programDir ?? REPO;
        const rt = extra.runtime ?? runtime;
        const config = JSON.stringify(languageHostConfig(stack.config));
        const configBytes = Buffer.byteLength(`PULUMI_CONFIG=${config}`) + 1;
        const configFile = path.join(work, `${id}.config.json`);
        if (configBytes > MAX_ARG_STRLEN) {
            fs.writeFileSync(configFile, JSON.stringify({ config: stack.config, secretKeys: stack.secretKeys }));
        }
        const env: NodeJS.ProcessEnv = {
            ...childEnv(),
            // What pulumi-language-nodejs puts in the program's environment.
            ...(configBytes > MAX_ARG_STRLEN ? { BENCH_CONFIG_FILE: configFile } : { PULUMI_CONFIG: config }),
            PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(stack.secretKeys),
            ...(rt.typescript ? { PULUMI_NODEJS_TYPESCRIPT: "true" } : {}),
            ...(rt.tsconfig ? { PULUMI_NODEJS_TSCONFIG_PATH: rt.tsconfig } : {}),
            BENCH_PROJECT: stack.project,
            BENCH_STACK: stack.stack,
            BENCH_REPORT: reportFile,
            ...extra.env,
        };
        const args = [
            ...rt.nodeargs,
            "--require",
            preload,
            RUNNER,
            ...["--monitor", "mock", "--organization", "organization", "--project", stack.project, "--root-directory", programDir],
            ...["--stack", stack.stack, "--pwd", programDir, "--dry-run", "--parallel", "16", "."],
        ];
        const command = { file: process.execPath, args, cwd: programDir, env };
        cases.push({ id, label, tool: "pulumi", role: extra.role, services: extra.services, runs: extra.runs ?? opts.runs, command, reportFile, configBytes, stack, samples: [], reports: [] });
    };
    // How this program ran before this project tuned it: Pulumi's default TypeScript runtime (ts-node,
    // registered by Pulumi's runner) and the SDK's promise traces formatted (PULUMI_DEBUG_PROMISE_LEAKS
    // keeps runtime/promiseTraces.ts from installing; it changes nothing else unless promises leak).
    const tsNodeRuntime: Runtime = { raw: { name: "nodejs", options: { typescript: true } }, typescript: true, nodeargs: [] };
    const before = (transpileOnly: boolean): NodeJS.ProcessEnv => ({ PULUMI_NODEJS_TRANSPILE_ONLY: String(transpileOnly), PULUMI_DEBUG_PROMISE_LEAKS: "1" });
    const fewer = Math.min(3, opts.runs);

    const floorCommand: Command = { file: process.execPath, args: ["-e", 'require("@pulumi/pulumi"); require("@pulumi/kubernetes")'], cwd: REPO, env: childEnv() };
    cases.push({ id: "floor", label: "floor: node loads @pulumi/pulumi + @pulumi/kubernetes", tool: "node", runs: opts.runs, command: floorCommand, samples: [], reports: [] });
    const empty = writeEmptyProgram(work);
    pulumiCase("runtime-floor", "runtime floor: empty program, Pulumi's runner", empty.stack, { programDir: empty.dir });
    const staging = readStackFiles(REPO, "staging", { fillSecrets: true });
    const stagingServices = Object.keys((JSON.parse(staging.config["hft-platform:catalog"]) as { services: object }).services).length;
    pulumiCase("staging", `staging (this repo, ${stagingServices} services)`, staging, { services: stagingServices });
    pulumiCase("staging-default", "staging, before: Pulumi's default (ts-node type-checks, SDK traces formatted)", staging, {
        services: stagingServices,
        runtime: tsNodeRuntime,
        env: before(false),
        runs: fewer,
        role: "before",
    });
    pulumiCase("staging-transpile", "staging, before: ts-node transpile-only, SDK traces formatted", staging, {
        services: stagingServices,
        runtime: tsNodeRuntime,
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
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), YAML.stringify(projectFile(services, runtime.raw)));
        fs.writeFileSync(path.join(dir, "Pulumi.bench.yaml"), YAML.stringify(stackFile(services)));
        pulumiCase(`pulumi-${n}`, `pulumi ${n}`, readStackFiles(dir, "bench", { fillSecrets: true }), { services: n });
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
        }
    }

    const largest = opts.sizes[opts.sizes.length - 1];
    const largestStack = cases.find((c) => c.id === `pulumi-${largest}`)!.stack!;
    pulumiCase(`pulumi-${largest}-before`, `pulumi ${largest}, before: ts-node transpile-only, SDK traces formatted`, largestStack, {
        services: largest,
        runtime: tsNodeRuntime,
        env: before(true),
        runs: fewer,
        role: "before",
    });
    pulumiCase(`pulumi-${largest}-nodebugger`, `pulumi ${largest} without the runner's V8 debugger session (diagnostic)`, largestStack, {
        services: largest,
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
                continue;
            }
            c.samples.push(sample);
            if (c.reportFile) c.reports.push(checkedReport(c, JSON.parse(fs.readFileSync(c.reportFile, "utf8")) as ChildReport));
        }
    }
    process.stderr.write("\n");
    load.push(os.loadavg()[0]);

    printReport(cases, { runs: opts.runs, load, kubectl, runtime: runtime.raw });
}

/** The child's environment: this one without settings that would change how ts-node or Pulumi behave. */
function childEnv(): NodeJS.ProcessEnv {
    return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("TS_NODE_") && !k.startsWith("PULUMI_")));
}

/** The language host passes `<namespace>:<key>` as `<namespace>:config:<key>`. */
function languageHostConfig(config: Readonly<Record<string, string>>): Record<string, string> {
    return Object.fromEntries(Object.entries(config).map(([k, v]) => [k.replace(/^([^:]+):/, "$1:config:"), v]));
}

/** A case's report, refused when the case did not run the way its label says. */
function checkedReport(c: BenchCase, r: ChildReport): ChildReport {
    const tsNode = c.command.env.PULUMI_NODEJS_TYPESCRIPT === "true";
    const problems = [
        tsNode && r.tsNode === undefined ? "ts-node was not registered" : undefined,
        !tsNode && r.tsNode !== undefined ? "ts-node was registered" : undefined,
        tsNode && r.tsNode && String(r.tsNode.transpileOnly) !== c.command.env.PULUMI_NODEJS_TRANSPILE_ONLY ? `ts-node transpileOnly is ${r.tsNode.transpileOnly}` : undefined,
        c.id !== "runtime-floor" && r.promiseTraceHook === (c.role === "before") ? `the promise-trace formatter was ${r.promiseTraceHook ? "" : "not "}installed` : undefined,
    ].filter((p) => p !== undefined);
    if (problems.length > 0) {
        throw new Error(`${c.label}: ${problems.join("; ")}`);
    }
    return r;
}

export interface Runtime {
    readonly raw: unknown;
    readonly typescript: boolean;
    readonly tsconfig?: string;
    readonly nodeargs: string[];
}

/** The nodejs runtime options of Pulumi.yaml, read as pulumi-language-nodejs reads them. */
function runtimeOptions(): Runtime {
    const project = YAML.parse(fs.readFileSync(path.join(REPO, "Pulumi.yaml"), "utf8")) as { runtime: unknown };
    const raw = project.runtime;
    const options: Record<string, unknown> = typeof raw === "object" && raw !== null ? ((raw as { options?: Record<string, unknown> }).options ?? {}) : {};
    return {
        raw,
        typescript: options.typescript !== false,
        tsconfig: typeof options.tsconfig === "string" ? options.tsconfig : undefined,
        // The language host splits with shell quoting rules; plain words are all this project uses.
        nodeargs: typeof options.nodeargs === "string" ? options.nodeargs.split(/\s+/).filter(Boolean) : [],
    };
}

/** The mock engine, as JavaScript: it runs before Pulumi's runner registers ts-node. */
function compilePreload(): string {
    const source = fs.readFileSync(path.join(__dirname, "preload.ts"), "utf8");
    const js = transform(source, { transforms: ["typescript", "imports"], filePath: "preload.ts" }).code;
    // Inside the project's node_modules, so that it resolves @pulumi/pulumi as the program does.
    const out = path.join(REPO, "node_modules", ".cache", "hft-bench", "preload.js");
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, js);
    return out;
}

/** A program that only loads the two SDKs, run like the real one, with this project's tsconfig. */
function writeEmptyProgram(work: string): { dir: string; stack: StackConfig } {
    const dir = path.join(work, "empty");
    fs.mkdirSync(dir);
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"));
    fs.copyFileSync(path.join(REPO, "tsconfig.json"), path.join(dir, "tsconfig.json"));
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "empty", main: "index.ts" }));
    fs.writeFileSync(
        path.join(dir, "index.ts"),
        'import * as pulumi from "@pulumi/pulumi";\nimport * as k8s from "@pulumi/kubernetes";\n\nexport const loaded = [pulumi.getStack(), typeof k8s.Provider];\n',
    );
    return { dir, stack: { project: "empty", stack: "bench", config: {}, secretKeys: [], placeholders: [] } };
}

function parseArgs(argv: readonly string[]): Options {
    const value = (name: string) => {
        const i = argv.indexOf(name);
        return i >= 0 ? argv[i + 1] : undefined;
    };
    const runs = parseInt(value("--runs") ?? "5", 10);
    const sizes = (value("--sizes") ?? "1,10,50,200").split(",").map((s) => parseInt(s, 10));
    if (!(runs >= 1) || sizes.length < 3 || sizes.some((n) => !(n >= 1))) {
        throw new Error("usage: npm run bench -- [--runs N>=1] [--sizes a,b,c,... (three or more)] [--keep]");
    }
    return { runs, sizes, keep: argv.includes("--keep") };
}

main(parseArgs(process.argv.slice(2))).catch((e: Error) => {
    process.stderr.write(`\nbench failed: ${e.message}\n`);
    process.exit(1);
});
