import { PULUMI_ACTION } from "./actions";
import { CiStack, drivenCanary, inClusterStack, pulumiOf } from "./ciStacks";
import { inClusterSummaryStep, NOT_ABORTED, RELEASE_OUTCOME_ENV, releaseStep } from "./canarySteps";
import { ATTESTING_OUTPUTS, ATTESTING_PERMISSION, attestMinutes, attests, attestSteps } from "./imageJobs";
import { jobId, policyInputs, PULUMI_VERSION, scalar, setupSteps, TOKEN_ENV, tokenInputs, tokenSteps } from "./steps";
import { jobMinutes, PREVIEW_MINUTES, rollbackMinutes, rolloutWaitSeconds, setupMinutes, SHORT_MINUTES, TINY_MINUTES, upMinutes } from "./timeouts";
import { deployNotifyStep, versionStep } from "./notifyStep";
import { cancelStep, ROLLBACK_OUTCOME_ENV, startStep } from "./updateSteps";

/**
 * One stack's deploy job (deploy.yml, or release.yml for a stack with promotion.from, whose soak
 * gate comes first): the preview that gates it, `pulumi up` through
 * pulumi/actions, and when the update fails, what CI does about it (docs/runbook.md): cancel an
 * update its timeout killed, decide from the stack's state whether a rollout of this commit
 * failed, roll back only then, report what the rollback actually did, and tell the team.
 */

/** When the deploy job rolls back: after a failure that "What failed" says is a failed rollout. */
const ROLLS_BACK = "failure() && steps.failure.outputs.rollback == 'true'";

/** `needs:` of one job or several. */
const needsOf = (ids: readonly string[]) => (ids.length === 1 ? ids[0] : `[${ids.join(", ")}]`);

/** The timeouts of the deploy job's steps, setup to report, in order of appearance. */
export function deployStepMinutes(s: CiStack): number[] {
    const guarded = (minutes: number) => [TINY_MINUTES, minutes, SHORT_MINUTES];
    return [
        setupMinutes(true),
        gated(s) ? SHORT_MINUTES : 0, // soak gate
        TINY_MINUTES, // release time
        PREVIEW_MINUTES,
        ...guarded(upMinutes(s)),
        attestMinutes(s),
        inClusterStack(s) ? TINY_MINUTES : 0, // canary summary
        SHORT_MINUTES, // stack version
        SHORT_MINUTES, // what failed
        ...guarded(rollbackMinutes(s)),
        SHORT_MINUTES, // public URL
        SHORT_MINUTES, // report
        SHORT_MINUTES, // notification
    ];
}

/** A stack with promotion.from passes the soak gate before its preview. */
const gated = (s: CiStack) => s.promotedFrom !== undefined;

/** Before the preview of a stack with promotion.from: has its source run each image long enough? */
function soakStep(s: CiStack): string {
    return `      # The soak gate: ${s.stack} deploys only images ${s.promotedFrom} has run for environment.promotion.soak,
      # ${s.promotedFrom}'s latest update successful (docs/promotion.md#the-soak-gate); a blocked gate stops here.
      - name: Soak gate
        id: soak
        timeout-minutes: ${SHORT_MINUTES}
        env:
${TOKEN_ENV}
        run: npm run --silent soak-gate -- --stack "$QUALIFIED_STACK"
`;
}

/** The preview and the update share their inputs: the stack, a refresh first, the policy pack. */
function pulumiInputs(s: CiStack, command: "preview" | "up"): string {
    return `          pulumi-version: ${PULUMI_VERSION}
          command: ${command}
          stack-name: ${scalar(pulumiOf(s).stackName)}
          refresh: true
          diff: true
${policyInputs(s.policyPackConfig)}
          comment-on-summary: true`;
}

/**
 * The job; `when` is its condition (release.yml's: this stack was chosen, or its schedule fired),
 * absent for a push's deploy.
 */
/** The preview or the update through pulumi/actions, with the stack's token and the release time. */
function pulumiStep(s: CiStack, step: { readonly name: string; readonly id: string; readonly minutes: number; readonly command: "preview" | "up" }): string {
    return `      - name: ${step.name}
        id: ${step.id}
        uses: ${PULUMI_ACTION}
        timeout-minutes: ${step.minutes}
        with:
${pulumiInputs(s, step.command)}
        env:
${TOKEN_ENV}
          PLATFORM_RELEASE_TIME: \${{ steps.release.outputs.time }}`;
}

/** Why the update step's timeout is what it is. */
function updateComment(s: CiStack): string {
    if (drivenCanary(s)) {
        return `      # A driven canary release (docs/canary-release.md): one update per step, each step watched, then the
      # promotion, or the abort to the stable version (then the job fails without a rollback). Its timeout
      # covers every window (${s.canary!.windowSeconds} s), an update per step, the promotion's two and an abort.`;
    }
    if (inClusterStack(s)) {
        return `      # Argo Rollouts walks the canaries' steps, and pulumi up waits for each Rollout to become Healthy through its
      # wait Job (up to ${rolloutWaitSeconds(s)} s): the step's timeout is longer, so a canary that never does fails the
      # update before GitHub kills it; an aborted one fails it at once.`;
    }
    return `      # Its timeout is longer than the rollout wait (awaitTimeoutSeconds: ${s.awaitTimeoutSeconds} s), so a rollout
      # that never becomes ready fails the update before GitHub kills it.`;
}

