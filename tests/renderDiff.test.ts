import * as assert from "node:assert/strict";
import fc from "fast-check";
import { compareRenders, formatChanges, summaryLine } from "../tools/render/compare";
import { RenderedFile } from "../tools/render/folder";
import { editScript, lines, unifiedDiff } from "../tools/render/lineDiff";

const file = (p: string, text: string, what = p): RenderedFile => ({ path: p, what, text });

/** Applies a unified diff's hunks to `before` (a minimal `patch`), to check what the diff says. */
function applyHunks(before: string, hunks: string): string {
    const old = lines(before);
    const result: string[] = [];
    let next = 0;
    const body = lines(hunks);
    for (let k = 0; k < body.length; k++) {
        const header = /^@@ -(\d+),(\d+) \+\d+,\d+ @@$/.exec(body[k]);
        assert.ok(header, body[k]);
        const [start, count] = [Number(header[1]), Number(header[2])];
        const from = count === 0 ? start : start - 1;
        result.push(...old.slice(next, from));
        next = from;
        while (k + 1 < body.length && !body[k + 1].startsWith("@@")) {
            const line = body[++k];
            if (line[0] !== "+") assert.equal(old[next++], line.slice(1), "a kept or removed line is the old one");
            if (line[0] !== "-") result.push(line.slice(1));
        }
    }
    result.push(...old.slice(next));
    return result.map((l) => `${l}\n`).join("");
}

describe("render --diff: the line diff", () => {
    it("prints diff -u hunks with three lines of context, numbered on both sides", () => {
        const before = "a\nb\nc\nd\ne\nf\ng\nh\n";
        const after = "a\nb\nc\nd\nE\nf\ng\nh\ni\n";
        assert.equal(unifiedDiff(before, after), "@@ -2,7 +2,8 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n+i\n");
    });

    it("starts a new hunk when two changes are more than twice the context apart", () => {
        const before = Array.from({ length: 20 }, (_, i) => `line ${i + 1}\n`).join("");
        const after = before.replace("line 2\n", "line two\n").replace("line 19\n", "line nineteen\n");
        assert.equal(
            unifiedDiff(before, after),
            "@@ -1,5 +1,5 @@\n line 1\n-line 2\n+line two\n line 3\n line 4\n line 5\n" +
                "@@ -16,5 +16,5 @@\n line 16\n line 17\n line 18\n-line 19\n+line nineteen\n line 20\n",
        );
    });

    it("numbers an added or removed file from line 0 on the empty side, and is empty for equal texts", () => {
        assert.equal(unifiedDiff("", "x: 1\ny: 2\n"), "@@ -0,0 +1,2 @@\n+x: 1\n+y: 2\n");
        assert.equal(unifiedDiff("x: 1\n", ""), "@@ -1,1 +0,0 @@\n-x: 1\n");
        assert.equal(unifiedDiff("same\n", "same\n"), "");
    });

    it("keeps a longest common subsequence: a line moved into a list is one addition", () => {
        const before = "allowFrom:\n  - orchestrator\n  - risk-manager\nport: 8002\n";
        const after = "allowFrom:\n  - market-maker\n  - orchestrator\n  - risk-manager\nport: 8002\n";
        assert.deepEqual(editScript(lines(before), lines(after)).filter((e) => e.op !== " "), [{ op: "+", line: "  - market-maker" }]);
    });

    it("always says how to get from one text to the other (random texts)", () => {
        const text = fc.array(fc.constantFrom("a", "b", "c", "d", "- x", ""), { maxLength: 30 }).map((ls) => ls.map((l) => `${l}\n`).join(""));
        fc.assert(
            fc.property(text, text, (before, after) => {
                assert.equal(applyHunks(before, unifiedDiff(before, after)), after);
            }),
        );
    });
});

