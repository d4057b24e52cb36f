import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { PULUMI_ACTION } from "../tools/generate/actions";
import { CiStack, ciStacks } from "../tools/generate/ciStacks";
import { updateMinutes } from "../tools/generate/timeouts";
import { workflowFiles } from "../tools/generate/workflows";
import { deployReport, inputFrom } from "../tools/ci/deployReport";
import { lintAttesting } from "./actionlint";
import { runStepScripts } from "./stepScripts";
import { REPO } from "./support";

/**
 * The deploy job of a stack with canaries (issue 21, docs/delivery.md "Canary releases in CI"):
 * a driven stack is released by `npm run release` in place of `pulumi up`, judged by the same
 * policy pack, and not rolled back after an abort; an in-cluster stack (production here) keeps
 * `pulumi up`, with a timeout above its Rollout's wait, and writes its canary's steps to the summary.
 */

const FIXTURE = path.join(REPO, "tests", "fixtures", "ci-project");
const TOKEN = "${{ steps.pulumi-token.outputs.pulumi-access-token }}";
const steps = (job: any): any[] => job.steps;
const step = (job: any, key: string) => {
    const found = steps(job).find((x) => x.id === key || x.name === key);
    assert.ok(found, `no step ${key}`);
    return found;
};
const index = (job: any, key: string) => steps(job).indexOf(step(job, key));

/** A copy of the ci-project fixture, its prod stack file edited by `edit` (the environment's values). */
function fixtureCopy(edit: (env: YAML.YAMLMap, doc: YAML.Document) => void): { dir: string; remove: () => void } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "canary-workflow-"));
    fs.cpSync(FIXTURE, dir, { recursive: true });
    const file = path.join(dir, "Pulumi.prod.yaml");
    const doc = YAML.parseDocument(fs.readFileSync(file, "utf8"));
    edit(doc.getIn(["config", "ci-fixture:environment"]) as YAML.YAMLMap, doc);
    fs.writeFileSync(file, doc.toString());
    return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** prod released through a driven canary: web behind a Gateway route, steps 20% for 2 minutes then 100% for 1 minute. */
function driven(env: YAML.YAMLMap): void {
    env.set("exposure", "gateway");
    env.set("gateway", { name: "public", namespace: "gateway-system" });
    env.set("canary", { mode: "driven", prometheus: "http://prometheus.shop.example:9090", interval: "10s" });
    env.setIn(["ci", "policyPackConfig"], "policy-config/prod.json");
    env.setIn(["services", "web", "ingress"], { hostPrefix: "www" });
    env.setIn(["services", "web", "canary"], {
        enabled: true,
        steps: [
            { weight: 20, window: "2m" },
            { weight: 100, window: "1m" },
        ],
    });
}

/** Runs a step's script with bash in each environment (one process for all); what each appended to $GITHUB_STEP_SUMMARY. */
function summariesOf(script: string, envs: readonly Record<string, string>[]): string[] {
    return runStepScripts(envs.map((env) => ({ script, env }))).map((r) => {
        assert.equal(r.status, 0, r.stderr);
        return r.summary;
    });
}

