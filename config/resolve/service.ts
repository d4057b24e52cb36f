import { Problems } from "../errors";
import * as f from "../formats";
import { byCodePoint } from "../order";
import { CiTags } from "../imageTags";
import { Merged, Origins } from "../merge";
import { GOT } from "../schema/fields";
import { service, ServiceSettings } from "../schema/service";
import { Autoscaling, Cors, DisruptionBudget, IngressSpec, Resources, ServiceConfig } from "../types";
import { resolveImage } from "./image";
import type { Environment } from "../schema/environment";

/** A service before its secret values are attached: secrets name their config key. */
export type ResolvedService = Omit<ServiceConfig, "secrets"> & { readonly secrets: Readonly<Record<string, { fromConfig: string } | { generate: { length: number } }>> };

export interface ResolveContext {
    /** Tiers by name; `undefined` for a tier that is defined but invalid (already reported). */
    readonly tiers: ReadonlyMap<string, Resources | undefined>;
    readonly tiersPath: string;
    /** Undefined when the environment's domain is missing or invalid (already reported). */
    readonly domain?: string;
    /** The environment's default tag and where it is written; `value` undefined when it is invalid. */
    readonly imageTag?: { readonly value?: string; readonly path: string };
    readonly ciTags?: CiTags;
    readonly registry?: NonNullable<Environment["registry"]>;
    readonly registryPath: string;
    readonly registryGiven: boolean;
    readonly serviceNames: readonly string[];
    /** Where the service itself is declared, for messages about missing required keys. */
    readonly servicePath: string;
    readonly problems: Problems;
}

/** What resolution reads of one service: its merged settings, where each was written, and which were invalid. */
export interface Settings {
    readonly s: ServiceSettings;
    readonly at: Origins<ServiceSettings>;
    readonly anyInvalid: (...fields: string[]) => boolean;
}

/**
 * Checks what only the merged settings of a service can show: required keys, tier references,
 * requests vs limits, replica bounds, the disruption budget, callers and the public host.
 */
export function resolveService(name: string, merged: Merged, ctx: ResolveContext): ResolvedService | undefined {
    const parsed = service.safeParse(merged.value);
    if (!parsed.success) {
        // Each layer was checked on its own; merged valid layers are valid.
        ctx.problems.add(ctx.servicePath, `the merged settings are not valid: ${parsed.error.issues.map((i) => i.message.replace(GOT, "")).join("; ")}`);
        return undefined;
    }
    const s = parsed.data;
    const at = merged.origins as Origins<ServiceSettings>;
    const anyInvalid = (...fields: string[]) => [...merged.invalid].some((x) => fields.some((p) => x === p || x.startsWith(`${p}.`)));
    const settings: Settings = { s, at, anyInvalid };
    const problems = ctx.problems;
    const before = problems.count;
    const required = <T>(v: T | undefined, field: string, expected: string): T | undefined => {
        if (v === undefined && !anyInvalid(field)) problems.add(`${ctx.servicePath}.${field}`, `required; expected ${expected}`);
        return v;
    };

    const port = required(s.port, "port", "an integer from 1 to 65535");
    const { image, build } = resolveImage(settings, { ...ctx, name });
    const liveness = required(s.probes?.liveness, "probes.liveness", "an HTTP path such as '/healthz'");
    const readiness = required(s.probes?.readiness, "probes.readiness", "an HTTP path such as '/readyz'");

    const resources = anyInvalid("tier", "resources") ? undefined : resolveResources(settings, ctx);
    const scalingValid = !anyInvalid("replicas", "autoscaling");
    const { replicas, autoscaling } = scalingValid ? resolveScaling(settings, problems) : {};
    const minimum = autoscaling?.minReplicas ?? replicas ?? 0;
    const maximum = autoscaling?.maxReplicas ?? replicas ?? 0;
    const disruptionBudget = scalingValid && !anyInvalid("pdb") ? resolveBudget(settings, minimum, maximum, problems) : undefined;

    // A secret is replaced whole by a later layer, so where it was written is one path.
    const secretAt = (key: string) => (at.secrets as unknown as Record<string, string>)[key];
    const env = sorted(s.env ?? {});
    const secrets = sorted(s.secrets ?? {});
    for (const key of Object.keys(secrets)) {
        if (Object.hasOwn(env, key)) {
            problems.add(secretAt(key), `'${key}' is also set as a plain variable at ${at.env![key]}; a name is either plain or secret, not both`);
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
            problems.add(secretAt(key), `'${key}' differs from the secret '${first}' (at ${secretAt(first)}) only by case; the secrets of one service need names that differ by more than case`);
        }
    }

    const allowFrom = s.allowFrom ?? [];
    const others = ctx.serviceNames.filter((n) => n !== name).join(", ");
    allowFrom.forEach((caller, i) => {
        const path = `${at.allowFrom}[${i}]`;
        if (caller === name) problems.add(path, `a service does not need to allow itself; expected one of the other services: ${others}`);
        else if (!ctx.serviceNames.includes(caller)) problems.add(path, `unknown service ${JSON.stringify(caller)}; expected one of: ${others}`);
    });

    const ingress = anyInvalid("ingress") ? undefined : resolveIngress(settings, ctx);
    if (problems.count > before || merged.invalid.size > 0 || port === undefined || !image || !liveness || !readiness || !resources) {
        return undefined;
    }
    return {
        name,
        port,
        servicePort: s.servicePort,
        image,
        ...(build ? { build } : {}),
        probes: { liveness, readiness, ...(s.probes?.startup ? { startup: s.probes.startup } : {}) },
        resources,
        replicas,
        autoscaling,
        disruptionBudget,
        env,
        secrets: secrets as ResolvedService["secrets"],
        allowFrom: [...allowFrom].sort(),
        ingress,
        runAsUser: s.runAsUser,
    };
}

