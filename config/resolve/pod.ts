import { Problems } from "../errors";
import * as f from "../formats";
import { byCodePoint, byKey } from "../order";
import type { Origins } from "../merge";
import { ExtraContainerSettings, PROBE_ACTIONS, ProbeSettings, VOLUME_SOURCES, VolumeSettings } from "../schema/pod";
import type { ServiceSettings } from "../schema/service";
import type { Kind } from "../schema/kinds";
import { ExtraContainer, JobSpec, MetricsSpec, Probe, Probes, RbacRule, Volume, VolumeSource } from "../types";
import { ownLeaves } from "./kind";
import { RBAC_ACKNOWLEDGED, rbacRisks, RISKY_RULES } from "../rbac";

/**
 * The parts of a service's pods resolved from its merged settings: probes, volumes, init
 * containers and sidecars, a cronjob's schedule, metrics and RBAC rules. Each function reports
 * what it finds wrong under the key path where it was written.
 */

type At<T> = Origins<T> | undefined;

/** Where the pod parts are written, and which layers are the service's own. */
export interface PodContext {
    readonly servicePath: string;
    readonly ownLayers: readonly string[];
    readonly problems: Problems;
}

/** Timings each probe has unless configured: how often, and how many failures count. */
export const PROBE_DEFAULTS = {
    liveness: { periodSeconds: 10, failureThreshold: 3 },
    readiness: { periodSeconds: 5, failureThreshold: 3 },
    startup: { periodSeconds: 5, failureThreshold: 30 },
} as const;
export const PROBE_TIMEOUT_SECONDS = 2;

/**
 * The main container's probes. A probe on a port needs one (its own `port`, else the
 * service's): written for the service itself without one it is refused; from a shared default
 * it does not apply (a worker without a port inherits no HTTP probe).
 */
export function resolveProbes(
    probes: ServiceSettings["probes"],
    at: At<NonNullable<ServiceSettings["probes"]>>,
    port: { readonly number?: number; readonly name: string; readonly invalid: boolean },
    ctx: PodContext,
): { probes: Probes; refused: ReadonlySet<string> } {
    const out: Record<string, Probe> = {};
    const refused = new Set<string>();
    for (const which of ["liveness", "readiness", "startup"] as const) {
        const p: ProbeSettings | undefined = probes?.[which];
        if (p === undefined || p.enabled === false) continue;
        const pAt = at?.[which] as Record<string, string> | undefined;
        const path = pAt?.$ ?? `${ctx.servicePath}.probes.${which}`;
        const own = ownLeaves(pAt, ctx.ownLayers).length > 0;
        const actions = PROBE_ACTIONS.filter((a) => p[a] !== undefined);
        if (actions.length !== 1) {
            refused.add(which);
            // Where the last action was written (a short form's origin is the probe itself).
            const last = actions.length > 0 ? pAt?.[actions[actions.length - 1]] : undefined;
            const at = last?.endsWith(`.${actions[actions.length - 1]}`) ? last.slice(0, last.lastIndexOf(".")) : (last ?? path);
            ctx.problems.add(at, actions.length === 0 ? "required: one of 'http' (a path), 'tcp', 'grpc' or 'exec' (a command)" : `expected one of ${actions.join(", ")}, not several (written at ${actions.map((a) => pAt?.[a]).join(", ")})`);
            continue;
        }
        const action = actions[0];
        const number = p.port ?? port.number;
        if (action !== "exec" && number === undefined) {
            // An invalid port was reported where it is written; the probe cannot be judged without it.
            if (own && !port.invalid) refused.add(which);
            if (own && !port.invalid) ctx.problems.add(pAt?.[action] ?? path, `a '${action}' probe needs a port: set 'port' on the probe or the service (a service without a port can only have 'exec' probes)`);
            continue;
        }
        const target = p.port ?? port.name;
        const act =
            action === "http"
                ? { http: { path: p.http!, port: target } }
                : action === "tcp"
                  ? { tcp: { port: target } }
                  : action === "grpc"
                    ? { grpc: { port: number!, ...(typeof p.grpc === "string" ? { service: p.grpc } : {}) } }
                    : { exec: { command: p.exec! } };
        out[which] = {
            ...act,
            ...(p.initialDelaySeconds !== undefined ? { initialDelaySeconds: p.initialDelaySeconds } : {}),
            periodSeconds: p.periodSeconds ?? PROBE_DEFAULTS[which].periodSeconds,
            timeoutSeconds: p.timeoutSeconds ?? PROBE_TIMEOUT_SECONDS,
            failureThreshold: p.failureThreshold ?? PROBE_DEFAULTS[which].failureThreshold,
        };
    }
    return { probes: out, refused };
}

/** The writable /tmp every pod gets; no volume may take its path. */
export const TMP_PATH = "/tmp";
const DEFAULT_EMPTY_DIR_LIMIT = "256Mi";

