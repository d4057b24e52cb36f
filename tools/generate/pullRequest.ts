import { PULUMI_ACTION } from "./actions";
import { CiStack, previewed, pulumiOf, requiredChecks } from "./ciStacks";
import { CHECKOUT_STEP, GENERATED, NODE_STEPS, policyInputs, POLICY_PACK, PULUMI_VERSION, scalar, setupSteps, TOKEN_ENV, tokenSteps } from "./steps";
import { jobMinutes, PREVIEW_MINUTES, setupMinutes, TINY_MINUTES } from "./timeouts";

/**
 * The pull-request workflows: `test` and a preview of every previewed stack for pull requests
 * from a branch of this repository (pull-request.yml), and for those from a fork, which GitHub
 * gives no OIDC token and no secret, a neutral `preview (<stack>)` check saying why
 * (pull-request-fork.yml).
 */

export const TEST_JOB = `  test:
    name: test
    runs-on: ubuntu-latest
    timeout-minutes: 20
    steps:
${CHECKOUT_STEP}
${NODE_STEPS}
      - run: npm run typecheck
      - run: npm run lint
      - run: npm test
      - run: npm run test:e2e
      - run: npm run test:fuzz`;

/** A pull request from a branch of this repository (not a fork). */
const SAME_REPOSITORY = "github.event.pull_request.head.repo.full_name == github.repository";

/** The timeouts of a preview job's steps. */
export const previewStepMinutes = () => [setupMinutes(false), TINY_MINUTES, PREVIEW_MINUTES];

/** Per stack, what its preview job needs beside the name (`strategy.matrix.include`). */
function matrixInclude(s: CiStack): string {
    const p = pulumiOf(s);
    return `          - stack: ${scalar(s.stack)}
            qualified: ${scalar(p.stackName)}
            organization: ${scalar(p.organization)}
            token-type: ${p.previewToken.type}
            token-scope: ${JSON.stringify(p.previewToken.scope ?? "")}
            policy-config: ${JSON.stringify(s.policyPackConfig ?? "")}`;
}

function previewJob(stacks: readonly CiStack[]): string {
    const job = jobMinutes(previewStepMinutes());
    return `  preview:
    name: preview (\${{ matrix.stack }})
    needs: test
    # A fork's pull request gets no OIDC token: pull-request-fork.yml answers its checks instead.
    if: ${SAME_REPOSITORY}
    runs-on: ubuntu-latest
    timeout-minutes: ${job}
    permissions:
      contents: read
      # GitHub's OIDC token, exchanged for the preview's read-only Pulumi Cloud token.
      id-token: write
      pull-requests: write
    strategy:
      fail-fast: false
      matrix:
        stack: [${stacks.map((s) => scalar(s.stack)).join(", ")}]
        include:
${stacks.map(matrixInclude).join("\n")}
    # One preview per stack and pull request at a time; a newer push cancels the older run.
    concurrency:
      group: preview-\${{ matrix.stack }}-\${{ github.event.pull_request.number }}
      cancel-in-progress: true
    steps:
${setupSteps({ fullClone: false, cli: false })}
      # A Dependabot pull request's run gets no OIDC token either: fail saying so, rather than
      # pass without a preview. A maintainer's push to the branch runs it with one.
      - name: Check that this run can get an OIDC token
        timeout-minutes: ${TINY_MINUTES}
        run: |
          if [ -z "\${ACTIONS_ID_TOKEN_REQUEST_URL:-}" ]; then
            echo "### Preview skipped: this run gets no OIDC token from GitHub (a Dependabot pull request?), so the stack was not previewed. A maintainer's push to the branch runs the preview." >> "$GITHUB_STEP_SUMMARY"
            echo "::error title=Preview skipped::this run gets no OIDC token from GitHub (a Dependabot pull request?), so the stack was not previewed; a maintainer's push to the branch runs the preview"
            exit 1
          fi
${tokenSteps({ organization: "${{ matrix.organization }}", type: "${{ matrix.token-type }}", scope: "${{ matrix.token-scope }}" }, job * 60, "The preview's token: a team's that can only read the stacks")}
      # After a refresh, so that a change made in the cluster by hand shows as drift; previews
      # build and push no image and need no registry credentials.
      - name: Preview
        uses: ${PULUMI_ACTION}
        timeout-minutes: ${PREVIEW_MINUTES}
        with:
          pulumi-version: ${PULUMI_VERSION}
          command: preview
          stack-name: \${{ matrix.qualified }}
          refresh: true
          diff: true
${policyInputs("${{ matrix.policy-config }}")}
          comment-on-pr: true
          edit-pr-comment: true
          comment-on-summary: true
          github-token: \${{ github.token }}
        env:
${TOKEN_ENV}`;
}

