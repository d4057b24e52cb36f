import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { Autoscaling, ServiceConfig } from "../../config/types";
import { byCodePoint } from "../../config/order";
import { serviceResource } from "../../config/names/derive";

export interface ScalingArgs {
    readonly service: ServiceConfig;
    readonly namespace: pulumi.Input<string>;
    readonly labels: Record<string, string>;
    readonly selector: Record<string, string>;
    /** The Deployment (or StatefulSet, or Argo Rollout) the autoscaler scales. */
    readonly workloadName: pulumi.Input<string>;
    /** Its API version and kind (config/inCluster.ts `workloadType`). */
    readonly workloadType: { readonly apiVersion: string; readonly kind: string };
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
            serviceResource.autoscaler(name),
            {
                metadata: { name: svc.objectName, namespace: args.namespace, labels: args.labels },
                spec: {
                    scaleTargetRef: { ...args.workloadType, name: args.workloadName },
                    minReplicas: a.minReplicas,
                    maxReplicas: a.maxReplicas,
                    metrics: [
                        utilization("cpu", a.targetCPUUtilization),
                        utilization("memory", a.targetMemoryUtilization),
                        // Per-pod metrics from a custom metrics API (prometheus-adapter, KEDA's).
                        ...(a.customMetrics ?? []).map((m) => ({ type: "Pods", pods: { metric: { name: m.name }, target: { type: "AverageValue", averageValue: m.averageValue } } })),
                    ],
                    ...(a.behavior ? { behavior: behavior(a.behavior) } : {}),
                },
            },
            opts,
        );
    }
    if (svc.disruptionBudget) {
        // Keeps pods serving while nodes drain, and never blocks a drain outright.
        new k8s.policy.v1.PodDisruptionBudget(
            serviceResource.disruptionBudget(name),
            {
                metadata: { name: svc.objectName, namespace: args.namespace, labels: args.labels },
                spec: { ...svc.disruptionBudget, selector: { matchLabels: args.selector } },
            },
            opts,
        );
    }
}

/** The autoscaler's `behavior`, its named policies as Kubernetes' list (in name order). */
function behavior(b: NonNullable<Autoscaling["behavior"]>): k8s.types.input.autoscaling.v2.HorizontalPodAutoscalerBehavior {
    const rules = (r: NonNullable<typeof b.scaleUp>) => ({
        ...(r.stabilizationWindowSeconds !== undefined ? { stabilizationWindowSeconds: r.stabilizationWindowSeconds } : {}),
        ...(r.selectPolicy !== undefined ? { selectPolicy: r.selectPolicy } : {}),
        ...(r.policies
            ? {
                  policies: Object.entries(r.policies)
                      .sort(([x], [y]) => byCodePoint(x, y))
                      .map(([, p]) => ({ type: p.type!, value: p.value!, periodSeconds: p.periodSeconds })),
              }
            : {}),
    });
    return { ...(b.scaleUp ? { scaleUp: rules(b.scaleUp) } : {}), ...(b.scaleDown ? { scaleDown: rules(b.scaleDown) } : {}) };
}
