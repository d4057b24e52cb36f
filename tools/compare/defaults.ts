/**
 * The fields Kubernetes fills in when a manifest leaves them out, and those the API server sets
 * itself. Either side may write them or not; a field equal to its default is removed from both
 * sides before they are compared, so `revisionHistoryLimit: 10` against nothing is no
 * difference, while `revisionHistoryLimit: 5` against nothing is. The one table of them:
 * docs/compare.md prints it (a test checks the two agree).
 */
import { Manifest } from "../harness/manifests";
import { parsePattern } from "./path";
import { appliesTo, Scope, scopePatterns } from "./scopes";
import { deepCopy, isMap, pruneEmpty, visitPattern } from "./walk";

export interface DefaultRow {
    readonly kinds: readonly string[] | "workloads" | "any";
    readonly scope: Scope;
    /** The field, relative to the scope. */
    readonly field: string;
    /** The value Kubernetes gives it, as the documentation shows it. */
    readonly value: string;
    /** Whether a value is the default; `parent` is the map holding the field. */
    readonly isDefault: (value: unknown, parent: Record<string, unknown>) => boolean;
}

const is =
    (expected: unknown) =>
    (v: unknown): boolean =>
        JSON.stringify(v) === JSON.stringify(expected);
const row = (kinds: DefaultRow["kinds"], scope: Scope, field: string, value: unknown): DefaultRow => ({ kinds, scope, field, value: JSON.stringify(value), isDefault: is(value) });
const serverSet = (field: string): DefaultRow => ({ kinds: "any", scope: "object", field, value: "any value (the API server sets it)", isDefault: () => true });

/** `IfNotPresent`, but `Always` for an image tagged `:latest` or not tagged at all. */
function defaultPullPolicy(image: unknown): string {
    if (typeof image !== "string" || image.includes("@")) return "IfNotPresent";
    const tag = /:([^/:]+)$/.exec(image)?.[1];
    return tag === undefined || tag === "latest" ? "Always" : "IfNotPresent";
}

