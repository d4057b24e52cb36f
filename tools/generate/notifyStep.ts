import { SHORT_MINUTES } from "./timeouts";
import { TOKEN_ENV } from "./steps";

/**
 * The last step of every job that updates a stack: one message to the team's chat
 * (`npm run notify`, docs/delivery.md#notifications), whatever happened. The webhook's URL is
 * the environment secret DEPLOY_WEBHOOK_URL; without it nothing is sent, and the step never fails
 * the job.
 */

/** The environment secret holding the chat webhook's URL. */
export const WEBHOOK_SECRET = "DEPLOY_WEBHOOK_URL";

const header = (comment: string) => `      # ${comment}
      - name: Notify the team
        if: always()
        timeout-minutes: ${SHORT_MINUTES}
        env:
          ${WEBHOOK_SECRET}: \${{ secrets.${WEBHOOK_SECRET} }}
          JOB: \${{ job.status }}
          ROLLBACK: \${{ steps.rollback.outcome }}
          ROLLBACK_VERSION: \${{ steps.rollback.outputs.version }}`;

/**
 * A deploy job's: the rollback's outcome when it ran (a rollback event), a check when the soak
 * gate (`gated`) or the preview held the deploy back, a canary event when a driven stack's release
 * (`driven`) aborted (the stable version serves; nothing was rolled back), else the deploy, with
 * the version its update made and the commit.
 */
export function deployNotifyStep(gated: boolean, driven = false): string {
    return `${header("One message to the team's chat: the rollback's outcome when it ran, a check's when the soak gate or the\n      # preview held the deploy back, an aborted canary's, else the deploy's (docs/delivery.md#notifications).")}
          UPDATE_VERSION: \${{ steps.version.outputs.version }}
          PREVIEW: \${{ steps.preview.outcome }}${gated ? "\n          SOAK: ${{ steps.soak.outcome }}" : ""}${driven ? "\n          RELEASE_OUTCOME: ${{ steps.up.outputs.outcome }}" : ""}
        run: |
          event=deploy outcome="$JOB" version="$UPDATE_VERSION"
          case "$ROLLBACK" in success | failure | cancelled) event=rollback outcome="$ROLLBACK" version="$ROLLBACK_VERSION" ;; esac
          if [ "$event" = deploy ] && { [ "$PREVIEW" = failure ] || [ "\${SOAK:-}" = failure ]; }; then event=check outcome=failure version=""; fi${driven ? '\n          if [ "$event" = deploy ] && [ "\${RELEASE_OUTCOME:-}" = aborted ]; then event=canary outcome=failure; fi' : ""}
          npm run --silent notify -- --event "$event" --stack "$STACK" --outcome "$outcome" --version "$version" --commit "$GITHUB_SHA"`;
}

/** The rollback workflow's: the rollback's outcome, else the job's (a step before it failed), and the version it went back to. */
export function rollbackNotifyStep(): string {
    return `${header("One message to the team's chat about the rollback (docs/delivery.md#notifications).")}
        run: |
          outcome="$ROLLBACK"
          case "$outcome" in success | failure | cancelled) ;; *) outcome="$JOB" ;; esac
          npm run --silent notify -- --event rollback --stack "$STACK" --outcome "$outcome" --version "$ROLLBACK_VERSION"`;
}

/** After the update: the stack version it made (also a failed one's), for the notification. */
export function versionStep(): string {
    return `      # The version this update made, failed or not, for the notification.
      - name: Stack version
        id: version
        if: always() && (steps.up.outcome == 'success' || steps.up.outcome == 'failure')
        timeout-minutes: ${SHORT_MINUTES}
        env:
${TOKEN_ENV}
        run: echo "version=$(pulumi stack history --json --page-size 1 --stack "$QUALIFIED_STACK" | jq -r '.[0].version // empty')" >> "$GITHUB_OUTPUT"`;
}
