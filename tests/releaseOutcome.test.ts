import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EXIT } from "../tools/cli";
import { parseArgs } from "../tools/release/main";
import { appendOutcome, outcomeLines } from "../tools/release/outcome";
import { release } from "./releaseRun";

/**
 * What the release tells the CI step that ran it (tools/release/outcome.ts): `outcome=` and
 * `reason=` in $GITHUB_OUTPUT, once, however it ended; and the policy pack options that make its
 * updates judged as a plain update in CI is.
 */
describe("the release's outcome for CI ($GITHUB_OUTPUT)", () => {
    it("a promoted release: outcome=promoted, once", async () => {
        const r = await release({});
        assert.equal(r.code, EXIT.done);
        assert.equal(r.output, "outcome=promoted\nreason=released: every step passed and the new version was promoted\n");
    });

    it("a failing check at 50%: outcome=aborted, the reason naming the check, exit 4", async () => {
        const r = await release({ errorRatio: (weight) => (weight >= 50 ? 0.2 : 0.01) });
        assert.equal(r.code, EXIT.findings);
        assert.equal(r.output, "outcome=aborted\nreason=a check failed at step 2/3 (50%): api: prometheus = 0.2 (max 0.05)\n");
    });

    it("a failed step update with a successful abort: outcome=aborted, exit 3 (the stable version serves)", async () => {
        const r = await release({ fail: (m) => m.includes("step 3/3, 100% to the canary") });
        assert.equal(r.code, EXIT.failed);
        assert.equal(r.output, "outcome=aborted\nreason=the update of step 3/3 failed\n");
    });

    it("a failed promotion, aborted: outcome=aborted", async () => {
        const r = await release({ fail: (m) => m.includes("promote") });
        assert.equal(r.code, EXIT.failed);
        assert.match(r.output, /^outcome=aborted\nreason=the update of the promotion failed\n$/);
    });

    it("an abort that fails too: outcome=abort-failed, the reason saying what traffic is in, exit 3", async () => {
        const r = await release({ fail: (m) => m.includes("step 2/3") || m.includes("abort") });
        assert.equal(r.code, EXIT.failed);
        assert.equal(r.output, "outcome=abort-failed\nreason=the abort update failed after the update of step 2/3 failed; traffic now: the canary takes 10% of traffic (the last update that finished: 1/3)\n");
    });

    it("keeps the reason on one line, so that it cannot write another output", () => {
        assert.equal(outcomeLines("failed", "one\n  two\r\nthree\n"), "outcome=failed\nreason=one two three\n");
        assert.equal(outcomeLines("failed", "outcome=promoted\noutcome=promoted"), "outcome=failed\nreason=outcome=promoted outcome=promoted\n");
    });

    it("writes nothing without GITHUB_OUTPUT, and says so when the file cannot be written", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "release-outcome-"));
        try {
            const errors: string[] = [];
            appendOutcome({}, "promoted", "x", (l) => errors.push(l));
            appendOutcome({ GITHUB_OUTPUT: dir }, "promoted", "x", (l) => errors.push(l));
            assert.equal(errors.length, 1);
            assert.match(errors[0], /^release: could not append to \$GITHUB_OUTPUT, .*: EISDIR/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("the release's policy pack options", () => {
    const run = (argv: string[]) => parseArgs(argv);

    it("take the pack and its config, as CI passes them", () => {
        assert.deepEqual(run(["--stack", "acme/hft-platform/production", "--policy-pack", "policy-pack", "--policy-pack-config", "policy-config/production.json"]), {
            kind: "run",
            options: { stack: "acme/hft-platform/production", dryRun: false, policyPack: "policy-pack", policyPackConfig: "policy-config/production.json" },
        });
        assert.deepEqual(run(["--stack", "production"]), { kind: "run", options: { stack: "production", dryRun: false } }, "none by default");
    });

    it("refuse a config without a pack, and a pack given twice", () => {
        const problem = (argv: string[]) => {
            const p = run(argv);
            return p.kind === "usage" ? p.problem : p.kind;
        };
        assert.equal(problem(["--stack", "production", "--policy-pack-config", "policy-config/production.json"]), "--policy-pack-config needs --policy-pack");
        assert.equal(problem(["--stack", "production", "--policy-pack", "a", "--policy-pack", "b"]), "--policy-pack given more than once");
        assert.equal(problem(["--stack", "production", "--policy-pack"]), "--policy-pack needs a value <dir>");
    });
});
