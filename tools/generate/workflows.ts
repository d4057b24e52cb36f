import { CHECKOUT, PULUMI_ACTION } from "./actions";
import { CiStack, deployed, previewed, requiredChecks } from "./ciStacks";
import { ATTESTING_DEPLOY, attests, attestSteps, builtScanJob, builtScanJobId, scanJobId, scanJobs, scansAfterDeploy, scansBeforeDeploy } from "./imageJobs";
import { CHECKOUT_STEP, jobId, NODE_STEPS, scalar } from "./steps";

/**
 * The GitHub workflows, written whole from the stacks' `environment.ci` by `npm run generate`:
 * the pull-request preview matrix, the deploy jobs in deploy order with their image scans and
 * attestations (imageJobs.ts), the rollback choices.
 * Everything else in them is this template; edit it here, never in .github/workflows/.
 */

const GENERATED = "# Written by `npm run generate` from the stack files (environment.ci); edit tools/generate/workflows.ts.";
const PULUMI_VERSION = "3.248.0";

/** The first steps of a job that runs the Pulumi CLI on a full clone (a rollback needs older commits). */
function pulumiSetup(fetchComment: string): string {
    return `      - uses: ${CHECKOUT}
        with:
          fetch-depth: 0${fetchComment ? ` # ${fetchComment}` : ""}
          persist-credentials: false
${NODE_STEPS}
      - name: Install the Pulumi CLI
        uses: ${PULUMI_ACTION}
        with:
          pulumi-version: ${PULUMI_VERSION}`;
}

const TEST_JOB = `  test:
    name: test
    runs-on: ubuntu-latest
    timeout-minutes: 20
    steps:
${CHECKOUT_STEP}
${NODE_STEPS}
      - run: npm run typecheck
      - run: npm run lint
      - run: npm test
      - run: npm run test:e2e`;

/** "a", "a, b", "a, then b, then c". */
const inOrder = (names: readonly string[]) => names.join(", then ");

export function pullRequestWorkflow(stacks: readonly CiStack[]): string {
    const checks = requiredChecks(stacks)
        .map((c) => `"${c}"`)
        .join(", ");
    const protecting = stacks.find((s) => s.branchProtection);
    const preview = previewed(stacks);
    const header = [
        GENERATED,
        "# Every pull request: the project's checks, then `pulumi preview` of every stack, each",
        "# commented on the pull request. Branch protection requires these checks by name:",
        `# ${checks}${protecting ? ` (see Pulumi.${protecting.stack}.yaml)` : ""}.`,
    ];
    const previewJob = `

  preview:
    name: preview (\${{ matrix.stack }})
    needs: test
    runs-on: ubuntu-latest
    timeout-minutes: 30
    permissions:
      contents: read
      pull-requests: write
    strategy:
      fail-fast: false
      matrix:
        stack: [${preview.map((s) => scalar(s.stack)).join(", ")}]
    # One preview per stack and pull request at a time; a newer push cancels the older run.
    concurrency:
      group: preview-\${{ matrix.stack }}-\${{ github.event.pull_request.number }}
      cancel-in-progress: true
    steps:
${CHECKOUT_STEP}
${NODE_STEPS}
      # A pull request from a fork (or Dependabot) gets no secrets: say so and skip, rather
      # than fail a check that cannot pass; a maintainer can push the branch here to preview.
      - name: Preview credentials
        id: token
        env:
          PULUMI_ACCESS_TOKEN: \${{ secrets.PULUMI_ACCESS_TOKEN }}
        run: |
          if [ -n "$PULUMI_ACCESS_TOKEN" ]; then
            echo "present=true" >> "$GITHUB_OUTPUT"
          else
            echo "::notice title=Preview skipped::this run has no PULUMI_ACCESS_TOKEN (a fork or Dependabot pull request), so the stack was not previewed"
            echo "present=false" >> "$GITHUB_OUTPUT"
          fi
      # Previews build and push no image and need no registry credentials; the repository
      # secret PULUMI_ACCESS_TOKEN (managed by the ${protecting ? `${protecting.stack} stack` : "stack that sets github.branchProtection"}) decrypts the stack config.
      - uses: ${PULUMI_ACTION}
        if: steps.token.outputs.present == 'true'
        with:
          pulumi-version: ${PULUMI_VERSION}
          command: preview
          stack-name: \${{ matrix.stack }}
          comment-on-pr: true
          edit-pr-comment: true
          github-token: \${{ secrets.GITHUB_TOKEN }}
          diff: true
          policyPacks: policy
        env:
          PULUMI_ACCESS_TOKEN: \${{ secrets.PULUMI_ACCESS_TOKEN }}`;
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
${TEST_JOB}${preview.length > 0 ? previewJob : ""}
`;
}

/** `needs:` of one job or several. */
const needsOf = (ids: readonly string[]) => (ids.length === 1 ? ids[0] : `[${ids.join(", ")}]`);

function deployJob(s: CiStack, needs: readonly string[], first: boolean): string {
    return `  ${jobId(s.stack)}:
    name: deploy (${s.stack})
    needs: ${needsOf(needs)}
    runs-on: ubuntu-latest
    timeout-minutes: 45
    environment:
      name: ${scalar(s.environment)}
      url: \${{ steps.url.outputs.url }}
