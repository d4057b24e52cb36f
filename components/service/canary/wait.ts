import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { EnvironmentConfig, ServiceConfig } from "../../../config/types";
import { objectName, serviceResource } from "../../../config/names/derive";
import { ROLLOUT } from "../../../config/inCluster";
import { digest } from "../../digest";
import { canaryWaitLabels, LabelContext } from "../../labels";
import { restrictedPodSecurityContext, RESTRICTED_CONTAINER_SECURITY_CONTEXT } from "../podTemplate";
import { canaryWaitSeconds, InClusterCanary } from "./steps";

type PodTemplate = k8s.types.input.core.v1.PodTemplateSpec;

export interface CanaryWaitArgs {
    /** The service whose Rollout is waited for. */
    readonly service: ServiceConfig;
    /** Its in-cluster canary (config/inCluster.ts): the steps give the status command's timeout. */
    readonly canary: InClusterCanary;
    /** The environment's rollout deadline and await timeout. */
    readonly rollout: EnvironmentConfig["rollout"];
    readonly labelContext: LabelContext;
    readonly namespace: pulumi.Input<string>;
    /** The Rollout: the Job is created once its update is applied. */
    readonly rolloutResource: pulumi.Resource;
    /** The Rollout's pod template: what makes a new release of it (image, configuration digest, ConfigMap names), and so a new Job. */
    readonly template: pulumi.Input<PodTemplate>;
    /** Argo Rollouts' CLI image, by digest (`environment.canary.statusImage`). */
    readonly statusImage: pulumi.Input<string>;
    /** The environment's image pull Secret, when its registry has credentials. */
    readonly imagePullSecret?: pulumi.Input<string>;
}

/** The uid of Argo Rollouts' CLI image (`USER 999` in argoproj/argo-rollouts' Dockerfile, target kubectl-argo-rollouts). */
export const STATUS_UID = 999;

/** What the status command asks for: a watch of the namespace's Rollouts, ReplicaSets, pods and analyses. */
export const STATUS_RESOURCES = { requests: { cpu: "10m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } } as const;

/**
 * What `kubectl-argo-rollouts status` reads, and nothing more. It reads only through informers
 * (list and watch, never get): the Rollout's info is built from the namespace's Rollouts,
 * ReplicaSets, pods, Experiments and AnalysisRuns, which it waits to have synced; it also starts
 * a Deployments informer (read only for a Rollout with a `workloadRef`, which the program does
 * not write) whose failures would fill its log (argo-rollouts v1.9.1
 * pkg/kubectl-argo-rollouts/viewcontroller/viewcontroller.go newViewController, GetRolloutInfo).
 */
export const STATUS_RULES = [
    { apiGroups: ["argoproj.io"], resources: ["rollouts", "analysisruns", "experiments"], verbs: ["list", "watch"] },
    { apiGroups: ["apps"], resources: ["replicasets", "deployments"], verbs: ["list", "watch"] },
    { apiGroups: [""], resources: ["pods"], verbs: ["list", "watch"] },
] as const;

/** The status command: watch the Rollout until its controller has observed the new spec and it is Healthy; Degraded or the timeout exit non-zero. */
export function statusCommand(rollout: string, namespace: string, timeoutSeconds: number): string[] {
    return ["status", rollout, "--namespace", namespace, "--timeout", `${timeoutSeconds}s`];
}

/**
 * How `pulumi up` waits for an in-cluster canary (docs/canary-in-cluster.md): a Job, created
 * once the Rollout's update is applied (`dependsOn`), that runs Argo Rollouts' CLI `status` on
 * it. The CLI counts a phase only once `status.observedGeneration` equals the Rollout's
 * generation (utils/rollout/rolloututil.go GetRolloutPhase), so the previous release's `Healthy`
 * cannot pass it; it exits 0 at `Healthy`, and non-zero at `Degraded` (an abort) or its timeout.
 * The Job has no retry (`backoffLimit: 0`): the provider's Job await fails `pulumi up` at the
 * abort. Named per release of the Rollout (a digest of its pod template) and kept until the next
 * release replaces it, like a verification Job (no time-to-live; a failed one is replaced on the
 * next update). Its pod is restricted, and the only one of the service's to mount a token: its
 * own ServiceAccount's, bound to a Role that lists and watches what the command reads.
 */
export function createCanaryWait(name: string, args: CanaryWaitArgs, opts: pulumi.CustomResourceOptions): k8s.batch.v1.Job {
    const svc = args.service;
    const base = serviceResource.canaryWait(name);
    const labels = canaryWaitLabels(args.labelContext, svc.name);
    const accessName = objectName.canaryWait(svc.objectName);
    const account = new k8s.core.v1.ServiceAccount(serviceResource.account(base), { metadata: { name: accessName, namespace: args.namespace, labels }, automountServiceAccountToken: false }, opts);
    const role = new k8s.rbac.v1.Role(
        serviceResource.role(base),
        { metadata: { name: accessName, namespace: args.namespace, labels }, rules: STATUS_RULES.map((r) => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] })) },
        opts,
    );
    const binding = new k8s.rbac.v1.RoleBinding(
        serviceResource.roleBinding(base),
        {
            metadata: { name: accessName, namespace: args.namespace, labels },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
            subjects: [{ kind: "ServiceAccount", name: account.metadata.name, namespace: args.namespace }],
        },
        opts,
    );
    const seconds = canaryWaitSeconds(args.canary, args.rollout);
    const release = pulumi.output(args.template).apply((t) => digest({ service: svc.name, kind: ROLLOUT.kind, template: JSON.stringify(t) }));
    return new k8s.batch.v1.Job(
        base,
        {
            metadata: {
                name: release.apply((r) => objectName.canaryWaitJob(svc.objectName, r)),
                namespace: args.namespace,
                labels,
                annotations: { "pulumi.com/timeoutSeconds": String(seconds.await), "pulumi.com/replaceUnready": "true" },
            },
            spec: {
                backoffLimit: 0,
                activeDeadlineSeconds: seconds.deadline,
                template: {
                    metadata: { labels },
                    spec: {
                        restartPolicy: "Never",
                        serviceAccountName: account.metadata.name,
                        // The command reads the API: this pod alone mounts its account's token.
                        automountServiceAccountToken: true,
                        enableServiceLinks: false,
                        ...(args.imagePullSecret !== undefined ? { imagePullSecrets: [{ name: args.imagePullSecret }] } : {}),
                        securityContext: restrictedPodSecurityContext(STATUS_UID),
                        containers: [
                            {
                                name: "status",
                                image: args.statusImage,
                                imagePullPolicy: "IfNotPresent",
                                // The image's entrypoint is /bin/kubectl-argo-rollouts: these are its arguments.
                                args: pulumi.output(args.namespace).apply((ns) => statusCommand(svc.objectName, ns, seconds.status)),
                                // The last lines (the rollout's phase and message) become the termination message `pulumi up` prints.
                                terminationMessagePolicy: "FallbackToLogsOnError",
                                resources: { requests: { ...STATUS_RESOURCES.requests }, limits: { ...STATUS_RESOURCES.limits } },
                                securityContext: { ...RESTRICTED_CONTAINER_SECURITY_CONTEXT, runAsUser: STATUS_UID, runAsGroup: STATUS_UID },
                            },
                        ],
                    },
                },
            },
        },
        // The binding exists before the pod reads the API; the Rollout's update is applied before the Job starts.
        { ...opts, dependsOn: [args.rolloutResource, binding] },
    );
}
