import { labelValue } from "../config/formats";

export interface LabelContext {
    readonly system: string;
    readonly environment: string;
}

/**
 * Labels that select a service's pods. They never include the version: a Deployment's selector
 * is immutable, and changing it forces a replacement.
 */
export function selectorLabels(ctx: LabelContext, service: string): Record<string, string> {
    return {
        "app.kubernetes.io/name": service,
        "app.kubernetes.io/part-of": ctx.system,
    };
}

/** The recommended Kubernetes labels plus the environment, put on every object. */
export function standardLabels(ctx: LabelContext, name: string, version?: string): Record<string, string> {
    return {
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/part-of": ctx.system,
        "app.kubernetes.io/managed-by": "pulumi",
        ...(version !== undefined && labelValue(version) === undefined ? { "app.kubernetes.io/version": version } : {}),
        environment: ctx.environment,
    };
}

/**
 * The labels of the pods that verify a release of `service` (components/service/verification.ts),
 * by which the checked services' NetworkPolicies admit them. They carry no `app.kubernetes.io/name`,
 * which every service's selector holds, so no Service routes to them.
 */
export function verificationSelector(ctx: LabelContext, service: string): Record<string, string> {
    return {
        "app.kubernetes.io/component": VERIFICATION_COMPONENT,
        "app.kubernetes.io/instance": service,
        "app.kubernetes.io/part-of": ctx.system,
    };
}

/** The `app.kubernetes.io/component` of a verification Job and its pods (what tools/ci/deployFailure.ts reads). */
export const VERIFICATION_COMPONENT = "verification";

/** A verification Job's and its pods' labels: its selector, plus the platform's and the environment. */
export function verificationLabels(ctx: LabelContext, service: string): Record<string, string> {
    return { ...verificationSelector(ctx, service), "app.kubernetes.io/managed-by": "pulumi", environment: ctx.environment };
}

/** The `app.kubernetes.io/component` of a driven canary's Deployment and pods (components/service/canary/). */
export const CANARY_COMPONENT = "canary";

/**
 * The labels that select a driven canary's pods (components/service/canary/): its Service, its
 * NetworkPolicy and its callees' policies select by them. Like the verification pods' they carry
 * no `app.kubernetes.io/name`, which the service's own selector holds, so the stable Service
 * never routes to a canary pod.
 */
export function canarySelector(ctx: LabelContext, service: string): Record<string, string> {
    return {
        "app.kubernetes.io/component": CANARY_COMPONENT,
        "app.kubernetes.io/instance": service,
        "app.kubernetes.io/part-of": ctx.system,
    };
}

/** A canary pod's labels: its selector, plus the platform's, the environment and the version (none of the stable selector's own). */
export function canaryPodLabels(ctx: LabelContext, service: string, version?: string): Record<string, string> {
    const labels = standardLabels(ctx, service, version);
    delete labels["app.kubernetes.io/name"];
    return { ...labels, ...canarySelector(ctx, service) };
}

/** The `app.kubernetes.io/component` of an in-cluster canary's wait Job, its pods and its access (components/service/canary/wait.ts). */
export const CANARY_WAIT_COMPONENT = "canary-wait";

/** The labels of an in-cluster canary's wait: like a verification Job's, no `app.kubernetes.io/name`, so no Service or policy of a service selects its pods. */
export function canaryWaitLabels(ctx: LabelContext, service: string): Record<string, string> {
    return { "app.kubernetes.io/component": CANARY_WAIT_COMPONENT, "app.kubernetes.io/instance": service, "app.kubernetes.io/part-of": ctx.system, "app.kubernetes.io/managed-by": "pulumi", environment: ctx.environment };
}
