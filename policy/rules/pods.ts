/**
 * The pods a workload runs, as the workload rules read them: where each kind keeps its pod
 * template, and every container of it with its role (regular, init, sidecar, ephemeral), which
 * decides what a rule asks of it and how a message names it, and whether it is a Patch's, of
 * which only what is set can be judged.
 */
import { describe, kubernetesType, list, ofKind, PolicyResource, record } from "./common";

type Props = Readonly<Record<string, unknown>>;

/**
 * Where each kind keeps its pod template (its `metadata` and `spec`), by `<group>:<Kind>`, in
 * every version of the group and as a Patch; a Pod is its own. tests/policyBypasses.test.ts
 * checks it against every pod-bearing type of the installed @pulumi/kubernetes.
 */
const POD_TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
    "apps:Deployment": ["spec", "template"],
    "apps:StatefulSet": ["spec", "template"],
    "apps:DaemonSet": ["spec", "template"],
    "apps:ReplicaSet": ["spec", "template"],
    "extensions:Deployment": ["spec", "template"],
    "extensions:DaemonSet": ["spec", "template"],
    "extensions:ReplicaSet": ["spec", "template"],
    "batch:Job": ["spec", "template"],
    "batch:CronJob": ["spec", "jobTemplate", "spec", "template"],
    "core:Pod": [],
    "core:PodTemplate": ["template"],
    "core:ReplicationController": ["spec", "template"],
    // An Argo Rollout: a Deployment's pods under progressive delivery, declared as a CustomResource.
    "argoproj.io:Rollout": ["spec", "template"],
};

/**
 * Where a kind the table does not name keeps its pod template when it has one: most custom
 * workload kinds (an OpenKruise CloneSet, a Knative Service) follow the Deployment's layout.
 */
const USUAL_TEMPLATE_PATH: readonly string[] = ["spec", "template"];

/** The kinds whose pods run until replaced (they serve), unlike a Job's, a CronJob's or a bare Pod's. */
const LONG_RUNNING_KINDS: readonly string[] = [
    "apps:Deployment",
    "apps:StatefulSet",
    "apps:DaemonSet",
    "apps:ReplicaSet",
    "extensions:Deployment",
    "extensions:DaemonSet",
    "extensions:ReplicaSet",
    "core:ReplicationController",
    "argoproj.io:Rollout",
];

/** Whether a workload's pods run until replaced, so that they serve. */
export function longRunning(type: string): boolean {
    return ofKind(type, LONG_RUNNING_KINDS) !== undefined;
}

const at = (props: Props, path: readonly string[]): Props => path.reduce<Props>((v, key) => record(v[key]), props);

/**
 * What a container is to its pod. A sidecar is an init container with `restartPolicy: Always`
 * (a native sidecar): it starts before the containers and runs beside them.
 */
export type ContainerRole = "container" | "init container" | "sidecar" | "ephemeral container";

/** A container spec, as far as the rules read it. */
export interface Container {
    readonly name?: unknown;
    readonly image?: unknown;
    readonly ports?: unknown;
    readonly securityContext?: unknown;
    readonly resources?: unknown;
    readonly livenessProbe?: unknown;
    readonly readinessProbe?: unknown;
    readonly startupProbe?: unknown;
    readonly lifecycle?: unknown;
    readonly restartPolicy?: unknown;
}

export interface PodContainer {
    readonly c: Container;
    readonly role: ContainerRole;
    /**
     * Whether only what the container sets can be judged: one in a Patch, which server-side apply
     * merges into the container that exists. An ephemeral container is never partial: it cannot
     * be changed once added, so one a patch names is new, and what it leaves out is missing.
     */
    readonly partial: boolean;
}

export interface PodTemplate {
    /** The pod template's annotations (a Pod's own). */
    readonly annotations: Props;
    readonly spec: Props;
    /** Regular containers first, then init containers and sidecars in their order, then ephemeral containers. */
    readonly containers: readonly PodContainer[];
    /** Whether the pod is a Patch's: only the fields it sets can be judged, what it leaves out keeps its value. */
    readonly partial: boolean;
    /** Whether the resource is the pod itself (a Pod), not a workload with a template. */
    readonly own: boolean;
}

/** The pod template of a workload, or undefined for resources that run no pods. */
export function podTemplateOf(r: PolicyResource): PodTemplate | undefined {
    const t = kubernetesType(r.type);
    if (!t) return undefined;
    const path = POD_TEMPLATE_PATHS[`${t.group}:${t.kind}`] ?? (Array.isArray(at(r.props, [...USUAL_TEMPLATE_PATH, "spec"]).containers) ? USUAL_TEMPLATE_PATH : undefined);
    if (!path) return undefined;
    const template = at(r.props, path);
    const spec = record(template.spec);
    const containers = (key: string, roleOf: (c: Container) => ContainerRole): PodContainer[] =>
        list(spec[key]).map((raw) => {
            const c = record(raw);
            const role = roleOf(c);
            return { c, role, partial: t.patch && role !== "ephemeral container" };
        });
    return {
        annotations: record(record(template.metadata).annotations),
        spec,
        containers: [
            ...containers("containers", () => "container"),
            ...containers("initContainers", (c) => (c.restartPolicy === "Always" ? "sidecar" : "init container")),
            ...containers("ephemeralContainers", () => "ephemeral container"),
        ],
        partial: t.patch,
        own: path.length === 0,
    };
}

/** The findings of `check` for every container of a workload, whatever its role; none for other resources. */
export function eachContainer(r: PolicyResource, check: (c: PodContainer, pod: PodTemplate) => string[]): string[] {
    const pod = podTemplateOf(r);
    return pod ? pod.containers.flatMap((c) => check(c, pod)) : [];
}

/** Names a container for a message: `Deployment 'hft-production/api' sidecar 'proxy'`. */
export function containerName(r: PolicyResource, c: Container, role: ContainerRole): string {
    return `${describe(r)} ${role} '${typeof c.name === "string" ? c.name : "?"}'`;
}

/** Names a workload's pod for a message: `Deployment 'hft-production/api' pod template`, or the Pod itself. */
export function podName(r: PolicyResource, pod: PodTemplate): string {
    return pod.own ? describe(r) : `${describe(r)} pod template`;
}
