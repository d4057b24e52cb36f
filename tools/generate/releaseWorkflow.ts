import { CiStack, released } from "./ciStacks";
import { deployJob } from "./deployJob";
import { builtScanJob, scanJobId, scanJobs, scansAfterDeploy, scansBeforeDeploy } from "./imageJobs";
import { TEST_JOB } from "./pullRequest";
import { GENERATED, scalar } from "./steps";

/**
 * release.yml: each stack with `promotion.from` (production) deploys from a run of its own,
 * started by hand or on its `ci.schedule`, never in the run that deploys its source: its soak
 * gate needs the source to have run the images for hours first. The job is deploy.yml's (its
 * scans, its rollback, its concurrency group), with the soak gate before the preview.
 */

/** When a released stack's jobs run: chosen by hand, or its schedule fired. */
export function chosen(s: CiStack): string {
    const byHand = `github.event_name == 'workflow_dispatch' && inputs.stack == '${s.stack}'`;
    return s.schedule ? `(${byHand}) || (github.event_name == 'schedule' && github.event.schedule == '${s.schedule}')` : byHand;
}

export function releaseWorkflow(stacks: readonly CiStack[]): string {
    const order = released(stacks);
    const choices = order.map((s) => scalar(s.stack));
    // GitHub refuses a choice without options: with no stack released, any stack name (and only the tests run).
    const stackInput =
        choices.length > 0
            ? `        description: Stack to release
        required: true
        type: choice
        options: [${choices.join(", ")}]`
            : `        description: Stack to release (no stack sets both environment.promotion.from and environment.ci.deployOrder)
        required: true
        type: string`;
    const scheduled = order.filter((s) => s.schedule !== undefined);
    const schedule =
        scheduled.length > 0
            ? `  # environment.ci.schedule (UTC); each cron releases the stacks that name it.
  schedule:
${[...new Set(scheduled.map((s) => s.schedule!))].map((cron) => `    - cron: ${JSON.stringify(cron)}`).join("\n")}
`
            : "";
    const jobs = order.flatMap((s) => {
        const needs = ["test", ...(scansBeforeDeploy(s) ? [scanJobId(s)] : [])];
        return [...(scansBeforeDeploy(s) ? [scanJobs(s, chosen(s))] : []), deployJob(s, needs, true, chosen(s)), ...(scansAfterDeploy(s) ? [builtScanJob(s)] : [])];
    });
    const what = order.length > 0 ? order.map((s) => `${s.stack} (from ${s.promotedFrom}${s.schedule ? `, on ${s.schedule}` : ""})`).join(", ") : "none (no stack sets both environment.promotion.from and environment.ci.deployOrder)";
    return `${GENERATED}
# The stacks with environment.promotion.from, each released from a run of its own, never in the
# push that deploys its source: ${what}.
# Started by hand (Actions -> release -> Run workflow, choosing the stack) or on the stack's
# environment.ci.schedule. The project's checks, the scan of the stack's images, then its deploy
# job: bound to its environment (held for its reviewers), the soak gate (the source must have
# run each changing image for environment.promotion.soak, its latest update successful), the
# preview, the update, and deploy.yml's rollback and report (docs/delivery.md, docs/promotion.md).
name: release

on:
  workflow_dispatch:
    inputs:
      stack:
${stackInput}
${schedule}
permissions:
  contents: read

jobs:
${[TEST_JOB, ...jobs].join("\n\n")}
`;
}
