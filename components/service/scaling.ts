import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ServiceConfig } from "../../config/types";

export interface ScalingArgs {
    readonly service: ServiceConfig;
    readonly namespace: pulumi.Input<string>;
    readonly labels: Record<string, string>;
    readonly selector: Record<string, string>;
    readonly deploymentName: pulumi.Input<string>;
}

/** The autoscaler (when enabled) and the disruption budget (when more than one replica can run). */
export function createScaling(name: string, args: ScalingArgs, opts: pulumi.CustomResourceOptions): void {
    const svc = args.service;
    if (svc.autoscaling) {
        const a = svc.autoscaling;
        const utilization = (resource: string, averageUtilization: number) => ({
            type: "Resource",
            resource: { name: resource, target: { type: "Utilization", averageUtilization } },
        });
        new k8s.autoscaling.v2.HorizontalPodAutoscaler(
            `${name}-hpa`,
            {
                metadata: { name: svc.name, namespace: args.namespace, labels: args.labels },
                spec: {
                    scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: args.deploymentName },
                    minReplicas: a.minReplicas,
                    maxReplicas: a.maxReplicas,
                    metrics: [utilization("cpu", a.targetCPUUtilization), utilization("memory", a.targetMemoryUtilization)],
                },
            },
            opts,
        );
    }
    if (svc.disruptionBudget) {
        // Keeps pods serving while nodes drain, and never blocks a drain outright.
        new k8s.policy.v1.PodDisruptionBudget(
            `${name}-pdb`,
            {
                metadata: { name: svc.name, namespace: args.namespace, labels: args.labels },
                spec: { ...svc.disruptionBudget, selector: { matchLabels: args.selector } },
            },
            opts,
        );
    }
}
