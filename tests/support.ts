import * as fs from "fs";
import * as path from "path";
import { runOnce, Sample } from "../bench/measure";
import type { ChildReport } from "../bench/preload";
import { compilePreload, Runtime, runnerCommand } from "../bench/runner";
import { evaluate, EvaluateOptions, Evaluation, promotionSourceOutputs, RecordedResource, unwrapSecrets } from "../tools/harness/evaluate";
import { readStackFiles, StackConfig } from "../tools/harness/stackFiles";
import { deepFreeze } from "../tools/memo";
import { lookUp } from "../tools/harness/registry";
import { referencedSecretKeys } from "../config/platform";

export const REPO = path.resolve(__dirname, "..");
export const PROJECT = "hft-platform";

/**
 * How the npm scripts run a TypeScript tool (package.json: `node -r ts-node/register`, SWC through
 * tsconfig.json's "ts-node" section), for a test that starts one: node's arguments before the
 * script, and the environment that makes ts-node find this repository's tsconfig.json from any
 * working directory.
 */
export const TS_NODE_ARGS: readonly string[] = ["-r", require.resolve("ts-node/register")];
export const TS_NODE_ENV: Readonly<NodeJS.ProcessEnv> = { TS_NODE_PROJECT: path.join(REPO, "tsconfig.json") };

/** A repo stack's configuration, with placeholders for the secret keys a user would set. */
export function stackConfig(stack: string): StackConfig {
    return readStackFiles(REPO, stack, { fillSecrets: true });
}

/**
 * The stack's configuration with the two structured keys edited by `edit`. A placeholder secret
 * the edited configuration no longer names is dropped, as if the user had never set it; a newly
 * named key gets none (so tests see the "not set" error a user would).
 */
export function editedConfig(stack: string, edit: (values: { catalog: any; environment: any; github?: any }) => void): StackConfig {
    const base = stackConfig(stack);
    const github = base.config[`${PROJECT}:github`];
    const values = {
        catalog: JSON.parse(base.config[`${PROJECT}:catalog`]),
        environment: JSON.parse(base.config[`${PROJECT}:environment`]),
        ...(github ? { github: JSON.parse(github) } : {}),
    };
    edit(values);
    const config: Record<string, string> = {
        ...base.config,
        [`${PROJECT}:catalog`]: JSON.stringify(values.catalog),
        [`${PROJECT}:environment`]: JSON.stringify(values.environment),
        ...(values.github ? { [`${PROJECT}:github`]: JSON.stringify(values.github) } : {}),
    };
    const named = referencedSecretKeys(values);
    const placeholders = base.placeholders.filter((k) => named.includes(k));
    for (const k of base.placeholders.filter((p) => !named.includes(p))) delete config[`${PROJECT}:${k}`];
    const secretKeys = [...base.secretKeys.filter((k) => config[k] !== undefined), ...placeholders.map((k) => `${PROJECT}:${k}`)];
    return { ...base, config, secretKeys: [...new Set(secretKeys)].sort(), placeholders: placeholders.sort() };
}

/**
 * Evaluations of configurations read from this repository's folder, by configuration and
 * options: the program is deterministic (resources.test.ts checks that on fresh evaluations), so
 * a test asking for one it already has gets the same, frozen, so no test can change another's.
 * A configuration whose folder is elsewhere (a test's copy, whose files a test may edit between
 * two runs) is evaluated every time, as is everything inside `uncached`.
 */
const evaluations = new Map<string, Promise<Evaluation>>();
let uncachedDepth = 0;

/** Runs `f` with every `run` inside it evaluating afresh: for a test of determinism, or of what the program logs. */
export async function uncached<T>(f: () => Promise<T>): Promise<T> {
    uncachedDepth++;
    try {
        return await f();
    } finally {
        uncachedDepth--;
    }
}

