import { CiStack, deployed, pulumiOf } from "./ciStacks";
import { GENERATED, scalar, setupSteps, TOKEN, TOKEN_ENV, tokenSteps } from "./steps";
import { jobMinutes, rollbackMinutes, setupMinutes, SHORT_MINUTES, TINY_MINUTES } from "./timeouts";
import { rollbackNotifyStep } from "./notifyStep";
import { cancelStep, ROLLBACK_OUTCOME_ENV, startStep } from "./updateSteps";

/**
 * rollback.yml: on-call redeploys an earlier version of a stack CI deploys (docs/runbook.md), in
 * the stack's environment, with that environment's short-lived Pulumi Cloud token; the job's
 * summary says what the rollback command did, and the team's chat is told.
 */

/** The longest rollback of any deployed stack: one job serves them all. */
const longestRollback = (stacks: readonly CiStack[]) => Math.max(0, ...stacks.map(rollbackMinutes));

/** The timeouts of the rollback job's steps. */
export function rollbackStepMinutes(stacks: readonly CiStack[]): number[] {
    return [TINY_MINUTES, setupMinutes(true), SHORT_MINUTES, TINY_MINUTES, longestRollback(stacks), SHORT_MINUTES, SHORT_MINUTES, SHORT_MINUTES, SHORT_MINUTES];
}

/** The chosen stack's Pulumi Cloud name and token request, as step outputs. */
function stackStep(stacks: readonly CiStack[]): string {
    const cases = stacks.map((s) => {
        const p = pulumiOf(s);
        const lines = [`qualified=${p.stackName}`, `organization=${p.organization}`, `token-type=${p.deployToken.type}`, `token-scope=${p.deployToken.scope ?? ""}`];
        return `            ${JSON.stringify(s.stack)})\n${lines.map((l) => `              echo ${JSON.stringify(l)} >> "$GITHUB_OUTPUT"`).join("\n")}\n              ;;`;
    });
    return `      # Which Pulumi Cloud stack and token the chosen stack's environment.ci names.
      - name: The stack in Pulumi Cloud
        id: stack
        timeout-minutes: ${TINY_MINUTES}
        run: |
          case "$STACK" in
${cases.join("\n")}
            *)
              echo "::error title=Unknown stack::$STACK is not a stack CI deploys (environment.ci.deployOrder)"
              exit 1
              ;;
          esac`;
}

export function rollbackWorkflow(stacks: readonly CiStack[]): string {
    const order = deployed(stacks);
    const choices = order.map((s) => scalar(s.stack));
    // GitHub refuses a choice without options: with no stack deployed by CI, any stack name.
    const stackInput =
        choices.length > 0
            ? `        description: Stack to roll back
        required: true
        type: choice
        options: [${choices.join(", ")}]`
            : `        description: Stack to roll back (no stack sets environment.ci.deployOrder)
        required: true
        type: string`;
    const rollback = longestRollback(order);
    const job = jobMinutes(rollbackStepMinutes(order));
    const stackEnv = "          QUALIFIED_STACK: ${{ steps.stack.outputs.qualified }}";
    return `${GENERATED}
# On-call: redeploy an earlier version of a stack CI deploys (see docs/runbook.md).
# The job is bound to the stack's environment, so production's reviewers approve it; the team's
# chat is told how it ended (DEPLOY_WEBHOOK_URL, docs/delivery.md#notifications).
name: rollback

on:
  workflow_dispatch:
    inputs:
      stack:
${stackInput}
      version:
        description: Stack version to redeploy (a number from \`npm run rollback -- --stack <stack> --list\`), or "previous"
        required: true
        type: string
        default: previous

permissions:
  contents: read

jobs:
  rollback:
    name: rollback (\${{ inputs.stack }})
    runs-on: ubuntu-latest
    # Above the sum of the steps' own timeouts, so the report always runs.
    timeout-minutes: ${job}
    environment:
      name: \${{ inputs.stack }}
      url: \${{ steps.url.outputs.url }}
    permissions:
      contents: read
      # GitHub's OIDC token, exchanged for the environment's Pulumi Cloud token.
      id-token: write
    # The same group as the deploy workflow: a rollback never overlaps a deploy of that stack.
    concurrency:
      group: deploy-\${{ inputs.stack }}
      cancel-in-progress: false
    env:
      STACK: \${{ inputs.stack }}
      VERSION: \${{ inputs.version }}
    steps:
${stackStep(order)}
${setupSteps({ fullClone: true, fetchComment: "the version's commit must be in the clone", cli: true })}
${tokenSteps({ organization: "${{ steps.stack.outputs.organization }}", type: "${{ steps.stack.outputs.token-type }}", scope: "${{ steps.stack.outputs.token-scope }}" }, job * 60, "The environment's token")}
      - name: Show the stack's history
        timeout-minutes: ${SHORT_MINUTES}
        env:
${TOKEN_ENV}
${stackEnv}
        run: npm run --silent rollback -- --stack "$QUALIFIED_STACK" --list
${startStep("rollback-start", "the rollback")}
      # The rollback command appends outcome=, version= and reason= to $GITHUB_OUTPUT.
      - name: Roll back
        id: rollback
        timeout-minutes: ${rollback}
        env:
${TOKEN_ENV}
${stackEnv}
        run: |
          # The images it redeploys go live again now (their since in the releases output).
          export PLATFORM_RELEASE_TIME="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
          if [ "$VERSION" = "previous" ]; then
            npm run rollback -- --stack "$QUALIFIED_STACK" --previous --yes
          else
            npm run rollback -- --stack "$QUALIFIED_STACK" --to "$VERSION" --yes
          fi
${cancelStep({ id: "cancel-rollback", guarded: "rollback", start: "rollback-start", minutes: rollback, what: "the rollback" }).replace("        env:\n", `        env:\n${stackEnv}\n`)}
      - name: Public URL
        id: url
        if: always()
        timeout-minutes: ${SHORT_MINUTES}
        env:
          PULUMI_ACCESS_TOKEN: ${TOKEN}
${stackEnv}
        run: echo "url=$(pulumi stack output publicUrl --stack "$QUALIFIED_STACK" 2>/dev/null || true)" >> "$GITHUB_OUTPUT"
      - name: Report what the rollback did
        if: always()
        timeout-minutes: ${SHORT_MINUTES}
        env:
${ROLLBACK_OUTCOME_ENV}
        run: npm run --silent deploy-report -- --job rollback
${rollbackNotifyStep()}
`;
}
