import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ExtraContainer, Probe, ServiceConfig } from "../../config/types";
import { PodVolumes, TMP_VOLUME, tmpOnly } from "./volumes";

export { TMP_VOLUME };

type PodTemplate = k8s.types.input.core.v1.PodTemplateSpec;
type Container = k8s.types.input.core.v1.Container;

export interface PodTemplateArgs {
    readonly service: ServiceConfig;
    readonly labels: Record<string, string>;
    readonly selector: Record<string, string>;
    readonly serviceAccountName: pulumi.Input<string>;
    /** The image reference to run (a digest reference for built images). */
    readonly image: pulumi.Input<string>;
    readonly imagePullSecret?: pulumi.Input<string>;
    /** ConfigMaps and Secret, in precedence order: a later source wins for a repeated key. */
    readonly envFrom: {
        readonly commonConfigMap: pulumi.Input<string>;
        readonly configMap: pulumi.Input<string>;
        readonly secret?: pulumi.Input<string>;
        /** The Secret the External Secrets Operator writes for the service. */
        readonly externalSecret?: pulumi.Input<string>;
    };
    /** Digest of the plain settings the pods read; a change rolls the pods. */
    readonly configDigest: string;
    /** The pod's volumes and the main container's mounts (createVolumes). */
    readonly volumes?: PodVolumes;
    /** `prometheus.io/*` annotations, when no Prometheus Operator monitor scrapes the service. */
    readonly scrapeAnnotations?: boolean;
}

/** The main container port's name on a web service (the Service and Ingress target it by name). */
export const CONTAINER_PORT_NAME = "http";
/** A second container port, when metrics are served on a port of their own. */
export const METRICS_PORT_NAME = "metrics";

/** The container security context Pod Security `restricted` asks for. */
export const RESTRICTED_CONTAINER_SECURITY_CONTEXT = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};

/** The pod security context Pod Security `restricted` asks for, the pod's processes and files owned by `uid`. */
export function restrictedPodSecurityContext(uid: number): k8s.types.input.core.v1.PodSecurityContext {
    return { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, seccompProfile: { type: "RuntimeDefault" } };
}

/** Where a service's containers read their environment, in precedence order: a later source wins for a repeated key. */
export function envFromSources(svc: ServiceConfig, e: PodTemplateArgs["envFrom"]): k8s.types.input.core.v1.EnvFromSource[] {
    return [
        // Settings owned by others first: the platform's and the service's own win over them.
        ...svc.envFrom.configMaps.map((name) => ({ configMapRef: { name } })),
        { configMapRef: { name: e.commonConfigMap } },
        { configMapRef: { name: e.configMap } },
        ...svc.envFrom.secrets.map((name) => ({ secretRef: { name } })),
        ...(e.externalSecret !== undefined ? [{ secretRef: { name: e.externalSecret } }] : []),
        ...(e.secret !== undefined ? [{ secretRef: { name: e.secret } }] : []),
    ];
}

/** A resolved probe as Kubernetes writes it. */
export function probeSpec(p: Probe): k8s.types.input.core.v1.Probe {
    const action =
        "http" in p
            ? { httpGet: { path: p.http.path, port: p.http.port } }
            : "tcp" in p
              ? { tcpSocket: { port: p.tcp.port } }
              : "grpc" in p
                ? { grpc: { port: p.grpc.port, ...(p.grpc.service !== undefined ? { service: p.grpc.service } : {}) } }
                : { exec: { command: [...p.exec.command] } };
    return {
        ...action,
        ...(p.initialDelaySeconds !== undefined ? { initialDelaySeconds: p.initialDelaySeconds } : {}),
        periodSeconds: p.periodSeconds,
        timeoutSeconds: p.timeoutSeconds,
        failureThreshold: p.failureThreshold,
    };
}

/** The container ports: the service's port, and the metrics port when it is another. */
export function containerPorts(svc: ServiceConfig): { name: string; containerPort: number; protocol: string }[] {
    const ports = svc.port !== undefined ? [{ name: svc.portName, containerPort: svc.port, protocol: "TCP" }] : [];
    if (svc.metrics && svc.metrics.port !== svc.port) ports.push({ name: METRICS_PORT_NAME, containerPort: svc.metrics.port, protocol: "TCP" });
    return ports;
}

