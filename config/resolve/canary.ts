import { Problems } from "../errors";
import * as f from "../formats";
import type { Merged, Origins } from "../merge";
import { CANARY_MODES, CanaryConfig, CanarySettings } from "../canary";
import { canary as canarySchema, CanarySettingsWritten, DEFAULT_INTERVAL } from "../schema/canary";
import type { Environment } from "../schema/environment";
import { ownPath } from "./kind";
import type { ResolvedService } from "./service";

/**
 * The services' canaries (`canary`, when enabled) and the stack's way of running them
 * (`environment.canary`), judged once every service is resolved: what a canary needs of the
 * stack (a mode, Prometheus for queries, a Gateway route for driven weights, no adoption under
 * way) and of its service (a kind and a route the mode can step) is refused where it is written,
 * before any resource. `environment.canary` is judged whenever it is written; the resolved
 * settings are set only when a service has a canary.
 */

export interface CanaryContext {
    /** The services this stack runs, resolved. */
    readonly services: readonly ResolvedService[];
    /** Every catalog service's merged settings and where each was written, by name. */
    readonly merged: ReadonlyMap<string, Merged>;
    /** The layers written for one service alone (its catalog entry, the stack's entry). */
    readonly ownLayers: (service: string) => readonly string[];
    /** The stack's environment settings that are valid. */
    readonly env: Partial<Environment>;
    /** Whether a key of `environment.canary` was written with a problem (already reported): nothing is judged from its absence then. */
    readonly envInvalid: (key: "mode" | "prometheus" | "interval") => boolean;
    /** `<project>:environment`. */
    readonly envPath: string;
    readonly problems: Problems;
}

type At = Origins<CanarySettingsWritten>;

/** A service whose merged `canary` is enabled, with where its settings are written. */
interface Enabled {
    readonly svc: ResolvedService;
    readonly c: CanarySettingsWritten;
    readonly at: At;
    /** Whether the canary is enabled for this service itself (not by a shared default). */
    readonly own: boolean;
}

/** The services with their canaries attached, and the stack's canary settings when any service has one. */
export function resolveCanaries(ctx: CanaryContext): { readonly services: ResolvedService[]; readonly settings?: CanarySettings } {
    const { env, envPath, problems } = ctx;
    const written = env.canary;
    const mode = written?.mode;
    const modePath = `${envPath}.canary.mode`;
    const intervalSeconds = f.durationSeconds(written?.interval ?? DEFAULT_INTERVAL, "hms")!;
    const exposure = env.exposure ?? "ingress";

    // What the stack's settings cannot do, whichever services have canaries.
    if (mode === "driven" && written?.prometheus === undefined && !ctx.envInvalid("prometheus")) {
        problems.add(
            `${envPath}.canary.prometheus`,
            "required with mode 'driven': the release driver's checks are Prometheus queries (pods not restarting is a kube-state-metrics query); expected an http:// or https:// URL the release driver reaches, such as 'http://prometheus.example.com:9090'",
        );
    }
    if (mode === "driven" && exposure !== "gateway") {
        problems.add(modePath, `'driven' steps the weights of a Gateway API HTTPRoute's backends, and ${envPath}.exposure is '${exposure}': ${DRIVEN_EXPOSURE[exposure]}; set exposure: gateway, or mode: in-cluster`);
    }

    const enabled = [...canaries(ctx)];
    if (enabled.length > 0 && mode === undefined && !ctx.envInvalid("mode")) {
        problems.add(modePath, `required when a service has a canary (${enabled.map((e) => `${e.svc.name} at ${e.at.enabled}`).join(", ")}); expected one of ${CANARY_MODES.join(", ")}`);
    }
    if (enabled.length > 0 && env.adopt === true) {
        problems.add(
            `${envPath}.adopt`,
            `true while ${enabled.map((e) => e.svc.name).join(", ")} ${enabled.length === 1 ? "has a canary" : "have canaries"} (at ${enabled.map((e) => e.at.enabled).join(", ")}): a canary replaces the adopted Deployment (a Rollout, or a stable and a canary Deployment), which adoption protects; finish the adoption first (an update with adopt: true, then adopt: false), then enable the canaries`,
        );
    }

    const configs = new Map<string, CanaryConfig>();
    for (const e of enabled) {
        const config = resolveOne(e, { mode, exposure, intervalSeconds, prometheusUrl: written?.prometheus }, ctx);
        if (config) configs.set(e.svc.name, config);
    }
    if (mode === "driven") drivenTogether(enabled, configs, ctx);
    const services = ctx.services.map((svc) => (configs.has(svc.name) ? { ...svc, canary: configs.get(svc.name)! } : svc));
    const settings: CanarySettings | undefined =
        configs.size > 0 && mode !== undefined
            ? { mode, ...(written?.prometheus !== undefined ? { prometheusUrl: written.prometheus } : {}), intervalSeconds, ...(mode === "in-cluster" ? { statusImage: f.imageParts(written!.statusImage)! } : {}) }
            : undefined;
    return { services, ...(settings ? { settings } : {}) };
}