${attests(s) ? ATTESTING_DEPLOY : ""}${first ? "    # Never two updates of one stack at once (deploys and rollbacks share the group).\n" : ""}    concurrency:
      group: deploy-${s.stack}
      cancel-in-progress: false
    env:
      STACK: ${scalar(s.stack)}
      PULUMI_ACCESS_TOKEN: \${{ secrets.PULUMI_ACCESS_TOKEN }}
    steps:
${pulumiSetup(first ? "a rollback checks out the commit of an earlier version" : "")}
      - name: pulumi up
        id: up
        # The time this update releases its images: each new image's since in the releases
        # output (the program never reads the clock).
        run: PLATFORM_RELEASE_TIME="$(date -u +%Y-%m-%dT%H:%M:%SZ)" pulumi up --yes --diff --policy-pack policy --stack "$STACK"
${attests(s) ? `${attestSteps(s)}\n` : ""}      - name: Public URL
        id: url
        if: always()
        run: echo "url=$(pulumi stack output publicUrl --stack "$STACK" 2>/dev/null || true)" >> "$GITHUB_OUTPUT"
      - name: Roll back to the last successful version
        if: failure() && steps.up.outcome == 'failure'
        run: PLATFORM_RELEASE_TIME="$(date -u +%Y-%m-%dT%H:%M:%SZ)" npm run rollback -- --stack "$STACK" --previous --yes --if-failed "$GITHUB_SHA"
      - name: Report the failed deploy
        if: failure() && steps.up.outcome == 'failure'
        run: |
          echo "::error title=Deploy of \${STACK} failed::pulumi up failed and the stack was rolled back to its previous successful version; see the log above"
          exit 1`;
}

export function deployWorkflow(stacks: readonly CiStack[]): string {
    const order = deployed(stacks);
    const jobs = order.flatMap((s, i) => {
        const before = i === 0 ? undefined : order[i - 1];
        // After the stack before it (and the scan of what that one built), and the scan of its own images.
        const needs = [
            ...(before ? [jobId(before.stack)] : ["test"]),
            ...(before && scansAfterDeploy(before) ? [builtScanJobId(before)] : []),
            ...(scansBeforeDeploy(s) ? [scanJobId(s)] : []),
        ];
        return [...(scansBeforeDeploy(s) ? [scanJobs(s)] : []), deployJob(s, needs, i === 0), ...(scansAfterDeploy(s) ? [builtScanJob(s)] : [])];
    });
    const what = order.length > 0 ? inOrder(order.map((s) => s.stack)) : "none (no stack sets one)";
    const gates = order.map((s) => `${s.stack}: ${s.scanFailOn}`).join(", ");
    const unscanned = order.filter((s) => attests(s) && !scansAfterDeploy(s)).map((s) => s.stack);
    const notScanned = unscanned.length > 0 ? ` (not those of ${unscanned.join(", ")}: their registry is not ghcr.io)` : "";
    const scanning =
        order.length > 0
            ? [
                  "# Before each deploy, Trivy scans the prebuilt images its stack's configuration names, in jobs",
                  "# holding no secret; a finding at or above the stack's environment.ci.scan.failOn holds its",
                  `# deploy back (${gates}).`,
                  `# Images a stack builds are attested in its deploy job and scanned after it${notScanned}.`,
                  "# What is scanned and attested, and what is not: docs/ci-images.md.",
                  "",
              ].join("\n")
            : "";
    return `${GENERATED}
# Every push to main: the project's checks, then \`pulumi up\` of each stack in its
# environment.ci.deployOrder: ${what}. Each job is bound to its stack's
# environment, which GitHub holds for that environment's required reviewers.
# A failed \`pulumi up\` rolls that stack back to its last successful version, then fails.
${scanning}name: deploy

on:
  push:
    branches: [main]

permissions:
  contents: read

jobs:
${[TEST_JOB, ...jobs].join("\n\n")}
`;
}

