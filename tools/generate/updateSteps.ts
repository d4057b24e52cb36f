import { SHORT_MINUTES, TINY_MINUTES } from "./timeouts";
import { TOKEN_ENV } from "./steps";

/**
 * The steps around one that updates a stack (`pulumi up`, or the rollback command): when it
 * started, and after it, the cancel of an update it left running when GitHub killed it at its
 * timeout. Such an update stays "in progress" in Pulumi Cloud with the stack locked, so nothing
 * after it (the rollback, a person) could update the stack.
 */

/**
 * Right before the guarded step, under the same condition (`when`, absent: the default
 * `success()`): when it started (`steps.<id>.outputs.at`, seconds since the epoch).
 */
export function startStep(id: string, what: string, when?: string): string {
    return `      - name: Start of ${what}
        id: ${id}
${when ? `        if: ${when}\n` : ""}        timeout-minutes: ${TINY_MINUTES}
        run: echo "at=$(date +%s)" >> "$GITHUB_OUTPUT"`;
}

export interface CancelStep {
    /** This step's id; it outputs `timed-out` (true or false). */
    readonly id: string;
    /** The guarded step's id, and its start step's. */
    readonly guarded: string;
    readonly start: string;
    /** The guarded step's timeout. */
    readonly minutes: number;
    readonly what: string;
}

/**
 * Right after the guarded step, when it failed: a step that failed after running its whole
 * timeout was killed by GitHub ("The action has timed out" is a failure, not a cancellation), so
 * its update is cancelled. `QUALIFIED_STACK` names the stack.
 */
export function cancelStep(c: CancelStep): string {
    return `      # Killed at its timeout, ${c.what} would leave its update in progress and the stack locked.
      - name: Cancel ${c.what} if it timed out
        id: ${c.id}
        if: failure() && steps.${c.guarded}.outcome == 'failure'
        timeout-minutes: ${SHORT_MINUTES}
        env:
${TOKEN_ENV}
          STARTED: \${{ steps.${c.start}.outputs.at }}
          TIMEOUT_SECONDS: ${c.minutes * 60}
        run: |
          if [ -z "$STARTED" ] || [ "$(( $(date +%s) - STARTED ))" -lt "$TIMEOUT_SECONDS" ]; then
            echo "timed-out=false" >> "$GITHUB_OUTPUT"
          else
            echo "timed-out=true" >> "$GITHUB_OUTPUT"
            pulumi cancel --yes --stack "$QUALIFIED_STACK" || echo "::warning title=Nothing cancelled::no update of $QUALIFIED_STACK was in progress"
          fi`;
}

/** What the rollback step did, as deploy-report reads it (the env of a report step, in a job that has the rollback's steps). */
export const ROLLBACK_OUTCOME_ENV = `          ROLLBACK: \${{ steps.rollback.outcome }}
          ROLLBACK_TIMED_OUT: \${{ steps.cancel-rollback.outputs.timed-out }}
          OUTCOME: \${{ steps.rollback.outputs.outcome }}
          VERSION: \${{ steps.rollback.outputs.version }}
          REASON: \${{ steps.rollback.outputs.reason }}`;
