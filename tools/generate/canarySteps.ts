import { CiStack } from "./ciStacks";
import { CiCanary } from "./ciCanary";
import { policyArguments, TOKEN_ENV } from "./steps";
import { TINY_MINUTES } from "./timeouts";

/**
 * The deploy job's steps for a stack with canaries (docs/delivery.md, "Canary releases in CI"):
 * the release of a driven stack in place of `pulumi up`, and the summary of an in-cluster one's.
 */

/**
 * A driven stack's update: `npm run release` (one `pulumi up` per step through the Automation API,
 * the checks, then the promotion or the abort), judged by the policy pack the plain update would
 * get. It writes its steps to the job summary and `outcome=`/`reason=` to `$GITHUB_OUTPUT`; its id
 * is `up`, so the cancel, the judgement, the rollback and the report key on it as on `pulumi up`.
 */
export function releaseStep(s: CiStack, minutes: number): string {
    return `      - name: Canary release
        id: up
        timeout-minutes: ${minutes}
        env:
${TOKEN_ENV}
          PLATFORM_RELEASE_TIME: \${{ steps.release.outputs.time }}
        run: npm run --silent release -- --stack "$QUALIFIED_STACK" ${policyArguments(s.policyPackConfig)}`;
}

/** When the judgement runs in a driven stack's job: not after an abort, which left the stable version serving. */
export const NOT_ABORTED = "steps.up.outputs.outcome != 'aborted'";

/** The report's inputs in a driven stack's job: how the release ended (tools/ci/deployReport.ts). */
export const RELEASE_OUTCOME_ENV = `          RELEASE_OUTCOME: \${{ steps.up.outputs.outcome }}
          RELEASE_REASON: \${{ steps.up.outputs.reason }}`;

/** One row per service and step: what the configuration says, not what happened. */
function stepRows(c: CiCanary): string[] {
    const checks = c.prometheus ? `analysis (Prometheus, every ${c.intervalSeconds}s)` : "pause (readiness only)";
    return c.services.flatMap((svc) => svc.steps.map((step, i) => `| ${svc.name} | ${i + 1}/${svc.steps.length} | ${step.weight}% | ${step.windowSeconds}s | ${checks} |`));
}

/**
 * After an in-cluster stack's `pulumi up`, when it ran: its canaries' configured steps and the
 * update's outcome in the job summary. Argo Rollouts runs the steps in the cluster; CI sees only
 * whether `pulumi up` saw each Rollout become Healthy (its wait Job, components/service/canary/wait.ts)
 * within its wait, and says so.
 */
export function inClusterSummaryStep(s: CiStack, c: CiCanary): string {
    const indent = (lines: readonly string[]) => lines.map((l) => (l === "" ? "" : `          ${l}`)).join("\n");
    const text = [
        `### Canary release of ${s.stack} (in-cluster: Argo Rollouts)`,
        "",
        "The steps as the stack configures them, which Argo Rollouts walks in the cluster. CI does not watch",
        "each step: it shows whether the update's wait Jobs saw every Rollout become Healthy (every step passed)",
        `within their wait (${c.rolloutWaitSeconds ?? 0} s: kubectl-argo-rollouts status, docs/canary-in-cluster.md).`,
        "",
        "| service | step | weight | window | checks |",
        "| ------- | ---- | ------ | ------ | ------ |",
        ...stepRows(c),
        "",
    ];
    const outcomes = [
        'success/*) outcome="the update saw every Rollout become Healthy: each step passed, and the new version is the stable one" ;;',
        `*/true) outcome="the update ran past its step's timeout and was cancelled before every Rollout became Healthy; the report below says what CI did ('kubectl argo rollouts get rollout <name>' shows where each stands)" ;;`,
        `*) outcome="the update failed: a Rollout did not become Healthy (a failed analysis aborts it: Argo Rollouts sends all traffic back to the stable pods and the Rollout stays Degraded), or another resource failed; the report below says what CI did" ;;`,
    ];
    return `      # The canary's configured steps and what the update saw of them (not each step's live data).
      - name: Canary summary
        if: always() && (steps.up.outcome == 'success' || steps.up.outcome == 'failure')
        timeout-minutes: ${TINY_MINUTES}
        env:
          UPDATE: \${{ steps.up.outcome }}
          TIMED_OUT: \${{ steps.cancel.outputs.timed-out }}
        run: |
          cat >> "$GITHUB_STEP_SUMMARY" <<'EOF'
${indent(text)}
          EOF
          case "$UPDATE/$TIMED_OUT" in
${outcomes.map((o) => `            ${o}`).join("\n")}
          esac
          echo "**Outcome:** $outcome" >> "$GITHUB_STEP_SUMMARY"`;
}