describe("render --diff: comparing two renders", () => {
    const before = [file("deployment-a.yaml", "replicas: 2\n", "Deployment a"), file("outputs.yaml", "url: a\n"), file("service-old.yaml", "port: 80\n", "Service old")];
    const after = [file("deployment-a.yaml", "replicas: 3\n", "Deployment a"), file("outputs.yaml", "url: a\n"), file("service-new.yaml", "port: 81\n", "Service new")];

    it("lists each added, changed and removed file by path with its hunks, and counts the rest", () => {
        const c = compareRenders(before, after);
        assert.deepEqual(c, {
            changes: [
                { status: "changed", path: "deployment-a.yaml", what: "Deployment a", hunks: "@@ -1,1 +1,1 @@\n-replicas: 2\n+replicas: 3\n" },
                { status: "added", path: "service-new.yaml", what: "Service new", hunks: "@@ -0,0 +1,1 @@\n+port: 81\n" },
                { status: "removed", path: "service-old.yaml", what: "Service old", hunks: "@@ -1,1 +0,0 @@\n-port: 80\n" },
            ],
            unchanged: 1,
        });
        assert.equal(summaryLine(c), "1 added, 1 changed, 0 replaced, 1 removed (1 unchanged)");
    });

    it("prints each change like git diff, /dev/null on the side without the file", () => {
        assert.equal(
            formatChanges(compareRenders(before, after).changes),
            "changed deployment-a.yaml (Deployment a)\n--- a/deployment-a.yaml\n+++ b/deployment-a.yaml\n@@ -1,1 +1,1 @@\n-replicas: 2\n+replicas: 3\n\n" +
                "added service-new.yaml (Service new)\n--- /dev/null\n+++ b/service-new.yaml\n@@ -0,0 +1,1 @@\n+port: 81\n\n" +
                "removed service-old.yaml (Service old)\n--- a/service-old.yaml\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-port: 80\n\n",
        );
    });

    it("shows an auto-named object with a new hash suffix as replaced, diffed against its old file", () => {
        const old = [file("configmap-a-config-0123abcd.yaml", "data:\n  LEVEL: info\nname: a-config-0123abcd\n", "ConfigMap a-config-0123abcd")];
        const now = [file("configmap-a-config-4567ef01.yaml", "data:\n  LEVEL: debug\nname: a-config-4567ef01\n", "ConfigMap a-config-4567ef01")];
        const c = compareRenders(old, now);
        assert.deepEqual(c.changes, [
            {
                status: "replaced",
                path: "configmap-a-config-4567ef01.yaml",
                from: "configmap-a-config-0123abcd.yaml",
                what: "ConfigMap a-config-4567ef01",
                hunks: "@@ -1,3 +1,3 @@\n data:\n-  LEVEL: info\n-name: a-config-0123abcd\n+  LEVEL: debug\n+name: a-config-4567ef01\n",
            },
        ]);
        assert.equal(summaryLine(c), "0 added, 0 changed, 1 replaced, 0 removed (0 unchanged)");
        assert.match(formatChanges(c.changes), /^replaced configmap-a-config-0123abcd\.yaml -> configmap-a-config-4567ef01\.yaml \(ConfigMap a-config-4567ef01\)\n--- a\/configmap-a-config-0123abcd\.yaml\n\+\+\+ b\/configmap-a-config-4567ef01\.yaml\n@@/);
    });

    it("pairs nothing when a stem is not alone on each side, or the names differ by more than the suffix", () => {
        const old = [file("secret-a-11111111.yaml", "x: 1\n"), file("secret-a-22222222.yaml", "x: 2\n"), file("configmap-b-33333333.yaml", "y: 1\n")];
        const now = [file("secret-a-44444444.yaml", "x: 3\n"), file("configmap-c-55555555.yaml", "y: 2\n")];
        assert.deepEqual(compareRenders(old, now).changes.map((c) => `${c.status} ${c.path}`), [
            "removed configmap-b-33333333.yaml",
            "added configmap-c-55555555.yaml",
            "removed secret-a-11111111.yaml",
            "removed secret-a-22222222.yaml",
            "added secret-a-44444444.yaml",
        ]);
    });

    it("finds nothing between a render and itself, and every file added against nothing (a stack new since the ref)", () => {
        assert.deepEqual(compareRenders(after, after), { changes: [], unchanged: 3 });
        const fromNothing = compareRenders([], after);
        assert.deepEqual(fromNothing.changes.map((c) => `${c.status} ${c.path}`), ["added deployment-a.yaml", "added outputs.yaml", "added service-new.yaml"]);
        assert.equal(summaryLine(fromNothing), "3 added, 0 changed, 0 replaced, 0 removed (0 unchanged)");
    });
});
