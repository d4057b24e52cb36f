/**
 * Where the parts the tables speak of live in each kind of object: the pod template of a
 * Deployment is `spec.template`, of a CronJob `spec.jobTemplate.spec.template`. The tables
 * (defaults.ts, hardening.ts) name a scope and a field; this expands them into path patterns.
 */

/** The pod template of each workload kind. */
export const POD_TEMPLATE: Readonly<Record<string, string>> = {
    Deployment: "spec.template",
    StatefulSet: "spec.template",
    DaemonSet: "spec.template",
    ReplicaSet: "spec.template",
    Job: "spec.template",
    CronJob: "spec.jobTemplate.spec.template",
};

export const WORKLOADS = Object.keys(POD_TEMPLATE);

/** What a table row is relative to. */
export type Scope = "object" | "pod template" | "pod spec" | "container" | "probe";

/** The patterns (as text) of `field` in `scope` of an object of `kind`; none when the kind has no such part. */
export function scopePatterns(kind: string, scope: Scope, field: string): string[] {
    const join = (prefix: string) => (prefix === "" ? field : field.startsWith("[") ? prefix + field : `${prefix}.${field}`);
    if (scope === "object") return [join("")];
    const template = POD_TEMPLATE[kind];
    if (template === undefined) return [];
    if (scope === "pod template") return [join(template)];
    const spec = `${template}.spec`;
    if (scope === "pod spec") return [join(spec)];
    const containers = [`${spec}.containers[*]`, `${spec}.initContainers[*]`];
    if (scope === "container") return containers.map(join);
    return containers.flatMap((c) => ["livenessProbe", "readinessProbe", "startupProbe"].map((p) => join(`${c}.${p}`)));
}

/** How a table row names the kinds it applies to. */
export function kindsText(kinds: readonly string[] | "workloads" | "any"): string {
    if (kinds === "any") return "any";
    if (kinds === "workloads") return "workloads (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob)";
    return kinds.join(", ");
}

export function appliesTo(kinds: readonly string[] | "workloads" | "any", kind: string): boolean {
    return kinds === "any" || (kinds === "workloads" ? WORKLOADS.includes(kind) : kinds.includes(kind));
}
