import { Problems } from "./errors";
import { INVALID, Layer, Leaf } from "./serviceSettings";
import { CiTags } from "./imageTags";
import { resolveImage } from "./resolveImage";
import * as f from "./formats";
import { byCodePoint } from "./order";
import { Autoscaling, Cors, DisruptionBudget, IngressSpec, RegistryConfig, Resources, SecretSource, ServiceConfig } from "./types";

/** Defaults for service settings; each lives only here. */
export const SERVICE_DEFAULTS = {
    servicePort: 80,
    replicas: 1,
    runAsUser: 10001,
    minReplicas: 2,
    maxReplicas: 6,
    targetCPUUtilization: 70,
    targetMemoryUtilization: 80,
    maxUnavailable: 1,
    ingressPath: "/",
    corsMethods: ["GET", "POST", "PUT", "DELETE", "OPTIONS"],
    corsHeaders: ["Authorization", "Content-Type"],
} as const;

export interface ResolveContext {
    /** Tiers by name; `undefined` for a tier that is defined but invalid (already reported). */
    readonly tiers: ReadonlyMap<string, Resources | undefined>;
    readonly tiersPath: string;
    /** Undefined when the environment's domain is missing or invalid (already reported). */
    readonly domain?: string;
    readonly imageTag?: Leaf;
    readonly ciTags?: CiTags;
    readonly registry?: RegistryConfig;
    readonly registryPath: string;
    readonly registryGiven: boolean;
    readonly serviceNames: readonly string[];
    /** Where the service itself is declared, for messages about missing required keys. */
    readonly servicePath: string;
    readonly problems: Problems;
}

/**
 * Merges the layers of one service (later layers win, leaf by leaf) and checks what only the
 * merged result can show: required keys, tier references, requests vs limits, replica bounds,
 * the disruption budget, callers and the public host.
 */
export function resolveService(name: string, layers: readonly Layer[], ctx: ResolveContext): ServiceConfig | undefined {
    // Valid leaves merge; a field whose winning value was invalid is remembered so that the
    // checks below neither call it missing nor cascade from it.
    const merged: Layer = new Map();
    const invalid = new Set<string>();
    for (const layer of layers) {
        for (const [field, leaf] of layer) {
            if (leaf.value === INVALID) {
                invalid.add(field);
                merged.delete(field);
            } else {
                invalid.delete(field);
                merged.set(field, leaf);
            }
        }
    }
    const anyInvalid = (...prefixes: string[]) => [...invalid].some((f) => prefixes.some((p) => f === p || f.startsWith(`${p}.`)));
    const problems = ctx.problems;
    const before = problems.count;
    const leaf = (field: string) => merged.get(field);
    const value = <T>(field: string): T | undefined => merged.get(field)?.value as T | undefined;
    const requireValue = <T>(field: string, expected: string): T | undefined => {
        const v = value<T>(field);
        if (v === undefined && !invalid.has(field)) problems.add(`${ctx.servicePath}.${field}`, `required; expected ${expected}`);
        return v;
    };

    const port = requireValue<number>("port", "an integer from 1 to 65535");
    const { image, build } = resolveImage(merged, invalid, { ...ctx, name });
    const liveness = requireValue<string>("probes.liveness", "an HTTP path such as '/healthz'");
    const readiness = requireValue<string>("probes.readiness", "an HTTP path such as '/readyz'");

    const resources = anyInvalid("tier", "resources") ? undefined : resolveResources(merged, ctx);
    const scalingValid = !anyInvalid("replicas", "autoscaling");
    const { replicas, autoscaling } = scalingValid ? resolveScaling(merged, problems) : {};
    const minimum = autoscaling?.minReplicas ?? replicas ?? 0;
    const maximum = autoscaling?.maxReplicas ?? replicas ?? 0;
    const disruptionBudget = scalingValid && !anyInvalid("pdb") ? resolveBudget(merged, minimum, maximum, problems) : undefined;

    const env: Record<string, string> = {};
    const secrets: Record<string, SecretSource> = {};
    for (const [field, l] of [...merged].sort(([a], [b]) => byCodePoint(a, b))) {
        if (field.startsWith("env.")) env[field.slice(4)] = l.value as string;
        if (field.startsWith("secrets.")) secrets[field.slice(8)] = l.value as SecretSource;
    }
    for (const key of Object.keys(secrets)) {
        if (Object.hasOwn(env, key)) {
            problems.add(leaf(`secrets.${key}`)!.path, `'${key}' is also set as a plain variable at ${leaf(`env.${key}`)!.path}; a name is either plain or secret, not both`);
        }
    }
    // Generated passwords are named after the lower-cased secret name, so names differing only
    // by case would collide (and are easy to confuse anyway).
    const byLowerCase = new Map<string, string>();
    for (const key of Object.keys(secrets)) {
        const first = byLowerCase.get(key.toLowerCase());
        if (first === undefined) {
            byLowerCase.set(key.toLowerCase(), key);
        } else {
            problems.add(
                leaf(`secrets.${key}`)!.path,
                `'${key}' differs from the secret '${first}' (at ${leaf(`secrets.${first}`)!.path}) only by case; the secrets of one service need names that differ by more than case`,
            );
        }
    }

    const allowFrom = value<string[]>("allowFrom") ?? [];
    allowFrom.forEach((caller, i) => {
        const path = `${leaf("allowFrom")!.path}[${i}]`;
        if (caller === name) problems.add(path, `a service does not need to allow itself; expected one of the other services: ${others(ctx, name)}`);
        else if (!ctx.serviceNames.includes(caller)) problems.add(path, `unknown service ${JSON.stringify(caller)}; expected one of: ${others(ctx, name)}`);
    });

    const ingress = anyInvalid("ingress") ? undefined : resolveIngress(merged, ctx);
    if (problems.count > before || invalid.size > 0 || port === undefined || !image || !liveness || !readiness || !resources) {
        return undefined;
    }
    const startup = value<string>("probes.startup");
    return {
        name,
        port,
        servicePort: value<number>("servicePort") ?? SERVICE_DEFAULTS.servicePort,
        image,
        ...(build ? { build } : {}),
        probes: { liveness, readiness, ...(startup ? { startup } : {}) },
        resources,
        replicas,
        autoscaling,
        disruptionBudget,
        env,
        secrets,
        allowFrom: [...allowFrom].sort(),
        ingress,
        runAsUser: value<number>("runAsUser") ?? SERVICE_DEFAULTS.runAsUser,
    };
}

