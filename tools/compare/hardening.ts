/**
 * "Documented hardening": what this program adds to every workload on purpose, so a difference
 * there is expected when a Kustomize system is taken over, and listed apart from the real
 * differences a team must review. A field counts only when the stack adds it (or, where the
 * row says so, changes it); a field the stack removes is always a real difference. The one
 * table of them: docs/compare.md prints it (a test checks the two agree).
 */
import { Manifest } from "../harness/manifests";
import { formatPath, matches, parsePattern, Path, Pattern } from "./path";
import { appliesTo, Scope, scopePatterns } from "./scopes";
import { EXTRA_CONTAINER_RESOURCES } from "../../config/resolve/pod";
import { FieldChange, same } from "./semanticDiff";
import { isMap } from "./walk";

/** What a row needs to know beyond the change: the variables of the platform's shared ConfigMap. */
export interface HardeningContext {
    readonly platformVariables: ReadonlySet<string>;
    /** The stack's registry lookups: `<repository>:<tag>` -> the digest it runs. */
    readonly lookups: ReadonlyMap<string, string>;
}

export interface FieldRow {
    readonly kinds: readonly string[] | "workloads" | "any";
    readonly scope: Scope;
    readonly field: string;
    /** Whether the stack changing a value the overlay sets also counts, or only adding one. */
    readonly when: "added" | "added or changed";
    /** What the platform sets there, for the report and the documentation. */
    readonly what: string;
    /** A condition on the value, as the documentation says it. */
    readonly condition?: string;
    readonly accept?: (change: FieldChange, context: HardeningContext) => boolean;
}

export interface ObjectRow {
    readonly kind: string;
    readonly what: string;
    readonly condition?: string;
    readonly accept?: (m: Manifest) => boolean;
}

const STANDARD_LABELS: readonly [string, string][] = [
    ["app.kubernetes.io/managed-by", "pulumi"],
    ["environment", "the stack's environment"],
    ["app.kubernetes.io/version", "the image tag"],
    ["app.kubernetes.io/part-of", "the catalog's system"],
    ["app.kubernetes.io/name", "the service (or the system, for shared objects)"],
];

const labelRows = (scope: Scope, kinds: FieldRow["kinds"], metadata = "metadata"): FieldRow[] =>
    STANDARD_LABELS.map(([label, value]) => ({
        kinds,
        scope,
        field: `${metadata}.labels[${JSON.stringify(label)}]`,
        when: "added or changed",
        what: `standard label: ${value}`,
        ...(label === "app.kubernetes.io/managed-by" ? { condition: 'the value is "pulumi"', accept: (c: FieldChange) => c.after === "pulumi" } : {}),
    }));

const isFalse = { condition: "the value is false", accept: (c: FieldChange) => c.after === false };
/** Only a probe the overlay's container lacks altogether: a timing added to its own probe is a real difference. */
const wholeProbe = { condition: "the overlay's container has no such probe", accept: (c: FieldChange) => /Probe$/.test(formatPath(c.root.slice(-1))) };
const isValue = (v: unknown) => ({ condition: `the value is ${JSON.stringify(v)}`, accept: (c: FieldChange) => c.after === v });
const RESOURCES_TEXT = `requests ${EXTRA_CONTAINER_RESOURCES.requests.cpu}/${EXTRA_CONTAINER_RESOURCES.requests.memory}, limits ${EXTRA_CONTAINER_RESOURCES.limits.cpu}/${EXTRA_CONTAINER_RESOURCES.limits.memory}`;
/** A variable's name, for a change under `env[name=...]`. */
function variable(c: FieldChange): string | undefined {
    const i = c.path.findIndex((x) => "key" in x && x.key === "env");
    const s = i < 0 ? undefined : c.path[i + 1];
    return s && "id" in s ? s.id : undefined;
}

