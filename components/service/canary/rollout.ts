import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { EnvironmentConfig } from "../../../config/types";
import { waitAnnotations } from "../../../config/written";
import { serviceResource } from "../../../config/names/derive";
import { createAnalysisTemplates } from "./analysis";
import { distinctWindows, ROLLOUT } from "../../../config/inCluster";
import { ZERO_DOWNTIME_SURGE } from "../surge";
import { InClusterCanary, rolloutSteps, rolloutTimeoutSeconds } from "./steps";

/**
 * What `pulumi up` waits for (the provider's `pulumi.com/waitFor`, a JSONPath it matches on each
 * watch event): Argo Rollouts' phase `Healthy`, which it reaches once every step passed and the
 * new pods are the stable ones. An aborted rollout is `Degraded` and never matches: the update
 * fails at the timeout. Argo writes `status.observedGeneration` as a string, so the provider's
 * generation check (an integer) does not apply: see docs/canary-in-cluster.md.
 */
export const ROLLOUT_WAIT_FOR = "jsonpath={.status.phase}=Healthy";

export interface RolloutArgs {
    readonly canary: InClusterCanary;
    /** The Deployment's metadata: name, namespace, labels and `pulumi.com/timeoutSeconds` (replaced by the canary's). */
    readonly metadata: { readonly name: string; readonly namespace: pulumi.Input<string>; readonly labels: Record<string, string>; readonly annotations: Record<string, string> };
    /** What a Deployment's spec would hold besides its strategy and template: replicas (unless autoscaled), history, deadline, selector. */
    readonly spec: { readonly replicas?: number; readonly revisionHistoryLimit: number; readonly progressDeadlineSeconds: number; readonly selector: { readonly matchLabels: Record<string, string> } };
    readonly template: k8s.types.input.core.v1.PodTemplateSpec;
    /** The environment's rollout deadline and await timeout. */
    readonly rollout: EnvironmentConfig["rollout"];
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
            metadata: {
                ...args.metadata,
                annotations: { ...args.metadata.annotations, ...waitAnnotations(rolloutTimeoutSeconds(c, args.rollout)), "pulumi.com/waitFor": ROLLOUT_WAIT_FOR },
            },
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
