import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { deepFreeze, memo } from "../../tools/memo";
import { readStackFiles } from "../../tools/harness/stackFiles";
import { PROJECT, REPO } from "../support";

describe("tools/memo: a pure function's answers, the most recent kept", () => {
    it("computes once per key, keeps the most recently used `size` keys, and remembers no failure", () => {
        const calls: string[] = [];
        const length = memo((s: string) => {
            calls.push(s);
            if (s === "bad") throw new Error("refused");
            return s.length;
        }, 2);
        assert.equal(length("a"), 1);
        assert.equal(length("bb"), 2);
        assert.equal(length("a"), 1, "a is now the most recently used");
        assert.equal(length("ccc"), 3, "bb, the least recently used, goes");
        assert.equal(length("a"), 1);
        assert.equal(length("bb"), 2);
        assert.deepEqual(calls, ["a", "bb", "ccc", "bb"]);
        assert.throws(() => length("bad"), /refused/);
        assert.throws(() => length("bad"), /refused/);
        assert.deepEqual(calls.filter((c) => c === "bad"), ["bad", "bad"], "a failure is asked again");
    });

    it("deepFreeze freezes nested objects, arrays and a Map's values, and leaves an Error as it is", () => {
        const error = new Error("kept");
        const v = deepFreeze({ a: { b: [1, { c: 2 }] }, m: new Map([["k", { d: 3 }]]), error });
        assert.ok(Object.isFrozen(v) && Object.isFrozen(v.a) && Object.isFrozen(v.a.b) && Object.isFrozen(v.a.b[1]));
        assert.ok(Object.isFrozen(v.m.get("k")));
        assert.equal(Object.isFrozen(error), false);
        assert.throws(() => ((v.a.b[1] as { c: number }).c = 5), TypeError, "strict mode: writing a frozen value throws");
    });
});

describe("tools/harness/stackFiles: files parsed once per text", () => {
    it("reads an edited stack file afresh, and hands each caller a configuration it may change", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-memo-"));
        try {
            for (const f of ["Pulumi.yaml", "Pulumi.staging.yaml"]) fs.copyFileSync(path.join(REPO, f), path.join(dir, f));
            const namespace = () => JSON.parse(readStackFiles(dir, "staging", { fillSecrets: true }).config[`${PROJECT}:environment`]).namespace;
            assert.equal(namespace(), "hft-staging");
            const file = path.join(dir, "Pulumi.staging.yaml");
            fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("namespace: hft-staging", "namespace: hft-edited"));
            assert.equal(namespace(), "hft-edited");
            const first = readStackFiles(dir, "staging", { fillSecrets: true });
            first.config[`${PROJECT}:environment`] = "{}";
            first.secretKeys.push("changed");
            const second = readStackFiles(dir, "staging", { fillSecrets: true });
            assert.equal(JSON.parse(second.config[`${PROJECT}:environment`]).namespace, "hft-edited");
            assert.ok(!second.secretKeys.includes("changed"));
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
