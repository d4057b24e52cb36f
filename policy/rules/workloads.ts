import { inProduction, isSet, kindOf, listSetting, PolicyResource, PRODUCTION_ENVIRONMENTS, record, ResourceRule } from "./common";
import { Container, ContainerRole, containerName, eachContainer, longRunning, PodContainer, podName, podTemplateOf } from "./pods";
import { restrictedContainerProblems, restrictedPodProblems } from "./podSecurity";
import { emptyProbe } from "./probes";

const PROGRAM_POD = "this program does it in components/service/podTemplate.ts";
const CONTAINER_FIX = `set the container's securityContext to {runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}} and unset the other settings named (${PROGRAM_POD})`;
const POD_FIX = `unset the settings named and keep the pod's securityContext at {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}} (${PROGRAM_POD}); for storage use an allowed volume type: an emptyDir for scratch, a persistentVolumeClaim or a StatefulSet's volumeClaimTemplates for data that outlives the pod`;

/** This project's own container setting, beyond Pod Security restricted (in a Patch's container, only when it is set). */
function projectProblems({ c, partial }: PodContainer): string[] {
    const readOnly = record(c.securityContext).readOnlyRootFilesystem;
    return readOnly === true || (partial && !isSet(readOnly)) ? [] : ["readOnlyRootFilesystem is not true"];
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
        "Every pod template (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod, PodTemplate, ReplicationController, in every API version and as a Patch, an Argo Rollout and another custom kind's spec.template) meets Pod Security restricted, for its containers, init containers, sidecars and ephemeral containers; this project also asks each container for a read-only root filesystem.",
    enforcementLevel: "mandatory",
    config: {},
    check(r) {
        const pod = podTemplateOf(r);
        if (!pod) return [];
        return [
            ...notRestricted(podName(r, pod), restrictedPodProblems(pod), [], POD_FIX),
            ...eachContainer(r, (pc) => notRestricted(containerName(r, pc.c, pc.role), restrictedContainerProblems(pc, pod), projectProblems(pc), CONTAINER_FIX)),
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
    return role === "container" && longRunning(r.type) && Array.isArray(c.ports) && c.ports.length > 0;
}

const PROBES = ["livenessProbe", "readinessProbe", "startupProbe"] as const;

/** A probe a container lacks: unset where one is required, or set but checking nothing. */
interface ProbeProblem {
    readonly text: string;
    /** Whether the probe is one this container must have (liveness or readiness of a serving container). */
    readonly required: boolean;
}

function probeProblems(c: Container, required: boolean): ProbeProblem[] {
    return PROBES.flatMap((p) => {
        const needed = required && p !== "startupProbe";
        const empty = emptyProbe(c[p]);
        if (empty) return [{ text: `${p} (${empty})`, required: needed }];
        return needed && !isSet(c[p]) ? [{ text: p, required: true }] : [];
    });
}

/** What a container lacks of its CPU and memory requests and limits: unset (unless partial), or an amount that means nothing. */
function missingResources(c: Container, partial: boolean): string[] {
    const resources = record(c.resources);
    return (["requests", "limits"] as const).flatMap((kind) =>
        (["cpu", "memory"] as const).flatMap((res) => {
            const v = record(resources[kind])[res];
            if (!isSet(v) || v === "") return partial ? [] : [`resources.${kind}.${res}`];
            const meaningless = emptyAmount(res, v);
            return meaningless ? [`resources.${kind}.${res} (${meaningless})`] : [];
        }),
    );
}

export const resourcesAndProbesRule: ResourceRule = {
    kind: "resource",
    name: "container-resources-and-probes",
    description:
        "Every container, init container and sidecar has CPU and memory requests and limits; liveness and readiness probes are required only on the containers of a Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController or Rollout that declare a port; no probe that is set checks nothing (no handler, no port or command, a command that always succeeds).",
    enforcementLevel: "mandatory",
    config: {},
    check(r) {
        // Kubernetes refuses resources (and probes) on an ephemeral container: nothing to ask of it.
        return eachContainer(r, ({ c, role, partial }) => {
            if (role === "ephemeral container") return [];
            const resources = missingResources(c, partial);
            const probes = probeProblems(c, !partial && servesTraffic(r, c, role));
            if (resources.length === 0 && probes.length === 0) return [];
            const missing = [...resources, ...probes.map((p) => p.text)];
            const wants = [
                ...(resources.length > 0 ? [role === "container" ? "a 'tier' or 'resources.{requests,limits}.{cpu,memory}'" : "resources.{requests,limits}.{cpu,memory}"] : []),
                ...(probes.some((p) => p.required) ? ["'probes.liveness' and 'probes.readiness'"] : []),
                ...(probes.some((p) => !p.required) ? ["a handler in each probe it sets (exec, httpGet, tcpSocket or grpc), or no probe"] : []),
            ];
            const why = probes.some((p) => p.required) ? ` (probes are required of a ${kindOf(r.type)} container that declares a port)` : "";
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
    return eachContainer(r, ({ c, role, partial }) => {
        // A Patch's container without an image keeps the one it has.
        if (partial && !isSet(c.image)) return [];
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
