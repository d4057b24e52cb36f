import { describe, inProduction, list, listSetting, PolicyResource, PRODUCTION_ENVIRONMENTS, record, ResourceRule } from "./common";

/** Where each workload kind keeps its pod spec. */
const POD_SPECS: Readonly<Record<string, (props: Readonly<Record<string, unknown>>) => unknown>> = {
    "kubernetes:apps/v1:Deployment": (p) => record(record(p.spec).template).spec,
    "kubernetes:apps/v1:StatefulSet": (p) => record(record(p.spec).template).spec,
    "kubernetes:apps/v1:DaemonSet": (p) => record(record(p.spec).template).spec,
    "kubernetes:apps/v1:ReplicaSet": (p) => record(record(p.spec).template).spec,
    "kubernetes:batch/v1:Job": (p) => record(record(p.spec).template).spec,
    "kubernetes:batch/v1:CronJob": (p) => record(record(record(record(p.spec).jobTemplate).spec).template).spec,
    "kubernetes:core/v1:Pod": (p) => p.spec,
};

interface SecurityContext {
    readonly runAsNonRoot?: unknown;
    readonly runAsUser?: unknown;
    readonly readOnlyRootFilesystem?: unknown;
    readonly allowPrivilegeEscalation?: unknown;
    readonly privileged?: unknown;
    readonly capabilities?: { readonly drop?: unknown; readonly add?: unknown };
    readonly seccompProfile?: { readonly type?: unknown };
}

interface Container {
    readonly name?: unknown;
    readonly image?: unknown;
    readonly securityContext?: SecurityContext;
    readonly resources?: { readonly requests?: Readonly<Record<string, unknown>>; readonly limits?: Readonly<Record<string, unknown>> };
    readonly livenessProbe?: unknown;
    readonly readinessProbe?: unknown;
}

interface PodSpec {
    readonly securityContext: SecurityContext;
    /** Regular containers first, then init containers. */
    readonly containers: readonly { readonly c: Container; readonly init: boolean }[];
}

/** The pod spec of a workload, or undefined for resources that run no pods. */
function podSpecOf(r: PolicyResource): PodSpec | undefined {
    const find = POD_SPECS[r.type];
    if (!find) {
        return undefined;
    }
    const spec = record(find(r.props));
    return {
        securityContext: record(spec.securityContext),
        containers: [
            ...list(spec.containers).map((c) => ({ c: record(c), init: false })),
            ...list(spec.initContainers).map((c) => ({ c: record(c), init: true })),
        ],
    };
}

/** The findings of `check` for every container and init container of a workload; none for other resources. */
function eachContainer(r: PolicyResource, check: (c: Container, init: boolean, pod: PodSpec) => string[]): string[] {
    const pod = podSpecOf(r);
    return pod ? pod.containers.flatMap(({ c, init }) => check(c, init, pod)) : [];
}

function containerName(r: PolicyResource, c: Container, init: boolean): string {
    return `${describe(r)} ${init ? "init container" : "container"} '${typeof c.name === "string" ? c.name : "?"}'`;
}

const RESTRICTED_FIX =
    "set the container's securityContext to {runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}} (this program does it in components/service/podTemplate.ts)";

export const securityContextRule: ResourceRule = {
    kind: "resource",
    name: "pod-security-context",
    description:
        "Containers run as non-root with a read-only root filesystem, no privilege escalation, all capabilities dropped and the RuntimeDefault seccomp profile.",
    enforcementLevel: "mandatory",
    config: {},
    check(r) {
        return eachContainer(r, (c, init, pod) => {
            const sc = record(c.securityContext) as SecurityContext;
            const podSc = pod.securityContext;
            const missing: string[] = [];
            if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) missing.push("runAsNonRoot is not true");
            if ((sc.runAsUser ?? podSc.runAsUser) === 0) missing.push("runAsUser is 0 (root)");
            if (sc.readOnlyRootFilesystem !== true) missing.push("readOnlyRootFilesystem is not true");
            if (sc.allowPrivilegeEscalation !== false) missing.push("allowPrivilegeEscalation is not false");
            if (sc.privileged === true) missing.push("privileged is true");
            const caps = record(sc.capabilities);
            if (!list(caps.drop).includes("ALL")) missing.push("capabilities.drop does not include ALL");
            const added = list(caps.add).filter((a) => a !== "NET_BIND_SERVICE");
            if (added.length > 0) missing.push(`capabilities.add has ${added.map((a) => String(a)).join(", ")}`);
            const seccomp = record(sc.seccompProfile).type ?? record(podSc.seccompProfile).type;
            if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") missing.push("seccompProfile.type is not RuntimeDefault");
            return missing.length === 0 ? [] : [`${containerName(r, c, init)} is not restricted: ${missing.join("; ")}. Fix: ${RESTRICTED_FIX}.`];
        });
    },
};

