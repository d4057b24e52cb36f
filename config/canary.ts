/**
 * Canary releases (issue 21, docs/canary.md): the resolved shapes every part shares, and the
 * contract between the release driver (`npm run release`, tools/release/) and the program.
 *
 * A stack runs canaries one of two ways (`environment.canary.mode`):
 * - `in-cluster`: Argo Rollouts runs them. A service with a canary gets a `Rollout` (with the
 *   steps below) and an `AnalysisTemplate` instead of a Deployment; `pulumi up` waits for the
 *   rollout's outcome through a Job running `kubectl-argo-rollouts status` (the canary's wait).
 * - `driven`: the program declares a stable and a canary Deployment behind one Gateway API
 *   HTTPRoute with weighted backends, and `npm run release` steps the weight, one `pulumi up`
 *   per step, telling the program where the release stands through `PLATFORM_CANARY` (below),
 *   never through the stack file.
 */

export const CANARY_MODES = ["in-cluster", "driven"] as const;
export type CanaryMode = (typeof CANARY_MODES)[number];

/** One step: the share of traffic the new version takes (in-cluster without a traffic router: of pods), and how long it is watched. */
export interface CanaryStep {
    /** 1..100, strictly increasing over the steps; the last is 100. */
    readonly weight: number;
    /** How long the checks watch the step before the next (an analysis window, or a pause when nothing is queried). */
    readonly windowSeconds: number;
}

/** A service's canary, resolved (`canary` in the catalog or the stack, when `enabled`). */
export interface CanaryConfig {
    readonly steps: readonly CanaryStep[];
    /** Driven mode: the canary Deployment's pods. */
    readonly replicas: number;
    /** Restarts of the canary's containers that fail a step (0: any restart fails it). Checked through Prometheus (kube-state-metrics). */
    readonly maxRestarts: number;
    /**
     * A PromQL query whose result must stay at or below `max` during every window, such as the
     * canary's 5xx ratio. Placeholders: `{{namespace}}`, `{{service}}` (the object name),
     * `{{canaryPods}}` (a regular expression matching the canary's pod names).
     */
    readonly prometheus?: { readonly query: string; readonly max: number };
}

/** The stack's way of running canaries (`environment.canary`). */
export interface CanarySettings {
    readonly mode: CanaryMode;
    /**
     * Where Prometheus answers: in-cluster mode, an address Argo Rollouts' controller reaches
     * (`http://prometheus-operated.monitoring.svc:9090`); driven mode, a URL the release driver
     * reaches from where it runs (required there: the checks are queries).
     */
    readonly prometheusUrl?: string;
    /** How often the checks are evaluated during a window. */
    readonly intervalSeconds: number;
    /**
     * In-cluster mode: Argo Rollouts' CLI image that each release's wait Job runs
     * (`environment.canary.statusImage`, components/service/canary/wait.ts); the reader always
     * sets it, a fixture of another mode may leave it out.
     */
    readonly statusImage?: { readonly repository: string; readonly tag?: string; readonly digest?: string };
}

/** The variable the release driver sets for each update of a driven release. */
export const CANARY_VAR = "PLATFORM_CANARY";

/**
 * `PLATFORM_CANARY`, as JSON: `{"weight": 10, "stable": {"<service>": "<repo>@sha256:..."}, "promote": false}`.
 *
 * - Each service named in `stable` that has a driven canary runs two Deployments: the stable one
 *   with the image `stable` names (what ran before the release), and `<name>-canary` with the
 *   image the stack configures, `replicas` pods, behind its own Service. Its HTTPRoute sends
 *   `100 - weight` percent to the stable Service and `weight` to the canary's.
 * - `promote: true` (with weight 100): the stable Deployment takes the configured image too,
 *   while the canary still takes all traffic; the next update, without the variable, routes to
 *   the stable Service alone and deletes the canary (deletes run last, after the route's update).
 * - Without the variable no canary object exists and every service runs what the stack
 *   configures. An abort is such an update with `PLATFORM_PINNED_IMAGES` pinning the stable
 *   images: the route goes back to the stable Service, the canary is deleted, the stable pods
 *   are not touched.
 * - During a release the `releases` output records the stable image as what each service runs,
 *   and the `canary` output says what is being released: `{weight, services: {<service>: image}}`.
 */
export interface CanaryRelease {
    readonly weight: number;
    readonly stable: Readonly<Record<string, string>>;
    readonly promote: boolean;
}