/** The main container's volumes, by name; a volume without a source is a writable emptyDir. */
export function resolveVolumes(volumes: ServiceSettings["volumes"], at: At<Record<string, VolumeSettings>>, kind: Kind, ctx: PodContext): Volume[] {
    const out: Volume[] = [];
    const byPath = new Map<string, string>();
    for (const name of Object.keys(volumes ?? {}).sort(byCodePoint)) {
        const v = volumes![name];
        const vAt = (at as Record<string, Record<string, string>> | undefined)?.[name];
        const path = vAt?.$ ?? `${ctx.servicePath}.volumes.${name}`;
        const sources = VOLUME_SOURCES.filter((s) => v[s] !== undefined);
        if (v.mountPath === undefined) {
            ctx.problems.add(`${path}.mountPath`, "required; expected an absolute path such as '/app/logs'");
            continue;
        }
        if (v.mountPath === TMP_PATH || v.mountPath.startsWith(`${TMP_PATH}/`)) {
            ctx.problems.add(vAt!.mountPath, `'${TMP_PATH}' is the platform's writable scratch directory in every pod; mount the volume elsewhere`);
            continue;
        }
        const taken = byPath.get(v.mountPath);
        if (taken !== undefined) {
            ctx.problems.add(vAt!.mountPath, `the volume '${taken}' is mounted at ${v.mountPath} already; each volume needs a path of its own`);
            continue;
        }
        byPath.set(v.mountPath, name);
        if (sources.length > 1) {
            ctx.problems.add(path, `expected one source of ${VOLUME_SOURCES.join(", ")}, not several (${sources.join(", ")})`);
            continue;
        }
        const source = volumeSource(v, sources[0], vAt, kind, path, ctx);
        if (source === undefined) continue;
        const fileLike = "configMap" in source || "secret" in source || "files" in source;
        out.push({ name, mountPath: v.mountPath, readOnly: v.readOnly ?? fileLike, ...source });
    }
    return out;
}

function volumeSource(v: VolumeSettings, source: (typeof VOLUME_SOURCES)[number] | undefined, vAt: Record<string, string> | undefined, kind: Kind, path: string, ctx: PodContext): VolumeSource | undefined {
    switch (source) {
        case undefined:
            return { emptyDir: { sizeLimit: DEFAULT_EMPTY_DIR_LIMIT } };
        case "emptyDir":
            return { emptyDir: { sizeLimit: v.emptyDir!.sizeLimit, ...(v.emptyDir!.medium ? { medium: v.emptyDir!.medium } : {}) } };
        case "configMap":
            return { configMap: v.configMap! };
        case "secret":
            return { secret: v.secret! };
        case "existingClaim":
            return { existingClaim: v.existingClaim! };
        case "files":
            if (Object.keys(v.files!).length === 0) {
                ctx.problems.add(`${path}.files`, "expected at least one file, got {}");
                return undefined;
            }
            return { files: byKey(v.files!) };
        case "claim": {
            const claimAt = (vAt as unknown as Record<string, Record<string, string>> | undefined)?.claim;
            if (kind !== "stateful") {
                ctx.problems.add(claimAt?.$ ?? `${path}.claim`, `a claim per pod is a StatefulSet's volumeClaimTemplate: it needs a 'stateful' service, and this one is '${kind}'; mount a claim that exists with 'existingClaim'`);
                return undefined;
            }
            if (v.claim!.size === undefined) {
                ctx.problems.add(`${path}.claim.size`, "required; expected a Kubernetes quantity such as \"10Gi\"");
                return undefined;
            }
            const labels = v.claim!.labels;
            return {
                claim: {
                    size: v.claim!.size,
                    accessMode: v.claim!.accessMode,
                    ...(v.claim!.storageClass ? { storageClass: v.claim!.storageClass } : {}),
                    ...(labels ? { labels: byKey(labels) } : {}),
                },
            };
        }
    }
}

/** What an init container or sidecar gets without `resources`: small, but bounded. */
export const EXTRA_CONTAINER_RESOURCES = { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "250m", memory: "128Mi" } } as const;

