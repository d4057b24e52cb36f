import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { loadPlatformConfig } from "../../config/load";
import { ConfigError } from "../../config/errors";
import { deployPlatform } from "../../program";
import { skipPromiseDebugTraces } from "../../runtime/promiseTraces";
import { withoutSourcePositions } from "./sourcePositions";
import { promotionSource, readStackFiles, StackConfig } from "./stackFiles";
import { Lookup, lookUp, MOCK_DOCKER_HOST, REFUSE } from "./registry";

/** One resource the program declared, with the inputs Pulumi would send to its provider. */
export interface RecordedResource {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
    /** `<urn>::<id>` of the explicit provider, when one was given. */
    readonly provider?: string;
    /** For Kubernetes objects: `metadata.name`, given or auto-assigned. */
    readonly objectName?: string;
    /** The outputs the mock gave the resource (its inputs plus what a provider would add). */
    readonly state: Record<string, unknown>;
}

export interface Evaluation {
    readonly resources: RecordedResource[];
    /**
     * The stack outputs, resolved; undefined when the program failed. An output Pulumi holds as a
     * secret stays in the secret envelope, as resource inputs do (`unwrapSecrets` gives the plain value).
     */
    readonly outputs?: unknown;
    readonly error?: Error;
    /** The registry lookups the program made, in order, with the mock registry's answers. */
    readonly lookups: readonly Lookup[];
    /** The URN of every resource registered, in order: a URN given twice is here twice (config/names/ refuses what would do that). */
    readonly urns: readonly string[];
    /** By URN, the URNs of the resources it waits for (its `dependsOn` and the resources its inputs come from), as the engine receives them. */
    readonly dependencies: ReadonlyMap<string, readonly string[]>;
}

// The key Pulumi uses to mark a serialized secret value.
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

export function isSecretEnvelope(v: unknown): v is { value: unknown } {
    return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SECRET_SIG] === SECRET_VALUE;
}

/** Replaces Pulumi's secret envelopes by their values (what the engine hands to policies). */
export function unwrapSecrets(v: unknown): unknown {
    if (isSecretEnvelope(v)) return unwrapSecrets(v.value);
    if (Array.isArray(v)) return v.map(unwrapSecrets);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrapSecrets(x)]));
    return v;
}

/**
 * Runs the real program for one stack under Pulumi's mocks (`pulumi.runtime.setMocks`): no
 * CLI, no cluster. Every resource's inputs are recorded. Kubernetes objects without an explicit
 * name get one derived from their inputs, as Pulumi's auto-naming would give a replaced object
 * a new name, so a content change shows as a name change. As in index.ts, the SDK's per-promise
 * debug traces are not formatted (runtime/promiseTraces.ts): under a loader with source maps
 * (ts-node+SWC) formatting them would take most of the time.
 */
export async function evaluate(stack: StackConfig, opts: EvaluateOptions = {}): Promise<Evaluation> {
    const engine: MockEngineOptions = {
        previousOutputs: opts.previousOutputs,
        registry: opts.registry,
        stackOutputs: opts.stackOutputs ?? (await promotionSourceOutputs(stack, opts)),
    };
    // The mock engine answers registry lookups itself: no Docker daemon is needed (config/dockerDaemon.ts).
    const ciEnv = { DOCKER_HOST: MOCK_DOCKER_HOST, ...(opts.ciEnv ?? process.env) };
    return underMocks(stack, opts.preview ?? false, () => deployPlatform(loadPlatformConfig(ciEnv, stack.dir)), engine);
}

