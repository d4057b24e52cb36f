import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { appendOutcome, oneLine, outputLines } from "../../tools/rollback/outcome";
import { withoutCredentials } from "../../tools/rollback/main";

describe("the rollback's outcome for CI (GITHUB_OUTPUT)", () => {
    it("writes key=value lines: outcome, then version and reason when known", () => {
        assert.equal(outputLines({ outcome: "rolled-back", version: 41 }), "outcome=rolled-back\nversion=41\n");
        assert.equal(outputLines({ outcome: "nothing-to-roll-back", reason: "v2 is healthy" }), "outcome=nothing-to-roll-back\nreason=v2 is healthy\n");
        assert.equal(outputLines({ outcome: "refused", version: 4, reason: "a=b, c" }), "outcome=refused\nversion=4\nreason=a=b, c\n");
    });

    it("keeps a reason on one line, whatever line breaks it holds", () => {
        assert.equal(oneLine("failed (exit 1): error: one\r\n  at two\rthree\n\nfour\n"), "failed (exit 1): error: one at two three four");
        assert.equal(outputLines({ outcome: "failed", reason: "a\nb" }), "outcome=failed\nreason=a b\n");
    });

    it("appends to the file GITHUB_OUTPUT names, does nothing without it, and says when it cannot write", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "outcome-"));
        try {
            const file = path.join(dir, "output");
            fs.writeFileSync(file, "other=1\n");
            const said: string[] = [];
            appendOutcome({ GITHUB_OUTPUT: file }, { outcome: "rolled-back", version: 2 }, (l) => said.push(l));
            appendOutcome({}, { outcome: "failed", reason: "x" }, (l) => said.push(l));
            assert.equal(fs.readFileSync(file, "utf8"), "other=1\noutcome=rolled-back\nversion=2\n");
            appendOutcome({ GITHUB_OUTPUT: path.join(dir, "missing", "output") }, { outcome: "failed", reason: "x" }, (l) => said.push(l));
            assert.equal(said.length, 1);
            assert.match(said[0], /^rollback: could not append the outcome \(failed\) to \$GITHUB_OUTPUT, .*missing\/output: ENOENT/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("the rollback's npm ci environment", () => {
    it("holds no Pulumi token, passphrase, cloud or GitHub credential; keeps npm's own token and the rest", () => {
        const env = withoutCredentials({
            PATH: "/usr/bin",
            HOME: "/home/ci",
            PULUMI_ACCESS_TOKEN: "pul-123",
            PULUMI_CONFIG_PASSPHRASE: "p",
            GITHUB_TOKEN: "ghs_1",
            ACTIONS_ID_TOKEN_REQUEST_TOKEN: "oidc",
            NPM_TOKEN: "npm_1",
            REGISTRY_PASSWORD: "x",
            AWS_SECRET_ACCESS_KEY: "a",
            PULUMI_HOME: "/home/ci/.pulumi",
        });
        assert.deepEqual(Object.keys(env).sort(), ["HOME", "NPM_TOKEN", "PATH", "PULUMI_HOME"]);
    });
});