/** Evaluates a stack; the CI environment is empty unless given, whatever runs the tests. */
export async function run(stack: string | StackConfig, opts: Omit<EvaluateOptions, "ciEnv"> & { ciEnv?: Record<string, string> } = {}): Promise<Evaluation> {
    const config = typeof stack === "string" ? stackConfig(stack) : stack;
    const options = { ciEnv: {}, ...opts };
    const shared = uncachedDepth === 0 && (config.dir === undefined || path.resolve(config.dir) === REPO);
    const key = shared ? JSON.stringify([config, options]) : undefined;
    let pending = key === undefined ? undefined : evaluations.get(key);
    if (pending === undefined) {
        pending = evaluate(config, options).then(deepFreeze);
        if (key !== undefined) evaluations.set(key, pending);
    }
    const ev = await pending;
    if (ev.error) {
        throw ev.error;
    }
    return ev;
}

/** Kubernetes resources of one kind (`apps/v1:Deployment`), by Pulumi resource name. */
export function ofKind(ev: Evaluation, kind: string): Map<string, RecordedResource> {
    return new Map(ev.resources.filter((r) => r.type === `kubernetes:${kind}`).map((r) => [r.name, r]));
}

export function one(ev: Evaluation, kind: string, name: string): any {
    const r = ofKind(ev, kind).get(name);
    if (!r) {
        throw new Error(`no ${kind} named ${name}; have: ${[...ofKind(ev, kind).keys()].join(", ")}`);
    }
    return r.inputs;
}

/** Replaces Pulumi's secret envelopes by their values (for asserting on structure). */
export function unwrap(v: unknown): any {
    return unwrapSecrets(v);
}

/**
 * The image a repo stack deploys for a catalog service, always `repo@<digest>`: the digest the
 * stack pins, else the one the (mock) registry holds for the service's tag (its own `image.tag`
 * at any layer, or the stack's `imageTag`), from tools/harness/registry.yaml.
 */
export function deployedImage(stack: string, service: string): string {
    const env = JSON.parse(stackConfig(stack).config[`${PROJECT}:environment`]);
    const catalog = catalogOf(stack);
    // `image` holds only leaves (repository, tag, digest): later layers win leaf by leaf.
    const image = Object.assign({}, catalog.defaults?.image, env.serviceDefaults?.image, catalog.services[service].image, env.services?.[service]?.image);
    return `${image.repository}@${image.digest ?? lookUp(`${image.repository}:${image.tag ?? env.imageTag}`).digest}`;
}

/** The repository's catalog as a stack reads it (Pulumi.yaml's `catalog`, or the stack's own). */
export function catalogOf(stack: string): any {
    return JSON.parse(stackConfig(stack).config[`${PROJECT}:catalog`]);
}

/** The services of the repository's catalog, by name: read from the configuration, never listed here. */
export const SERVICES: readonly string[] = Object.keys(catalogOf("staging").services).sort();

/**
 * Runs a stack as `pulumi preview` starts the program (bench/runner.ts: Pulumi's runner, the
 * runtime's nodeargs), with Pulumi's mock engine; files go to `scratch`; `env` adds to the
 * program's environment (BENCH_SOURCE_POSITIONS, for instance). The report is undefined
 * when the program never got far enough to write it.
 */
export async function previewThroughRunner(
    stack: StackConfig,
    programDir: string,
    runtime: Runtime,
    scratch: string,
    env?: NodeJS.ProcessEnv,
): Promise<{ sample: Sample; report?: ChildReport; configBytes: number }> {
    const reportFile = path.join(scratch, `${stack.stack}.report.json`);
    fs.rmSync(reportFile, { force: true });
    const stackOutputsFile = path.join(scratch, `${stack.stack}.references.json`);
    fs.writeFileSync(stackOutputsFile, JSON.stringify(await promotionSourceOutputs(stack, {})));
    const { command, configBytes } = runnerCommand({ stack, programDir, runtime, preload: compilePreload(), reportFile, configFile: path.join(scratch, `${stack.stack}.config.json`), env, stackOutputsFile });
    const sample = await runOnce(command);
    const report = fs.existsSync(reportFile) ? (JSON.parse(fs.readFileSync(reportFile, "utf8")) as ChildReport) : undefined;
    return { sample, report, configBytes };
}