export interface EvaluateOptions {
    readonly preview?: boolean;
    /** The process environment the program sees (CI variables, PLATFORM_* settings); default: this process's. */
    readonly ciEnv?: Readonly<Record<string, string | undefined>>;
    /** The outputs of this stack's last update (none: a first deployment). */
    readonly previousOutputs?: Readonly<Record<string, unknown>>;
    /** Registry answers over tools/harness/registry.yaml, `<repository>:<tag>` -> digest. */
    readonly registry?: Readonly<Record<string, string>>;
    /**
     * Outputs of other stacks, by qualified name (`organization/<project>/<stack>`). Default: a
     * stack with `environment.promotion.from` reads that stack's outputs from a first-deployment
     * evaluation of its stack file in the same folder.
     */
    readonly stackOutputs?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export interface MockEngineOptions {
    readonly previousOutputs?: Readonly<Record<string, unknown>>;
    readonly registry?: Readonly<Record<string, string>>;
    readonly stackOutputs?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export { MOCK_DOCKER_HOST } from "./registry";

/** What `pulumi.getOrganization()` answers under the mocks, as with a self-managed backend. */
export const MOCK_ORGANIZATION = "organization";

const sourceCache = new Map<string, Promise<Record<string, Record<string, unknown>>>>();

/** The promotion source's outputs, from evaluating its stack file (once per configuration and environment). */
export async function promotionSourceOutputs(stack: StackConfig, opts: EvaluateOptions): Promise<Record<string, Record<string, unknown>>> {
    const named = promotionSource(stack);
    if (!named || named.short === stack.stack) return {};
    const { from, short } = named;
    const qualified = from.includes("/") ? from : `${MOCK_ORGANIZATION}/${stack.project}/${short}`;
    let source: StackConfig;
    try {
        source = readStackFiles(stack.dir ?? process.cwd(), short, { fillSecrets: true });
    } catch {
        return {}; // no such stack file: the reference finds no outputs, as with a stack never deployed
    }
    const key = JSON.stringify([source.config, opts.ciEnv ?? null, opts.registry ?? null]);
    let cached = sourceCache.get(key);
    if (!cached) {
        cached = evaluate(source, { ciEnv: opts.ciEnv, registry: opts.registry, stackOutputs: {} }).then((ev) => ({ [qualified]: (unwrapSecrets(ev.outputs) ?? {}) as Record<string, unknown> }));
        sourceCache.set(key, cached);
    }
    return cached;
}

/**
 * Runs `program` (the whole program, or one component a test builds) under Pulumi's mocks
 * with the stack's configuration, and records every resource it declares. A reference to the
 * stack itself reads `previousOutputs` (the outputs of the last update; none by default: a
 * first deployment).
 */
export function underMocks(
    stack: Pick<StackConfig, "project" | "stack" | "config" | "secretKeys">,
    preview: boolean,
    program: () => unknown,
    engine: MockEngineOptions = {},
): Promise<Evaluation> {
    return withoutSourcePositions(() => declared(stack, preview, program, engine));
}

async function declared(
    stack: Pick<StackConfig, "project" | "stack" | "config" | "secretKeys">,
    preview: boolean,
    program: () => unknown,
    engine: MockEngineOptions,
): Promise<Evaluation> {
    const { resources, lookups, urns, dependencies } = await startMockEngine(stack, preview, engine);

    let outputs: unknown;
    let error: Error | undefined;
    // A resource whose inputs fail (a refused claim change) rejects inside the SDK; Pulumi's
    // runner reports such a rejection as the program's failure, and so does this.
    // A failed registration never settles, so the wait for registrations ends at the first one.
    let failed: () => void = () => undefined;
    const failure = new Promise<void>((r) => (failed = r));
    const rejected = (e: unknown) => {
        error ??= e as Error;
        failed();
    };
    process.on("unhandledRejection", rejected);
    try {
        outputs = await sealed(program());
    } catch (e) {
        error = e as Error;
    }
    try {
        await Promise.race([waitForRPCs(), failure]);
        // Rejections surface a turn after the registrations settle.
        await new Promise((r) => setImmediate(r));
    } finally {
        process.off("unhandledRejection", rejected);
    }
    return { resources, outputs, error, lookups, urns, dependencies };
}

/**
 * Pulumi's mock engine for one stack, with its configuration: every resource registered is
 * recorded in the returned list; outputs are the inputs, plus what the real providers would
 * compute (object names, generated passwords, pushed digests, the last update's outputs).
 */
async function startMockEngine(
    stack: Pick<StackConfig, "project" | "stack" | "config" | "secretKeys">,
    preview: boolean,
    engine: MockEngineOptions,
): Promise<{ resources: RecordedResource[]; lookups: Lookup[]; urns: string[]; dependencies: Map<string, string[]> }> {
    skipPromiseDebugTraces();
    const resources: RecordedResource[] = [];
    const lookups: Lookup[] = [];
    const self = `${MOCK_ORGANIZATION}/${stack.project}/${stack.stack}`;
    await pulumi.runtime.setMocks(
        {
            newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
                const inputs = (args.inputs ?? {}) as Record<string, unknown>;
                const state: Record<string, unknown> = { ...inputs };
                let objectName: string | undefined;
                if (args.type.startsWith("kubernetes:")) {
                    const metadata = (inputs.metadata ?? {}) as Record<string, unknown>;
                    objectName = (metadata.name as string | undefined) ?? `${args.name}-${hash(inputs).slice(0, 8)}`;
                    state.metadata = { ...metadata, name: objectName };
                }
                resources.push({ type: args.type, name: args.name, inputs, provider: args.provider, objectName, state });
                if (args.type === "random:index/randomPassword:RandomPassword") {
                    state.result = `generated-${hash(args.name).slice(0, 24)}`;
                }
                if (args.type === "pulumi:pulumi:StackReference") {
                    const name = String(inputs.name);
                    state.outputs = name === self ? (engine.previousOutputs ?? {}) : (engine.stackOutputs?.[name] ?? {});
                    state.secretOutputNames = [];
                }
                if (args.type === "docker-build:index:Image") {
                    // What a push returns: a digest of the built content (here, of the inputs).
                    state.digest = `sha256:${hash(inputs)}`;
                }
                return { id: `${args.name}-id`, state };
            },
            call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
                const inputs = args.inputs as Record<string, unknown>;
                // GitHub lookups answer with a stable numeric ID, as the API would.
                if (args.token === "github:index/getUser:getUser" || args.token === "github:index/getTeam:getTeam") {
                    const id = String(parseInt(hash(inputs).slice(0, 7), 16));
                    return { ...inputs, id, nodeId: `node-${id}` };
                }
                // What the registry holds for a tag: tools/harness/registry.yaml, the test's own answers, or a derived digest.
                if (args.token === "docker:index/getRegistryImage:getRegistryImage") {
                    const answer = lookUp(String(inputs.name), engine.registry);
                    lookups.push({ ...answer, ...(args.provider ? { provider: args.provider } : {}) });
                    // A refusal comes back as a gRPC error would, its text in `details`.
                    if (answer.digest.startsWith(REFUSE)) throw Object.assign(new Error(answer.digest.slice(REFUSE.length)), { details: answer.digest.slice(REFUSE.length) });
                    return { ...inputs, id: answer.name, sha256Digest: answer.digest };
                }
                return inputs;
            },
        },
        stack.project,
        stack.stack,
        preview,
        MOCK_ORGANIZATION,
    );
    pulumi.runtime.setAllConfig(stack.config, stack.secretKeys);
    const urns: string[] = [];
    const dependencies = new Map<string, string[]>();
    recordUrns(urns, dependencies);
    return { resources, lookups, urns, dependencies };
}