export function deployJob(s: CiStack, needs: readonly string[], first: boolean, when?: string): string {
    const p = pulumiOf(s);
    const update = upMinutes(s);
    const updating = drivenCanary(s) ? "the canary release" : "pulumi up";
    const rollback = rollbackMinutes(s);
    const job = jobMinutes(deployStepMinutes(s));
    return `  ${jobId(s.stack)}:
    name: deploy (${s.stack})
    needs: ${needsOf(needs)}
${when ? `    if: ${when}\n` : ""}    runs-on: ubuntu-latest
    # Above the sum of the steps' own timeouts: GitHub never cancels the job before its rollback ran.
    timeout-minutes: ${job}
    environment:
      name: ${scalar(s.environment)}
      url: \${{ steps.url.outputs.url }}
    permissions:
      contents: read
      # GitHub's OIDC token, exchanged for this stack's Pulumi Cloud token${attests(s) ? " (and the attestations' signing certificate)" : ""}.
      id-token: write
${attests(s) ? ATTESTING_PERMISSION : ""}${attests(s) ? ATTESTING_OUTPUTS : ""}${first ? "    # Never two updates of one stack at once (deploys and rollbacks share the group).\n" : ""}    concurrency:
      group: deploy-${s.stack}
      cancel-in-progress: false
    env:
      STACK: ${scalar(s.stack)}
      QUALIFIED_STACK: ${scalar(p.stackName)}
    steps:
${setupSteps({ fullClone: true, ...(first ? { fetchComment: "a rollback checks out the commit of an earlier version" } : {}), cli: true })}
${tokenSteps(tokenInputs(p.organization, p.deployToken), job * 60, `The ${s.environment} environment's token`)}
${gated(s) ? soakStep(s) : ""}      # When this update releases its images: each new image's since in the releases output (the
      # program never reads the clock).
      - name: Release time
        id: release
        timeout-minutes: ${TINY_MINUTES}
        run: echo "time=$(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$GITHUB_OUTPUT"
      # The gate: what this commit changes, after a refresh (a change made in the cluster by hand
      # shows as drift), judged by the policy pack; a mandatory finding stops the deploy here.
${pulumiStep(s, { name: "Preview", id: "preview", minutes: PREVIEW_MINUTES, command: "preview" })}
${startStep("update-start", updating)}
${updateComment(s)}
${drivenCanary(s) ? releaseStep(s, update) : pulumiStep(s, { name: "pulumi up", id: "up", minutes: update, command: "up" })}
${attests(s) ? `${attestSteps(s)}\n` : ""}${cancelStep({ id: "cancel", guarded: "up", start: "update-start", minutes: update, what: updating })}
${inClusterStack(s) ? `${inClusterSummaryStep(s, s.canary!)}\n` : ""}${versionStep()}
      # Only a rollout of this commit that failed (or an update killed at its timeout) rolls back:
      # a failure elsewhere (GitHub's API, a lookup) leaves the healthy release running.
      - name: What failed
        id: failure
        if: failure() && steps.up.outcome == 'failure'${drivenCanary(s) ? ` && ${NOT_ABORTED}` : ""}
        timeout-minutes: ${SHORT_MINUTES}
        env:
${TOKEN_ENV}
          TIMED_OUT: \${{ steps.cancel.outputs.timed-out }}
        run: |
          pulumi stack export --stack "$QUALIFIED_STACK" --file "$RUNNER_TEMP/state.json"
          flag=""
          if [ "$TIMED_OUT" = "true" ]; then flag="--timed-out"; fi
          npm run --silent deploy-failure -- --state "$RUNNER_TEMP/state.json" $flag >> "$GITHUB_OUTPUT"
          rm -f "$RUNNER_TEMP/state.json"
${startStep("rollback-start", "the rollback", ROLLS_BACK)}
      # The rollback command appends outcome=, version= and reason= to $GITHUB_OUTPUT.
      - name: Roll back to the last successful version
        id: rollback
        if: ${ROLLS_BACK}
        timeout-minutes: ${rollback}
        env:
${TOKEN_ENV}
        run: PLATFORM_RELEASE_TIME="$(date -u +%Y-%m-%dT%H:%M:%SZ)" npm run rollback -- --stack "$QUALIFIED_STACK" --previous --yes --if-failed "$GITHUB_SHA"
${cancelStep({ id: "cancel-rollback", guarded: "rollback", start: "rollback-start", minutes: rollback, what: "the rollback" })}
      - name: Public URL
        id: url
        if: always()
        timeout-minutes: ${SHORT_MINUTES}
        env:
${TOKEN_ENV}
        run: echo "url=$(pulumi stack output publicUrl --stack "$QUALIFIED_STACK" 2>/dev/null || true)" >> "$GITHUB_OUTPUT"
      # What happened, from the steps' outcomes and the rollback's outputs: an annotation and the job summary.
      - name: Report the failed deploy
        if: failure()
        timeout-minutes: ${SHORT_MINUTES}
        env:
${gated(s) ? "          SOAK: ${{ steps.soak.outcome }}\n" : ""}          PREVIEW: \${{ steps.preview.outcome }}
          UPDATE: \${{ steps.up.outcome }}
          TIMED_OUT: \${{ steps.cancel.outputs.timed-out }}
          DECISION: \${{ steps.failure.outputs.rollback }}
          WHY: \${{ steps.failure.outputs.reason }}
${ROLLBACK_OUTCOME_ENV}
${drivenCanary(s) ? `${RELEASE_OUTCOME_ENV}\n` : ""}        run: npm run --silent deploy-report -- --job deploy
${deployNotifyStep(gated(s), drivenCanary(s))}`;
}
