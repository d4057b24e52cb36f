import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EXIT, execute } from "../tools/cli";
import * as failure from "../tools/ci/deployFailure";
import * as report from "../tools/ci/deployReport";

/** A `pulumi stack export` holding these resources. */
const exported = (resources: object[]) => ({ version: 3, deployment: { manifest: { time: "2026-12-01T09:00:00Z" }, resources } });

const deployment = (name: string, initErrors?: string[]) => ({
    urn: `urn:pulumi:staging::hft-platform::platform:service:Microservice$kubernetes:apps/v1:Deployment::${name}`,
    type: "kubernetes:apps/v1:Deployment",
    outputs: { metadata: { name, namespace: "hft-staging" } },
    ...(initErrors ? { initErrors } : {}),
});
const githubVariable = {
    urn: "urn:pulumi:staging::hft-platform::platform:github:Delivery$github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable::staging-variable-namespace",
    type: "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable",
    outputs: { variableName: "NAMESPACE" },
};
const TIMED_OUT_WAITING = "timed out waiting for the condition\n[MinimumReplicasUnavailable] Deployment does not have minimum availability.";

describe("deploy-failure: which failed updates roll back", () => {
    it("rolls back a rollout of this commit that failed: each Kubernetes object the provider recorded as never ready, named", () => {
        const state = exported([deployment("orchestrator", [TIMED_OUT_WAITING]), deployment("execution"), githubVariable]);
        assert.deepEqual(failure.decide(state, false), {
            rollback: true,
            reason: "a rollout of this commit failed: Deployment hft-staging/orchestrator (timed out waiting for the condition)",
        });
    });

    it("names at most three objects and counts the rest; an object without metadata goes by its URN's name", () => {
        const noMeta = { urn: "urn:pulumi:staging::hft-platform::kubernetes:core/v1:Service::ingestion", type: "kubernetes:core/v1:Service", initErrors: ["no endpoints"] };
        const state = exported([noMeta, ...["a", "b", "c", "d"].map((n) => deployment(n, ["not ready"]))]);
        assert.equal(
            failure.decide(state, false).reason,
            "a rollout of this commit failed: Service ingestion (no endpoints); Deployment hft-staging/a (not ready); Deployment hft-staging/b (not ready); and 2 more",
        );
    });

    it("leaves a healthy release alone when the update failed elsewhere: GitHub's API, a lookup, the program", () => {
        for (const resources of [[deployment("orchestrator"), githubVariable], []]) {
            const d = failure.decide(exported(resources), false);
            assert.equal(d.rollback, false);
            assert.match(d.reason, /^no Kubernetes object of the update failed to become ready: the failure was elsewhere \(GitHub's API, a lookup, another provider or the program\), so the release running in the cluster was left as it is$/);
        }
        // A GitHub resource's errors are not a rollout's.
        assert.equal(failure.decide(exported([{ ...githubVariable, initErrors: ["422"] }]), false).rollback, false);
    });

    it("rolls back an update killed at its step's timeout, saying what was not ready if anything", () => {
        assert.deepEqual(failure.decide(exported([deployment("orchestrator")]), true), { rollback: true, reason: "the update ran past its step's timeout and was cancelled" });
        assert.equal(failure.decide(exported([deployment("risk-manager", ["Pod crash-looping"])]), true).reason, "the update ran past its step's timeout and was cancelled; not ready: Deployment hft-staging/risk-manager (Pod crash-looping)");
    });

    it("prints rollback= and a one-line reason= for $GITHUB_OUTPUT", () => {
        assert.equal(failure.formatDecision({ rollback: true, reason: "a\nb\r\nc" }), "rollback=true\nreason=a b c\n");
    });

    it("reads the state from a file; refuses one that is missing, not JSON or not a stack export", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-failure-"));
        try {
            const file = (name: string, text: string) => (fs.writeFileSync(path.join(dir, name), text), path.join(dir, name));
            const run = async (argv: string[]) => {
                const out: string[] = [];
                const err: string[] = [];
                const code = await execute(failure.SPEC, failure.parseArgs(argv), (o) => Promise.resolve(failure.deployFailure(o, (t) => out.push(t))), { out: (t) => out.push(t), err: (t) => err.push(t) });
                return { code, out: out.join(""), err: err.join("") };
            };
            const good = file("state.json", JSON.stringify(exported([deployment("orchestrator", ["not ready"])])));
            assert.deepEqual(await run(["--state", good]), { code: EXIT.done, out: "rollback=true\nreason=a rollout of this commit failed: Deployment hft-staging/orchestrator (not ready)\n", err: "" });
            assert.match((await run(["--state", good, "--timed-out"])).out, /^rollback=true\nreason=the update ran past its step's timeout and was cancelled; not ready: /);
            assert.equal((await run(["--state", path.join(dir, "none.json")])).code, EXIT.refused);
            assert.match((await run(["--state", file("bad.json", "{")])).err, /^deploy-failure: .*bad\.json: cannot read the state: /);
            assert.deepEqual(await run(["--state", file("other.json", '{"resources": []}')]), { code: EXIT.refused, out: "", err: "deploy-failure: not a 'pulumi stack export': no deployment\n" });
            assert.equal((await run([])).code, EXIT.usage);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("deploy-report: what the job actually did", () => {
    const deploy = (env: NodeJS.ProcessEnv) => report.deployReport("deploy", report.inputFrom({ STACK: "production", PREVIEW: "success", UPDATE: "failure", ...env }));
    const rolledOut = { DECISION: "true", WHY: "a rollout of this commit failed: Deployment hft-production/orchestrator (timed out)" };

    it("a failed rollout rolled back to vN: says so, with the version the rollback command reports", () => {
        assert.deepEqual(deploy({ ...rolledOut, ROLLBACK: "success", OUTCOME: "rolled-back", VERSION: "41", REASON: "rollback to v41 (abc1234)" }), {
            level: "error",
            title: "Deploy of production failed",
            message: "'pulumi up' failed (a rollout of this commit failed: Deployment hft-production/orchestrator (timed out)); rolled back to v41 (rollback to v41 (abc1234))",
        });
    });

    it("never says 'rolled back' when the rollback found nothing to roll back, refused, or failed", () => {
        const cases: [NodeJS.ProcessEnv, string][] = [
            [{ ROLLBACK: "success", OUTCOME: "nothing-to-roll-back", REASON: "the newest update (v42, succeeded) is not a failed update of 3f9c2ab" }, "nothing was rolled back: the newest update (v42, succeeded) is not a failed update of 3f9c2ab"],
            [{ ROLLBACK: "failure", OUTCOME: "refused", REASON: "stack production has no successful update before version 42" }, "the rollback refused: stack production has no successful update before version 42; a person must act (docs/runbook.md)"],
            [{ ROLLBACK: "failure", OUTCOME: "failed", VERSION: "41", REASON: "'pulumi up' of rollback to v41 (abc1234) failed (exit 255)" }, "the rollback itself failed: 'pulumi up' of rollback to v41 (abc1234) failed (exit 255); the stack may be partly updated: a person must act (docs/runbook.md)"],
            [{ ROLLBACK: "failure", ROLLBACK_TIMED_OUT: "true" }, "the rollback's update ran past its step's timeout and was cancelled; a person must act (docs/runbook.md)"],
            [{ ROLLBACK: "failure" }, "the rollback step ended (failure) without saying what it did; read its log: a person must act (docs/runbook.md)"],
            [{ ROLLBACK: "success" }, "the rollback step finished without saying what it did; read its log to know whether it rolled back"],
        ];
        for (const [env, said] of cases) {
            const r = deploy({ ...rolledOut, ...env });
            assert.equal(r.message, `'pulumi up' failed (${rolledOut.WHY}); ${said}`, JSON.stringify(env));
            assert.doesNotMatch(r.message, /rolled back to/);
        }
    });

    it("a failure outside the rollout is not rolled back, and says so; so is one CI could not judge", () => {
        const why = "no Kubernetes object of the update failed to become ready: the failure was elsewhere (GitHub's API, a lookup, another provider or the program), so the release running in the cluster was left as it is";
        assert.equal(
            deploy({ DECISION: "false", WHY: why, ROLLBACK: "skipped" }).message,
            `'pulumi up' failed, not rolled back: ${why}. A person decides: roll back with the rollback workflow, or fix forward (docs/runbook.md)`,
        );
        assert.equal(
            deploy({ ROLLBACK: "skipped" }).message,
            `'pulumi up' failed; CI could not tell what failed (the "What failed" step decided nothing), so nothing was rolled back: a person decides (docs/runbook.md)`,
        );
        assert.match(deploy({ TIMED_OUT: "true", DECISION: "true", WHY: "the update ran past its step's timeout and was cancelled", ROLLBACK: "success", OUTCOME: "rolled-back", VERSION: "7" }).message, /^'pulumi up' ran past its step's timeout and was cancelled \(.*\); rolled back to v7$/);
    });

    it("a deploy stopped by its preview or its soak gate, or failing after a good update, deployed nothing or keeps the release", () => {
        assert.equal(
            deploy({ SOAK: "failure", PREVIEW: "skipped", UPDATE: "skipped" }).message,
            "the deploy stopped at the soak gate (an image its source has not run long enough, or a source whose latest update failed: see the job summary): nothing was deployed, nothing rolled back",
        );
        assert.equal(deploy({ PREVIEW: "failure", UPDATE: "skipped" }).message, "the deploy stopped at its preview (a mandatory policy violation or a program error: see the preview's log): nothing was deployed, nothing rolled back");
        assert.equal(deploy({ PREVIEW: "", UPDATE: "" }).message, "the deploy stopped before its update (see the failed step): nothing was deployed, nothing rolled back");
        assert.equal(deploy({ UPDATE: "success" }).message, "'pulumi up' succeeded and a later step failed (see its log): the release stays, nothing was rolled back");
    });

    it("the rollback workflow: a notice when it rolled back or had nothing to do, an error otherwise", () => {
        const rb = (env: NodeJS.ProcessEnv) => report.deployReport("rollback", report.inputFrom({ STACK: "staging", ...env }));
        assert.deepEqual(rb({ ROLLBACK: "success", OUTCOME: "rolled-back", VERSION: "12" }), { level: "notice", title: "Rollback of staging", message: "rolled back to v12" });
        assert.equal(rb({ ROLLBACK: "success", OUTCOME: "nothing-to-roll-back" }).level, "notice");
        assert.deepEqual(rb({ ROLLBACK: "failure", OUTCOME: "refused", REASON: "version 3 of stack staging did not succeed" }), {
            level: "error",
            title: "Rollback of staging",
            message: "the rollback refused: version 3 of stack staging did not succeed; a person must act (docs/runbook.md)",
        });
        assert.equal(rb({ ROLLBACK: "failure", ROLLBACK_TIMED_OUT: "true" }).level, "error");
        assert.deepEqual(rb({ ROLLBACK: "skipped" }), {
            level: "error",
            title: "Rollback of staging",
            message: "the rollback did not run (a step before it failed: see the job's log); nothing was rolled back",
        });
    });

    it("reads only the values it knows: an unknown outcome or step result counts as absent", () => {
        const i = report.inputFrom({ STACK: " ", UPDATE: "weird", OUTCOME: "rolled-forward", DECISION: "maybe", VERSION: "" });
        assert.deepEqual(i, { stack: "the stack", soak: "", preview: "", update: "", timedOut: false, rollbackStep: "", rollbackTimedOut: false });
    });

    it("writes one annotation line, escaped as GitHub's workflow commands require, and the same words to the job summary", () => {
        const r: report.Report = { level: "error", title: "Deploy of a,b: failed", message: "50% done\nthen: stopped" };
        assert.equal(report.annotation(r), "::error title=Deploy of a%2Cb%3A failed::50%25 done%0Athen: stopped\n");
        const out: string[] = [];
        const summary: string[] = [];
        const env = { STACK: "staging", PREVIEW: "failure", UPDATE: "skipped" };
        assert.equal(report.runReport({ job: "deploy" }, { env, out: (t) => out.push(t), appendSummary: (t) => summary.push(t) }), EXIT.done);
        const message = "the deploy stopped at its preview (a mandatory policy violation or a program error%3A see the preview's log)%3A nothing was deployed, nothing rolled back";
        assert.deepEqual(out, [`::error title=Deploy of staging failed::${message.replace(/%3A/g, ":")}\n`]);
        assert.deepEqual(summary, ["### Deploy of staging failed\n\nthe deploy stopped at its preview (a mandatory policy violation or a program error: see the preview's log): nothing was deployed, nothing rolled back\n"]);
        assert.deepEqual(report.parseArgs(["--job", "deploys"]), { kind: "usage", problem: '--job: expected deploy or rollback, got "deploys"', text: `usage: ${report.SPEC.usage}\n(--help lists every option)\n` });
    });
});