/**
 * Records the URN the mock monitor answers each registration with, in order, a duplicate
 * included (its own list keeps one entry per URN, and the mocks' `newResource` sees no parent),
 * and the dependencies the request carries (the URNs the engine would create it after). The
 * monitor's `registerResource` and `readResource(request, callback)` are the SDK's public
 * MockMonitor methods, the request the engine's RegisterResourceRequest; tests/names.test.ts
 * fails if they stop answering with URNs, tests/verify.test.ts if the dependencies go missing.
 */
function recordUrns(urns: string[], dependencies: Map<string, string[]>): void {
    type Callback = (err: unknown, response?: { getUrn(): string }) => void;
    type Request = { getDependenciesList?: () => string[] };
    const monitor = pulumi.runtime.getMonitor() as unknown as Record<"registerResource" | "readResource", (request: Request, callback: Callback) => Promise<void>>;
    for (const method of ["registerResource", "readResource"] as const) {
        const original = monitor[method].bind(monitor);
        monitor[method] = (request, callback) =>
            original(request, (err, response) => {
                if (!err && response) {
                    urns.push(response.getUrn());
                    dependencies.set(response.getUrn(), request.getDependenciesList?.() ?? []);
                }
                callback(err, response);
            });
    }
}

export function isConfigError(e: unknown): e is ConfigError {
    return e instanceof ConfigError;
}

