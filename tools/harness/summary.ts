import { Manifest } from "./manifests";

export interface ServiceRow {
    readonly service: string;
    readonly replicas: string;
    readonly image: string;
    readonly host: string;
    readonly requests: string;
    readonly limits: string;
}

/** One row per Deployment: replicas or autoscaler bounds, image, public host, resources. */
export function summarize(manifests: readonly Manifest[]): ServiceRow[] {
    const byKind = (kind: string) => manifests.filter((m) => m.kind === kind);
    const hpas = new Map(byKind("HorizontalPodAutoscaler").map((h) => [h.metadata.name, h.spec as any]));
    const hosts = new Map<string, string>();
    for (const ing of byKind("Ingress")) {
        for (const rule of (ing.spec as any).rules) {
            for (const p of rule.http.paths) hosts.set(p.backend.service.name, `${rule.host}${p.path}`);
        }
    }
    return byKind("Deployment").map((d) => {
        const spec = d.spec as any;
        const c = spec.template.spec.containers[0];
        const hpa = hpas.get(d.metadata.name);
        return {
            service: d.metadata.name,
            replicas: hpa ? `HPA ${hpa.minReplicas}-${hpa.maxReplicas}` : String(spec.replicas),
            // A digest is shortened to 12 hex digits here; the manifests carry it whole.
            image: String(c.image).replace(/@sha256:([0-9a-f]{12})[0-9a-f]{52}$/, "@sha256:$1…"),
            host: hosts.get(d.metadata.name) ?? "-",
            requests: `${c.resources.requests.cpu}/${c.resources.requests.memory}`,
            limits: `${c.resources.limits.cpu}/${c.resources.limits.memory}`,
        };
    });
}

export function formatTable(rows: readonly ServiceRow[]): string {
    const header: ServiceRow = { service: "SERVICE", replicas: "REPLICAS", image: "IMAGE", host: "HOST", requests: "REQUESTS", limits: "LIMITS" };
    const cols = Object.keys(header) as (keyof ServiceRow)[];
    const all = [header, ...rows];
    const width = (c: keyof ServiceRow) => Math.max(...all.map((r) => r[c].length));
    return all.map((r) => cols.map((c) => r[c].padEnd(width(c))).join("  ").trimEnd()).join("\n");
}