export function pullRequestWorkflow(stacks: readonly CiStack[]): string {
    const checks = requiredChecks(stacks)
        .map((c) => `"${c}"`)
        .join(", ");
    const protecting = stacks.find((s) => s.branchProtection);
    const preview = previewed(stacks);
    const header = [
        GENERATED,
        "# Every pull request: the project's checks, then `pulumi preview` of every stack (after a",
        `# refresh, with the policy pack ${POLICY_PACK}), each commented on the pull request, with a`,
        "# short-lived Pulumi Cloud token from GitHub's OIDC token. Branch protection requires these checks by name:",
        `# ${checks}${protecting ? ` (see Pulumi.${protecting.stack}.yaml)` : ""}.`,
    ];
    return `${header.join("\n")}
name: pull-request

on:
  pull_request:
    branches: [main]

permissions:
  contents: read

concurrency:
  group: pull-request-\${{ github.event.pull_request.number }}
  cancel-in-progress: true

jobs:
${TEST_JOB}${preview.length > 0 ? `\n\n${previewJob(preview)}` : ""}
`;
}

/** Why a fork's pull request is not previewed, as its neutral checks say it. */
export const FORK_SUMMARY =
    "This pull request comes from a fork: GitHub gives its workflows no OIDC token and no secret, so they cannot get a Pulumi Cloud token, and the stack was not previewed. A maintainer who has read the change can push it to a branch of this repository, whose pull request is previewed; after a merge, each deploy previews its stack on main before updating it.";

/**
 * For a fork's pull request: each required `preview (<stack>)` check, neutral, saying why. The
 * job runs in this repository's context (pull_request_target) and checks out nothing, so no code
 * of the pull request runs with its token, which can write checks and nothing else.
 */
export function forkWorkflow(stacks: readonly CiStack[]): string {
    const names = previewed(stacks).map((s) => s.stack);
    const step =
        names.length > 0
            ? `      - name: Mark each preview check neutral, saying why
        env:
          GH_TOKEN: \${{ github.token }}
          REPOSITORY: \${{ github.repository }}
          HEAD_SHA: \${{ github.event.pull_request.head.sha }}
          SUMMARY: ${JSON.stringify(FORK_SUMMARY)}
        run: |
          for stack in ${names.map((n) => `"${n}"`).join(" ")}; do
            gh api --method POST "repos/$REPOSITORY/check-runs" \\
              -f name="preview ($stack)" -f head_sha="$HEAD_SHA" -f status=completed -f conclusion=neutral \\
              -f "output[title]=Preview skipped: a fork's pull request" -f "output[summary]=$SUMMARY"
          done
          echo "### Previews skipped: $SUMMARY" >> "$GITHUB_STEP_SUMMARY"`
            : `      - name: No stack is previewed
        run: echo "No stack sets environment.ci.preview, so there is no preview check to answer."`;
    return `${GENERATED}
# A pull request from a fork: its workflows get no OIDC token and no secret, so pull-request.yml
# previews nothing for it. Here, in this repository's context and without checking out any of its
# code, each required \`preview (<stack>)\` check is marked neutral, with the reason: visible on the
# pull request, not a silent pass.
name: pull-request-fork

on:
  pull_request_target:
    types: [opened, synchronize, reopened]
    branches: [main]

permissions:
  contents: read

jobs:
  previews-skipped:
    name: previews skipped (fork)
    if: github.event.pull_request.head.repo.full_name != github.repository
    runs-on: ubuntu-latest
    timeout-minutes: 5
    permissions:
      checks: write
    steps:
${step}
`;
}
