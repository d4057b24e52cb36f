import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { growCopy } from "./grow";

/**
 * The README's promise, checked: adding a service and an environment is configuration only. A
 * copy of the repository gets `market-maker` and a `qa` stack (tests/e2e/grow.ts), then
 * `npm run generate`; the in-process suite and a render of every stack pass there with no other
 * edit, and the grown stack's changes are all in derived files a reviewer sees in the diff.
 */
describe("adding a service and an environment touches configuration only", function () {
    this.timeout(600000);
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-grow-"));
        growCopy(dir);
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const node = (args: string[]) => spawnSync(process.execPath, args, { cwd: dir, encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0" } });
    const tail = (r: { stdout: string; stderr: string }) => `${r.stdout}\n${r.stderr}`.split("\n").slice(-40).join("\n");

    it("npm run generate rewrites the derived files for the new service and stack, then finds nothing stale", () => {
        const generate = node(["-r", "ts-node/register", "tools/generate.ts"]);
        assert.equal(generate.status, 0, tail(generate));
        assert.ok(fs.existsSync(path.join(dir, "tests/snapshots/qa/deployment-market-maker.yaml")), "the qa stack's snapshot holds the new service");
        assert.match(fs.readFileSync(path.join(dir, ".github/workflows/pull-request.yml"), "utf8"), /stack: \[staging, production, qa\]/);
        const check = node(["-r", "ts-node/register", "tools/generate.ts", "--check"]);
        assert.equal(check.status, 0, tail(check));
    });

    it("the type check and the linter are clean on the grown copy (generated code included)", () => {
        const tsc = node([path.join(dir, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", "."]);
        assert.equal(tsc.status, 0, tail(tsc));
        const lint = node([path.join(dir, "node_modules", "eslint", "bin", "eslint.js"), "."]);
        assert.equal(lint.status, 0, tail(lint));
    });

    // The end-to-end suite is not run inside the copy: it holds this test, which would start again.
    it("npm test passes on the grown copy", () => {
        const test = node([path.join(dir, "node_modules", "mocha", "bin", "mocha.js")]);
        assert.equal(test.status, 0, tail(test));
    });

    it("every stack renders, the new one included, with no mandatory policy finding", () => {
        for (const stack of ["staging", "production", "qa"]) {
            const r = node(["-r", "ts-node/register", "tools/render.ts", stack, "--out", path.join(dir, "rendered", stack)]);
            assert.equal(r.status, 0, `${stack}: ${tail(r)}`);
        }
    });
});