function hash(v: unknown): string {
    return createHash("sha256").update(JSON.stringify(v)).digest("hex");
}

/** A program's result with every Output resolved; a secret one wrapped in the secret envelope; a resource by its URN, as Pulumi exports one. */
async function sealed(v: unknown): Promise<unknown> {
    if (pulumi.Resource.isInstance(v)) return sealed(v.urn);
    if (pulumi.Output.isInstance(v)) {
        const value = await sealed(await resolve(v));
        return (await pulumi.isSecret(v)) ? { [SECRET_SIG]: SECRET_VALUE, value } : value;
    }
    if (v instanceof Promise) return sealed(await v);
    if (Array.isArray(v)) return Promise.all(v.map(sealed));
    if (v !== null && typeof v === "object") {
        return Object.fromEntries(await Promise.all(Object.entries(v).map(async ([k, x]) => [k, await sealed(x)] as const)));
    }
    return v;
}

/** The value of an Output, secret or not. */
export function resolve<T>(o: pulumi.Output<T>): Promise<T> {
    return new Promise((r, fail) => {
        const applied = o.apply((v) => r(v));
        // An Output whose value failed (a refused claim change) rejects instead of hanging.
        (applied as unknown as { promise(): Promise<unknown> }).promise().catch(fail);
    });
}

// The SDK drains its queue of resource registrations with this helper; its typings omit it.
const settings = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
async function waitForRPCs(): Promise<void> {
    if (settings.waitForRPCs) {
        await settings.waitForRPCs();
    }
}

/** The options a resource was declared with, as far as the tests read them. */
export interface DeclaredOptions {
    readonly type: string;
    readonly name: string;
    readonly protect?: boolean;
    readonly retainOnDelete?: boolean;
}

/**
 * The resource options `program` declares each resource with (protect, retainOnDelete), which
 * the mocks never see: the program runs in a root stack resource, as under the Pulumi CLI, with
 * a stack transformation that records them (transformations run in the SDK, mocks or not).
 */
export async function declaredOptions(stack: Pick<StackConfig, "project" | "stack" | "config" | "secretKeys" | "dir">, program: () => unknown): Promise<DeclaredOptions[]> {
    // A stack file's promotion source is evaluated first, as evaluate() does.
    const stackOutputs = "placeholders" in stack ? await promotionSourceOutputs(stack as StackConfig, {}) : {};
    await startMockEngine(stack, false, { stackOutputs });
    const declared: DeclaredOptions[] = [];
    await pulumi.runtime.runInPulumiStack(async () => {
        pulumi.runtime.registerStackTransformation((args) => {
            declared.push({ type: args.type, name: args.name, ...(args.opts.protect !== undefined ? { protect: args.opts.protect } : {}), ...(args.opts.retainOnDelete !== undefined ? { retainOnDelete: args.opts.retainOnDelete } : {}) });
            return undefined;
        });
        program();
        return Promise.resolve(undefined);
    });
    await waitForRPCs();
    return declared;
}