/**
 * The label keys the platform puts on a driven canary's pods (components/labels.ts,
 * `canaryPodLabels`, which config/ does not import; tests/canaryDriven.test.ts keeps the two equal):
 * a service selector made of these alone could select the canary's pods, and the stable Service
 * would route to them outside the weights.
 */
export const CANARY_POD_LABEL_KEYS: ReadonlySet<string> = new Set([
    "app.kubernetes.io/component",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/managed-by",
    "app.kubernetes.io/part-of",
    "app.kubernetes.io/version",
    "environment",
]);

/**
 * What driven canaries need of each other and of their service's selector: the release driver
 * steps every canary of the stack together, so their weights must agree; and the stable Service's
 * selector (an imported one, `selector`) must hold a label the canary's pods never carry.
 */
function drivenTogether(enabled: readonly Enabled[], configs: ReadonlyMap<string, CanaryConfig>, ctx: CanaryContext): void {
    const driven = enabled.filter((e) => configs.has(e.svc.name));
    const weights = (e: Enabled) => configs.get(e.svc.name)!.steps.map((s) => s.weight).join(", ");
    const [first, ...others] = driven;
    for (const other of others) {
        if (weights(other) !== weights(first)) {
            const where = (e: Enabled) => e.at.steps ?? e.at.enabled!;
            ctx.problems.add(
                where(other),
                `the release driver steps every driven canary of the stack together, so their weights must agree: ${first.svc.name} has ${weights(first)} (${where(first)}), ${other.svc.name} has ${weights(other)}; give both the same weights (their windows may differ: each step lasts the longest)`,
            );
        }
    }
    for (const e of driven) {
        const keys = Object.keys(e.svc.selector);
        if (keys.every((k) => CANARY_POD_LABEL_KEYS.has(k))) {
            ctx.problems.add(
                e.at.enabled!,
                `a driven canary's pods carry ${[...CANARY_POD_LABEL_KEYS].join(", ")}, and ${e.svc.name}'s selector ${JSON.stringify(e.svc.selector)} holds only such labels, so its Service could route to the canary outside the weights; give it a selector with another label (app.kubernetes.io/name, app), or use mode: in-cluster`,
            );
        }
    }
}

/** Why each exposure other than `gateway` cannot carry driven weights. */
const DRIVEN_EXPOSURE: Readonly<Record<Exclude<Environment["exposure"], "gateway">, string>> = {
    ingress: "an Ingress has no weighted backends (ingress-nginx's canary annotations are not used: ingress-nginx is retired)",
    both: "the Ingress beside the route would keep sending its share of requests to the stable pods alone, outside the weights",
    none: "no service is exposed, so there is no route to weight",
};

/** The services this stack runs whose merged `canary` is enabled and whose kind can have one. */
function* canaries(ctx: CanaryContext): Generator<Enabled> {
    for (const svc of ctx.services) {
        const merged = ctx.merged.get(svc.name);
        const raw = merged?.value.canary;
        if (!merged || raw === undefined) continue;
        const c = canarySchema.parse(raw);
        // A stateful or cronjob service's own canary is refused with its kind (resolve/kind.ts); a shared default does not apply to it.
        if (!c.enabled || (svc.kind !== "web" && svc.kind !== "worker")) continue;
        const at = (merged.origins as Record<string, unknown>).canary as At;
        yield { svc, c, at, own: ownPath(at.enabled!, ctx.ownLayers(svc.name)) };
    }
}