export const resourcesAndProbesRule: ResourceRule = {
    kind: "resource",
    name: "container-resources-and-probes",
    description: "Every container has CPU and memory requests and limits; every (non-init) container has liveness and readiness probes.",
    enforcementLevel: "mandatory",
    config: {},
    check(r) {
        return eachContainer(r, (c, init) => {
            const missing: string[] = [];
            const resources = record(c.resources);
            for (const kind of ["requests", "limits"] as const) {
                for (const res of ["cpu", "memory"] as const) {
                    const v = record(resources[kind])[res];
                    if (v === undefined || v === null || v === "") missing.push(`resources.${kind}.${res}`);
                }
            }
            if (!init && !c.livenessProbe) missing.push("livenessProbe");
            if (!init && !c.readinessProbe) missing.push("readinessProbe");
            return missing.length === 0
                ? []
                : [
                      `${containerName(r, c, init)} has no ${missing.join(", ")}. Fix: give the service a 'tier' or 'resources.{requests,limits}.{cpu,memory}', and 'probes.liveness' and 'probes.readiness' (catalog or stack config).`,
                  ];
        });
    },
};

const DIGEST_REF = /@sha256:[0-9a-f]{64}$/;

/** Why an image reference is mutable, or undefined when it is pinned by digest. */
export function mutableImage(image: string): string | undefined {
    if (DIGEST_REF.test(image)) {
        return undefined;
    }
    const lastSlash = image.lastIndexOf("/");
    const colon = image.indexOf(":", lastSlash + 1);
    const tag = colon >= 0 ? image.slice(colon + 1) : undefined;
    if (tag === undefined) return "has no tag, which means 'latest'";
    if (tag === "latest") return "uses the tag 'latest'";
    return `uses the tag '${tag}' without a digest (a tag can be moved to other bits)`;
}

function imageCheck(r: PolicyResource, production: boolean): string[] {
    return eachContainer(r, (c, init) => {
        const problem = typeof c.image === "string" ? mutableImage(c.image) : "has no image";
        return problem === undefined
            ? []
            : [
                  `${containerName(r, c, init)} image '${String(c.image)}' ${problem}. Fix: pin it by digest (repo@sha256:...): a built image is deployed by its pushed digest; for a prebuilt one set 'image.digest' (environment.services.<service>.image.digest in Pulumi.<stack>.yaml)${production ? "" : "; outside production this is advisory"}.`,
              ];
    });
}

export const immutableImagesRule: ResourceRule = {
    kind: "resource",
    name: "no-mutable-image-tags",
    description: "In production every container image is pinned by digest: no 'latest', no tag without a digest.",
    enforcementLevel: "mandatory",
    config: { productionEnvironments: PRODUCTION_ENVIRONMENTS },
    check(r, config) {
        return inProduction(r, listSetting(this, config, "productionEnvironments")) ? imageCheck(r, true) : [];
    },
};

export const immutableImagesOutsideProductionRule: ResourceRule = {
    kind: "resource",
    name: "no-mutable-image-tags-nonproduction",
    description: "Outside production (staging), images not pinned by digest are reported as advice.",
    enforcementLevel: "advisory",
    config: { productionEnvironments: PRODUCTION_ENVIRONMENTS },
    check(r, config) {
        return inProduction(r, listSetting(this, config, "productionEnvironments")) ? [] : imageCheck(r, false);
    },
};
