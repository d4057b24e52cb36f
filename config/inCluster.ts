import type { CanaryConfig, CanarySettings, CanaryStep } from "./canary";
import type { EnvironmentConfig, PlatformConfig, ServiceConfig } from "./types";

/** A service's canary as Argo Rollouts runs it: set when the stack runs canaries in-cluster and the service has one. */
export interface InClusterCanary {
    readonly canary: CanaryConfig;
    readonly settings: CanarySettings;
}

/** The service's in-cluster canary, or undefined: its workload is what its kind declares (no canary, or a driven one). */
export function inClusterCanary(svc: ServiceConfig, env: EnvironmentConfig): InClusterCanary | undefined {
    if (svc.canary === undefined || env.canary?.mode !== "in-cluster") return undefined;
    if (svc.kind !== "web" && svc.kind !== "worker") return undefined;
    return { canary: svc.canary, settings: env.canary };
}

/** The distinct window lengths of a canary's steps, in the order they first appear: one AnalysisTemplate each. */
export function distinctWindows(steps: readonly CanaryStep[]): number[] {
    return [...new Set(steps.map((s) => s.windowSeconds))];
}

/** Argo Rollouts' workload. */
export const ROLLOUT = { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout" } as const;

/** The API version and kind of the object that runs a service's pods: a Deployment, StatefulSet or CronJob by kind, an Argo Rollout for an in-cluster canary. */
export function workloadType(svc: ServiceConfig, env: EnvironmentConfig): { readonly apiVersion: string; readonly kind: string } {
    if (inClusterCanary(svc, env)) return ROLLOUT;
    return svc.kind === "cronjob" ? { apiVersion: "batch/v1", kind: "CronJob" } : svc.kind === "stateful" ? { apiVersion: "apps/v1", kind: "StatefulSet" } : { apiVersion: "apps/v1", kind: "Deployment" };
}

/** The services of the stack with an in-cluster canary: each has a wait Job (components/service/canary/wait.ts). */
export function inClusterCanaries(config: Pick<PlatformConfig, "services" | "environment">): ServiceConfig[] {
    return config.services.filter((svc) => inClusterCanary(svc, config.environment) !== undefined);
}

/** The canaries' status image (`environment.canary.statusImage`) when a wait Job runs it; the reader always sets it in in-cluster mode. */
export function statusImage(config: Pick<PlatformConfig, "services" | "environment">): NonNullable<CanarySettings["statusImage"]> | undefined {
    if (inClusterCanaries(config).length === 0) return undefined;
    const image = config.environment.canary!.statusImage;
    if (image === undefined) throw new Error("environment.canary.statusImage is not set: in-cluster canaries need the image of their wait Jobs (the configuration reader sets it)");
    return image;
}

/** The status image when its tag is looked up in the registry: a wait Job runs it and the stack pins no digest. */
export function statusLookup(config: Pick<PlatformConfig, "services" | "environment">): NonNullable<CanarySettings["statusImage"]> | undefined {
    const image = statusImage(config);
    return image !== undefined && image.digest === undefined ? image : undefined;
}