/** What one service's canary is judged against: the stack's settings. */
interface StackCanary {
    readonly mode?: string;
    readonly exposure: Environment["exposure"];
    readonly intervalSeconds: number;
    readonly prometheusUrl?: string;
}

/** One service's canary, or undefined when it is refused (reported) or does not apply. */
function resolveOne(e: Enabled, stack: StackCanary, ctx: CanaryContext): CanaryConfig | undefined {
    const { svc, c, at } = e;
    const { envPath, problems } = ctx;
    const before = problems.count;
    // Another exposure is refused for the whole stack: its services' routes are not judged one by one.
    if (stack.mode === "driven" && stack.exposure === "gateway" && (svc.kind !== "web" || svc.ingress === undefined)) {
        // From a shared default, a driven canary applies to the services with a route only.
        if (!e.own) return undefined;
        const what = svc.kind !== "web" ? `a '${svc.kind}' service has no Service or route` : "it has no route (no 'ingress' settings with a 'hostPrefix')";
        problems.add(at.enabled!, `a driven canary (${envPath}.canary.mode) weights the service's HTTPRoute, and ${what}; expose it (ingress.hostPrefix) or use mode: in-cluster`);
    }
    // In-cluster without Prometheus, a step is a pause and Argo Rollouts' own health checks decide: nothing counts restarts.
    if (stack.mode === "in-cluster" && stack.prometheusUrl === undefined && at.maxRestarts !== undefined && !ctx.envInvalid("prometheus")) {
        problems.add(
            at.maxRestarts,
            `restarts are counted through Prometheus (kube-state-metrics), and ${envPath}.canary.prometheus is not set, so nothing would count them; set it (such as 'http://prometheus-operated.monitoring.svc:9090'), or remove maxRestarts`,
        );
    }
    const q = c.prometheus;
    if (q !== undefined) {
        const qAt = at.prometheus!;
        if (q.query === undefined) problems.add(`${qAt.$}.query`, "required with 'prometheus'; expected a PromQL query such as the canary's 5xx ratio");
        if (q.max === undefined) problems.add(`${qAt.$}.max`, "required with 'prometheus'; expected the highest value of the query that passes, such as 0.01");
        if (q.query !== undefined && stack.prometheusUrl === undefined && !ctx.envInvalid("prometheus")) {
            problems.add(qAt.query!, `a query needs Prometheus, and ${envPath}.canary.prometheus is not set; set it to the URL Prometheus answers at (in-cluster: an address Argo Rollouts' controller reaches, such as 'http://prometheus-operated.monitoring.svc:9090')`);
        }
    }
    const steps = c.steps.map((s) => ({ weight: s.weight, windowSeconds: f.durationSeconds(s.window, "hms")! }));
    const shortest = ctx.envInvalid("interval") ? -1 : steps.findIndex((s) => s.windowSeconds < stack.intervalSeconds);
    if (shortest >= 0) {
        const interval = `${envPath}.canary.interval (${JSON.stringify(ctx.env.canary?.interval ?? DEFAULT_INTERVAL)}, ${stack.intervalSeconds} s)`;
        const window = `${JSON.stringify(c.steps[shortest].window)} (${steps[shortest].windowSeconds} s)`;
        const path = at.steps !== undefined ? `${at.steps}[${shortest}].window` : `${envPath}.canary.interval`;
        const subject = at.steps !== undefined ? `the window ${window}` : `the default window ${window} of ${svc.name}'s steps`;
        problems.add(path, `${subject} is shorter than ${interval}: nothing would be checked during the step; make each window at least the interval`);
    }
    if (problems.count > before) return undefined;
    return {
        steps,
        replicas: c.replicas,
        maxRestarts: c.maxRestarts,
        ...(q?.query !== undefined && q.max !== undefined ? { prometheus: { query: q.query, max: q.max } } : {}),
    };
}
