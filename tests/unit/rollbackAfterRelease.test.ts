import { strict as assert } from "assert";
import { releaseId, releaseIdOf, releaseMessage } from "../../tools/release/message";
import { chooseTarget, releaseOf, rollbackMessage, Update } from "../../tools/rollback/history";

/**
 * A canary release (`npm run release`) leaves several updates from one commit in the history: its
 * steps, the promotion and the final update, or an abort. The rollback counts them as one release.
 */

const commit = (n: number) => String(n).repeat(40).slice(0, 40);
const deploy = (version: number, message = `deploy ${version}`, result = "succeeded", from = version): Update => ({
    version,
    kind: "update",
    result,
    message,
    environment: { "git.head": commit(from), "git.dirty": "false" },
});
const ID = releaseId(commit(3), new Date("2026-11-30T12:00:00Z"));
/** Update `version` of the release of commit 3, `what` it did. */
const step = (version: number, what: string, result = "succeeded") => deploy(version, releaseMessage(ID, what), result, 3);
const previous = (history: Update[]) => chooseTarget(history, "production", { previous: true }).version;

describe("the rollback after a canary release", () => {
    it("reads the release's id back from each of its updates' messages, and from no other", () => {
        assert.equal(ID, "3333333-20261130T120000Z");
        assert.equal(releaseIdOf(releaseMessage(ID, "step 2/3, 50% to the canary")), ID);
        assert.equal(releaseIdOf(releaseMessage(releaseId(undefined, new Date("2026-11-30T12:00:00Z")), "promote")), "nogit-20261130T120000Z");
        for (const other of ["deploy 3", "rollback to v2 (2222222)", `canary release ${ID}`, `Canary release ${ID}: step 1/3`, undefined]) {
            assert.equal(releaseIdOf(other), undefined, other);
        }
    });

    it("--previous after a promoted release goes back to the version before it, not to one of its steps", () => {
        const history = [deploy(1), deploy(2), step(3, "step 1/3, 10% to the canary"), step(4, "step 2/3, 50% to the canary"), step(5, "step 3/3, 100% to the canary"), step(6, "promote"), step(7, "done")];
        assert.equal(previous(history), 2);
        assert.deepEqual(
            history.map((u) => releaseOf(u, history)),
            [1, 2, 7, 7, 7, 7, 7],
            "every update of the release counts as its last, which left the new version running",
        );
    });

    it("--previous after an aborted release goes back to the version before it (the same images the abort left serving, and that version's program)", () => {
        const history = [deploy(1), deploy(2), step(3, "step 1/3, 10% to the canary"), step(4, "step 2/3, 50% to the canary"), step(5, "abort (a check failed at step 2/3)")];
        assert.equal(previous(history), 2);
    });

    it("--previous after a release whose step update failed, then aborted, or whose abort failed too, goes back to the version before it", () => {
        const aborted = [deploy(1), deploy(2), step(3, "step 1/3"), step(4, "step 2/3", "failed"), step(5, "abort (the update of step 2/3 failed)")];
        assert.equal(previous(aborted), 2);
        const abortFailed = [deploy(1), deploy(2), step(3, "step 1/3"), step(4, "step 2/3", "failed"), step(5, "abort", "failed")];
        assert.equal(previous(abortFailed), 2, "the newest update failed: not the release's own step 1");
        const firstStepFailed = [deploy(1), deploy(2), step(3, "step 1/3", "failed")];
        assert.equal(previous(firstStepFailed), 2, "nothing of the release succeeded: the running release is 2, partly updated");
    });

    it("--previous after a release stopped at once (a second Ctrl-C) mid-way goes back to the version before it", () => {
        assert.equal(previous([deploy(1), deploy(2), step(3, "step 1/3"), step(4, "step 2/3")]), 2);
    });

    it("a release after a canary release goes back to that release's last update, which ran its new version", () => {
        const history = [deploy(1), step(3, "step 1/3"), step(4, "promote"), step(5, "done"), deploy(6)];
        assert.equal(previous(history), 5);
        const rolledBack = [...history, deploy(7, rollbackMessage(history[3]), "succeeded", 3)];
        assert.equal(releaseOf(rolledBack[5], rolledBack), 5, "a rollback to the release's last update redeploys the release");
        assert.equal(previous(rolledBack), 1, "rolled back to the release: the one before it is previous");
    });
});
