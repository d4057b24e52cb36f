/**
 * Loaded with `node --require` ahead of Pulumi's own program runner (`@pulumi/pulumi/cmd/run`),
 * it stands in for the engine: it installs Pulumi's mock resource monitor, so the runner, the
 * TypeScript loader and the program run as under `pulumi preview`, except that resource
 * registrations end in this process instead of going over gRPC to the engine. At exit it writes
 * what it saw to the file named by BENCH_REPORT. The bench compiles this file to JavaScript
 * (it must run before any TypeScript support is registered).
 *
 * A configuration too large for an environment variable (see bench.ts) comes in a file named
 * by BENCH_CONFIG_FILE instead of PULUMI_CONFIG; real Pulumi could not start the program then.
 */
import * as fs from "fs";
import * as path from "path";
import * as url from "url";
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import YAML from "yaml";

export interface ChildReport {
    readonly exitCode: number;
    /** Every resource the program registered: stack, components, providers, passwords, objects. */
    readonly resources: number;
    readonly kubernetesObjects: number;
    /** How ts-node was registered by Pulumi's runner; undefined when it was not registered. */
    readonly tsNode?: { readonly transpileOnly: boolean; readonly swc: boolean; readonly tsconfig?: string };
    /** Whether sucrase's require hook was loaded (by the runtime's nodeargs). */
    readonly sucrase: boolean;
    /** Whether the program's formatter for the SDK's promise traces (runtime/promiseTraces.ts) was in place at exit. */
    readonly promiseTraceHook: boolean;
    /** Peak resident set size in KiB, as the process itself saw it. */
    readonly maxRssKiB: number;
    /** With BENCH_SOURCE_POSITIONS set: where the SDK says each resource was declared (`file:line`), by name. */
    readonly sourcePositions?: Readonly<Record<string, string>>;
}

let resources = 0;
let kubernetesObjects = 0;

// The engine's answers the in-process harness gives too (tools/harness/evaluate.ts): registry
// lookups from the fixture (else a digest derived from the name, as tools/harness/registry.ts
// derives it), and other stacks' outputs (a promotion source), from files the runner names.
const registry = (process.env.BENCH_REGISTRY_FIXTURE ? YAML.parse(fs.readFileSync(process.env.BENCH_REGISTRY_FIXTURE, "utf8")) : {}) as Record<string, string>;
const stackOutputs = (process.env.BENCH_STACK_OUTPUTS ? JSON.parse(fs.readFileSync(process.env.BENCH_STACK_OUTPUTS, "utf8")) : {}) as Record<string, Record<string, unknown>>;
const digestOf = (name: string) => registry[name] ?? `sha256:${createHash("sha256").update(`derived ${name}`).digest("hex")}`;

void pulumi.runtime.setMocks(
    {
        newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
            resources++;
            const inputs = (args.inputs ?? {}) as Record<string, unknown>;
            const state: Record<string, unknown> = { ...inputs };
            if (args.type.startsWith("kubernetes:") && args.custom) {
                kubernetesObjects++;
                // What auto-naming would give; the engine does this work in its own process.
                const metadata = (inputs.metadata ?? {}) as Record<string, unknown>;
                state.metadata = { ...metadata, name: (metadata.name as string | undefined) ?? `${args.name}-0a1b2c3d` };
            }
            if (args.type === "random:index/randomPassword:RandomPassword") {
                state.result = `generated-${args.name}`;
            }
            if (args.type === "pulumi:pulumi:StackReference") {
                state.outputs = stackOutputs[String(inputs.name)] ?? {};
                state.secretOutputNames = [];
            }
            return { id: `${args.name}-id`, state };
        },
        call: (args: pulumi.runtime.MockCallArgs): Record<string, unknown> =>
            args.token === "docker:index/getRegistryImage:getRegistryImage"
                ? { ...(args.inputs as Record<string, unknown>), sha256Digest: digestOf(String((args.inputs as { name: unknown }).name)) }
                : (args.inputs as Record<string, unknown>),
    },
    process.env.BENCH_PROJECT,
    process.env.BENCH_STACK,
    true,
    // As the runner's `--organization` (bench/runner.ts) says; a StackReference to the stack itself needs it.
    "organization",
);

// Diagnostic only: Pulumi's runner turns on the V8 inspector's Debugger domain before the program
// starts (runtime/closure/v8Hooks, for function serialization), which makes every promise dearer.
// This answers that request without enabling it, to show what it costs. Not a supported setting.
if (process.env.BENCH_NO_DEBUGGER) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const inspector = require("inspector") as typeof import("inspector");
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the session as `this`
    const post = inspector.Session.prototype.post as (this: unknown, method: string, ...rest: unknown[]) => void;
    (inspector.Session.prototype as unknown as { post: typeof post }).post = function (this: unknown, method: string, ...rest: unknown[]) {
        if (method !== "Debugger.enable") return post.call(this, method, ...rest);
        const callback = rest.find((r): r is (err: Error | null, res: object) => void => typeof r === "function");
        callback?.(null, {});
    };
}

if (process.env.BENCH_CONFIG_FILE) {
    const handover = JSON.parse(fs.readFileSync(process.env.BENCH_CONFIG_FILE, "utf8")) as { config: Record<string, string>; secretKeys: string[] };
    pulumi.runtime.setAllConfig(handover.config, handover.secretKeys);
}

// The runner signals the end of the program to the monitor; the mock monitor has no such call.
const monitor = (pulumi.runtime as unknown as { getMonitor(): Record<string, unknown> }).getMonitor();
monitor.signalAndWaitForShutdown = (_request: unknown, callback: (err: Error | null, response: unknown) => void) => callback(null, {});

// The source position the SDK sends with each registration, as the engine would record it.
const sourcePositions: Record<string, string> = {};
if (process.env.BENCH_SOURCE_POSITIONS) {
    type Request = { getName(): string; getSourceposition(): { getUri(): string; getLine(): number } | undefined };
    const register = (monitor.registerResource as (req: Request, cb: unknown) => void).bind(monitor);
    monitor.registerResource = (req: Request, cb: unknown) => {
        const position = req.getSourceposition();
        if (position) sourcePositions[req.getName()] = `${url.fileURLToPath(position.getUri())}:${position.getLine()}`;
        register(req, cb);
    };
}

interface TsNodeService {
    readonly options: { transpileOnly?: boolean; swc?: boolean; typeCheck?: boolean };
    readonly configFilePath?: string;
}

process.on("exit", (exitCode) => {
    const service = (process as unknown as Record<symbol, TsNodeService | undefined>)[Symbol.for("ts-node.register.instance")];
    const o = service?.options;
    const report: ChildReport = {
        exitCode,
        resources,
        kubernetesObjects,
        tsNode: o && { transpileOnly: (o.transpileOnly === true || o.swc === true) && o.typeCheck !== true, swc: o.swc === true, tsconfig: service.configFilePath },
        sucrase: Object.keys(require.cache).some((file) => file.includes(`${path.sep}sucrase${path.sep}`)),
        promiseTraceHook: (Error.prepareStackTrace as unknown as Record<symbol, unknown> | undefined)?.[Symbol.for("platform.promiseTraces")] === true,
        maxRssKiB: process.resourceUsage().maxRSS,
        ...(process.env.BENCH_SOURCE_POSITIONS ? { sourcePositions } : {}),
    };
    if (process.env.BENCH_REPORT) {
        fs.writeFileSync(process.env.BENCH_REPORT, JSON.stringify(report));
    }
});
