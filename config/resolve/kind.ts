import { Problems } from "../errors";
import type { Origins } from "../merge";
import { Kind, KIND_DESCRIPTIONS } from "../schema/kinds";
import type { ServiceSettings } from "../schema/service";

/**
 * Settings each kind has no use for, with the reason. Written for the service itself (its
 * catalog entry or the stack's entry for it) they are refused; coming from a shared default
 * (`defaults`, `serviceDefaults`) they simply do not apply to it, so one default serves every kind.
 */
const UNUSED: Readonly<Record<Kind, Partial<Record<keyof ServiceSettings, string>>>> = {
    web: {
        job: "only a cronjob has a schedule",
    },
    worker: {
        ingress: "a worker has no Service to route to; make it a 'web' service to expose it",
        servicePort: "a worker has no Service",
        allowFrom: "a worker has no Service to call (its port, if any, is for probes and metrics)",
        job: "only a cronjob has a schedule",
    },
    cronjob: {
        port: "a cronjob serves no port",
        servicePort: "a cronjob has no Service",
        ingress: "a cronjob has no Service to route to",
        allowFrom: "a cronjob has no Service to call",
        autoscaling: "a cronjob runs one pod per run; nothing scales it",
        replicas: "a cronjob runs one pod per run",
        pdb: "a cronjob's runs are not kept through node drains by a budget",
        probes: "a cronjob runs to completion; liveness and readiness are for long-running containers",
        metrics: "a cronjob's pods live too briefly to be scraped; push to a Pushgateway instead",
        canary: "a cronjob has no rollout to release step by step: each run starts the image the stack names",
    },
    stateful: {
        ingress: "expose a stateful service (a database, a broker) through a 'web' service, not directly",
        autoscaling: "a stateful service keeps one claim per pod, so its replica count is set ('replicas'), not scaled by an autoscaler",
        job: "only a cronjob has a schedule",
        canary: "a StatefulSet's pods keep their identities and claims, so it cannot run a second version beside the first; canaries are for 'web' and 'worker' services",
    },
};

/** The leaf key paths under an origins object (or the path itself for a leaf). */
function leaves(origins: unknown): string[] {
    if (typeof origins === "string") return [origins];
    if (origins === null || typeof origins !== "object") return [];
    return Object.entries(origins).flatMap(([k, v]) => (k === "$" ? [] : leaves(v)));
}

/** Whether a key path was written for the service itself (not by a shared default). */
export function ownPath(path: string, ownLayers: readonly string[]): boolean {
    return ownLayers.some((layer) => path === layer || path.startsWith(`${layer}.`));
}

/** The key paths under `origins` written for the service itself, or none when only shared defaults wrote them. */
export function ownLeaves(origins: unknown, ownLayers: readonly string[]): string[] {
    return leaves(origins).filter((p) => ownPath(p, ownLayers));
}

/** The key paths of `key` written for the service itself. */
export function ownWrites(at: Origins<ServiceSettings>, key: keyof ServiceSettings, ownLayers: readonly string[]): string[] {
    return ownLeaves((at as Record<string, unknown>)[key], ownLayers);
}

/**
 * Reports the settings the service's kind cannot use that were written for it, and returns
 * every setting the kind does not use (to be left out, wherever it was written).
 */
export function unusedSettings(kind: Kind, at: Origins<ServiceSettings>, ownLayers: readonly string[], problems: Problems): ReadonlySet<keyof ServiceSettings> {
    const unused = UNUSED[kind];
    for (const [key, reason] of Object.entries(unused) as [keyof ServiceSettings, string][]) {
        const own = ownWrites(at, key, ownLayers);
        if (own.length > 0) {
            const layer = ownLayers.find((l) => ownPath(own[0], [l]))!;
            problems.add(`${layer}.${key}`, `does not apply to a '${kind}' service (${KIND_DESCRIPTIONS[kind]}): ${reason}`);
        }
    }
    return new Set(Object.keys(unused) as (keyof ServiceSettings)[]);
}