function sorted<T>(o: Record<string, T>): Record<string, T> {
    return Object.fromEntries(Object.entries(o).sort(([a], [b]) => byCodePoint(a, b)));
}

function resolveResources({ s, at }: Settings, ctx: ResolveContext): Resources | undefined {
    let base: Resources | undefined;
    if (s.tier !== undefined) {
        base = ctx.tiers.get(s.tier);
        if (ctx.tiers.has(s.tier) && !base) {
            return undefined; // defined but invalid, reported where it is defined
        }
        if (!base) {
            const known = [...ctx.tiers.keys()].join(", ") || `none (define them under ${ctx.tiersPath})`;
            ctx.problems.add(at.tier!, `unknown tier ${JSON.stringify(s.tier)}; expected one of: ${known}`);
            return undefined;
        }
    }
    const pick = (kind: "requests" | "limits", r: "cpu" | "memory"): string | undefined => s.resources?.[kind]?.[r] ?? base?.[kind][r];
    let complete = true;
    const amounts = (kind: "requests" | "limits") => {
        const out = { cpu: pick(kind, "cpu"), memory: pick(kind, "memory") };
        for (const r of ["cpu", "memory"] as const) {
            if (out[r] === undefined) {
                complete = false;
                ctx.problems.add(`${ctx.servicePath}.resources.${kind}.${r}`, "required; set 'tier' to a tier of catalog.tiers or set resources explicitly");
            }
        }
        return out as { cpu: string; memory: string };
    };
    const resources = { requests: amounts("requests"), limits: amounts("limits") };
    if (!complete) {
        return undefined;
    }
    for (const r of ["cpu", "memory"] as const) {
        // A tier is checked where it is defined; here only what a service overrides.
        const override = at.resources?.requests?.[r] ?? at.resources?.limits?.[r];
        const problem = override ? f.requestExceedsLimit(resources.requests[r], resources.limits[r]) : undefined;
        if (override && problem) ctx.problems.add(override, problem);
    }
    return resources;
}

function resolveScaling({ s, at }: Settings, problems: Problems): { replicas?: number; autoscaling?: Autoscaling } {
    if (s.autoscaling?.enabled !== true) {
        return { replicas: s.replicas };
    }
    const { minReplicas, maxReplicas, targetCPUUtilization, targetMemoryUtilization } = s.autoscaling;
    const autoscaling = { minReplicas, maxReplicas, targetCPUUtilization, targetMemoryUtilization };
    if (autoscaling.minReplicas > autoscaling.maxReplicas) {
        const path = at.autoscaling?.minReplicas ?? at.autoscaling!.maxReplicas!;
        problems.add(path, `minReplicas (${autoscaling.minReplicas}) must be less than or equal to maxReplicas (${autoscaling.maxReplicas})`);
    }
    return { autoscaling };
}

function resolveBudget({ s, at }: Settings, minimum: number, maximum: number, problems: Problems): DisruptionBudget | undefined {
    const pdb = s.pdb;
    if (pdb.enabled === false || (pdb.enabled === undefined && pdb.minAvailable === undefined && maximum <= 1)) {
        return undefined;
    }
    if (maximum <= 1) {
        // A budget on a lone replica blocks every drain; an explicit one is an error.
        const explicit = at.pdb?.enabled ?? at.pdb?.minAvailable;
        if (explicit) {
            problems.add(explicit, `a PodDisruptionBudget for a service that runs at most ${maximum} replica${maximum === 1 ? "" : "s"} would block every node drain; it needs more than one replica`);
        }
        return undefined;
    }
    if (at.pdb?.maxUnavailable !== undefined && pdb.minAvailable !== undefined) {
        problems.add(at.pdb.minAvailable!, `set either pdb.minAvailable or pdb.maxUnavailable (at ${at.pdb.maxUnavailable}), not both`);
        return undefined;
    }
    if (pdb.minAvailable !== undefined) {
        if (pdb.minAvailable >= minimum) {
            problems.add(at.pdb!.minAvailable!, `minAvailable (${pdb.minAvailable}) must be less than the minimum replica count (${minimum}), or the budget blocks every node drain`);
            return undefined;
        }
        return { minAvailable: pdb.minAvailable };
    }
    return { maxUnavailable: pdb.maxUnavailable };
}

function resolveIngress({ s, at }: Settings, ctx: ResolveContext): IngressSpec | undefined {
    const ingress = s.ingress;
    if (ingress === undefined || ingress.enabled === false || (ingress.hostPrefix === undefined && ingress.enabled === undefined)) {
        return undefined;
    }
    if (ingress.hostPrefix === undefined) {
        ctx.problems.add(`${ctx.servicePath}.ingress.hostPrefix`, "required when ingress is enabled; expected a DNS-1123 label such as 'api'");
        return undefined;
    }
    if (ctx.domain === undefined) {
        return undefined;
    }
    const host = `${ingress.hostPrefix}.${ctx.domain}`;
    const hostProblem = f.hostName(host);
    if (hostProblem) {
        ctx.problems.add(at.ingress!.hostPrefix!, `the host ${JSON.stringify(host)} is not a valid host name (${hostProblem})`);
        return undefined;
    }
    const c = ingress.cors;
    if (c && !c.allowOrigins) {
        ctx.problems.add(`${ctx.servicePath}.ingress.cors.allowOrigins`, "required when CORS is configured; expected a list of origins such as 'https://app.example.com'");
    }
    const cors: Cors | undefined = c?.allowOrigins && { allowOrigins: c.allowOrigins, allowMethods: c.allowMethods, allowHeaders: c.allowHeaders, allowCredentials: c.allowCredentials };
    return { host, path: ingress.path, ...(cors ? { cors } : {}) };
}
