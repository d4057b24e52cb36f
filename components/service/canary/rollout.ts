import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { serviceResource } from "../../../config/names/derive";
import { createAnalysisTemplates } from "./analysis";
import { distinctWindows, ROLLOUT } from "../../../config/inCluster";
import { ZERO_DOWNTIME_SURGE } from "../surge";
import { InClusterCanary, rolloutSteps } from "./steps";

export interface RolloutArgs {
    readonly canary: InClusterCanary;
    /** The Deployment's metadata: name, namespace, labels (its `pulumi.com/timeoutSeconds` is left off: nothing awaits the Rollout itself). */
    readonly metadata: { readonly name: string; readonly namespace: pulumi.Input<string>; readonly labels: Record<string, string>; readonly annotations: Record<string, string> };
    /** What a Deployment's spec would hold besides its strategy and template: replicas (unless autoscaled), history, deadline, selector. */
    readonly spec: { readonly replicas?: number; readonly revisionHistoryLimit: number; readonly progressDeadlineSeconds: number; readonly selector: { readonly matchLabels: Record<string, string> } };
    readonly template: k8s.types.input.core.v1.PodTemplateSpec;
}

/**
 * An Argo Rollout in place of a service's Deployment: the same metadata, pod template, replica
 * count (unset under an autoscaler), history and progress deadline, and a canary strategy that
 * surges one pod at a time, never takes a serving pod down, and walks the steps (each analysed
 * when the stack has a Prometheus, else paused). A canary whose pods do not become ready within
 * the deadline is aborted (`progressDeadlineAbort`). With no traffic router, Argo splits traffic
 * by pod count: the service's Service, budget and NetworkPolicy select stable and canary pods alike.
 */
export function createRollout(name: string, args: RolloutArgs, opts: pulumi.CustomResourceOptions): k8s.apiextensions.CustomResource {
    const c = args.canary;
    const templates = createAnalysisTemplates(name, c, distinctWindows(c.canary.steps), { namespace: args.metadata.namespace, objectName: args.metadata.name, labels: args.metadata.labels }, opts);
    return new k8s.apiextensions.CustomResource(
        serviceResource.rollout(name),
        {
            apiVersion: ROLLOUT.apiVersion,
            kind: ROLLOUT.kind,
            // No `pulumi.com/waitFor`: the provider would match it on the previous release's status
            // (Argo's observedGeneration is a string, which its generation check skips), and an abort
            // would fail `pulumi up` only at the timeout. The wait Job waits instead (./wait.ts).
            metadata: { name: args.metadata.name, namespace: args.metadata.namespace, labels: args.metadata.labels },
            spec: {
                ...args.spec,
                progressDeadlineAbort: true,
                template: args.template,
                strategy: {
                    canary: {
                        ...ZERO_DOWNTIME_SURGE,
                        steps: rolloutSteps(c.canary.steps, templates.size > 0 ? (w) => templates.get(w)!.name : undefined),
                    },
                },
            },
        },
        // The templates exist before Argo starts a step that names them.
        { ...opts, dependsOn: [...templates.values()].map((t) => t.resource) },
    );
}
