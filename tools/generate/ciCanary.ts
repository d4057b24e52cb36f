import { CanaryMode, CanaryStep } from "../../config/canary";
import { byCodePoint } from "../../config/order";
import { PlatformConfig } from "../../config/types";
import { releaseSteps } from "../release/plan";
import { inClusterCanaries, inClusterCanary } from "../../config/inCluster";
import { canaryWaitSeconds, rolloutWatchedSeconds } from "../../components/service/canary/steps";

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
    /** In-cluster: how long one `pulumi up` waits for the slowest canary (its wait Job's `pulumi.com/timeoutSeconds`, components/service/canary/steps.ts). */
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
    const canaries = inClusterCanaries(config).map((svc) => inClusterCanary(svc, config.environment)!);
    const watched = canaries.map(rolloutWatchedSeconds);
    const waits = canaries.map((c) => canaryWaitSeconds(c, rollout).await);
    return { ...shared, windowSeconds: Math.max(...watched), steps: Math.max(...services.map((s) => s.steps.length)), rolloutWaitSeconds: Math.max(...waits) };
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