function others(ctx: ResolveContext, name: string): string {
    return ctx.serviceNames.filter((n) => n !== name).join(", ");
}

function resolveResources(merged: Layer, ctx: ResolveContext): Resources | undefined {
    const tierLeaf = merged.get("tier");
    let base: Resources | undefined;
    if (tierLeaf) {
        const tier = tierLeaf.value as string;
        base = ctx.tiers.get(tier);
        if (ctx.tiers.has(tier) && !base) {
            return undefined; // defined but invalid, reported where it is defined
        }
        if (!base) {
            const known = [...ctx.tiers.keys()].join(", ") || `none (define them under ${ctx.tiersPath})`;
            ctx.problems.add(tierLeaf.path, `unknown tier ${JSON.stringify(tierLeaf.value)}; expected one of: ${known}`);
            return undefined;
        }
    }
    const pick = (kind: "requests" | "limits", r: "cpu" | "memory"): string | undefined =>
        (merged.get(`resources.${kind}.${r}`)?.value as string | undefined) ?? base?.[kind][r];
    const amounts = {
        requests: { cpu: pick("requests", "cpu"), memory: pick("requests", "memory") },
        limits: { cpu: pick("limits", "cpu"), memory: pick("limits", "memory") },
    };
    let complete = true;
    for (const kind of ["requests", "limits"] as const) {
        for (const r of ["cpu", "memory"] as const) {
            if (amounts[kind][r] === undefined) {
                complete = false;
                ctx.problems.add(`${ctx.servicePath}.resources.${kind}.${r}`, "required; set 'tier' to a tier of catalog.tiers or set resources explicitly");
            }
        }
    }
    if (!complete) {
        return undefined;
    }
    const resources = amounts as Resources;
    for (const r of ["cpu", "memory"] as const) {
        // A tier is checked where it is defined; here only what a service overrides.
        const override = merged.get(`resources.requests.${r}`) ?? merged.get(`resources.limits.${r}`);
        if (override) {
            const problem = f.requestExceedsLimit(resources.requests[r], resources.limits[r]);
            if (problem) ctx.problems.add(override.path, problem);
        }
    }
    return resources;
}