/**
 * The pod a service runs: restricted security context for every container (it passes Pod
 * Security `restricted`), a writable /tmp and the service's volumes beside a read-only root,
 * its probes, native sidecars and init containers, and replicas spread across nodes.
 */
export function podTemplate(args: PodTemplateArgs): PodTemplate {
    const svc = args.service;
    const uid = svc.runAsUser;
    const maxReplicas = svc.kind === "cronjob" ? 1 : (svc.autoscaling?.maxReplicas ?? svc.replicas ?? 1);
    const volumes = args.volumes ?? tmpOnly();
    const ports = containerPorts(svc);
    const envFrom = envFromSources(svc, args.envFrom);
    const annotations: Record<string, string> = {
        "checksum/config": args.configDigest,
        "kubectl.kubernetes.io/default-container": svc.containerName,
    };
    if (svc.metrics && args.scrapeAnnotations) {
        Object.assign(annotations, { "prometheus.io/scrape": "true", "prometheus.io/port": String(svc.metrics.port), "prometheus.io/path": svc.metrics.path });
    }
    const main: Container = {
        name: svc.containerName,
        image: args.image,
        imagePullPolicy: "IfNotPresent",
        ...(svc.command ? { command: [...svc.command] } : {}),
        ...(svc.args ? { args: [...svc.args] } : {}),
        ...(ports.length > 0 ? { ports } : {}),
        envFrom,
        ...(svc.probes.liveness ? { livenessProbe: probeSpec(svc.probes.liveness) } : {}),
        ...(svc.probes.readiness ? { readinessProbe: probeSpec(svc.probes.readiness) } : {}),
        ...(svc.probes.startup ? { startupProbe: probeSpec(svc.probes.startup) } : {}),
        resources: {
            requests: { cpu: svc.resources.requests.cpu, memory: svc.resources.requests.memory },
            limits: { cpu: svc.resources.limits.cpu, memory: svc.resources.limits.memory },
        },
        securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
        volumeMounts: volumes.mounts,
    };
    // Native sidecars first: they run through the init containers and the service's whole life.
    const initContainers = [...svc.sidecars.map((c) => extraContainer(c, true)), ...svc.initContainers.map((c) => extraContainer(c, false))];
    return {
        metadata: { labels: args.labels, annotations },
        spec: {
            serviceAccountName: args.serviceAccountName,
            // The token reaches the API only for a service given permissions (`rbac`).
            automountServiceAccountToken: svc.rbac.length > 0,
            ...(args.imagePullSecret !== undefined ? { imagePullSecrets: [{ name: args.imagePullSecret }] } : {}),
            ...(svc.kind === "cronjob" ? { restartPolicy: svc.job?.restartPolicy ?? "Never" } : {}),
            securityContext: restrictedPodSecurityContext(uid),
            ...(maxReplicas > 1
                ? {
                      // Spread replicas over nodes and zones so one failure does not take them all.
                      topologySpreadConstraints: ["kubernetes.io/hostname", "topology.kubernetes.io/zone"].map((topologyKey) => ({
                          maxSkew: 1,
                          topologyKey,
                          whenUnsatisfiable: "ScheduleAnyway",
                          labelSelector: { matchLabels: args.selector },
                      })),
                  }
                : {}),
            ...(initContainers.length > 0 ? { initContainers } : {}),
            containers: [main],
            volumes: volumes.volumes,
        },
    };
}

/** An init container, or a native sidecar (an init container that keeps running: `restartPolicy: Always`). */
function extraContainer(c: ExtraContainer, sidecar: boolean): Container {
    return {
        name: c.name,
        image: c.image,
        imagePullPolicy: "IfNotPresent",
        ...(sidecar ? { restartPolicy: "Always" } : {}),
        ...(c.command ? { command: [...c.command] } : {}),
        ...(c.args ? { args: [...c.args] } : {}),
        ...(Object.keys(c.env).length > 0 ? { env: Object.entries(c.env).map(([name, value]) => ({ name, value })) } : {}),
        resources: { requests: { ...c.resources.requests }, limits: { ...c.resources.limits } },
        securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
        volumeMounts: [{ name: TMP_VOLUME.name, mountPath: TMP_VOLUME.mountPath }, ...c.mounts.map((m) => ({ name: m.volume, mountPath: m.mountPath }))],
    };
}
