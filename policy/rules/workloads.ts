import { inProduction, kindOf, listSetting, PolicyResource, PRODUCTION_ENVIRONMENTS, record, ResourceRule } from "./common";
import { Container, ContainerRole, containerName, eachContainer, LONG_RUNNING, podName, podTemplateOf } from "./pods";
import { restrictedContainerProblems, restrictedPodProblems } from "./podSecurity";

const PROGRAM_POD = "this program does it in components/service/podTemplate.ts";
const CONTAINER_FIX = `set the container's securityContext to {runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}} and unset the other settings named (${PROGRAM_POD})`;
const POD_FIX = `unset the settings named and keep the pod's securityContext at {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}} (${PROGRAM_POD}); for storage use an allowed volume type: an emptyDir for scratch, a persistentVolumeClaim or a StatefulSet's volumeClaimTemplates for data that outlives the pod`;

/** This project's own container setting, beyond Pod Security restricted. */
function projectProblems(c: Container): string[] {
    return record(c.securityContext).readOnlyRootFilesystem === true ? [] : ["readOnlyRootFilesystem is not true"];
}

/** A message in two parts, so a reader sees which demands are Pod Security's and which are this project's. */
function notRestricted(subject: string, restricted: readonly string[], project: readonly string[], fix: string): string[] {
    if (restricted.length === 0 && project.length === 0) return [];
    const parts = [
        ...(restricted.length > 0 ? [`Pod Security restricted: ${restricted.join("; ")}.`] : []),
        ...(project.length > 0 ? [`This project's rule: ${project.join("; ")}.`] : []),
    ];
    return [`${subject} is not restricted. ${parts.join(" ")} Fix: ${fix}.`];
}

export const securityContextRule: ResourceRule = {
    kind: "resource",
    name: "pod-security-context",
    description:
        "Every pod template (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod) meets Pod Security restricted, for its containers, init containers, sidecars and ephemeral containers; this project also asks each container for a read-only root filesystem.",
    enforcementLevel: "mandatory",
    config: {},
    check(r) {
        const pod = podTemplateOf(r);
        if (!pod) return [];
        return [
            ...notRestricted(podName(r), restrictedPodProblems(pod), [], POD_FIX),
            ...eachContainer(r, (c, role) => notRestricted(containerName(r, c, role), restrictedContainerProblems(c, pod), projectProblems(c), CONTAINER_FIX)),
        ];
    },
};

/**
 * Whether a container must have liveness and readiness probes: a regular container of a
 * long-running workload that declares a port, so it serves. A Job's, a CronJob's or a bare
 * Pod's container runs to completion; an init container or a sidecar is not what the probes
 * gate; a worker without ports has no endpoint to probe.
 */
function servesTraffic(r: PolicyResource, c: Container, role: ContainerRole): boolean {
    return role === "container" && LONG_RUNNING.has(r.type) && Array.isArray(c.ports) && c.ports.length > 0;
}

export const resourcesAndProbesRule: ResourceRule = {
    kind: "resource",
    name: "container-resources-and-probes",
    description:
        "Every container, init container and sidecar has CPU and memory requests and limits; liveness and readiness probes are required only on the containers of a Deployment, StatefulSet, DaemonSet or ReplicaSet that declare a port.",
    enforcementLevel: "mandatory",
    config: {},
    check(r) {
        // Kubernetes refuses resources (and probes) on an ephemeral container: nothing to ask of it.
        return eachContainer(r, (c, role) => {
            if (role === "ephemeral container") return [];
            const missing: string[] = [];
            const resources = record(c.resources);
            for (const kind of ["requests", "limits"] as const) {
                for (const res of ["cpu", "memory"] as const) {
                    const v = record(resources[kind])[res];
                    if (v === undefined || v === null || v === "") missing.push(`resources.${kind}.${res}`);
                    else {
                        const meaningless = emptyAmount(res, v);
                        if (meaningless) missing.push(`resources.${kind}.${res} (${meaningless})`);
                    }
                }
            }
            const probes = servesTraffic(r, c, role) ? (["livenessProbe", "readinessProbe"] as const).filter((p) => !c[p]) : [];
            missing.push(...probes);
            if (missing.length === 0) return [];
            const wants = [
                ...(missing.length > probes.length ? [role === "container" ? "a 'tier' or 'resources.{requests,limits}.{cpu,memory}'" : "resources.{requests,limits}.{cpu,memory}"] : []),
                ...(probes.length > 0 ? ["'probes.liveness' and 'probes.readiness'"] : []),
            ];
            const why = probes.length > 0 ? ` (probes are required of a ${kindOf(r.type)} container that declares a port)` : "";
            const whom = role === "container" ? "the service" : `the ${role}`;
            return [`${containerName(r, c, role)} has no ${missing.join(", ")}${why}. Fix: give ${whom} ${wants.join(", and ")} (catalog or stack config).`];
        });
    },
};

/**
 * Why a CPU or memory amount means nothing, or undefined: zero in any spelling (no limit at all),
 * or memory in thousandths of a byte (`256m`, where `256Mi` was meant).
 */
function emptyAmount(res: "cpu" | "memory", v: unknown): string | undefined {
    const text = String(v).trim();
    const m = /^\+?([0-9]*\.?[0-9]*)([a-zA-Z]*)$/.exec(text);
    if (!m || m[1] === "" || m[1] === ".") return undefined;
    if (parseFloat(m[1]) === 0) return `${JSON.stringify(text)}: no limit at all`;
    if (res === "memory" && m[2] === "m") return `${JSON.stringify(text)}: ${parseFloat(m[1]) / 1000} bytes; "${m[1]}Mi" was meant`;
    return undefined;
}

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
    return eachContainer(r, (c, role) => {
        const problem = typeof c.image === "string" ? mutableImage(c.image) : "has no image";
        return problem === undefined
            ? []
            : [
                  `${containerName(r, c, role)} image '${String(c.image)}' ${problem}. Fix: pin it by digest (repo@sha256:...): this program runs a service's image by digest (looked up for its tag, or pushed by its build); a sidecar's or init container's image must name its digest itself${production ? "" : "; outside production this is advisory"}.`,
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