function resolveScaling(merged: Layer, problems: Problems): { replicas?: number; autoscaling?: Autoscaling } {
    const v = <T>(field: string) => merged.get(field)?.value as T | undefined;
    if (v<boolean>("autoscaling.enabled") !== true) {
        return { replicas: v<number>("replicas") ?? SERVICE_DEFAULTS.replicas };
    }
    const autoscaling: Autoscaling = {
        minReplicas: v<number>("autoscaling.minReplicas") ?? SERVICE_DEFAULTS.minReplicas,
        maxReplicas: v<number>("autoscaling.maxReplicas") ?? SERVICE_DEFAULTS.maxReplicas,
        targetCPUUtilization: v<number>("autoscaling.targetCPUUtilization") ?? SERVICE_DEFAULTS.targetCPUUtilization,
        targetMemoryUtilization: v<number>("autoscaling.targetMemoryUtilization") ?? SERVICE_DEFAULTS.targetMemoryUtilization,
    };
    if (autoscaling.minReplicas > autoscaling.maxReplicas) {
        const path = merged.get("autoscaling.minReplicas")?.path ?? merged.get("autoscaling.maxReplicas")!.path;
        problems.add(path, `minReplicas (${autoscaling.minReplicas}) must be less than or equal to maxReplicas (${autoscaling.maxReplicas})`);
    }
    return { autoscaling };
}

function resolveBudget(merged: Layer, minimum: number, maximum: number, problems: Problems): DisruptionBudget | undefined {
    const enabled = merged.get("pdb.enabled");
    const maxUnavailable = merged.get("pdb.maxUnavailable");
    const minAvailable = merged.get("pdb.minAvailable");
    if (enabled?.value === false || (enabled === undefined && minAvailable === undefined && maximum <= 1)) {
        return undefined;
    }
    if (maximum <= 1) {
        // A budget on a lone replica blocks every drain; an explicit one is an error.
        const explicit = enabled ?? minAvailable;
        if (explicit) {
            problems.add(explicit.path, `a PodDisruptionBudget for a service that runs at most ${maximum} replica${maximum === 1 ? "" : "s"} would block every node drain; it needs more than one replica`);
        }
        return undefined;
    }
    if (maxUnavailable && minAvailable) {
        problems.add(minAvailable.path, `set either pdb.minAvailable or pdb.maxUnavailable (at ${maxUnavailable.path}), not both`);
        return undefined;
    }
    if (minAvailable) {
        const n = minAvailable.value as number;
        if (n >= minimum) {
            problems.add(minAvailable.path, `minAvailable (${n}) must be less than the minimum replica count (${minimum}), or the budget blocks every node drain`);
            return undefined;
        }
        return { minAvailable: n };
    }
    return { maxUnavailable: (maxUnavailable?.value as number | undefined) ?? SERVICE_DEFAULTS.maxUnavailable };
}

function resolveIngress(merged: Layer, ctx: ResolveContext): IngressSpec | undefined {
    const prefix = merged.get("ingress.hostPrefix");
    const enabled = merged.get("ingress.enabled");
    if (enabled?.value === false || (!prefix && enabled === undefined)) {
        return undefined;
    }
    if (!prefix) {
        ctx.problems.add(`${ctx.servicePath}.ingress.hostPrefix`, "required when ingress is enabled; expected a DNS-1123 label such as 'api'");
        return undefined;
    }
    if (ctx.domain === undefined) {
        return undefined;
    }
    const host = `${String(prefix.value)}.${ctx.domain}`;
    const hostProblem = f.hostName(host);
    if (hostProblem) {
        ctx.problems.add(prefix.path, `the host ${JSON.stringify(host)} is not a valid host name (${hostProblem})`);
        return undefined;
    }
    const origins = merged.get("ingress.cors.allowOrigins")?.value as string[] | undefined;
    const cors: Cors | undefined = origins && {
        allowOrigins: origins,
        allowMethods: (merged.get("ingress.cors.allowMethods")?.value as string[] | undefined) ?? [...SERVICE_DEFAULTS.corsMethods],
        allowHeaders: (merged.get("ingress.cors.allowHeaders")?.value as string[] | undefined) ?? [...SERVICE_DEFAULTS.corsHeaders],
        allowCredentials: (merged.get("ingress.cors.allowCredentials")?.value as boolean | undefined) ?? false,
    };
    if (!origins && [...merged.keys()].some((k) => k.startsWith("ingress.cors."))) {
        ctx.problems.add(`${ctx.servicePath}.ingress.cors.allowOrigins`, "required when CORS is configured; expected a list of origins such as 'https://app.example.com'");
    }
    return {
        host,
        path: (merged.get("ingress.path")?.value as string | undefined) ?? SERVICE_DEFAULTS.ingressPath,
        ...(cors ? { cors } : {}),
    };
}
