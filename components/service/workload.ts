import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { EnvironmentConfig, ServiceConfig } from "../../config/types";
import { waitAnnotations } from "../../config/written";
import { PodVolumes } from "./volumes";
import { serviceResource } from "../../config/names/derive";
import { createRollout } from "./canary/rollout";
import { ZERO_DOWNTIME_SURGE } from "./surge";
import { inClusterCanary } from "../../config/inCluster";

type PodTemplate = k8s.types.input.core.v1.PodTemplateSpec;

export interface WorkloadArgs {
    readonly service: ServiceConfig;
    readonly environment: EnvironmentConfig;
    readonly namespace: pulumi.Input<string>;
    readonly labels: Record<string, string>;
    readonly selector: Record<string, string>;
    readonly template: PodTemplate;
    readonly volumes: PodVolumes;
    /** Resolved only when no claim changed since the last update; a StatefulSet's templates wait for it. */
    readonly claims?: pulumi.Output<unknown>;
}

/** The object that runs a service's pods: a Deployment, a StatefulSet or a CronJob, by kind; an Argo Rollout for an in-cluster canary. */
export type Workload = k8s.apps.v1.Deployment | k8s.apps.v1.StatefulSet | k8s.batch.v1.CronJob | k8s.apiextensions.CustomResource;

/**
 * The workload of a service. Long-running kinds carry the environment's rollout deadline, so a
 * release that cannot become ready fails `pulumi up` within it (a little longer than Kubernetes'
 * deadline, so the failure reported is the rollout's).
 */
export function createWorkload(name: string, args: WorkloadArgs, opts: pulumi.CustomResourceOptions): Workload {
    const svc = args.service;
    const rollout = args.environment.rollout;
    const metadata = {
        name: svc.objectName,
        namespace: args.namespace,
        labels: args.labels,
        annotations: waitAnnotations(rollout.awaitTimeoutSeconds),
    };
    // With an autoscaler the count is left unset, so `pulumi up` does not fight it.
    const replicas = svc.autoscaling ? {} : { replicas: svc.replicas };
    switch (svc.kind) {
        case "cronjob": {
            const job = svc.job!;
            return new k8s.batch.v1.CronJob(
                serviceResource.workload(name, svc.kind),
                {
                    metadata: { name: svc.objectName, namespace: args.namespace, labels: args.labels },
                    spec: {
                        schedule: job.schedule,
                        timeZone: job.timeZone,
                        concurrencyPolicy: job.concurrencyPolicy,
                        suspend: job.suspend,
                        startingDeadlineSeconds: job.startingDeadlineSeconds,
                        successfulJobsHistoryLimit: job.successfulJobsHistoryLimit,
                        failedJobsHistoryLimit: job.failedJobsHistoryLimit,
                        jobTemplate: {
                            metadata: { labels: args.labels },
                            spec: {
                                backoffLimit: job.backoffLimit,
                                ...(job.activeDeadlineSeconds !== undefined ? { activeDeadlineSeconds: job.activeDeadlineSeconds } : {}),
                                ...(job.ttlSecondsAfterFinished !== undefined ? { ttlSecondsAfterFinished: job.ttlSecondsAfterFinished } : {}),
                                template: args.template,
                            },
                        },
                    },
                },
                opts,
            );
        }
        case "stateful":
            return new k8s.apps.v1.StatefulSet(
                serviceResource.workload(name, svc.kind),
                {
                    metadata,
                    spec: {
                        ...replicas,
                        // The headless Service of the same name gives each pod a stable DNS name.
                        serviceName: svc.objectName,
                        // Pods start, stop and update one at a time, in order.
                        podManagementPolicy: "OrderedReady",
                        updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
                        revisionHistoryLimit: 10,
                        selector: { matchLabels: args.selector },
                        template: args.template,
                        ...(args.volumes.claimTemplates.length > 0
                            ? { volumeClaimTemplates: args.claims ? args.claims.apply(() => args.volumes.claimTemplates) : args.volumes.claimTemplates }
                            : {}),
                        // Data outlives the StatefulSet: claims are kept when it is deleted or scaled down.
                        persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
                    },
                },
                opts,
            );
        default: {
            const spec = {
                ...replicas,
                revisionHistoryLimit: 10,
                // A release that cannot become ready fails within the environment's deadline.
                progressDeadlineSeconds: rollout.progressDeadlineSeconds,
                selector: { matchLabels: args.selector },
            };
            const canary = inClusterCanary(svc, args.environment);
            if (canary) return createRollout(name, { canary, metadata, spec, template: args.template }, opts);
            return new k8s.apps.v1.Deployment(
                serviceResource.workload(name, svc.kind),
                { metadata, spec: { ...spec, strategy: { type: "RollingUpdate", rollingUpdate: { ...ZERO_DOWNTIME_SURGE } }, template: args.template } },
                opts,
            );
        }
    }
}
