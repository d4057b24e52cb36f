/**
 * How `pulumi-language-nodejs` starts a program for a preview, reproduced without the CLI: node
 * with Pulumi.yaml's `nodeargs`, Pulumi's own program runner (`@pulumi/pulumi/cmd/run`) with the
 * host's arguments, and the stack configuration in PULUMI_CONFIG. Only the engine is replaced:
 * bench/preload.ts installs Pulumi's mock monitor ahead of the runner and reports what it saw.
 */
import { MOCK_DOCKER_HOST, REGISTRY_FIXTURE } from "../tools/harness/registry";
import * as fs from "fs";
import * as path from "path";
import { transformSync } from "@swc/core";
import YAML from "yaml";
import type { StackConfig } from "../tools/harness/stackFiles";
import type { Command } from "./measure";

export const REPO = path.resolve(__dirname, "..");
const RUNNER = require.resolve("@pulumi/pulumi/cmd/run", { paths: [REPO] });
/** Files the bench writes for its child processes, inside the project so they resolve its packages. */
const CACHE = path.join(REPO, "node_modules", ".cache", "platform-bench");

/**
 * Linux refuses to exec a program with any one environment string longer than this
 * (MAX_ARG_STRLEN, 32 pages), and pulumi-language-nodejs hands the whole stack configuration to
 * node in one variable, PULUMI_CONFIG: past it, `pulumi preview` fails with "fork/exec node:
 * argument list too long" (pulumi/pulumi#8680).
 */
export const MAX_ARG_STRLEN = 32 * 4096;

/** The nodejs runtime options of a Pulumi.yaml. */
export interface Runtime {
    readonly raw: unknown;
    readonly typescript: boolean;
    readonly tsconfig?: string;
    readonly nodeargs: string[];
}

/** The TypeScript loaders the bench compares (docs/decisions/0001-loader.md). */
export type Loader = "sucrase" | "ts-node+SWC";

/** sucrase, registered by the runtime's nodeargs; Pulumi's runner registers no ts-node. */
export const SUCRASE_RUNTIME: Runtime = {
    raw: { name: "nodejs", options: { typescript: false, nodeargs: "--require sucrase/register/ts" } },
    typescript: false,
    nodeargs: ["--require", "sucrase/register/ts"],
};

/**
 * Pulumi's own TypeScript path: the runner registers the project's ts-node, which reads the
 * "ts-node" section of the program's tsconfig.json (here: transpile only, through SWC).
 */
export const TS_NODE_SWC_RUNTIME: Runtime = { raw: { name: "nodejs" }, typescript: true, nodeargs: [] };

export const LOADERS: Readonly<Record<Loader, Runtime>> = { sucrase: SUCRASE_RUNTIME, "ts-node+SWC": TS_NODE_SWC_RUNTIME };

/** The loader a runtime registers, when it is one the bench compares. */
export function loaderOf(runtime: Runtime): Loader | undefined {
    const same = (a: Runtime, b: Runtime) => a.typescript === b.typescript && a.tsconfig === b.tsconfig && a.nodeargs.join(" ") === b.nodeargs.join(" ");
    return (Object.keys(LOADERS) as Loader[]).find((l) => same(LOADERS[l], runtime));
}

/**
 * Pulumi's default for a TypeScript project before this project chose its loader: ts-node
 * registered by the runner with this repository's compiler options but no "ts-node" section
 * (so TypeScript itself transpiles, and type-checks unless told not to). The tsconfig it names
 * extends the repository's and turns SWC off; see beforeTsconfig.
 */
export function tsNodeRuntime(): Runtime {
    const tsconfig = beforeTsconfig();
    return { raw: { name: "nodejs", options: { typescript: true, tsconfig } }, typescript: true, tsconfig, nodeargs: [] };
}

/**
 * A tsconfig that is the repository's without its "ts-node" settings. Inside the project's
 * node_modules, so that TypeScript finds @types the way it does for the repository's own.
 */
function beforeTsconfig(): string {
    const out = path.join(CACHE, "tsconfig.before.json");
    fs.mkdirSync(CACHE, { recursive: true });
    fs.writeFileSync(out, JSON.stringify({ extends: path.join(REPO, "tsconfig.json"), "ts-node": { transpileOnly: false, swc: false } }));
    return out;
}

