import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REPO, TS_NODE_ARGS, TS_NODE_ENV } from "../support";
import { ABORT, DONE, env, git, healthy, lastWeight, Metrics, NEW, PROMOTE, ROLLBACK, STABLE, start, step, TOOL, updates, useFixtures } from "./releaseFixture";
import { until } from "./waits";

/**
 * `npm run release`, run for real as a subprocess in a temporary git repository holding the
 * repository's Pulumi.yaml and production's stack file turned to driven canaries (the
 * orchestrator, steps 10/50/100 of 1 s, checks every 1 s), against the tests' fake `pulumi` (its
 * updates through the Automation API) and a fake Prometheus on localhost whose answers follow the
 * weight of the last update.
 */

describe("npm run release (driven canary) against the fake pulumi and a fake Prometheus", function () {
    this.timeout(120000);
    const make = useFixtures();

    it("a healthy release promotes through every step (10, 50, 100, promote, final) and exits 0; the releases output then names the new image", async () => {
        const f = await make();
        const r = start(f);
        const code = await r.exit();
        assert.equal(code, 0, r.stderr());
        assert.deepEqual(updates(f), [step(10, 1), step(50, 2), step(100, 3), PROMOTE, DONE]);
        const calls = f.pulumi.calls();
        assert.ok(!calls.some((c) => c.argv.includes("--show-secrets") || c.argv.includes("select")), "no secret decrypted, no stack selected");
        assert.ok(calls.filter((c) => c.argv[0] === "up").every((c) => c.argv.includes("auto.local") && c.head === f.release), "through the Automation API, from the release's commit");
        const queries = f.prometheus.queries;
        assert.ok(queries.includes('sum(kube_pod_container_status_restarts_total{namespace="hft-production",pod=~"orchestrator-canary-[a-z0-9]+-[a-z0-9]+"})'), queries[0]);
        assert.ok(queries.some((q) => q.startsWith('sum(rate(http_requests_total{namespace="hft-production",pod=~"orchestrator-canary-[a-z0-9]+-[a-z0-9]+",code=~"5.."}[1m]))')));
        const outputs = JSON.parse(fs.readFileSync(f.pulumi.env.FAKE_PULUMI_OUTPUTS!, "utf8")) as { production: { releases: { orchestrator: { image: string }[] }; canary?: unknown } };
        assert.deepEqual(outputs.production.releases.orchestrator.map((e) => e.image), [NEW, STABLE]);
        assert.equal(outputs.production.canary, undefined);
        assert.equal(git(f.dir, "status", "--porcelain"), "", "the working tree stays clean");
        const summary = fs.readFileSync(f.summary, "utf8");
        assert.deepEqual(
            summary.split("\n").filter((l) => /^\| (\d\/3|promote|done) /.test(l)).map((l) => l.split(" | ").slice(0, 3).join(" | ")),
            ["| 1/3 | 10% | 1s", "| 2/3 | 50% | 1s", "| 3/3 | 100% | 1s", "| promote | 100% | -", "| done | - | -"],
        );
        assert.match(summary, /ok orchestrator: restarts = 0 \(max 0\)<br>ok orchestrator: prometheus = 0.001 \(max 0.01\) \| passed \|/);
        assert.match(summary, /\*\*Outcome:\*\* released/);
    });

    it("--percentage 25 releases through 25% and then all traffic instead of the configured 10, 50, 100, and promotes", async () => {
        const f = await make();
        const r = start(f, {}, ["--percentage", "25"]);
        assert.equal(await r.exit(), 0, r.stderr());
        const given = (weight: number, n: number) => ({ ...step(weight, n), step: `step ${n}/2` });
        assert.deepEqual(updates(f), [given(25, 1), given(100, 2), PROMOTE, DONE]);
        assert.match(r.stdout(), /in 2 steps: 25%, 100%/);
        assert.equal(git(f.dir, "status", "--porcelain"), "", "the stack file is not edited");
    });

    it("a failing check at 50% aborts, exits 4 naming the check, value, threshold and step; the last update pins the stable image with no canary", async () => {
        const f = await make((weight, q) => (q.startsWith("sum(kube_pod") ? 0 : weight >= 50 ? 0.2 : 0.001));
        const r = start(f);
        assert.equal(await r.exit(), 4, r.stderr());
        assert.deepEqual(updates(f), [step(10, 1), step(50, 2), ABORT]);
        assert.match(r.stderr(), /^release: a check failed at step 2\/3 \(50%\): orchestrator: prometheus = 0\.2 \(max 0\.01\)$/m);
        const outputs = JSON.parse(fs.readFileSync(f.pulumi.env.FAKE_PULUMI_OUTPUTS!, "utf8")) as { production: { releases: { orchestrator: { image: string }[] }; canary?: unknown } };
        assert.equal(outputs.production.releases.orchestrator[0].image, STABLE, "the stable version serving");
        assert.equal(outputs.production.canary, undefined, "no canary");
        assert.match(fs.readFileSync(f.summary, "utf8"), /\| 2\/3 \| 50% \| 1s \| ok orchestrator: restarts = 0 \(max 0\)<br>FAILED orchestrator: prometheus = 0\.2 \(max 0\.01\) \| failed/);
    });

    it("no data from Prometheus fails the check, suggesting 'or vector(0)'", async () => {
        const f = await make((_, q) => (q.startsWith("sum(kube_pod") ? 0 : "no data"));
        const r = start(f);
        assert.equal(await r.exit(), 4, r.stderr());
        assert.deepEqual(updates(f), [step(10, 1), ABORT]);
        assert.match(r.stderr(), /orchestrator: prometheus: the query returned no data \(append 'or vector\(0\)' to the query if no data means none happened\)/);
    });

    it("an update that fails during a step aborts, exit 3", async () => {
        const f = await make();
        const r = start(f, { FAKE_PULUMI_UP_FAIL_WHEN: "step 2/3" });
        assert.equal(await r.exit(), 3, r.stderr());
        assert.deepEqual(updates(f), [step(10, 1), step(50, 2), ABORT]);
        assert.match(r.stderr(), /^release: the update of step 2\/3, 50% failed: 'pulumi up' exited 255/m);
    });

    for (const n of [1, 2, 3]) {
        it(`Ctrl-C during step ${n}'s window aborts to the stable version with one update, exit 130`, async () => {
            const f = await make();
            const r = start(f);
            await until(() => r.stdout().includes(`step ${n}/3: watching`), `step ${n}'s window; stdout: ${r.stdout()}`);
            r.child.kill("SIGINT");
            assert.equal(await r.exit(), 130, r.stderr());
            assert.deepEqual(updates(f), [...[10, 50, 100].slice(0, n).map((w, i) => step(w, i + 1)), ABORT]);
            assert.match(r.stderr(), /^release: aborted \(interrupted by SIGINT\): the stable version takes all traffic again/m);
            assert.equal(lastWeight(f.pulumi), 0, "no canary after the abort");
        });

        it(`Ctrl-C during step ${n}'s update lets it finish, then aborts, exit 130`, async () => {
            const f = await make();
            const r = start(f, { FAKE_PULUMI_UP_SLEEP: "1500", FAKE_PULUMI_UP_SLEEP_WHEN: `step ${n}/3` });
            await until(() => fs.existsSync(`${f.pulumi.log}.updating`), "the update started");
            r.child.kill("SIGINT");
            assert.equal(await r.exit(), 130, r.stderr());
            assert.deepEqual(updates(f), [...[10, 50, 100].slice(0, n).map((w, i) => step(w, i + 1)), ABORT]);
            assert.deepEqual(f.pulumi.signals(), [], "the update itself was not signalled again (a terminal sends pulumi its own Ctrl-C)");
        });
    }

    it("SIGTERM during an update cancels it (one SIGINT to pulumi), then aborts, exit 143", async () => {
        const f = await make();
        const r = start(f, { FAKE_PULUMI_UP_SLEEP: "20000", FAKE_PULUMI_UP_SLEEP_WHEN: "step 2/3" });
        await until(() => fs.existsSync(`${f.pulumi.log}.updating`), "the update started");
        r.child.kill("SIGTERM");
        assert.equal(await r.exit(), 143, r.stderr());
        assert.deepEqual(updates(f), [step(10, 1), step(50, 2), ABORT]);
        assert.deepEqual(f.pulumi.signals().map((s) => s.action), ["cancel"]);
    });

    it("a second Ctrl-C stops at once: the running abort update is terminated, and the traffic state and the command that finishes the abort are printed", async () => {
        const f = await make();
        const r = start(f, { FAKE_PULUMI_UP_SLEEP: "20000", FAKE_PULUMI_UP_SLEEP_WHEN: "abort" });
        await until(() => r.stdout().includes("step 2/3: watching"), "step 2's window");
        r.child.kill("SIGINT");
        await until(() => fs.existsSync(`${f.pulumi.log}.updating`), "the abort update started");
        const started = Date.now();
        r.child.kill("SIGINT");
        assert.equal(await r.exit(), 130, r.stderr());
        assert.ok(Date.now() - started < 10000, "at once, not after the 20 s update");
        assert.deepEqual(updates(f), [step(10, 1), step(50, 2), ABORT]);
        assert.deepEqual(f.pulumi.signals().map((s) => [s.signal, s.action]), [["SIGINT", "cancel"], ["SIGINT", "terminate"]]);
        const lines = r.stderr().split("\n");
        const from = lines.findIndex((l) => l.startsWith("release: stopped at once (SIGINT, the second signal)"));
        assert.ok(from >= 0, r.stderr());
        assert.deepEqual(lines.slice(from + 1, from + 5), [
            "release: traffic now: the canary takes 50% of traffic (the last update that finished: 2/3)",
            "release: the update of abort was stopped part-way: some of its changes may be applied (see 'pulumi stack --stack production')",
            "release: the abort update started and was stopped before it finished",
            "release: to finish the abort by hand (without PLATFORM_CANARY, the stable images pinned):",
        ]);
        assert.match(lines[from + 5], new RegExp(`^release: {3}PLATFORM_PINNED_IMAGES='\\{"orchestrator":"${STABLE.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}"\\}' pulumi up --stack 'production' --message 'canary release [0-9a-f]{7}-[0-9T]+Z: abort \\(finished by hand\\)`));
    });

    it("refuses (exit 1) a stack whose canaries run in-cluster, before any update", async () => {
        const f = await make();
        const file = path.join(f.dir, "Pulumi.production.yaml");
        fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("mode: driven", "mode: in-cluster"));
        const r = spawnSync(process.execPath, [...TS_NODE_ARGS, TOOL, "--stack", "production"], { cwd: f.dir, env: env(f), encoding: "utf8" });
        assert.equal(r.status, 1, r.stderr);
        assert.match(r.stderr, /^release: stack production runs its canaries in-cluster \(environment\.canary\.mode\): in-cluster mode releases through a plain 'pulumi up --stack production'/);
        assert.deepEqual(updates(f), []);
    });

    it("a first deploy (no stable image yet) is one plain update, exit 0", async () => {
        const f = await make();
        fs.writeFileSync(f.pulumi.env.FAKE_PULUMI_OUTPUTS!, JSON.stringify({ production: {} }));
        const r = spawnSync(process.execPath, [...TS_NODE_ARGS, TOOL, "--stack", "production"], { cwd: f.dir, env: env(f), encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(updates(f), [{ step: "first deploy", canary: null, pinned: null }]);
    });

    for (const [what, metrics, code] of [
        ["a promoted release", healthy, 0],
        ["an aborted release", ((weight, q) => (q.startsWith("sum(kube_pod") ? 0 : weight >= 50 ? 0.2 : 0.001)) as Metrics, 4],
    ] as const) {
        it(`npm run rollback -- --previous after ${what} goes back to the version before it, with its images`, async () => {
            const f = await make(metrics);
            assert.equal(await start(f).exit(), code);
            const r = spawnSync(process.execPath, [...TS_NODE_ARGS, ROLLBACK, "--stack", "production", "--previous", "--yes"], { cwd: f.dir, env: env(f), encoding: "utf8" });
            assert.equal(r.status, 0, r.stderr);
            const up = f.pulumi.calls().filter((c) => c.argv[0] === "up").at(-1)!;
            assert.equal(up.argv[up.argv.indexOf("--message") + 1], `rollback to v1 (${f.before.slice(0, 7)})`);
            assert.equal(up.head, f.before, "the commit before the release");
            assert.deepEqual(JSON.parse(up.pinned!), { orchestrator: STABLE }, "the image it ran");
        });
    }

    it("--dry-run prints the plan (steps, the stable image, each check's query) and runs no update", async () => {
        const f = await make();
        const r = spawnSync(process.execPath, [...TS_NODE_ARGS, TOOL, "--stack", "production", "--dry-run"], { cwd: f.dir, env: env(f), encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(r.stdout.split("\n").slice(0, 3), [
            `steps: 10% for 1s, 50% for 1s, 100% for 1s; checks every 1s through ${f.prometheus.url}`,
            `orchestrator: stable ${STABLE}`,
            '  orchestrator: restarts <= 0: sum(kube_pod_container_status_restarts_total{namespace="hft-production",pod=~"orchestrator-canary-[a-z0-9]+-[a-z0-9]+"})',
        ]);
        assert.deepEqual(updates(f), []);
    });

    it("npm run release -- --help prints the help as a process and exits 0", () => {
        const r = spawnSync(process.execPath, [...TS_NODE_ARGS, TOOL, "--help"], { cwd: REPO, env: { ...process.env, ...TS_NODE_ENV }, encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /^usage: npm run release -- --stack <stack> \[--percentage <weight>\[,<weight>\.\.\.\]\] \[--policy-pack <dir> \[--policy-pack-config <file>\]\] \[--dry-run\]\n/);
    });
});
