import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import { expectedDigest, KEYS } from "../locales";
import { REPO, TS_NODE_ARGS, TS_NODE_ENV } from "../support";

describe("ordering is the same in every locale: a whole process", function () {
    it("a process started with LANG=et_EE computes the same digest", function () {
        this.timeout(60000);
        const script = `const { digest } = require("./components/digest");
            console.log(JSON.stringify({ collation: ["TZ", "ZONE"].sort((a, b) => a.localeCompare(b)), digest: digest(${JSON.stringify(KEYS)}) }));`;
        const out = execFileSync(process.execPath, [...TS_NODE_ARGS, "-e", script], {
            cwd: REPO,
            env: { ...process.env, ...TS_NODE_ENV, LANG: "et_EE.UTF-8", LC_ALL: "et_EE.UTF-8" },
            encoding: "utf8",
        });
        const child = JSON.parse(out.trim().split("\n").pop()!) as { collation: string[]; digest: string };
        if (child.collation[0] !== "ZONE") this.skip(); // this Node has no Estonian collation
        assert.equal(child.digest, expectedDigest);
    });
});
