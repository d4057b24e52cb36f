import type { CanarySettings, CanaryStep, EnvironmentConfig } from "../../../config/types";
import type { InClusterCanary } from "../../../config/inCluster";
import { AWAIT_MARGIN_SECONDS } from "../../../config/schema/environment";

export type { InClusterCanary } from "../../../config/inCluster";

/** The argument that carries the canary ReplicaSet's pod-template hash into an analysis (Argo fills it in). */
export const CANARY_HASH_ARG = "canary-hash";

/**
 * How an analysis watches one window: a measurement every `interval` seconds, the first one
 * `interval` after the step starts (the canary's pods have been scraped by then), `count` of
 * them, so the step lasts `count * interval` seconds, the window rounded up to whole intervals.
 */
export interface AnalysisWindow {
    readonly intervalSeconds: number;
    readonly count: number;
}

export function analysisWindow(windowSeconds: number, intervalSeconds: number): AnalysisWindow {
    return { intervalSeconds, count: Math.max(1, Math.ceil(windowSeconds / intervalSeconds)) };
}

/** How long a step is watched: its analysis's measurements, or its pause. */
export function watchedSeconds(step: CanaryStep, settings: CanarySettings): number {
    if (settings.prometheusUrl === undefined) return step.windowSeconds;
    const w = analysisWindow(step.windowSeconds, settings.intervalSeconds);
    return w.count * w.intervalSeconds;
}

/**
 * `spec.strategy.canary.steps`: for each step `setWeight`, then the analysis of its window
 * (`templateFor` names the AnalysisTemplate) or, with no Prometheus to ask, a pause of the
 * window, during which readiness is the only check.
 */
export function rolloutSteps(steps: readonly CanaryStep[], templateFor?: (windowSeconds: number) => string): Record<string, unknown>[] {
    return steps.flatMap((s) => [
        { setWeight: s.weight },
        templateFor
            ? {
                  analysis: {
                      templates: [{ templateName: templateFor(s.windowSeconds) }],
                      args: [{ name: CANARY_HASH_ARG, valueFrom: { podTemplateHashValue: "Latest" } }],
                  },
              }
            : { pause: { duration: `${s.windowSeconds}s` } },
    ]);
}

/** How long Argo Rollouts watches a release of the Rollout in all: every step's watch. */
export function rolloutWatchedSeconds(c: InClusterCanary): number {
    return c.canary.steps.reduce((sum, s) => sum + watchedSeconds(s, c.settings), 0);
}

/**
 * How long a release of a Rollout may take, what its wait Job gives `kubectl-argo-rollouts status`
 * (`--timeout`): every step's watch, plus for each step the time its canary pods may take to
 * become ready (Argo counts the progress deadline while pods scale, not during a pause or an
 * analysis), the last one with the environment's own margin.
 */
export function rolloutTimeoutSeconds(c: InClusterCanary, rollout: EnvironmentConfig["rollout"]): number {
    return rolloutWatchedSeconds(c) + (c.canary.steps.length - 1) * rollout.progressDeadlineSeconds + rollout.awaitTimeoutSeconds;
}

/** The wait Job's times, each covering the one before: the status command's `--timeout`, the Job's deadline, the provider's await. */
export interface CanaryWaitSeconds {
    /** `kubectl-argo-rollouts status --timeout`: the release itself (rolloutTimeoutSeconds). */
    readonly status: number;
    /** The Job's `activeDeadlineSeconds`: the status command, plus the margin for pulling and starting its image. */
    readonly deadline: number;
    /** The provider's `pulumi.com/timeoutSeconds`: the deadline and a margin, so the Job's own failure is the one reported. */
    readonly await: number;
}

export function canaryWaitSeconds(c: InClusterCanary, rollout: EnvironmentConfig["rollout"]): CanaryWaitSeconds {
    const status = rolloutTimeoutSeconds(c, rollout);
    return { status, deadline: status + AWAIT_MARGIN_SECONDS, await: status + 2 * AWAIT_MARGIN_SECONDS };
}