export function rollbackWorkflow(stacks: readonly CiStack[]): string {
    const choices = deployed(stacks).map((s) => scalar(s.stack));
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
    return `${GENERATED}
# On-call: redeploy an earlier version of a stack CI deploys (see docs/runbook.md).
# The job is bound to the stack's environment, so production's reviewers approve it.
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
    timeout-minutes: 45
    environment:
      name: \${{ inputs.stack }}
      url: \${{ steps.url.outputs.url }}
    # The same group as the deploy workflow: a rollback never overlaps a deploy of that stack.
    concurrency:
      group: deploy-\${{ inputs.stack }}
      cancel-in-progress: false
    env:
      STACK: \${{ inputs.stack }}
      VERSION: \${{ inputs.version }}
      PULUMI_ACCESS_TOKEN: \${{ secrets.PULUMI_ACCESS_TOKEN }}
    steps:
${pulumiSetup("the version's commit must be in the clone")}
      - name: Show the stack's history
        run: npm run --silent rollback -- --stack "$STACK" --list
      - name: Roll back
        run: |
          # The images it redeploys go live again now (their since in the releases output).
          export PLATFORM_RELEASE_TIME="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
          if [ "$VERSION" = "previous" ]; then
            npm run rollback -- --stack "$STACK" --previous --yes
          else
            npm run rollback -- --stack "$STACK" --to "$VERSION" --yes
          fi
      - name: Public URL
        id: url
        if: always()
        run: echo "url=$(pulumi stack output publicUrl --stack "$STACK" 2>/dev/null || true)" >> "$GITHUB_OUTPUT"
`;
}

/** config/schema/requiredChecks.ts: the checks pull-request.yml reports, for branch protection's default. */
export function requiredChecksModule(stacks: readonly CiStack[]): string {
    return `// Generated by \`npm run generate\` from the stack files (environment.ci.preview); edit them, not this file.
/** The check names of .github/workflows/pull-request.yml: branch protection's default required checks. */
export const REQUIRED_CHECKS = [${requiredChecks(stacks)
        .map((c) => JSON.stringify(c))
        .join(", ")}] as const;
`;
}

/** Every file this module writes, by path from the repository root. */
export function workflowFiles(stacks: readonly CiStack[]): Record<string, string> {
    return {
        ".github/workflows/pull-request.yml": pullRequestWorkflow(stacks),
        ".github/workflows/deploy.yml": deployWorkflow(stacks),
        ".github/workflows/rollback.yml": rollbackWorkflow(stacks),
        "config/schema/requiredChecks.ts": requiredChecksModule(stacks),
    };
}
