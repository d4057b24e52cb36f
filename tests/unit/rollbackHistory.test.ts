import { strict as assert } from "assert";
import { Refusal } from "../../tools/cli";
import { chooseTarget, redeployOf, releaseOf, rollbackMessage, Update } from "../../tools/rollback/history";

const commit = (n: number) => String(n).repeat(40).slice(0, 40);
const release = (version: number, result = "succeeded"): Update => ({
    version,
    kind: "update",
    result,
    message: `deploy ${version}`,
    environment: { "git.head": commit(version), "git.dirty": "false" },
});
/** An update as the rollback writes it: its message, and the old commit checked out (dirty: today's secrets). */
const rollbackTo = (version: number, of: Update, result = "succeeded"): Update => ({
    version,
    kind: "update",
    result,
    message: rollbackMessage(of),
    environment: { "git.head": commit(of.version), "git.dirty": "true" },
});
const previous = (history: Update[]) => chooseTarget(history, "production", { previous: true }).version;
const refusal = (history: Update[]) => {
    try {
        chooseTarget(history, "production", { previous: true });
    } catch (e) {
        assert.ok(e instanceof Refusal);
        return e.message;
    }
    assert.fail("expected a refusal");
};

describe("the rollback's history: what a version redeployed, and --previous", () => {
    it("writes `rollback to v<N> (<7 characters of the commit>)` and reads exactly that back", () => {
        const v1 = release(1);
        assert.equal(rollbackMessage(v1), "rollback to v1 (1111111)");
        const history = [v1, release(2), rollbackTo(3, v1)];
        assert.equal(redeployOf(history[2], history), v1);
        assert.equal(releaseOf(history[2], history), 1);
        assert.equal(releaseOf(history[1], history), 2);
    });

    it("takes any other message, however close, as a release of its own", () => {
        const v1 = release(1);
        for (const message of ["rollback to v1 (1111111) again", " rollback to v1 (1111111)", "Rollback to v1 (1111111)", "rollback to v1 (2222222)", "rollback to v1 (1111111111)", "rollback to v1", "rollback to v01 (1111111)"]) {
            const u: Update = { ...release(3), message };
            assert.equal(redeployOf(u, [v1, release(2), u]), undefined, message);
        }
    });

    it("takes a message naming a version that did not succeed, is not an update, or is not earlier, as a release", () => {
        const failed = release(1, "failed");
        const refresh: Update = { ...release(2), kind: "refresh" };
        const later = release(5);
        for (const named of [failed, refresh, later]) {
            const u: Update = { ...release(3), message: rollbackMessage(named) };
            assert.equal(redeployOf(u, [failed, refresh, u, later]), undefined, named.message);
        }
    });

    it("follows a rollback to a rollback's update back to the release", () => {
        const v1 = release(1);
        const v3 = rollbackTo(3, v1);
        const history = [v1, release(2), v3, { ...rollbackTo(4, v1), message: rollbackMessage(v3) }];
        assert.equal(releaseOf(history[3], history), 1);
    });

    it("--previous without rollbacks: the last success before the newest update, failed or not", () => {
        assert.equal(previous([release(1), release(2), release(3, "failed")]), 2);
        assert.equal(previous([release(1), release(2, "failed"), release(3)]), 1);
        assert.equal(previous([release(1), release(2), { ...release(3), kind: "refresh" }]), 1);
    });

    it("--previous after a rollback: the release before the one redeployed", () => {
        const [v1, v2] = [release(1), release(2)];
        assert.equal(previous([release(0), v1, v2, rollbackTo(3, v1)]), 0);
        assert.equal(previous([v1, v2, release(3), rollbackTo(4, v2)]), 1, "not v3, the release rolled back from");
        assert.equal(previous([v1, v2, rollbackTo(3, v1), release(4)]), 1, "v2 was rolled back from");
        assert.equal(previous([v1, v2, rollbackTo(3, v1), release(4, "failed")]), 1, "CI's automatic rollback");
        assert.equal(previous([v1, v2, release(3), rollbackTo(4, v1, "failed")]), 3, "a failed rollback leaves v3 the last release that ran");
    });

    it("--previous refuses when nothing ran before the release running now, naming the update that redeployed it", () => {
        const v1 = release(1);
        assert.equal(refusal([v1, release(2), rollbackTo(3, v1)]), "stack production has no successful update before version 1, the release it runs now (version 3 redeployed it)");
        assert.equal(refusal([release(1, "failed"), release(2)]), "stack production has no successful update before version 2");
        assert.equal(refusal([release(1, "failed")]), "stack production has no successful update before version 1");
    });
});