export const HARDENING_FIELDS: readonly FieldRow[] = [
    ...labelRows("object", "any"),
    ...labelRows("pod template", "workloads"),
    { kinds: "any", scope: "object", field: 'metadata.annotations["pulumi.com/*"]', when: "added or changed", what: "Pulumi's own annotations (await timeouts, patch behaviour)" },
    { kinds: "workloads", scope: "pod template", field: 'metadata.annotations["checksum/config"]', when: "added or changed", what: "rolls the pods when their configuration changes" },
    { kinds: "workloads", scope: "pod template", field: 'metadata.annotations["kubectl.kubernetes.io/default-container"]', when: "added or changed", what: "the container kubectl logs/exec pick" },
    { kinds: ["Namespace"], scope: "object", field: 'metadata.labels["pod-security.kubernetes.io/*"]', when: "added or changed", what: "Pod Security admission: restricted" },
    { kinds: "workloads", scope: "pod spec", field: "securityContext", when: "added or changed", what: "pod securityContext: restricted settings (non-root user and group, fsGroup, RuntimeDefault seccomp)" },
    { kinds: "workloads", scope: "container", field: "securityContext", when: "added or changed", what: "container securityContext: restricted (no privilege escalation, capabilities dropped, readOnlyRootFilesystem, non-root)" },
    {
        kinds: "workloads",
        scope: "container",
        field: "image",
        when: "added or changed",
        what: "the image pinned by digest: the one the registry holds for the overlay's tag",
        condition: "the stack runs the overlay's repository at the digest it looked up for the overlay's tag",
        accept: (c, context) => typeof c.before === "string" && typeof c.after === "string" && c.after === `${c.before.replace(/:[^:/@]+$/, "")}@${context.lookups.get(c.before)}`,
    },
    { kinds: "workloads", scope: "pod spec", field: "automountServiceAccountToken", when: "added or changed", what: "no API token mounted in the pods", ...isFalse },
    { kinds: ["ServiceAccount"], scope: "object", field: "automountServiceAccountToken", when: "added or changed", what: "no API token mounted by default", ...isFalse },
    { kinds: "workloads", scope: "pod spec", field: "serviceAccountName", when: "added", what: "the service's own ServiceAccount, instead of the namespace's default" },
    { kinds: "workloads", scope: "pod spec", field: "topologySpreadConstraints", when: "added", what: "pods spread over nodes and zones" },
    { kinds: "workloads", scope: "pod spec", field: "volumes[name=tmp]", when: "added", what: "an emptyDir for /tmp (the root filesystem is read-only)" },
    { kinds: "workloads", scope: "container", field: "volumeMounts[name=tmp]", when: "added", what: "/tmp mounted from that emptyDir" },
    { kinds: "workloads", scope: "container", field: "livenessProbe", when: "added", what: "a liveness probe the overlay does not have", ...wholeProbe },
    { kinds: "workloads", scope: "container", field: "readinessProbe", when: "added", what: "a readiness probe the overlay does not have", ...wholeProbe },
    { kinds: "workloads", scope: "container", field: "startupProbe", when: "added", what: "a startup probe the overlay does not have", ...wholeProbe },
    { kinds: "workloads", scope: "container", field: "env[name=SERVICE_NAME]", when: "added", what: "the service's name, from the service's ConfigMap" },
    { kinds: "workloads", scope: "container", field: "env[name=PORT]", when: "added", what: "the service's port, from the service's ConfigMap" },
    {
        kinds: "workloads",
        scope: "container",
        field: "env[*]",
        when: "added",
        what: "the environment's shared settings (ENVIRONMENT, LOG_LEVEL, ...) from the platform's ConfigMap",
        condition: "the variable is a key of the platform's shared ConfigMap (below)",
        accept: (c, context) => context.platformVariables.has(variable(c) ?? ""),
    },
    {
        kinds: "workloads",
        scope: "container",
        field: "resources",
        when: "added",
        what: `the platform's default for init containers and sidecars: ${RESOURCES_TEXT}`,
        condition: "the overlay's container has none, and it is an init container",
        accept: (c) => c.path.some((x) => "key" in x && x.key === "initContainers") && c.root.length > 0 && "key" in c.root[c.root.length - 1] && same(c.whole, EXTRA_CONTAINER_RESOURCES, c.root),
    },
    { kinds: ["Deployment"], scope: "object", field: "spec.progressDeadlineSeconds", when: "added or changed", what: "the environment's rollout deadline" },
    { kinds: ["Deployment"], scope: "object", field: "spec.strategy.rollingUpdate.maxSurge", when: "added or changed", what: "zero-downtime rollout: one extra pod at a time", ...isValue(1) },
    { kinds: ["Deployment"], scope: "object", field: "spec.strategy.rollingUpdate.maxUnavailable", when: "added or changed", what: "zero-downtime rollout: no pod down before its replacement is ready", ...isValue(0) },
    { kinds: ["CronJob"], scope: "object", field: "spec.startingDeadlineSeconds", when: "added", what: "the platform's default: a run missed by up to 300 s still starts", ...isValue(300) },
    ...labelRows("object", ["CronJob"], "spec.jobTemplate.metadata"),
    { kinds: ["ConfigMap", "Secret"], scope: "object", field: "immutable", when: "added", what: "the platform's ConfigMaps and Secrets are immutable (a change makes a new one under a new name)", ...isValue(true) },
];

