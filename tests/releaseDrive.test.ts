import { strict as assert } from "assert";
import { EXIT } from "../tools/cli";
import { ID, release, STABLE } from "./releaseRun";

/**
 * The release's flow in-process, with stand-ins for the stack's updates and for Prometheus (the
 * real CLI path, signals included, is tests/e2e/release.test.ts).
 */

const canaryVar = (weight: number, promote = false) => ({ PLATFORM_CANARY: JSON.stringify({ weight, stable: { api: STABLE }, promote }) });
const ABORT = { PLATFORM_PINNED_IMAGES: JSON.stringify({ api: STABLE }) };

describe("the release's flow", () => {
    it("a healthy release takes every step, then promotes and removes the canary, and writes each step to the job summary", async () => {
        const r = await release({});
        assert.equal(r.code, EXIT.done, r.err.join("\n"));
        assert.deepEqual(r.updates, [
            { message: "step 1/3, 10% to the canary", env: canaryVar(10) },
            { message: "step 2/3, 50% to the canary", env: canaryVar(50) },
            { message: "step 3/3, 100% to the canary", env: canaryVar(100) },
            { message: "promote: the stable Deployments take the new version", env: canaryVar(100, true) },
            { message: "done: the canaries removed", env: {} },
        ]);
        const rows = r.summary.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| step") && !l.startsWith("| ----"));
        assert.deepEqual(
            rows.map((l) => l.split(" | ").slice(0, 3).join(" | ")),
            ["| 1/3 | 10% | 0.02s", "| 2/3 | 50% | 0.02s", "| 3/3 | 100% | 0.02s", "| promote | 100% | -", "| done | - | -"],
        );
        assert.ok(rows[1].includes("ok api: restarts = 0 (max 0)<br>ok api: prometheus = 0 (max 0.05) | passed |"), rows[1]);
        assert.match(r.summary, /\*\*Outcome:\*\* released: every step passed and the new version was promoted\n/);
    });

    it("a failing check at 50% aborts with one update pinning the stable image, no canary, and exits 4 naming the check, value, threshold and step", async () => {
        const r = await release({ errorRatio: (weight) => (weight >= 50 ? 0.2 : 0.01) });
        assert.equal(r.code, EXIT.findings);
        assert.deepEqual(
            r.updates.map((u) => u.env),
            [canaryVar(10), canaryVar(50), ABORT],
        );
        assert.equal(r.updates[2].message, "abort (a check failed at step 2/3 (50%): api: prometheus = 0.2 (max 0.05)): the stable version takes all traffic, the canaries removed");
        assert.deepEqual(r.err, [
            "release: a check failed at step 2/3 (50%): api: prometheus = 0.2 (max 0.05)",
            "release: aborted (a check failed at step 2/3 (50%): api: prometheus = 0.2 (max 0.05)): the stable version takes all traffic again, the canaries are removed",
        ]);
        assert.match(r.summary, /\| 2\/3 \| 50% \| 0.02s \| ok api: restarts = 0 \(max 0\)<br>FAILED api: prometheus = 0.2 \(max 0.05\) \| failed: api: prometheus = 0.2 \(max 0.05\) \|/);
        assert.match(r.summary, /\| abort \| - \| - \| - \| aborted \(a check failed at step 2\/3/);
    });

    it("an update that fails during a step aborts too, and exits 3", async () => {
        const r = await release({ fail: (m) => m.includes("step 2/3") });
        assert.equal(r.code, EXIT.failed);
        assert.deepEqual(
            r.updates.map((u) => u.env),
            [canaryVar(10), canaryVar(50), ABORT],
        );
        assert.equal(r.err[0], "release: the update of step 2/3, 50% failed: 'pulumi up' exited 255 (its output is above)");
        assert.equal(r.updates[2].message, "abort (the update of step 2/3 failed): the stable version takes all traffic, the canaries removed");
    });

    it("an abort that fails too exits 3, saying what traffic is in and the command that finishes the abort", async () => {
        const r = await release({ fail: (m) => m.includes("step 2/3") || m.includes("abort") });
        assert.equal(r.code, EXIT.failed);
        assert.deepEqual(r.err.slice(1), [
            "release: the update of abort failed: 'pulumi up' exited 255 (its output is above)",
            "release: traffic now: the canary takes 10% of traffic (the last update that finished: 1/3)",
            "release: the abort update failed",
            "release: to finish the abort by hand (without PLATFORM_CANARY, the stable images pinned):",
            `release:   PLATFORM_PINNED_IMAGES='{"api":"${STABLE}"}' pulumi up --stack 'production' --message 'canary release ${ID}: abort (the update of step 2/3 failed): the stable version takes all traffic, the canaries removed'`,
            "release: (if pulumi says an update is in progress, a stopped one still holds the stack: 'pulumi cancel --stack production' first)",
        ]);
    });
});
