import { strict as assert } from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PULUMI } from "../../tools/pulumi/commands";
import { installFakePulumi } from "../fakePulumi";

/**
 * The tests' fake `pulumi` (tests/fakePulumi.ts), shared by every tool that drives the CLI, answers
 * every command the tools run (tools/pulumi/commands.ts, decision 0006), as the CLI would: a
 * command added there without teaching the fake fails here, not as an exit 99 in a tool's test.
 */
describe("the tests' fake pulumi answers every command the tools run", function () {
    this.timeout(30000);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pulumi-"));
    const project = path.join(root, "project");
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: demo\nruntime: nodejs\n");
    const git = (...args: string[]) => execFileSync("git", args, { cwd: project, encoding: "utf8" }).trim();
    git("init", "-q", "-b", "main");
    git("-c", "user.email=ci@example.com", "-c", "user.name=CI", "commit", "-q", "--allow-empty", "-m", "one");
    const head = git("rev-parse", "HEAD");
    const history = path.join(root, "history.json");
    fs.writeFileSync(history, JSON.stringify([{ version: 1, kind: "update", result: "succeeded", message: "deploy 1", environment: { "git.head": head, "git.dirty": "false" } }]));
    const states = path.join(root, "states");
    fs.mkdirSync(states);
    fs.writeFileSync(path.join(states, "v1.json"), JSON.stringify({ version: 3, deployment: { resources: [] } }));
    const fake = installFakePulumi(root, { history, states, outputs: { staging: { releases: { api: [{ image: "r/api@sha256:1" }] } } } });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    const pulumi = (args: readonly string[]) => spawnSync("pulumi", args, { cwd: project, env: fake.env, encoding: "utf8" });
    const json = (text: string) => JSON.parse(text) as unknown;

    /** A call of each command, and what its answer must hold. */
    const cases: Record<keyof typeof PULUMI, { readonly args: readonly string[]; readonly check: (stdout: string) => void }> = {
        history: { args: PULUMI.history("acme/demo/production"), check: (out) => assert.equal((json(out) as { version: number }[])[0].version, 1) },
        latestUpdate: { args: PULUMI.latestUpdate("acme/demo/staging"), check: (out) => assert.deepEqual((json(out) as { version: number; result: string }[]).map((u) => [u.version, u.result]), [[1, "succeeded"]]) },
        exportVersion: { args: PULUMI.exportVersion("production", 1), check: (out) => assert.deepEqual(json(out), { version: 3, deployment: { resources: [] } }) },
        output: { args: PULUMI.output("acme/demo/staging", "releases"), check: (out) => assert.deepEqual(json(out), { api: [{ image: "r/api@sha256:1" }] }) },
        outputs: { args: PULUMI.outputs("acme/demo/staging"), check: (out) => assert.deepEqual(json(out), { releases: { api: [{ image: "r/api@sha256:1" }] } }) },
        preview: { args: PULUMI.preview("production", "rollback to v1 (abc1234)"), check: (out) => assert.equal(out, "") },
        up: {
            args: PULUMI.up("production", "rollback to v1 (abc1234)"),
            check: () => {
                const newest = (json(fs.readFileSync(history, "utf8")) as { version: number; message: string; environment: Record<string, string> }[])[0];
                assert.deepEqual([newest.version, newest.message, newest.environment["git.head"]], [2, "rollback to v1 (abc1234)", head], "recorded in the history, as the CLI does");
            },
        },
    };

    it("covers the whole table", () => {
        assert.deepEqual(Object.keys(cases).sort(), Object.keys(PULUMI).sort());
    });

    for (const [name, { args, check }] of Object.entries(cases)) {
        it(`${name}: pulumi ${args.join(" ")}`, () => {
            const r = pulumi(args);
            assert.equal(r.status, 0, r.stderr);
            check(r.stdout);
            assert.deepEqual(fake.calls().at(-1)?.argv, [...args], "logged as called");
        });
    }

    it("answers nothing else: another command exits 99, saying so; an export without --version finds no state", () => {
        const r = pulumi(["stack", "export", "--show-secrets", "--stack", "production"]);
        assert.equal(r.status, 255, "export without --version: the backend's error");
        const other = pulumi(["cancel", "--yes", "--stack", "production"]);
        assert.deepEqual([other.status, other.stderr], [99, "fake pulumi: unexpected cancel --yes --stack production\n"]);
    });
});