/** The platform-wide ConfigMap: labelled with the system's name as its `app.kubernetes.io/name`. */
export function isPlatformConfigMap(m: Manifest): boolean {
    const labels = isMap(m.metadata.labels) ? m.metadata.labels : {};
    const name = labels["app.kubernetes.io/name"];
    return m.kind === "ConfigMap" && typeof name === "string" && name === labels["app.kubernetes.io/part-of"];
}

export const HARDENING_OBJECTS: readonly ObjectRow[] = [
    { kind: "Namespace", what: "the stack's namespace, with Pod Security admission labels" },
    { kind: "NetworkPolicy", what: "default deny, and each service's allowed callers" },
    { kind: "ServiceAccount", what: "one per service, without a mounted token" },
    { kind: "PodDisruptionBudget", what: "keeps a pod serving while nodes drain" },
    { kind: "HorizontalPodAutoscaler", what: "where the stack autoscales a service" },
    {
        kind: "ConfigMap",
        what: "the environment's shared settings, read by every service",
        condition: "its app.kubernetes.io/name label equals its app.kubernetes.io/part-of label",
        accept: isPlatformConfigMap,
    },
];

const patterns = new Map<string, { row: FieldRow; pattern: Pattern }[]>();
function rowsFor(kind: string) {
    let rows = patterns.get(kind);
    if (!rows) {
        rows = HARDENING_FIELDS.filter((r) => appliesTo(r.kinds, kind)).flatMap((r) => scopePatterns(kind, r.scope, r.field).map((p) => ({ row: r, pattern: parsePattern(p) })));
        patterns.set(kind, rows);
    }
    return rows;
}

/** The row that makes a change of an object of `kind` expected hardening, if any, and the field it names (the change's path or a parent). */
export function hardeningRow(kind: string, change: FieldChange, context: HardeningContext): { row: FieldRow; at: Path } | undefined {
    if (change.op === "removed") return undefined;
    const found = rowsFor(kind).find(
        ({ row, pattern }) => matches(pattern, change.path) && (change.op === "added" || row.when === "added or changed") && (row.accept?.(change, context) ?? true),
    );
    return found && { row: found.row, at: change.path.slice(0, found.pattern.length) };
}

/** The row that makes an object only the stack has expected hardening, if any. */
export function hardeningObject(m: Manifest): ObjectRow | undefined {
    return HARDENING_OBJECTS.find((r) => r.kind === m.kind && (r.accept?.(m) ?? true));
}