/** The nodejs runtime options of the project's Pulumi.yaml, read as pulumi-language-nodejs reads them. */
export function projectRuntime(dir: string = REPO): Runtime {
    const project = YAML.parse(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as { runtime: unknown };
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

export interface RunnerCase {
    readonly stack: StackConfig;
    readonly programDir: string;
    readonly runtime: Runtime;
    /** The compiled bench/preload.ts (compilePreload). */
    readonly preload: string;
    /** Where the preload writes its ChildReport. */
    readonly reportFile: string;
    /** Where a configuration too large for PULUMI_CONFIG is handed over instead. */
    readonly configFile: string;
    readonly env?: NodeJS.ProcessEnv;
    /** Other stacks' outputs the mock engine answers references with (a promotion source), as JSON. */
    readonly stackOutputsFile?: string;
}

/** The command that runs the program as a preview, and the size of its PULUMI_CONFIG string. */
export function runnerCommand(c: RunnerCase): { command: Command; configBytes: number } {
    const config = JSON.stringify(languageHostConfig(c.stack.config));
    const configBytes = Buffer.byteLength(`PULUMI_CONFIG=${config}`) + 1;
    if (configBytes > MAX_ARG_STRLEN) {
        fs.writeFileSync(c.configFile, JSON.stringify({ config: c.stack.config, secretKeys: c.stack.secretKeys }));
    }
    const env: NodeJS.ProcessEnv = {
        ...childEnv(),
        // What pulumi-language-nodejs puts in the program's environment.
        ...(configBytes > MAX_ARG_STRLEN ? { BENCH_CONFIG_FILE: c.configFile } : { PULUMI_CONFIG: config }),
        PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(c.stack.secretKeys),
        ...(c.runtime.typescript ? { PULUMI_NODEJS_TYPESCRIPT: "true" } : {}),
        ...(c.runtime.tsconfig ? { PULUMI_NODEJS_TSCONFIG_PATH: c.runtime.tsconfig } : {}),
        BENCH_PROJECT: c.stack.project,
        BENCH_STACK: c.stack.stack,
        BENCH_REPORT: c.reportFile,
        // The mock engine answers registry lookups: no Docker daemon is needed (config/dockerDaemon.ts).
        DOCKER_HOST: MOCK_DOCKER_HOST,
        BENCH_REGISTRY_FIXTURE: REGISTRY_FIXTURE,
        ...(c.stackOutputsFile ? { BENCH_STACK_OUTPUTS: c.stackOutputsFile } : {}),
        ...c.env,
    };
    const args = [
        ...c.runtime.nodeargs,
        "--require",
        c.preload,
        RUNNER,
        ...["--monitor", "mock", "--organization", "organization", "--project", c.stack.project, "--root-directory", c.programDir],
        ...["--stack", c.stack.stack, "--pwd", c.programDir, "--dry-run", "--parallel", "16", "."],
    ];
    return { command: { file: process.execPath, args, cwd: c.programDir, env }, configBytes };
}

/** This process's environment without settings that would change how ts-node or Pulumi behave. */
export function childEnv(): NodeJS.ProcessEnv {
    return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("TS_NODE_") && !k.startsWith("PULUMI_")));
}

/** The language host passes `<namespace>:<key>` as `<namespace>:config:<key>`. */
function languageHostConfig(config: Readonly<Record<string, string>>): Record<string, string> {
    return Object.fromEntries(Object.entries(config).map(([k, v]) => [k.replace(/^([^:]+):/, "$1:config:"), v]));
}

/** The mock engine, as JavaScript: it runs before the runner or Pulumi.yaml's loader can load TypeScript. */
export function compilePreload(): string {
    const source = fs.readFileSync(path.join(__dirname, "preload.ts"), "utf8");
    const js = transformSync(source, { filename: "preload.ts", jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } }).code;
    // Inside the project's node_modules, so that it resolves @pulumi/pulumi as the program does.
    const out = path.join(CACHE, "preload.js");
    fs.mkdirSync(CACHE, { recursive: true });
    fs.writeFileSync(out, js);
    return out;
}