/** Init containers and sidecars: their order, image, resources and the volumes they mount. */
export function resolveExtraContainers(
    what: "initContainers" | "sidecars",
    containers: Readonly<Record<string, ExtraContainerSettings>> | undefined,
    at: At<Record<string, ExtraContainerSettings>>,
    taken: ReadonlyMap<string, string>,
    volumes: readonly Volume[],
    ctx: PodContext,
): ExtraContainer[] {
    const out: (ExtraContainer & { order: number })[] = [];
    for (const [name, c] of Object.entries(containers ?? {})) {
        const cAt = (at as Record<string, Record<string, unknown>> | undefined)?.[name];
        const path = (cAt?.$ as string | undefined) ?? `${ctx.servicePath}.${what}.${name}`;
        if (taken.has(name)) {
            ctx.problems.add(path, `the name '${name}' is taken by ${taken.get(name)}; containers of one pod need different names`);
            continue;
        }
        if (c.image === undefined) {
            ctx.problems.add(`${path}.image`, "required; expected an image reference such as 'docker.io/library/busybox:1.36'");
            continue;
        }
        const mounts: { volume: string; mountPath: string }[] = [];
        for (const [volume, mountPath] of Object.entries(c.mounts ?? {}).sort(([a], [b]) => byCodePoint(a, b))) {
            if (!volumes.some((v) => v.name === volume)) {
                const known = volumes.map((v) => v.name).join(", ") || "none";
                ctx.problems.add(`${path}.mounts.${volume}`, `unknown volume '${volume}'; expected one of the service's volumes: ${known}`);
            } else mounts.push({ volume, mountPath });
        }
        const pick = (kind: "requests" | "limits", r: "cpu" | "memory") => c.resources?.[kind]?.[r] ?? EXTRA_CONTAINER_RESOURCES[kind][r];
        const resources = { requests: { cpu: pick("requests", "cpu"), memory: pick("requests", "memory") }, limits: { cpu: pick("limits", "cpu"), memory: pick("limits", "memory") } };
        for (const r of ["cpu", "memory"] as const) {
            const problem = f.requestExceedsLimit(resources.requests[r], resources.limits[r]);
            if (problem) ctx.problems.add(`${path}.resources`, `${r}: ${problem}`);
        }
        out.push({
            name,
            order: c.order,
            image: c.image,
            ...(c.command ? { command: c.command } : {}),
            ...(c.args ? { args: c.args } : {}),
            env: byKey(c.env ?? {}),
            resources,
            mounts,
        });
    }
    return out.sort((a, b) => a.order - b.order || byCodePoint(a.name, b.name)).map(({ order, ...c }) => (void order, c));
}

/** A cronjob's schedule, required for one. */
export function resolveJob(job: ServiceSettings["job"], ctx: PodContext): JobSpec | undefined {
    if (job?.schedule === undefined) {
        ctx.problems.add(`${ctx.servicePath}.job.schedule`, "required for a 'cronjob'; expected a cron schedule such as '0 2 * * *' or '@daily'");
        return undefined;
    }
    return { ...job, schedule: job.schedule };
}

/** Prometheus scraping, on the metrics port or the service's own. */
export function resolveMetrics(
    metrics: ServiceSettings["metrics"],
    at: At<NonNullable<ServiceSettings["metrics"]>>,
    port: { readonly number?: number; readonly judged: boolean },
    ctx: PodContext,
): MetricsSpec | undefined {
    if (metrics === undefined || metrics.enabled === false) return undefined;
    const metricsPort = metrics.port ?? port.number;
    if (metricsPort === undefined) {
        // Shared metrics settings apply to the services with a port; written for this one, they need one.
        const own = ownLeaves(at, ctx.ownLayers)[0];
        if (own !== undefined && port.judged) ctx.problems.add(own, "metrics are scraped from a port: set 'metrics.port' (the service has no 'port')");
        return undefined;
    }
    return { path: metrics.path, port: metricsPort, interval: metrics.interval };
}

/**
 * The service account's permissions. A rule that reaches past the service's own work
 * (config/rbac.ts) needs `acknowledge`, and only such a rule may have it.
 */
export function resolveRbac(rbac: ServiceSettings["rbac"], at: At<NonNullable<ServiceSettings["rbac"]>>, ctx: PodContext): RbacRule[] {
    const out: RbacRule[] = [];
    for (const name of Object.keys(rbac ?? {}).sort(byCodePoint)) {
        const r = rbac![name];
        const rAt = (at as Record<string, Record<string, string>> | undefined)?.[name];
        const path = rAt?.$ ?? `${ctx.servicePath}.rbac.${name}`;
        if (r.resources === undefined) ctx.problems.add(`${path}.resources`, "required; expected a list of resources such as [pods]");
        if (r.verbs === undefined) ctx.problems.add(`${path}.verbs`, "required; expected a list of verbs such as [get, list, watch]");
        if (!r.resources || !r.verbs) continue;
        const rule = { name, apiGroups: r.apiGroups, resources: r.resources, verbs: r.verbs, ...(r.resourceNames ? { resourceNames: r.resourceNames } : {}) };
        const risks = rbacRisks(rule);
        if (risks.length > 0 && r.acknowledge === undefined) {
            ctx.problems.add(
                `${path}.acknowledge`,
                `required for this rule, which ${risks.join("; ")}: if the service needs it, say why in 'acknowledge' (at least 10 characters), written on its Role as ${RBAC_ACKNOWLEDGED}`,
            );
        } else if (risks.length === 0 && r.acknowledge !== undefined) {
            ctx.problems.add(rAt!.acknowledge, `this rule needs no acknowledgement (${RISKY_RULES}); remove 'acknowledge'`);
        } else {
            out.push({ ...rule, ...(r.acknowledge !== undefined ? { acknowledge: r.acknowledge } : {}) });
        }
    }
    return out;
}
