import { CiStack } from "./ciStacks";
import { SETUP_MINUTES } from "./steps";

/**
 * Step timeouts of the jobs that update a stack, in minutes. Each step that can hang has its own,
 * longer than what it waits for; the job's timeout is the sum of its steps' and more, so GitHub
 * never cancels the job (which skips every `failure()` step) before the rollback has had its time.
 */

/** A preview, with its refresh: no rollout to wait for. */
export const PREVIEW_MINUTES = 15;
/** An update's time besides the rollout wait: the refresh, the program, the other resources. */
export const UPDATE_MARGIN_MINUTES = 15;
/** A rollback's time besides its own update: `npm ci` of the old commit and its preview. */
export const ROLLBACK_EXTRA_MINUTES = 15;
/** `pulumi cancel`, `pulumi stack export`, a report, the public URL. */
export const SHORT_MINUTES = 5;
/** A step that only writes a value. */
export const TINY_MINUTES = 1;
/** What the runner does besides the steps: post steps (the npm cache's save, the checkout's cleanup). */
export const JOB_OVERHEAD_MINUTES = 10;

/** What the update timeouts read of a stack. */
type Waits = Pick<CiStack, "awaitTimeoutSeconds" | "verifySeconds" | "canary">;

/**
 * How long one `pulumi up` of the stack waits for its rollouts: a Deployment's wait
 * (`awaitTimeoutSeconds`), or, longer, an in-cluster canary's Rollout's, which walks every step first.
 */
export const rolloutWaitSeconds = (s: Pick<CiStack, "awaitTimeoutSeconds" | "canary">) => Math.max(s.awaitTimeoutSeconds, s.canary?.rolloutWaitSeconds ?? 0);

/** An update of the stack: its rollout wait, its release's verification after it, then the margin. */
export const updateMinutes = (s: Waits) => Math.ceil((rolloutWaitSeconds(s) + s.verifySeconds) / 60) + UPDATE_MARGIN_MINUTES;

/** The updates of a driven canary release besides one per step: the promotion's two, and an abort after the last. */
export const RELEASE_EXTRA_UPDATES = 3;

/**
 * The update step of the stack's deploy job: `pulumi up`, or for a driven canary stack the release
 * (`npm run release`): every step's window, one update per step, the promotion's two and an abort.
 */
export const upMinutes = (s: Waits) =>
    s.canary?.mode === "driven" ? Math.ceil(s.canary.windowSeconds / 60) + (s.canary.steps + RELEASE_EXTRA_UPDATES) * updateMinutes(s) : updateMinutes(s);

/** A rollback of the stack: an update, and what comes before it. */
export const rollbackMinutes = (s: Waits) => updateMinutes(s) + ROLLBACK_EXTRA_MINUTES;

/** The setup steps of a job holding a Pulumi token (steps.ts), with or without the CLI's own step. */
export const setupMinutes = (cli: boolean) =>
    SETUP_MINUTES.checkout + SETUP_MINUTES.node + SETUP_MINUTES.install + (cli ? SETUP_MINUTES.cli : 0) + SETUP_MINUTES.token + SETUP_MINUTES.blank;

/** A job's timeout: its steps' timeouts and the runner's overhead. */
export const jobMinutes = (stepMinutes: readonly number[]) => stepMinutes.reduce((a, b) => a + b, 0) + JOB_OVERHEAD_MINUTES;