describe("the deploy job of a stack with canaries", () => {
    describe("driven mode (a fixture whose prod stack releases web through a driven canary)", () => {
        let copy: ReturnType<typeof fixtureCopy>;
        let stacks: CiStack[];
        let files: Record<string, string>;
        let job: any;
        before(() => {
            copy = fixtureCopy(driven);
            stacks = ciStacks(copy.dir);
            files = workflowFiles(stacks);
            job = YAML.parse(files[".github/workflows/deploy.yml"]).jobs.prod;
        });
        after(() => copy.remove());

        it("CI reads the stack's canary from its resolved configuration: driven, web's two steps, 180 s of windows", () => {
            const prod = stacks.find((s) => s.stack === "prod")!;
            assert.deepEqual(prod.canary, {
                mode: "driven",
                services: [
                    {
                        name: "web",
                        steps: [
                            { weight: 20, windowSeconds: 120 },
                            { weight: 100, windowSeconds: 60 },
                        ],
                    },
                ],
                prometheus: true,
                intervalSeconds: 10,
                windowSeconds: 180,
                steps: 2,
            });
            assert.deepEqual(
                stacks.filter((s) => s.stack !== "prod").map((s) => s.canary),
                [undefined, undefined],
                "qa and dev have none",
            );
        });

        it("the update step (id up) runs the release with the policy pack and its config, the token and the release time; no pulumi/actions up", () => {
            const up = step(job, "up");
            assert.equal(up.name, "Canary release");
            assert.equal(up.uses, undefined);
            assert.equal(up.run, 'npm run --silent release -- --stack "$QUALIFIED_STACK" --policy-pack policy-pack --policy-pack-config policy-config/prod.json');
            assert.deepEqual(up.env, { PULUMI_ACCESS_TOKEN: TOKEN, PLATFORM_RELEASE_TIME: "${{ steps.release.outputs.time }}" });
            const action = PULUMI_ACTION.split(" ")[0];
            assert.deepEqual(
                steps(job)
                    .filter((x) => x.uses === action)
                    .map((x) => x.with?.command),
                [undefined, "preview"],
                "the CLI's install and the preview (the gate, with the same pack) only",
            );
            assert.deepEqual([step(job, "preview").with.policyPacks, step(job, "preview").with.policyPackConfigs], ["policy-pack", "policy-config/prod.json"], "the preview's pack and config are the release's");
            assert.ok(index(job, "preview") < index(job, "up"));
            assert.match(files[".github/workflows/deploy.yml"], /^# prod: released through a driven canary \(npm run release\) in place of that update \(docs\/delivery\.md\)\.$/m);
        });

        it("after an abort the job fails without judging or rolling back (the stable version serves); any other failure is judged as before", () => {
            assert.equal(step(job, "cancel").if, "failure() && steps.up.outcome == 'failure'", "a release killed at its timeout is still cancelled");
            assert.equal(step(job, "failure").if, "failure() && steps.up.outcome == 'failure' && steps.up.outputs.outcome != 'aborted'");
            assert.equal(step(job, "rollback").if, "failure() && steps.failure.outputs.rollback == 'true'", "the rollback needs the judgement, which an abort skips");
            const report = step(job, "Report the failed deploy");
            assert.equal(report.env.RELEASE_OUTCOME, "${{ steps.up.outputs.outcome }}");
            assert.equal(report.env.RELEASE_REASON, "${{ steps.up.outputs.reason }}");
            assert.equal(step(job, "Cancel the canary release if it timed out").id, "cancel");
        });

        it("tells the team an aborted release apart from a failed deploy: the stable version serves and nothing was rolled back", () => {
            const notify = steps(job).at(-1);
            assert.equal(notify.env.RELEASE_OUTCOME, "${{ steps.up.outputs.outcome }}");
            const base = { PREVIEW: "success", ROLLBACK: "skipped", UPDATE_VERSION: "12", ROLLBACK_VERSION: "", STACK: "prod", GITHUB_SHA: "3f9c2ab5" };
            const cases: [Record<string, string>, string, string?][] = [
                [{ JOB: "failure", RELEASE_OUTCOME: "aborted" }, "--event canary --stack prod --outcome failure --version 12 --commit 3f9c2ab5"],
                [{ JOB: "success", RELEASE_OUTCOME: "promoted" }, "--event deploy --stack prod --outcome success --version 12 --commit 3f9c2ab5"],
                [
                    { JOB: "failure", RELEASE_OUTCOME: "abort-failed", ROLLBACK: "success", ROLLBACK_VERSION: "10" },
                    "--event rollback --stack prod --outcome success --version 10 --commit 3f9c2ab5",
                    "an abort that failed was judged and rolled back: the rollback is the news",
                ],
                [{ JOB: "failure", RELEASE_OUTCOME: "" }, "--event deploy --stack prod --outcome failure --version 12 --commit 3f9c2ab5", "a release that failed before any step"],
            ];
            // The notification script run with each case's outcomes (one bash process); the arguments each gave `npm`.
            const results = runStepScripts(cases.map(([env]) => ({ script: notify.run, env: { ...base, ...env } })));
            cases.forEach(([env, args, why], i) => {
                assert.equal(results[i].status, 0, results[i].stderr);
                assert.equal(results[i].npm?.replace(/^run --silent notify -- /, ""), args, why ?? JSON.stringify(env));
            });
        });

        it("the release's timeout covers both windows, an update per step, the promotion's two and an abort; the job's covers its steps'", () => {
            const prod = stacks.find((s) => s.stack === "prod")!;
            const up = step(job, "up")["timeout-minutes"];
            // 180 s of windows (3 minutes) and 2 + 3 updates of (360 s rollout wait + 180 s verification) / 60 + 15 minutes each.
            assert.equal(updateMinutes(prod), 24);
            assert.equal(up, 3 + 5 * 24);
            assert.ok(up * 60 > 180 + 5 * (prod.awaitTimeoutSeconds + prod.verifySeconds));
            assert.equal(step(job, "cancel").env.TIMEOUT_SECONDS, up * 60, "the cancel knows the release's timeout");
            const sum = steps(job).reduce((a, x) => a + x["timeout-minutes"], 0);
            assert.ok(job["timeout-minutes"] > sum, `${job["timeout-minutes"]} > ${sum}`);
            assert.equal(step(job, "pulumi-token").with["token-expiration"], job["timeout-minutes"] * 60, "the token outlives the job");
        });

        it("every generated workflow passes actionlint", async () => {
            for (const [file, text] of Object.entries(files).filter(([f]) => f.endsWith(".yml"))) assert.deepEqual(await lintAttesting(text, file), [], file);
        });

        it("the other stacks' jobs are as without the canary", () => {
            const plain = YAML.parse(workflowFiles(ciStacks(FIXTURE))[".github/workflows/deploy.yml"]).jobs;
            assert.deepEqual(YAML.parse(files[".github/workflows/deploy.yml"]).jobs.qa, plain.qa);
        });
    });

    describe("a stack without a canary", () => {
        it("gets exactly the workflows it got before, byte for byte: canary.enabled false, also in a stack whose environment.canary says driven", () => {
            const before = workflowFiles(ciStacks(FIXTURE));
            for (const edit of [
                (env: YAML.YAMLMap) => env.setIn(["services", "web", "canary"], { enabled: false }),
                (env: YAML.YAMLMap) => {
                    driven(env);
                    env.setIn(["services", "web", "canary"], { enabled: false, steps: [{ weight: 20, window: "2m" }, { weight: 100, window: "1m" }] });
                    env.deleteIn(["ci", "policyPackConfig"]);
                },
            ]) {
                const copy = fixtureCopy(edit);
                try {
                    const stacks = ciStacks(copy.dir);
                    assert.equal(stacks.find((s) => s.stack === "prod")!.canary, undefined);
                    const after = workflowFiles(stacks);
                    for (const [file, text] of Object.entries(before)) assert.equal(after[file], text, file);
                } finally {
                    copy.remove();
                }
            }
        });
    });

    describe("in-cluster mode (the repository's production: the orchestrator through Argo Rollouts)", () => {
        const production = ciStacks(REPO).find((s) => s.stack === "production")!;
        const job = YAML.parse(fs.readFileSync(path.join(REPO, ".github", "workflows", "release.yml"), "utf8")).jobs.production;

        it("waits for the Rollout as the Rollout's pulumi.com/timeoutSeconds says: 3 analysed windows of 300 s, two progress deadlines of 300 s, the await timeout of 420 s", () => {
            assert.equal(production.canary?.mode, "in-cluster");
            assert.deepEqual(production.canary?.services, [
                {
                    name: "orchestrator",
                    steps: [10, 50, 100].map((weight) => ({ weight, windowSeconds: 300 })),
                },
            ]);
            assert.equal(production.canary?.rolloutWaitSeconds, 3 * 300 + 2 * 300 + 420 + 2 * 60);
        });

        it("keeps pulumi up through pulumi/actions, with a timeout (and a rollback's) above the Rollout's wait and the verification after it", () => {
            const up = step(job, "up");
            assert.equal(up.uses, PULUMI_ACTION.split(" ")[0]);
            assert.equal(up.with.command, "up");
            const wait = production.canary!.rolloutWaitSeconds! + production.verifySeconds;
            assert.ok(up["timeout-minutes"] * 60 > wait, `${up["timeout-minutes"]} minutes for ${wait} s`);
            assert.ok(up["timeout-minutes"] * 60 < wait + 20 * 60, "no more than the usual margin above it");
            assert.ok(step(job, "rollback")["timeout-minutes"] * 60 > wait, "a rollback walks the steps too");
            assert.equal(step(job, "failure").if, "failure() && steps.up.outcome == 'failure'", "a failed Rollout is judged (and rolled back) as a failed rollout");
            assert.equal(step(job, "Report the failed deploy").env.RELEASE_OUTCOME, undefined);
        });

        it("after the update (and its cancel), when it ran, writes the configured steps and the update's outcome to the summary, saying what CI does not see", () => {
            const summary = step(job, "Canary summary");
            assert.equal(summary.if, "always() && (steps.up.outcome == 'success' || steps.up.outcome == 'failure')");
            assert.deepEqual(summary.env, { UPDATE: "${{ steps.up.outcome }}", TIMED_OUT: "${{ steps.cancel.outputs.timed-out }}" });
            assert.ok(index(job, "cancel") < index(job, "Canary summary") && index(job, "Canary summary") < index(job, "version"));
            const [healthy, failed, timedOut] = summariesOf(summary.run, [
                { UPDATE: "success", TIMED_OUT: "" },
                { UPDATE: "failure", TIMED_OUT: "false" },
                { UPDATE: "failure", TIMED_OUT: "true" },
            ]);
            assert.deepEqual(healthy.split("\n"), [
                "### Canary release of production (in-cluster: Argo Rollouts)",
                "",
                "The steps as the stack configures them, which Argo Rollouts walks in the cluster. CI does not watch",
                "each step: it shows whether the update's wait Jobs saw every Rollout become Healthy (every step passed)",
                "within their wait (2040 s: kubectl-argo-rollouts status, docs/canary-in-cluster.md).",
                "",
                "| service | step | weight | window | checks |",
                "| ------- | ---- | ------ | ------ | ------ |",
                "| orchestrator | 1/3 | 10% | 300s | analysis (Prometheus, every 30s) |",
                "| orchestrator | 2/3 | 50% | 300s | analysis (Prometheus, every 30s) |",
                "| orchestrator | 3/3 | 100% | 300s | analysis (Prometheus, every 30s) |",
                "",
                "**Outcome:** the update saw every Rollout become Healthy: each step passed, and the new version is the stable one",
                "",
            ]);
            const outcome = (text: string) => text.split("\n").at(-2);
            assert.match(outcome(failed)!, /^\*\*Outcome:\*\* the update failed: a Rollout did not become Healthy \(a failed analysis aborts it/);
            assert.match(outcome(timedOut)!, /^\*\*Outcome:\*\* the update ran past its step's timeout and was cancelled before every Rollout became Healthy/);
        });

        it("staging, without a canary, has no summary step", () => {
            const staging = YAML.parse(fs.readFileSync(path.join(REPO, ".github", "workflows", "deploy.yml"), "utf8")).jobs.staging;
            assert.equal(
                steps(staging).some((x) => x.name === "Canary summary"),
                false,
            );
        });
    });
});

describe("deploy-report after a driven canary release failed", () => {
    const report = (env: NodeJS.ProcessEnv) => deployReport("deploy", inputFrom({ STACK: "prod", PREVIEW: "success", UPDATE: "failure", RELEASE_OUTCOME: "", RELEASE_REASON: "", ...env }));

    it("an abort: the release was aborted and the stable version serves; nothing rolled back", () => {
        assert.deepEqual(report({ RELEASE_OUTCOME: "aborted", RELEASE_REASON: "a check failed at step 2/3 (50%): web: prometheus = 0.2 (max 0.01)" }), {
            level: "error",
            title: "Deploy of prod failed",
            message:
                "the canary release was aborted (a check failed at step 2/3 (50%): web: prometheus = 0.2 (max 0.01)): the stable version serves and no canary is left, so nothing was rolled back. The new version is not released: fix it, then release again (docs/canary-release.md)",
        });
    });

    it("an abort that failed too, then rolled back by CI: both said", () => {
        const r = report({ RELEASE_OUTCOME: "abort-failed", RELEASE_REASON: "the abort update failed after a check failed", DECISION: "true", WHY: "a rollout of this commit failed: Deployment shop-prod/web-canary", ROLLBACK: "success", OUTCOME: "rolled-back", VERSION: "7" });
        assert.equal(
            r.message,
            "the canary release ('npm run release') failed and its abort failed too (the abort update failed after a check failed) (a rollout of this commit failed: Deployment shop-prod/web-canary); rolled back to v7",
        );
    });

    it("a release that said nothing (refused, or killed at its timeout) is judged as a failed update, named as the release", () => {
        assert.match(report({ DECISION: "false", WHY: "no Kubernetes object failed" }).message, /^the canary release \('npm run release'\) failed, not rolled back: no Kubernetes object failed\. A person decides/);
        assert.match(report({ TIMED_OUT: "true", DECISION: "true", WHY: "timed out", OUTCOME: "rolled-back", VERSION: "3" }).message, /^the canary release \('npm run release'\) ran past its step's timeout and was cancelled \(timed out\); rolled back to v3$/);
    });

    it("a plain update's report does not change: no RELEASE_OUTCOME, no release", () => {
        const plain = inputFrom({ STACK: "staging", UPDATE: "failure", DECISION: "false", WHY: "elsewhere" });
        assert.equal(plain.release, undefined);
        assert.match(deployReport("deploy", plain).message, /^'pulumi up' failed, not rolled back: elsewhere/);
        assert.deepEqual(inputFrom({ RELEASE_OUTCOME: "rolled-forward", RELEASE_REASON: " " }).release, {}, "an unknown outcome reads as none");
    });
});
