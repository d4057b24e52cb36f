import { Manifest } from "./manifests";
import { byCodePoint } from "../../config/order";

export interface ServiceRow {
    readonly service: string;
    readonly kind: string;
    readonly replicas: string;
    readonly image: string;
    readonly host: string;
    readonly requests: string;
    readonly limits: string;
}

/** The objects that run a service's pods, and where each keeps its pod template. */
const WORKLOADS: Readonly<Record<string, (spec: any) => any>> = {
    Deployment: (spec) => spec.template,
    StatefulSet: (spec) => spec.template,
    CronJob: (spec) => spec.jobTemplate.spec.template,
    // An in-cluster canary's Argo Rollout, in place of its Deployment.
    Rollout: (spec) => spec.template,
};

/**
 * One row per workload (Deployment, StatefulSet, CronJob): replicas, autoscaler bounds or the
 * schedule, image, public host, resources.
 */
export function summarize(manifests: readonly Manifest[]): ServiceRow[] {
    const byKind = (kind: string) => manifests.filter((m) => m.kind === kind);
    const hpas = new Map(byKind("HorizontalPodAutoscaler").map((h) => [h.metadata.name, h.spec as any]));
    const hosts = new Map<string, string>();
    for (const ing of byKind("Ingress")) {
        for (const rule of (ing.spec as any).rules) {
            for (const p of rule.http.paths) if (!hosts.has(p.backend.service.name)) hosts.set(p.backend.service.name, `${rule.host}${p.path}`);
        }
    }
    // Gateway API routes that serve (not the redirect routes): their first host and path.
    for (const route of byKind("HTTPRoute")) {
        const spec = route.spec as any;
        const rule = spec.rules.find((r: any) => r.backendRefs?.length > 0);
        if (rule && !hosts.has(rule.backendRefs[0].name)) hosts.set(rule.backendRefs[0].name, `${spec.hostnames[0]}${rule.matches[0].path.value}`);
    }
    return manifests
        .filter((m) => Object.hasOwn(WORKLOADS, m.kind))
        .sort((a, b) => byCodePoint(a.metadata.name, b.metadata.name))
        .map((w) => {
            const spec = w.spec as any;
            const c = WORKLOADS[w.kind](spec).spec.containers[0];
            const hpa = hpas.get(w.metadata.name);
            return {
                service: w.metadata.name,
                kind: w.kind,
                replicas: w.kind === "CronJob" ? `cron ${spec.schedule}${spec.suspend ? " (suspended)" : ""}` : hpa ? `HPA ${hpa.minReplicas}-${hpa.maxReplicas}` : String(spec.replicas),
                // A digest is shortened to 12 hex digits here; the manifests carry it whole.
                image: String(c.image).replace(/@sha256:([0-9a-f]{12})[0-9a-f]{52}$/, "@sha256:$1…"),
                host: hosts.get(w.metadata.name) ?? "-",
                requests: `${c.resources.requests.cpu}/${c.resources.requests.memory}`,
                limits: `${c.resources.limits.cpu}/${c.resources.limits.memory}`,
            };
        });
}

export function formatTable(rows: readonly ServiceRow[]): string {
    const header: ServiceRow = { service: "SERVICE", kind: "KIND", replicas: "REPLICAS", image: "IMAGE", host: "HOST", requests: "REQUESTS", limits: "LIMITS" };
    const cols = Object.keys(header) as (keyof ServiceRow)[];
    const all = [header, ...rows];
    const width = (c: keyof ServiceRow) => Math.max(...all.map((r) => r[c].length));
    return all.map((r) => cols.map((c) => r[c].padEnd(width(c))).join("  ").trimEnd()).join("\n");
}
