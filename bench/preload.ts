/**
 * Loaded with `node --require` ahead of Pulumi's own program runner (`@pulumi/pulumi/cmd/run`),
 * it stands in for the engine: it installs Pulumi's mock resource monitor, so the runner, its
 * ts-node registration and the program run as under `pulumi preview`, except that resource
 * registrations end in this process instead of going over gRPC to the engine. At exit it writes
 * what it saw to the file named by BENCH_REPORT. The bench compiles this file to JavaScript
 * (it must run before any TypeScript support is registered).
 *
 * A configuration too large for an environment variable (see bench.ts) comes in a file named
 * by BENCH_CONFIG_FILE instead of PULUMI_CONFIG; real Pulumi could not start the program then.
 */
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";

export interface ChildReport {
    readonly exitCode: number;
    /** Every resource the program registered: stack, components, providers, passwords, objects. */
    readonly resources: number;
    readonly kubernetesObjects: number;
    /** How ts-node was registered by Pulumi's runner; undefined when it was not registered. */
    readonly tsNode?: { readonly transpileOnly: boolean; readonly swc: boolean; readonly tsconfig?: string };
    /** Peak resident set size in KiB, as the process itself saw it. */
    readonly maxRssKiB: number;
}

let resources = 0;
let kubernetesObjects = 0;

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
            return { id: `${args.name}-id`, state };
        },
        call: (args: pulumi.runtime.MockCallArgs): Record<string, unknown> => args.inputs as Record<string, unknown>,
    },
    process.env.BENCH_PROJECT,
    process.env.BENCH_STACK,
    true,
);

// Diagnostic only: keep Error.prepareStackTrace at V8's default, so neither Pulumi's runner nor
// ts-node can install source-map-support. Shows what formatting stack traces costs.
if (process.env.BENCH_NO_SOURCE_MAP_HOOK) {
    Object.defineProperty(Error, "prepareStackTrace", { get: () => undefined, set: () => undefined });
}

if (process.env.BENCH_CONFIG_FILE) {
    const handover = JSON.parse(fs.readFileSync(process.env.BENCH_CONFIG_FILE, "utf8")) as { config: Record<string, string>; secretKeys: string[] };
    pulumi.runtime.setAllConfig(handover.config, handover.secretKeys);
}

// The runner signals the end of the program to the monitor; the mock monitor has no such call.
const monitor = (pulumi.runtime as unknown as { getMonitor(): Record<string, unknown> }).getMonitor();
monitor.signalAndWaitForShutdown = (_request: unknown, callback: (err: Error | null, response: unknown) => void) => callback(null, {});

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
        maxRssKiB: process.resourceUsage().maxRSS,
    };
    if (process.env.BENCH_REPORT) {
        fs.writeFileSync(process.env.BENCH_REPORT, JSON.stringify(report));
    }
});
