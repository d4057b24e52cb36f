import { CanaryMode, CanarySettings, CanaryStep } from "../../config/canary";
import { byCodePoint } from "../../config/order";
import { PlatformConfig } from "../../config/types";
import { releaseSteps } from "../release/plan";

/**
 * What CI needs of a deployed stack's canary releases (issue 21, docs/delivery.md): how they run,
 * the steps the configuration gives them (for the job summary), and how long the update that runs
 * them can take (for the step's timeout). Read from the resolved configuration, offline.
 */
export interface CiCanary {
    readonly mode: CanaryMode;
    /** Each service with a canary, by name, with its configured steps. */
    readonly services: readonly { readonly name: string; readonly steps: readonly CanaryStep[] }[];
    /** A step is watched by queries to Prometheus (every `intervalSeconds`), or, in-cluster without one, by a pause. */
    readonly prometheus: boolean;
    readonly intervalSeconds: number;
    /**
     * The steps' windows added up: driven, the release's (every service steps together, each step
     * watched as long as the longest window any asks for); in-cluster, the longest one Rollout is
     * watched (an analysis lasts whole intervals).
     */
    readonly windowSeconds: number;
    /** Driven: the release's steps, one `pulumi up` each. */
    readonly steps: number;
    /** In-cluster: how long one `pulumi up` waits for the slowest Rollout (its `pulumi.com/timeoutSeconds`). */
    readonly rolloutWaitSeconds?: number;
}

/** The stack's canaries, or undefined when no service has one (CI then does what it always did). */
export function ciCanary(config: PlatformConfig): CiCanary | undefined {
    const settings = config.environment.canary;
    const withCanary = config.services.filter((s) => s.canary !== undefined).sort((a, b) => byCodePoint(a.name, b.name));
    if (settings === undefined || withCanary.length === 0) return undefined;
    const services = withCanary.map((s) => ({ name: s.name, steps: s.canary!.steps }));
    const shared = { mode: settings.mode, services, prometheus: settings.prometheusUrl !== undefined, intervalSeconds: settings.intervalSeconds };
    if (settings.mode === "driven") {
        const steps = releaseSteps(withCanary.map((s) => s.canary!));
        return { ...shared, windowSeconds: sum(steps.map((s) => s.windowSeconds)), steps: steps.length };
    }
    const rollout = config.environment.rollout;
    const watched = services.map((s) => sum(s.steps.map((step) => watchedSeconds(step, settings))));
    const waits = services.map((s, i) => watched[i] + (s.steps.length - 1) * rollout.progressDeadlineSeconds + rollout.awaitTimeoutSeconds);
    return { ...shared, windowSeconds: Math.max(...watched), steps: Math.max(...services.map((s) => s.steps.length)), rolloutWaitSeconds: Math.max(...waits) };
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

/**
 * How long Argo Rollouts watches a step: an analysis of whole intervals covering the window, or,
 * with no Prometheus, a pause of the window. The in-cluster part's `watchedSeconds` and
 * `rolloutTimeoutSeconds` (components/service/canary/steps.ts) compute the Rollout's
 * `pulumi.com/timeoutSeconds` the same way: every step's watch, the progress deadline for each
 * step after the first, and the environment's await timeout.
 */
function watchedSeconds(step: CanaryStep, settings: CanarySettings): number {
    if (settings.prometheusUrl === undefined) return step.windowSeconds;
    return Math.max(1, Math.ceil(step.windowSeconds / settings.intervalSeconds)) * settings.intervalSeconds;
}
