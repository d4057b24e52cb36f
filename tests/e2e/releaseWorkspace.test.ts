import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { clearReleaseVariables, stackUpdates, Stopper, updateFailure } from "../../tools/release/workspace";
import { FakePulumi, installFakePulumi } from "../fakePulumi";

/**
 * The release's Automation API workspace (tools/release/workspace.ts, decision 0008) against the
 * tests' fake pulumi: which commands the SDK runs for one update, that none selects a stack or
 * decrypts a secret, and that `Stopper` sends the running update one SIGINT, then a second.
 */
describe("the release's Automation API workspace, against the fake pulumi", function () {
    this.timeout(60000);
    const image = (n: number) => `ghcr.io/acme/api@sha256:${String(n).repeat(64)}`;
    let root: string;
    let project: string;
    let fake: FakePulumi;
    let saved: NodeJS.ProcessEnv;

    beforeEach(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "release-workspace-"));
        project = path.join(root, "project");
        fs.mkdirSync(project);
        fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: demo\nruntime: nodejs\n");
        execFileSync("git", ["init", "-q", "-b", "main"], { cwd: project });
        execFileSync("git", ["-c", "user.email=ci@example.com", "-c", "user.name=CI", "commit", "-q", "--allow-empty", "-m", "one"], { cwd: project });
        const history = path.join(root, "history.json");
        fs.writeFileSync(history, "[]");
        fake = installFakePulumi(root, { history, outputs: { production: { releases: { api: [{ image: image(1), source: "registry" }] }, token: "[secret]" } }, images: { api: image(2) } });
        // The Automation API runs the CLI with this process's environment: the fake's, for the test.
        saved = { ...process.env };
        Object.assign(process.env, { PATH: fake.env.PATH, FAKE_PULUMI_LOG: fake.env.FAKE_PULUMI_LOG, FAKE_PULUMI_HISTORY: fake.env.FAKE_PULUMI_HISTORY, FAKE_PULUMI_OUTPUTS: fake.env.FAKE_PULUMI_OUTPUTS, FAKE_PULUMI_IMAGES: fake.env.FAKE_PULUMI_IMAGES });
    });
    afterEach(() => {
        for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
        Object.assign(process.env, saved);
        fs.rmSync(root, { recursive: true, force: true });
    });

    const quiet = { out: () => undefined, err: () => undefined };

    it("runs one update as `up --exec-kind auto.local --stack <stack>` with the variables given; selects no stack; reads outputs masked, never with --show-secrets", async () => {
        const updates = await stackUpdates("acme/demo/production", project, () => undefined);
        assert.deepEqual(await updates.outputs(), { releases: { api: [{ image: image(1), source: "registry" }] }, token: "[secret]" });
        const canary = JSON.stringify({ weight: 10, stable: { api: image(1) }, promote: false });
        await updates.up({ PLATFORM_CANARY: canary }, "canary release abc1234-20261130T120000Z: step 1/3", new Stopper(), quiet);
        const calls = fake.calls();
        assert.deepEqual(
            calls.map((c) => c.argv.join(" ")),
            [
                "version",
                "stack output --json --stack acme/demo/production",
                "up --yes --skip-preview --message canary release abc1234-20261130T120000Z: step 1/3 --exec-kind auto.local --stack acme/demo/production --non-interactive",
                "stack output --json --stack acme/demo/production",
                "stack history --json --page-size 1 --page 1 --stack acme/demo/production --non-interactive",
            ],
        );
        assert.ok(!calls.some((c) => c.argv.includes("select") || c.argv.includes("--show-secrets")));
        assert.deepEqual(
            calls.map((c) => c.canary),
            [null, null, canary, null, canary],
            "the update saw PLATFORM_CANARY (and the SDK's history read after it, which runs no program); the reads of outputs did not",
        );
        assert.deepEqual((await updates.outputs()).canary, { weight: 10, services: { api: image(2) } }, "the fake keeps the outputs as the program would");
    });

    it("a failed update rejects with pulumi's exit code, said in one line", async () => {
        process.env.FAKE_PULUMI_UP_EXIT = "255";
        const updates = await stackUpdates("production", project, () => undefined);
        const failure = await updates.up({}, "canary release abc1234-20261130T120000Z: done", new Stopper(), quiet).then(
            () => assert.fail("expected a failure"),
            (e: unknown) => updateFailure(e),
        );
        assert.equal(failure, "'pulumi up' exited 255 (its output is above)");
    });

    it("Stopper: cancel() sends the running update one SIGINT (pulumi cancels); terminate() a second (pulumi stops at once)", async () => {
        Object.assign(process.env, { FAKE_PULUMI_UP_SLEEP: "20000" });
        const updates = await stackUpdates("production", project, () => undefined);
        const waitFor = async (file: string) => {
            while (!fs.existsSync(file)) await new Promise((resolve) => setTimeout(resolve, 50));
        };
        const cancelled = new Stopper();
        const started = Date.now();
        const first = updates.up({}, "canary release abc1234-20261130T120000Z: step 1/3", cancelled, quiet);
        await waitFor(`${fake.log}.updating`);
        cancelled.cancel();
        await assert.rejects(first, /Command failed with exit code 255/);
        fs.rmSync(`${fake.log}.updating`);
        const terminated = new Stopper();
        const second = updates.up({}, "canary release abc1234-20261130T120000Z: abort", terminated, quiet);
        await waitFor(`${fake.log}.updating`);
        terminated.terminate();
        await assert.rejects(second, /Command failed with exit code 255/);
        assert.ok(Date.now() - started < 15000, "neither waited for the 20 s update");
        assert.deepEqual(fake.signals(), [
            { message: "canary release abc1234-20261130T120000Z: step 1/3", signal: "SIGINT", action: "cancel" },
            { message: "canary release abc1234-20261130T120000Z: abort", signal: "SIGINT", action: "cancel" },
            { message: "canary release abc1234-20261130T120000Z: abort", signal: "SIGINT", action: "terminate" },
        ]);
    });

    it("clears PLATFORM_CANARY and PLATFORM_PINNED_IMAGES a shell left set, which the CLI would inherit", () => {
        const env: NodeJS.ProcessEnv = { PLATFORM_CANARY: "{}", PLATFORM_PINNED_IMAGES: "{}", HOME: "/home/x" };
        assert.deepEqual(clearReleaseVariables(env), ["PLATFORM_CANARY", "PLATFORM_PINNED_IMAGES"]);
        assert.deepEqual(env, { HOME: "/home/x" });
    });
});
