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
