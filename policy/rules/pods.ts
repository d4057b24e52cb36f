/**
 * The pods a workload runs, as the workload rules read them: where each kind keeps its pod
 * template, and every container of it with its role (regular, init, sidecar, ephemeral), which
 * decides what a rule asks of it and how a message names it.
 */
import { describe, kindOf, list, PolicyResource, record } from "./common";

type Props = Readonly<Record<string, unknown>>;

/** Where each workload kind keeps its pod template (`metadata` and `spec`); a Pod is its own. */
const POD_TEMPLATES: Readonly<Record<string, (props: Props) => unknown>> = {
    "kubernetes:apps/v1:Deployment": (p) => record(p.spec).template,
    "kubernetes:apps/v1:StatefulSet": (p) => record(p.spec).template,
    "kubernetes:apps/v1:DaemonSet": (p) => record(p.spec).template,
    "kubernetes:apps/v1:ReplicaSet": (p) => record(p.spec).template,
    "kubernetes:batch/v1:Job": (p) => record(p.spec).template,
    "kubernetes:batch/v1:CronJob": (p) => record(record(record(p.spec).jobTemplate).spec).template,
    "kubernetes:core/v1:Pod": (p) => p,
};

/** The kinds whose pods run until replaced (they serve), unlike a Job's, a CronJob's or a bare Pod's. */
export const LONG_RUNNING: ReadonlySet<string> = new Set([
    "kubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:apps/v1:DaemonSet",
    "kubernetes:apps/v1:ReplicaSet",
]);

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
}

export interface PodTemplate {
    /** The pod template's annotations (a Pod's own). */
    readonly annotations: Props;
    readonly spec: Props;
    /** Regular containers first, then init containers and sidecars in their order, then ephemeral containers. */
    readonly containers: readonly PodContainer[];
}

/** The pod template of a workload, or undefined for resources that run no pods. */
export function podTemplateOf(r: PolicyResource): PodTemplate | undefined {
    const find = POD_TEMPLATES[r.type];
    if (!find) {
        return undefined;
    }
    const template = record(find(r.props));
    const spec = record(template.spec);
    const containers = (key: string, role: (c: Container) => ContainerRole) => list(spec[key]).map((c) => ({ c: record(c), role: role(record(c)) }));
    return {
        annotations: record(record(template.metadata).annotations),
        spec,
        containers: [
            ...containers("containers", () => "container"),
            ...containers("initContainers", (c) => (c.restartPolicy === "Always" ? "sidecar" : "init container")),
            ...containers("ephemeralContainers", () => "ephemeral container"),
        ],
    };
}

/** The findings of `check` for every container of a workload, whatever its role; none for other resources. */
export function eachContainer(r: PolicyResource, check: (c: Container, role: ContainerRole, pod: PodTemplate) => string[]): string[] {
    const pod = podTemplateOf(r);
    return pod ? pod.containers.flatMap(({ c, role }) => check(c, role, pod)) : [];
}

/** Names a container for a message: `Deployment 'hft-production/api' sidecar 'proxy'`. */
export function containerName(r: PolicyResource, c: Container, role: ContainerRole): string {
    return `${describe(r)} ${role} '${typeof c.name === "string" ? c.name : "?"}'`;
}

/** Names a workload's pod for a message: `Deployment 'hft-production/api' pod template`, or the Pod itself. */
export function podName(r: PolicyResource): string {
    return kindOf(r.type) === "Pod" ? describe(r) : `${describe(r)} pod template`;
}
