import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ServiceConfig } from "../../config/types";

type PodTemplate = k8s.types.input.core.v1.PodTemplateSpec;

export interface PodTemplateArgs {
    readonly service: ServiceConfig;
    readonly labels: Record<string, string>;
    readonly selector: Record<string, string>;
    readonly serviceAccountName: pulumi.Input<string>;
    /** The image reference to run (a digest reference for built images). */
    readonly image: pulumi.Input<string>;
    readonly imagePullSecret?: pulumi.Input<string>;
    /** ConfigMaps and Secret, in precedence order: a later source wins for a repeated key. */
    readonly envFrom: { readonly commonConfigMap: pulumi.Input<string>; readonly configMap: pulumi.Input<string>; readonly secret?: pulumi.Input<string> };
    /** Digest of the plain settings the pods read; a change rolls the pods. */
    readonly configDigest: string;
}

export const CONTAINER_PORT_NAME = "http";

/** The container security context Pod Security `restricted` asks for. */
export const RESTRICTED_CONTAINER_SECURITY_CONTEXT = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};

/** A writable /tmp on an emptyDir, since the root filesystem is read-only. */
export const TMP_VOLUME = { name: "tmp", mountPath: "/tmp", sizeLimit: "256Mi" } as const;

/**
 * The pod a service runs: restricted security context (it passes Pod Security `restricted`),
 * a writable /tmp on an emptyDir, HTTP probes and pods spread across nodes.
 */
export function podTemplate(args: PodTemplateArgs): PodTemplate {
    const svc = args.service;
    const uid = svc.runAsUser;
    const maxReplicas = svc.autoscaling?.maxReplicas ?? svc.replicas ?? 1;
    const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
        httpGet: { path, port: CONTAINER_PORT_NAME },
        periodSeconds,
        timeoutSeconds: 2,
        failureThreshold,
    });
    return {
        metadata: {
            labels: args.labels,
            annotations: {
                "checksum/config": args.configDigest,
                "kubectl.kubernetes.io/default-container": svc.name,
            },
        },
        spec: {
            serviceAccountName: args.serviceAccountName,
            automountServiceAccountToken: false,
            ...(args.imagePullSecret !== undefined ? { imagePullSecrets: [{ name: args.imagePullSecret }] } : {}),
            securityContext: {
                runAsNonRoot: true,
                runAsUser: uid,
                runAsGroup: uid,
                fsGroup: uid,
                seccompProfile: { type: "RuntimeDefault" },
            },
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
            containers: [
                {
                    name: svc.name,
                    image: args.image,
                    imagePullPolicy: "IfNotPresent",
                    ports: [{ name: CONTAINER_PORT_NAME, containerPort: svc.port, protocol: "TCP" }],
                    envFrom: [
                        { configMapRef: { name: args.envFrom.commonConfigMap } },
                        { configMapRef: { name: args.envFrom.configMap } },
                        ...(args.envFrom.secret !== undefined ? [{ secretRef: { name: args.envFrom.secret } }] : []),
                    ],
                    livenessProbe: probe(svc.probes.liveness, 10, 3),
                    readinessProbe: probe(svc.probes.readiness, 5, 3),
                    ...(svc.probes.startup ? { startupProbe: probe(svc.probes.startup, 5, 30) } : {}),
                    resources: {
                        requests: { cpu: svc.resources.requests.cpu, memory: svc.resources.requests.memory },
                        limits: { cpu: svc.resources.limits.cpu, memory: svc.resources.limits.memory },
                    },
                    securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
                    volumeMounts: [{ name: TMP_VOLUME.name, mountPath: TMP_VOLUME.mountPath }],
                },
            ],
            volumes: [{ name: TMP_VOLUME.name, emptyDir: { sizeLimit: TMP_VOLUME.sizeLimit } }],
        },
    };
}