export const DEFAULTS: readonly DefaultRow[] = [
    serverSet("metadata.creationTimestamp"),
    serverSet("metadata.generation"),
    serverSet("metadata.managedFields"),
    serverSet("metadata.resourceVersion"),
    serverSet("metadata.selfLink"),
    serverSet("metadata.uid"),
    serverSet('metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]'),
    serverSet('metadata.annotations["deployment.kubernetes.io/revision"]'),
    serverSet("status"),
    row(["Deployment", "StatefulSet", "ReplicaSet"], "object", "spec.replicas", 1),
    row(["Deployment", "StatefulSet", "DaemonSet"], "object", "spec.revisionHistoryLimit", 10),
    row(["Deployment"], "object", "spec.progressDeadlineSeconds", 600),
    row(["Deployment", "StatefulSet", "DaemonSet"], "object", "spec.minReadySeconds", 0),
    row(["Deployment"], "object", "spec.strategy.type", "RollingUpdate"),
    row(["Deployment"], "object", "spec.strategy.rollingUpdate.maxSurge", "25%"),
    row(["Deployment"], "object", "spec.strategy.rollingUpdate.maxUnavailable", "25%"),
    row(["StatefulSet"], "object", "spec.podManagementPolicy", "OrderedReady"),
    row(["StatefulSet", "DaemonSet"], "object", "spec.updateStrategy.type", "RollingUpdate"),
    row(["StatefulSet"], "object", "spec.updateStrategy.rollingUpdate.partition", 0),
    row(["StatefulSet"], "object", "spec.persistentVolumeClaimRetentionPolicy.whenDeleted", "Retain"),
    row(["StatefulSet"], "object", "spec.persistentVolumeClaimRetentionPolicy.whenScaled", "Retain"),
    row(["DaemonSet"], "object", "spec.updateStrategy.rollingUpdate.maxUnavailable", 1),
    row(["DaemonSet"], "object", "spec.updateStrategy.rollingUpdate.maxSurge", 0),
    row(["Job"], "object", "spec.backoffLimit", 6),
    row(["Job"], "object", "spec.completions", 1),
    row(["Job"], "object", "spec.parallelism", 1),
    row(["Job"], "object", "spec.completionMode", "NonIndexed"),
    row(["Job", "CronJob"], "object", "spec.suspend", false),
    row(["CronJob"], "object", "spec.concurrencyPolicy", "Allow"),
    row(["CronJob"], "object", "spec.successfulJobsHistoryLimit", 3),
    row(["CronJob"], "object", "spec.failedJobsHistoryLimit", 1),
    row(["CronJob"], "object", "spec.jobTemplate.spec.backoffLimit", 6),
    row(["Service"], "object", "spec.type", "ClusterIP"),
    row(["Service"], "object", "spec.sessionAffinity", "None"),
    row(["Service"], "object", "spec.internalTrafficPolicy", "Cluster"),
    row(["Service"], "object", "spec.ipFamilyPolicy", "SingleStack"),
    row(["Service"], "object", "spec.ports[*].protocol", "TCP"),
    {
        kinds: ["Service"],
        scope: "object",
        field: "spec.ports[*].targetPort",
        value: "the port's `port`",
        isDefault: (v, port) => v === port.port,
    },
    row(["HorizontalPodAutoscaler"], "object", "spec.minReplicas", 1),
    row(["PersistentVolumeClaim"], "object", "spec.volumeMode", "Filesystem"),
    row(["Secret"], "object", "type", "Opaque"),
    row(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"], "pod spec", "restartPolicy", "Always"),
    row("workloads", "pod spec", "dnsPolicy", "ClusterFirst"),
    row("workloads", "pod spec", "schedulerName", "default-scheduler"),
    row("workloads", "pod spec", "terminationGracePeriodSeconds", 30),
    row("workloads", "pod spec", "enableServiceLinks", true),
    row("workloads", "pod spec", "automountServiceAccountToken", true),
    row(["ServiceAccount"], "object", "automountServiceAccountToken", true),
    row("workloads", "pod spec", "volumes[*].configMap.defaultMode", 420),
    row("workloads", "pod spec", "volumes[*].secret.defaultMode", 420),
    {
        kinds: "workloads",
        scope: "container",
        field: "imagePullPolicy",
        value: '"IfNotPresent" ("Always" for an image tagged :latest or untagged)',
        isDefault: (v, container) => v === defaultPullPolicy(container.image),
    },
    row("workloads", "container", "terminationMessagePath", "/dev/termination-log"),
    row("workloads", "container", "terminationMessagePolicy", "File"),
    row("workloads", "container", "ports[*].protocol", "TCP"),
    row("workloads", "probe", "timeoutSeconds", 1),
    row("workloads", "probe", "periodSeconds", 10),
    row("workloads", "probe", "successThreshold", 1),
    row("workloads", "probe", "failureThreshold", 3),
    row("workloads", "probe", "initialDelaySeconds", 0),
    row("workloads", "probe", "httpGet.scheme", "HTTP"),
];

/** The rows' patterns for one kind, parsed once per kind. */
const byKind = new Map<string, { row: DefaultRow; pattern: ReturnType<typeof parsePattern> }[]>();
function rowsFor(kind: string) {
    let rows = byKind.get(kind);
    if (!rows) {
        rows = DEFAULTS.filter((r) => appliesTo(r.kinds, kind)).flatMap((r) => scopePatterns(kind, r.scope, r.field).map((p) => ({ row: r, pattern: parsePattern(p) })));
        byKind.set(kind, rows);
    }
    return rows;
}

/** A copy of the object without the fields equal to their default, and without empty maps and lists. */
export function withoutDefaults(m: Manifest): Manifest {
    const copy = deepCopy(m) as unknown as Record<string, unknown>;
    for (const { row: r, pattern } of rowsFor(m.kind)) {
        visitPattern(copy, pattern, (parent, key) => {
            if (r.isDefault(parent[key], parent)) delete parent[key];
        });
    }
    const pruned = pruneEmpty(copy);
    return (isMap(pruned) ? pruned : copy) as unknown as Manifest;
}
