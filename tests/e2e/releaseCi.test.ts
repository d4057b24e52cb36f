import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { Metrics, start, useFixtures } from "./releaseFixture";

/**
 * `npm run release` as the deploy job of a driven stack runs it (docs/delivery.md): with the
 * policy pack and its config CI's plain updates get, and `$GITHUB_OUTPUT` set, against the fake
 * pulumi and a fake Prometheus.
 */
describe("npm run release in CI: the policy pack on every update, and the outcome in $GITHUB_OUTPUT", function () {
    this.timeout(120000);
    const make = useFixtures();
    const POLICY = ["--policy-pack", "policy-pack", "--policy-pack-config", "policy-config/production.json"];
    /** The argument after `flag` in each `up` the fake ran. */
    const upArgs = (calls: { argv: string[] }[], flag: string) => calls.filter((c) => c.argv[0] === "up").map((c) => (c.argv.includes(flag) ? c.argv[c.argv.indexOf(flag) + 1] : undefined));
    const failingAt50: Metrics = (weight, q) => (q.startsWith("sum(kube_pod") ? 0 : weight >= 50 ? 0.2 : 0.001);

    it("a healthy release: each of its five updates runs with --policy-pack and --policy-pack-config; outcome=promoted", async () => {
        const f = await make();
        const output = path.join(f.root, "output.txt");
        const r = start(f, { GITHUB_OUTPUT: output }, POLICY);
        assert.equal(await r.exit(), 0, r.stderr());
        const calls = f.pulumi.calls();
        assert.deepEqual(upArgs(calls, "--policy-pack"), Array(5).fill("policy-pack"));
        assert.deepEqual(upArgs(calls, "--policy-pack-config"), Array(5).fill("policy-config/production.json"));
        assert.equal(fs.readFileSync(output, "utf8"), "outcome=promoted\nreason=released: every step passed and the new version was promoted\n");
    });

    it("a failing check at 50%: the abort is judged by the pack too; outcome=aborted, exit 4", async () => {
        const f = await make(failingAt50);
        const output = path.join(f.root, "output.txt");
        const r = start(f, { GITHUB_OUTPUT: output }, POLICY);
        assert.equal(await r.exit(), 4, r.stderr());
        assert.deepEqual(upArgs(f.pulumi.calls(), "--policy-pack"), ["policy-pack", "policy-pack", "policy-pack"], "steps 1 and 2, then the abort");
        assert.equal(fs.readFileSync(output, "utf8"), "outcome=aborted\nreason=a check failed at step 2/3 (50%): orchestrator: prometheus = 0.2 (max 0.01)\n");
    });

    it("a first deploy: one update, with the pack; outcome=first-deploy", async () => {
        const f = await make();
        fs.writeFileSync(f.pulumi.env.FAKE_PULUMI_OUTPUTS!, JSON.stringify({ production: {} }));
        const output = path.join(f.root, "output.txt");
        const r = start(f, { GITHUB_OUTPUT: output }, POLICY);
        assert.equal(await r.exit(), 0, r.stderr());
        assert.deepEqual(upArgs(f.pulumi.calls(), "--policy-pack-config"), ["policy-config/production.json"]);
        assert.equal(fs.readFileSync(output, "utf8"), "outcome=first-deploy\nreason=first deploy of orchestrator, without a canary (they ran nothing yet)\n");
    });

    it("without the options, no update names a policy pack (a release run by hand)", async () => {
        const f = await make();
        const r = start(f);
        assert.equal(await r.exit(), 0, r.stderr());
        assert.deepEqual(upArgs(f.pulumi.calls(), "--policy-pack"), Array(5).fill(undefined));
    });
});
