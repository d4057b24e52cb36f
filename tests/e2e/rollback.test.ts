import { strict as assert } from "assert";
import { execFileSync, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { installFakePulumi, PulumiCall } from "../fakePulumi";
import { REPO, TS_NODE_ARGS, TS_NODE_ENV } from "../support";
import { until, within } from "./waits";

/**
 * The rollback command, run for real against a temporary git repository, with a fake `pulumi`
 * on PATH (tests/fakePulumi.ts) that answers from recorded history and state and logs how it was called.
 */

const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8" }).trim();
const DIGEST = `sha256:${"c0ffee".repeat(10)}abcd`;

interface Fixture {
    readonly root: string;
    readonly repo: string;
    readonly commits: { a: string; b: string; c: string };
    readonly log: string;
    readonly env: NodeJS.ProcessEnv;
    /** The calls the fake pulumi logged so far. */
    readonly pulumiCalls: () => PulumiCall[];
}

function update(version: number, result: string, environment: Record<string, string> | undefined, kind = "update") {
    return { version, kind, result, startTime: `2026-11-${10 + version}T09:00:00.000Z`, message: `deploy ${version}`, ...(environment ? { environment } : {}) };
}

function fixture(history: (c: { a: string; b: string; c: string }) => object[]): Fixture {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "rollback-test-"));
    const repo = path.join(root, "repo");
    fs.mkdirSync(path.join(repo, "config"), { recursive: true });
    git(repo, "init", "-q", "-b", "main");
    git(repo, "config", "user.email", "ci@example.com");
    git(repo, "config", "user.name", "CI");
    fs.writeFileSync(path.join(repo, "Pulumi.yaml"), "name: hft-platform\nruntime: nodejs\n");
    // One local dependency, so that 'npm ci' in the worktree visibly installs something, offline.
    fs.mkdirSync(path.join(repo, "vendor", "local-dep"), { recursive: true });
    fs.writeFileSync(path.join(repo, "vendor", "local-dep", "package.json"), JSON.stringify({ name: "local-dep", version: "1.0.0" }));
    fs.writeFileSync(path.join(repo, "package.json"), JSON.stringify({ name: "demo", version: "1.0.0", private: true, dependencies: { "local-dep": "file:vendor/local-dep" } }));
    fs.writeFileSync(
        path.join(repo, "package-lock.json"),
        JSON.stringify({
            name: "demo",
            version: "1.0.0",
            lockfileVersion: 3,
            requires: true,
            packages: {
                "": { name: "demo", version: "1.0.0", dependencies: { "local-dep": "file:vendor/local-dep" } },
                "node_modules/local-dep": { resolved: "vendor/local-dep", link: true },
                "vendor/local-dep": { name: "local-dep", version: "1.0.0" },
            },
        }),
    );
    fs.writeFileSync(path.join(repo, ".gitignore"), "node_modules/\n");
    fs.writeFileSync(path.join(repo, "config", "pinnedImages.ts"), "// supports PLATFORM_PINNED_IMAGES\n");
    const commit = (file: string, text: string, msg: string) => {
        fs.writeFileSync(path.join(repo, file), text);
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", msg);
        return git(repo, "rev-parse", "HEAD");
    };
    const stackFile = (key: string, salt: string) =>
        `encryptionsalt: ${salt}\nconfig:\n  hft-platform:environment:\n    namespace: hft-production # as of this commit\n  hft-platform:brokerApiKey:\n    secure: ${key}\n`;
    fs.writeFileSync(path.join(repo, "Pulumi.production.yaml"), stackFile("v1:OLDKEY", "v1:OLDSALT"));
    fs.writeFileSync(path.join(repo, "Pulumi.staging.yaml"), "config:\n  hft-platform:environment:\n    namespace: hft-staging\n");
    const a = commit("release.txt", "1.4.0\n", "release 1.4.0");
    const b = commit("release.txt", "1.4.1\n", "release 1.4.1");
    // The broker key was rotated after 1.4.1 (new ciphertext, new salt).
    fs.writeFileSync(path.join(repo, "Pulumi.production.yaml"), stackFile("v1:ROTATEDKEY", "v1:NEWSALT").replace("# as of this commit", "# 1.4.2"));
    const commits = { a, b, c: commit("release.txt", "1.4.2\n", "release 1.4.2") };
    // The user's own work in progress must survive the rollback untouched.
    fs.writeFileSync(path.join(repo, "release.txt"), "1.5.0-wip\n");
    fs.writeFileSync(path.join(repo, "notes.txt"), "untracked\n");

    const states = path.join(root, "states");
    fs.mkdirSync(states);
    const deployment = (name: string, image: string) => ({ type: "kubernetes:apps/v1:Deployment", outputs: { metadata: { name }, spec: { template: { spec: { containers: [{ image }] } } } } });
    fs.writeFileSync(
        path.join(states, "v2.json"),
        JSON.stringify({
            version: 3,
            deployment: {
                resources: [
                    deployment("orchestrator", `ghcr.io/acme-trading/orchestrator@${DIGEST}`),
                    deployment("ingestion", "ghcr.io/acme-trading/hft-ingestion:1.4.1"),
                    { type: "kubernetes:core/v1:Service", outputs: { metadata: { name: "orchestrator" } } },
                ],
            },
        }),
    );
    fs.writeFileSync(path.join(root, "history.json"), JSON.stringify([...history(commits)].reverse()));
    const pulumi = installFakePulumi(root, { history: path.join(root, "history.json"), states });
    return { root, repo, commits, log: pulumi.log, env: pulumi.env, pulumiCalls: () => pulumi.calls() };
}

const clean = (c: string) => ({ "git.head": c, "git.dirty": "false", "git.headName": "refs/heads/main" });
const standardHistory = (c: { a: string; b: string; c: string }) => [
    update(1, "succeeded", clean(c.a)),
    update(2, "succeeded", clean(c.b)),
    update(3, "succeeded", undefined, "refresh"),
    update(4, "failed", clean(c.c)),
    update(5, "succeeded", { "exec.kind": "cli" }),
    update(6, "succeeded", { "git.head": c.c, "git.dirty": "true" }),
    update(7, "succeeded", clean("0123456789abcdef0123456789abcdef01234567")),
    update(8, "failed", clean(c.c)),
];

function rollback(f: Fixture, args: string[], extraEnv: Record<string, string> = {}, input = "") {
    const r = spawnSync(process.execPath, [...TS_NODE_ARGS, path.join(REPO, "tools/rollback/main.ts"), ...args], {
        cwd: f.repo,
        env: { ...f.env, ...TS_NODE_ENV, ...extraEnv },
        encoding: "utf8",
        input,
    });
    const calls = fs.existsSync(f.log) ? fs.readFileSync(f.log, "utf8").trim().split("\n").map((l) => JSON.parse(l)) : [];
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, calls };
}

/** The user's checkout as it was: HEAD, tracked changes, untracked files, and no worktrees. */
function checkoutState(f: Fixture) {
    return {
        head: git(f.repo, "rev-parse", "HEAD"),
        status: git(f.repo, "status", "--porcelain"),
        release: fs.readFileSync(path.join(f.repo, "release.txt"), "utf8"),
        worktrees: git(f.repo, "worktree", "list", "--porcelain").split("\n").filter((l) => l.startsWith("worktree ")),
    };
}

/** The rollback as a process a test can signal; its standard input stays open, as a terminal nobody answers. */
function start(f: Fixture, args: string[], extraEnv: Record<string, string> = {}) {
    const child = spawn(process.execPath, [...TS_NODE_ARGS, path.join(REPO, "tools/rollback/main.ts"), ...args], {
        cwd: f.repo,
        env: { ...f.env, ...TS_NODE_ENV, ...extraEnv },
        stdio: ["pipe", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const closed = new Promise<void>((resolve) => child.on("close", () => resolve()));
    return {
        child,
        stderr: () => stderr,
        /** The exit code, within 10 s (else the process is killed and the test fails); then its output, within 2 s. */
        async exit(): Promise<number | null> {
            const code = await within(exited, 10000);
            if (code === "running") {
                child.kill("SIGKILL");
                assert.fail(`still running 10 s after the signal; stderr: ${stderr}`);
            }
            await within(closed, 2000);
            return code;
        },
    };
}


/** The process id a fake pulumi step wrote into its marker file, once it is running. */
async function marker(file: string): Promise<number> {
    await until(() => fs.existsSync(file) && fs.readFileSync(file, "utf8") !== "", `${path.basename(file)}: the step started`, 20);
    return Number(fs.readFileSync(file, "utf8"));
}

/** Processes whose working directory is under `dir` (Linux's /proc; none found elsewhere). */
function processesUnder(dir: string): string[] {
    if (!fs.existsSync("/proc/self/cwd")) return [];
    const real = fs.realpathSync(dir);
    const found: string[] = [];
    for (const pid of fs.readdirSync("/proc").filter((p) => /^[0-9]+$/.test(p))) {
        try {
            const cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
            if (cwd === real || cwd.startsWith(`${real}/`)) found.push(`${pid}: ${fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim()} (in ${cwd})`);
        } catch {
            // Gone meanwhile, or not ours to read.
        }
    }
    return found;
}

describe("rollback command", function () {
    this.timeout(60000);
    const fixtures: Fixture[] = [];
    const make = (h = standardHistory) => {
        const f = fixture(h);
        fixtures.push(f);
        return f;
    };
    after(() => fixtures.forEach((f) => fs.rmSync(f.root, { recursive: true, force: true })));

    it("redeploys a version from its commit in a temporary worktree, with its images, and cleans up", () => {
        const f = make();
        const before = checkoutState(f);
        const r = rollback(f, ["--stack", "production", "--to", "2", "--yes"]);
        assert.equal(r.code, 0, r.stderr);
        const b7 = f.commits.b.slice(0, 7);
        const message = `rollback to v2 (${b7})`;
        assert.deepEqual(
            r.calls.map((c) => c.argv),
            [
                ["stack", "history", "--json", "--stack", "production"],
                ["stack", "export", "--version", "2", "--stack", "production"],
                ["preview", "--diff", "--message", message, "--stack", "production"],
                ["up", "--yes", "--skip-preview", "--message", message, "--stack", "production"],
            ],
        );
        const [preview, up] = r.calls.slice(2);
        for (const c of [preview, up]) {
            assert.equal(c.head, f.commits.b, "the program and config of version 2's commit");
            assert.notEqual(fs.realpathSync(path.dirname(c.cwd)), fs.realpathSync(f.root), "not the user's checkout");
            assert.equal(c.hasProject, true);
            assert.equal(c.installed, true, "dependencies were installed in the worktree");
            assert.deepEqual(JSON.parse(c.pinned), { orchestrator: `ghcr.io/acme-trading/orchestrator@${DIGEST}` }, "digest-pinned images only");
        }
        assert.equal(fs.existsSync(up.cwd), false, "the worktree is removed");
        assert.deepEqual(checkoutState(f), before, "the user's checkout is untouched");
        assert.match(r.stdout, new RegExp(`production: rollback to v2 \\(${b7}\\), deployed 2026-11-12T09:00:00.000Z: deploy 2`));
        assert.match(r.stdout, new RegExp(`images from version 2's state: orchestrator=ghcr.io/acme-trading/orchestrator@${DIGEST}`));
        assert.match(r.stdout, new RegExp(`production is at rollback to v2 \\(${b7}\\)\\n$`));
    });

    it("redeploys the old commit's program and settings with today's secret values", () => {
        const f = make();
        const r = rollback(f, ["--stack", "production", "--to", "2", "--yes"]);
        assert.equal(r.code, 0, r.stderr);
        const up = r.calls.find((c) => c.argv[0] === "up");
        const file = YAML.parse(up.stackFile);
        assert.equal(file.config["hft-platform:brokerApiKey"].secure, "v1:ROTATEDKEY", "a rotated credential stays rotated");
        assert.equal(file.encryptionsalt, "v1:NEWSALT");
        assert.match(up.stackFile, /namespace: hft-production # as of this commit/, "everything else is the old commit's");
        assert.match(r.stdout, /secret config as it is today \(not as of [0-9a-f]{7}\): hft-platform:brokerApiKey/);
        assert.match(fs.readFileSync(path.join(f.repo, "Pulumi.production.yaml"), "utf8"), /# 1.4.2/, "the user's stack file is untouched");
    });

    for (const stack of ["acme-trading/hft-platform/production", "acme-trading/production"]) {
        it(`takes an organization-qualified stack name (${stack}): passed to pulumi as given, today's secrets from Pulumi.production.yaml`, () => {
            const f = make();
            const r = rollback(f, ["--stack", stack, "--to", "2", "--yes"]);
            assert.equal(r.code, 0, r.stderr);
            assert.deepEqual(
                r.calls.map((c) => c.argv.slice(-2)),
                r.calls.map(() => ["--stack", stack]),
            );
            const up = r.calls.find((c) => c.argv[0] === "up");
            const file = YAML.parse(up.stackFile);
            assert.equal(file.config["hft-platform:brokerApiKey"].secure, "v1:ROTATEDKEY", "a revoked credential does not come back");
            assert.equal(file.encryptionsalt, "v1:NEWSALT");
            assert.match(r.stdout, /secret config as it is today \(not as of [0-9a-f]{7}\): hft-platform:brokerApiKey/);
        });
    }

    it("refuses when today's stack file is missing, before asking pulumi or checking anything out", () => {
        const f = make();
        fs.rmSync(path.join(f.repo, "Pulumi.production.yaml"));
        const before = checkoutState(f);
        const r = rollback(f, ["--stack", "acme-trading/hft-platform/production", "--to", "2", "--yes"]);
        assert.equal(r.code, 1);
        assert.equal(
            r.stderr,
            `rollback: --stack acme-trading/hft-platform/production: no stack file Pulumi.production.yaml in ${f.repo}; stacks here: staging. ` +
                "A rollback deploys today's secret config from it (the old commit's may hold revoked credentials): run it from the project folder of a checkout that has the file\n",
        );
        assert.deepEqual(r.calls, [], "pulumi was not asked");
        assert.deepEqual(checkoutState(f), before);
    });

    it("refuses a qualified stack name of another project", () => {
        const f = make();
        const r = rollback(f, ["--stack", "acme-trading/other-project/production", "--to", "2", "--yes"]);
        assert.equal(r.code, 1);
        assert.equal(r.stderr, "rollback: --stack acme-trading/other-project/production is a stack of project other-project; this project (Pulumi.yaml) is hft-platform\n");
        assert.deepEqual(r.calls, []);
    });

    it("refuses a version whose commit has no stack file (its configuration was never committed)", () => {
        const f = make();
        git(f.repo, "rm", "-q", "--cached", "Pulumi.staging.yaml");
        git(f.repo, "commit", "-q", "-m", "stop tracking staging's stack file");
        const d = git(f.repo, "rev-parse", "HEAD");
        git(f.repo, "add", "Pulumi.staging.yaml");
        git(f.repo, "commit", "-q", "-m", "track it again");
        fs.writeFileSync(path.join(f.root, "history.json"), JSON.stringify([update(2, "failed", clean(f.commits.c)), update(1, "succeeded", clean(d))]));
        const before = checkoutState(f);
        const r = rollback(f, ["--stack", "staging", "--previous", "--yes"]);
        assert.equal(r.code, 1);
        assert.equal(r.stderr, `rollback: commit ${d.slice(0, 7)} of version 1 has no Pulumi.staging.yaml: the stack's configuration at that version is not in git, so it cannot be redeployed\n`);
        assert.deepEqual(r.calls.map((c) => c.argv.slice(0, 2)), [["stack", "history"]], "only the history was read");
        assert.deepEqual(checkoutState(f), before);
    });

    it("--previous picks the last successful update before the current (failed) one", () => {
        const f = make((c) => [update(1, "succeeded", clean(c.a)), update(2, "succeeded", clean(c.b)), update(3, "failed", clean(c.c))]);
        const r = rollback(f, ["--stack", "staging", "--previous", "--yes"]);
        assert.equal(r.code, 0, r.stderr);
        const up = r.calls.find((c) => c.argv[0] === "up");
        assert.equal(up.head, f.commits.b);
        assert.deepEqual(up.argv, ["up", "--yes", "--skip-preview", "--message", `rollback to v2 (${f.commits.b.slice(0, 7)})`, "--stack", "staging"]);
    });

    it("--if-failed rolls back when this commit's own update is the newest and failed", () => {
        const f = make((c) => [update(1, "succeeded", clean(c.a)), update(2, "succeeded", clean(c.b)), update(3, "failed", clean(c.c))]);
        const r = rollback(f, ["--stack", "production", "--previous", "--yes", "--if-failed", f.commits.c]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.calls.find((c) => c.argv[0] === "up").head, f.commits.b);
    });

    it("--if-failed does nothing when the failed deploy recorded no update (the running version is healthy)", () => {
        // e.g. 'pulumi up' could not take the stack's lock: the newest update is still v2, a success.
        const f = make((c) => [update(1, "succeeded", clean(c.a)), update(2, "succeeded", clean(c.b))]);
        const r = rollback(f, ["--stack", "production", "--previous", "--yes", "--if-failed", f.commits.c]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, `nothing to roll back: the newest update of production (v2, succeeded, from ${f.commits.b.slice(0, 7)}) is not a failed update of ${f.commits.c.slice(0, 7)}\n`);
        assert.deepEqual(r.calls.map((c) => c.argv[0]), ["stack"], "only the history was read");
    });

    it("--if-failed does nothing when the newest failed update is another commit's", () => {
        const f = make((c) => [update(1, "succeeded", clean(c.a)), update(2, "failed", clean(c.b))]);
        const r = rollback(f, ["--stack", "production", "--previous", "--yes", "--if-failed", f.commits.c]);
        assert.equal(r.code, 0);
        assert.match(r.stdout, /^nothing to roll back: the newest update of production \(v2, failed, from [0-9a-f]{7}\)/);
        assert.equal(r.calls.some((c) => c.argv[0] === "up"), false);
    });

    it("--previous skips back over the current successful update", () => {
        const f = make((c) => [update(1, "succeeded", clean(c.a)), update(2, "failed", clean(c.b)), update(3, "succeeded", clean(c.c))]);
        const r = rollback(f, ["--stack", "staging", "--previous", "--yes"]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.calls.find((c) => c.argv[0] === "up").head, f.commits.a);
    });

    describe("after a rollback (an update whose message is the one the rollback writes)", () => {
        const redeploy = (version: number, of: number, commit: string, result = "succeeded") => ({
            ...update(version, result, { "git.head": commit, "git.dirty": "true", "git.headName": "HEAD" }),
            message: `rollback to v${of} (${commit.slice(0, 7)})`,
        });

        it("--previous goes to the release before the one redeployed, not back to the bad release it replaced", () => {
            const f = make((c) => [update(1, "succeeded", clean(c.a)), update(2, "succeeded", clean(c.b)), update(3, "succeeded", clean(c.c)), redeploy(4, 2, c.b)]);
            const r = rollback(f, ["--stack", "production", "--previous", "--yes"]);
            assert.equal(r.code, 0, r.stderr);
            const up = r.calls.find((c) => c.argv[0] === "up");
            assert.equal(up.head, f.commits.a);
            assert.equal(up.argv[4], `rollback to v1 (${f.commits.a.slice(0, 7)})`);
        });

        it("--previous refuses when the release running now is the oldest (v1 good, v2 bad, v3 rolled back to v1)", () => {
            const f = make((c) => [update(1, "succeeded", clean(c.a)), update(2, "succeeded", clean(c.b)), redeploy(3, 1, c.a)]);
            const before = checkoutState(f);
            const r = rollback(f, ["--stack", "production", "--previous", "--yes"]);
            assert.equal(r.code, 1);
            assert.equal(r.stderr, "rollback: stack production has no successful update before version 1, the release it runs now (version 3 redeployed it)\n");
            assert.deepEqual(r.calls.map((c) => c.argv.slice(0, 2)), [["stack", "history"]], "only the history was read");
            assert.deepEqual(checkoutState(f), before);
        });

        it("recognises the message the rollback itself wrote: --to 2, then --previous redeploys v1", () => {
            const f = make((c) => [update(1, "succeeded", clean(c.a)), update(2, "succeeded", clean(c.b)), update(3, "succeeded", clean(c.c))]);
            const first = rollback(f, ["--stack", "production", "--to", "2", "--yes"]);
            assert.equal(first.code, 0, first.stderr);
            const recorded = JSON.parse(fs.readFileSync(path.join(f.root, "history.json"), "utf8"))[0];
            assert.deepEqual([recorded.version, recorded.result, recorded.message], [4, "succeeded", first.calls.find((c) => c.argv[0] === "up").argv[4]], "the fake recorded the rollback's update");
            fs.rmSync(f.log);
            const second = rollback(f, ["--stack", "production", "--previous", "--yes"]);
            assert.equal(second.code, 0, second.stderr);
            const up = second.calls.find((c) => c.argv[0] === "up");
            assert.equal(up.head, f.commits.a, "v1's commit, not v3's (the release rolled back from)");
            assert.equal(up.argv[4], `rollback to v1 (${f.commits.a.slice(0, 7)})`);
        });

        it("--previous after a new release goes back to what ran before it, skipping the release rolled back from", () => {
            const f = make((c) => [update(1, "succeeded", clean(c.a)), update(2, "succeeded", clean(c.b)), redeploy(3, 1, c.a), update(4, "succeeded", clean(c.c))]);
            const r = rollback(f, ["--stack", "production", "--previous", "--yes"]);
            assert.equal(r.code, 0, r.stderr);
            assert.equal(r.calls.find((c) => c.argv[0] === "up").argv[4], `rollback to v1 (${f.commits.a.slice(0, 7)})`);
        });

        it("--if-failed after a rollback redeploys the release that was running (CI's automatic rollback)", () => {
            const f = make((c) => [update(1, "succeeded", clean(c.a)), update(2, "succeeded", clean(c.b)), redeploy(3, 1, c.a), update(4, "failed", clean(c.c))]);
            const r = rollback(f, ["--stack", "production", "--previous", "--yes", "--if-failed", f.commits.c]);
            assert.equal(r.code, 0, r.stderr);
            const up = r.calls.find((c) => c.argv[0] === "up");
            assert.equal(up.head, f.commits.a);
            assert.equal(up.argv[4], `rollback to v1 (${f.commits.a.slice(0, 7)})`);
        });

        it("a message that only resembles the rollback's (other text, another commit) is a release of its own", () => {
            const messages = (a7: string) => [`rollback to v1 (${a7}) by hand`, "rollback to v1 (0000000)", `Rollback to v1 (${a7})`];
            const f = make();
            for (const message of messages(f.commits.a.slice(0, 7))) {
                const history = [update(1, "succeeded", clean(f.commits.a)), update(2, "succeeded", clean(f.commits.b)), { ...update(3, "succeeded", clean(f.commits.c)), message }];
                fs.writeFileSync(path.join(f.root, "history.json"), JSON.stringify(history.reverse()));
                if (fs.existsSync(f.log)) fs.rmSync(f.log);
                const r = rollback(f, ["--stack", "production", "--previous", "--preview"]);
                assert.equal(r.code, 0, r.stderr);
                assert.equal(r.calls.find((c) => c.argv[0] === "preview").head, f.commits.b, message);
            }
        });
    });

    const refusals: [string, string[], string][] = [
        ["a version that does not exist", ["--to", "99"], "stack production has no version 99; its versions are 1 to 8 (see --list)"],
        ["a version that did not succeed", ["--to", "4"], "version 4 of stack production did not succeed (result: failed); choose a version whose update succeeded (see --list)"],
        ["a version that was not an update", ["--to", "3"], "version 3 of stack production was a refresh, not an update; choose an update (see --list)"],
        [
            "a version with no recorded git commit",
            ["--to", "5"],
            "version 5 of stack production has no recorded git commit (git.head): it was not deployed from a git checkout, so its program cannot be recovered",
        ],
        [
            "a version deployed from a dirty checkout",
            ["--to", "6"],
            "version 6 of stack production was deployed from a checkout with uncommitted changes (git.dirty=true): its exact program is not in git",
        ],
        ["a version whose commit is not in the repository", ["--to", "7"], "commit 0123456 of version 7 is not in this repository; fetch it first (git fetch origin)"],
    ];
    for (const [name, args, message] of refusals) {
        it(`refuses ${name}, touching nothing`, () => {
            const f = make();
            const before = checkoutState(f);
            const r = rollback(f, ["--stack", "production", ...args, "--yes"]);
            assert.equal(r.code, 1);
            assert.equal(r.stderr, `rollback: ${message}\n`);
            assert.deepEqual(r.calls.map((c) => c.argv.slice(0, 2)), [["stack", "history"]], "only the history was read");
            assert.deepEqual(checkoutState(f), before);
        });
    }

    it("refuses --previous when nothing succeeded before the current update", () => {
        const f = make((c) => [update(1, "failed", clean(c.a)), update(2, "succeeded", clean(c.b))]);
        const r = rollback(f, ["--stack", "staging", "--previous"]);
        assert.equal(r.code, 1);
        assert.equal(r.stderr, "rollback: stack staging has no successful update before version 2\n");
    });

    it("a failing pulumi up exits non-zero and still removes the worktree", () => {
        const f = make();
        const before = checkoutState(f);
        const r = rollback(f, ["--stack", "production", "--to", "1", "--yes"], { FAKE_PULUMI_UP_EXIT: "255" });
        assert.equal(r.code, 3);
        assert.equal(
            r.stderr,
            `rollback: 'pulumi up' of rollback to v1 (${f.commits.a.slice(0, 7)}) failed (exit 255); the stack may be partly updated, see 'pulumi stack history --stack production'\n`,
        );
        const up = r.calls.find((c) => c.argv[0] === "up");
        assert.equal(up.head, f.commits.a);
        assert.equal(fs.existsSync(up.cwd), false);
        assert.deepEqual(checkoutState(f), before);
    });

    it("says when the version's state is unavailable, and deploys that commit's configured images", () => {
        const f = make();
        const r = rollback(f, ["--stack", "production", "--to", "1", "--yes"]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(
            r.stdout,
            /the state of version 1 is not available \('pulumi stack export --version 1 --stack production' failed \(exit 255\): error: exporting a version is not supported by this backend\); images will be the ones [0-9a-f]{7}'s configuration names: prebuilt images by tag, images built from source rebuilt from that commit/,
        );
        assert.equal(r.calls.find((c) => c.argv[0] === "up").pinned, null);
    });

    it("--preview previews and deploys nothing", () => {
        const f = make();
        const r = rollback(f, ["--stack", "production", "--to", "2", "--preview"]);
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(r.calls.map((c) => c.argv[0]), ["stack", "stack", "preview"]);
        assert.match(r.stdout, /preview only \(--preview\): nothing was deployed/);
        assert.equal(fs.existsSync(r.calls[2].cwd), false);
    });

    it("asks before deploying, and an answer other than yes (or no answer) deploys nothing", () => {
        const f = make();
        const no = rollback(f, ["--stack", "production", "--to", "2"], {}, "n\n");
        assert.equal(no.code, 1);
        assert.match(no.stderr, /Deploy this to stack production \(rollback to v2 \([0-9a-f]{7}\)\)\? \[y\/N\] rollback: not confirmed; nothing was deployed/);
        assert.equal(no.calls.some((c) => c.argv[0] === "up"), false);
        fs.rmSync(f.log);
        const yes = rollback(f, ["--stack", "production", "--to", "2"], {}, "yes\n");
        assert.equal(yes.code, 0, yes.stderr);
        assert.equal(yes.calls.filter((c) => c.argv[0] === "up").length, 1);
    });

    it("--list shows version, time, result, commit and message, newest first", () => {
        const f = make();
        const r = rollback(f, ["--stack", "production", "--list"]);
        assert.equal(r.code, 0, r.stderr);
        const lines = r.stdout.trimEnd().split("\n");
        assert.match(lines[0], /^VERSION\s+TIME\s+RESULT\s+COMMIT\s+MESSAGE$/);
        assert.equal(lines.length, 9);
        assert.deepEqual(lines[1].split(/\s{2,}/), ["8", "2026-11-18T09:00:00.000Z", "update failed", f.commits.c.slice(0, 7), "deploy 8"]);
        assert.deepEqual(lines[3].split(/\s{2,}/), ["6", "2026-11-16T09:00:00.000Z", "update succeeded", `${f.commits.c.slice(0, 7)} (dirty)`, "deploy 6"]);
        assert.deepEqual(lines[6].split(/\s{2,}/), ["3", "2026-11-13T09:00:00.000Z", "refresh succeeded", "-", "deploy 3"]);
    });

    describe("the outcome for CI, appended to $GITHUB_OUTPUT (key=value lines)", () => {
        /** Runs the rollback with GITHUB_OUTPUT naming a file that already holds another step's output. */
        const withOutput = (f: Fixture, args: string[], extraEnv: Record<string, string> = {}, input = "") => {
            const file = path.join(f.root, "github-output");
            fs.writeFileSync(file, "earlier=kept\n");
            const r = rollback(f, args, { GITHUB_OUTPUT: file, ...extraEnv }, input);
            return { ...r, written: fs.readFileSync(file, "utf8").replace(/^earlier=kept\n/, "") };
        };

        it("rolled back: outcome and version", () => {
            const f = make();
            const r = withOutput(f, ["--stack", "production", "--to", "2", "--yes"]);
            assert.equal(r.code, 0, r.stderr);
            assert.equal(r.written, "outcome=rolled-back\nversion=2\n");
            assert.equal(fs.readFileSync(path.join(f.root, "github-output"), "utf8").split("\n")[0], "earlier=kept", "appended, not overwritten");
        });

        it("--previous, rolled back: the version it chose", () => {
            const f = make((c) => [update(1, "succeeded", clean(c.a)), update(2, "succeeded", clean(c.b)), update(3, "failed", clean(c.c))]);
            const r = withOutput(f, ["--stack", "production", "--previous", "--yes", "--if-failed", f.commits.c]);
            assert.equal(r.code, 0, r.stderr);
            assert.equal(r.written, "outcome=rolled-back\nversion=2\n");
        });

        it("nothing to roll back (--if-failed): outcome and why", () => {
            const f = make((c) => [update(1, "succeeded", clean(c.a)), update(2, "succeeded", clean(c.b))]);
            const r = withOutput(f, ["--stack", "production", "--previous", "--yes", "--if-failed", f.commits.c]);
            assert.equal(r.code, 0, r.stderr);
            assert.equal(
                r.written,
                `outcome=nothing-to-roll-back\nreason=the newest update of production (v2, succeeded, from ${f.commits.b.slice(0, 7)}) is not a failed update of ${f.commits.c.slice(0, 7)}\n`,
            );
        });

        it("refused: outcome, the version asked for, and the reason the tool printed", () => {
            const f = make();
            const r = withOutput(f, ["--stack", "production", "--to", "4", "--yes"]);
            assert.equal(r.code, 1);
            assert.equal(r.written, "outcome=refused\nversion=4\nreason=version 4 of stack production did not succeed (result: failed); choose a version whose update succeeded (see --list)\n");
        });

        it("refused before any version is known: a missing stack file, a usage error", () => {
            const f = make();
            fs.rmSync(path.join(f.repo, "Pulumi.production.yaml"));
            const missing = withOutput(f, ["--stack", "production", "--previous", "--yes"]);
            assert.equal(missing.code, 1);
            assert.match(missing.written, /^outcome=refused\nreason=--stack production: no stack file Pulumi\.production\.yaml in .*; stacks here: staging\. A rollback deploys today's secret config from it .*\n$/);
            const usage = withOutput(f, ["--stack", "production", "--to", "previous", "--yes"]);
            assert.equal(usage.code, 2);
            assert.equal(usage.written, 'outcome=refused\nreason=--to needs a version number (see --list), got "previous"\n');
        });

        it("refused: not confirmed", () => {
            const f = make();
            const r = withOutput(f, ["--stack", "production", "--to", "2"], {}, "n\n");
            assert.equal(r.code, 1);
            assert.equal(r.written, "outcome=refused\nversion=2\nreason=not confirmed; nothing was deployed (use --yes to skip the question)\n");
        });

        it("failed: pulumi up failed, the stack may be partly updated", () => {
            const f = make();
            const r = withOutput(f, ["--stack", "production", "--to", "1", "--yes"], { FAKE_PULUMI_UP_EXIT: "255" });
            assert.equal(r.code, 3);
            assert.equal(
                r.written,
                `outcome=failed\nversion=1\nreason='pulumi up' of rollback to v1 (${f.commits.a.slice(0, 7)}) failed (exit 255); the stack may be partly updated, see 'pulumi stack history --stack production'\n`,
            );
        });

        it("failed: a reason of several lines is written on one", () => {
            const f = make();
            const r = withOutput(f, ["--stack", "production", "--previous", "--yes"], { FAKE_PULUMI_HISTORY: path.join(f.root, "no-such-history.json") });
            assert.equal(r.code, 3);
            assert.ok(r.stderr.trimEnd().split("\n").length > 1, "the error itself has several lines");
            const lines = r.written.split("\n");
            assert.deepEqual([lines.length, lines[0], lines[2]], [3, "outcome=failed", ""], r.written);
            assert.match(lines[1], /^reason='pulumi stack history --json --stack production' failed \(exit 1\): .*ENOENT/);
        });

        it("failed: interrupted", async () => {
            const f = make();
            const file = path.join(f.root, "github-output");
            const p = start(f, ["--stack", "production", "--to", "2", "--yes"], { FAKE_PULUMI_PREVIEW_SLEEP: "20000", GITHUB_OUTPUT: file });
            await marker(`${f.log}.previewing`);
            p.child.kill("SIGTERM");
            assert.equal(await p.exit(), 143);
            assert.equal(fs.readFileSync(file, "utf8"), "outcome=failed\nversion=2\nreason=interrupted (SIGTERM); nothing was deployed\n");
        });

        it("--list and --preview write no outcome", () => {
            const f = make();
            for (const args of [["--list"], ["--to", "2", "--preview"]]) {
                const r = withOutput(f, ["--stack", "production", ...args]);
                assert.equal(r.code, 0, r.stderr);
                assert.equal(r.written, "", args.join(" "));
            }
        });
    });

    describe("signals and a closed pipe: no worktree and no child process left", () => {
        it("SIGTERM during the preview stops it, deploys nothing and removes the worktree", async () => {
            const f = make();
            const before = checkoutState(f);
            const p = start(f, ["--stack", "production", "--to", "2", "--yes"], { FAKE_PULUMI_PREVIEW_SLEEP: "20000" });
            // Wait until the (fake) preview is running, then cancel as CI does.
            const pid = await marker(`${f.log}.previewing`);
            p.child.kill("SIGTERM");
            assert.equal(await p.exit(), 143);
            assert.match(p.stderr(), /rollback: interrupted \(SIGTERM\); nothing was deployed/);
            assert.throws(() => process.kill(pid, 0), { code: "ESRCH" }, "no pulumi left running");
            const calls = f.pulumiCalls();
            assert.equal(calls.some((c) => c.argv[0] === "up"), false, "nothing was deployed");
            assert.equal(fs.existsSync(calls.find((c) => c.argv[0] === "preview")!.cwd), false, "the worktree is removed");
            assert.deepEqual(checkoutState(f), before);
        });

        it("SIGHUP (the terminal closed) during the preview stops it and removes the worktree: exit 129", async () => {
            const f = make();
            const before = checkoutState(f);
            const p = start(f, ["--stack", "production", "--to", "2", "--yes"], { FAKE_PULUMI_PREVIEW_SLEEP: "20000" });
            const pid = await marker(`${f.log}.previewing`);
            p.child.kill("SIGHUP");
            assert.equal(await p.exit(), 129);
            assert.throws(() => process.kill(pid, 0), { code: "ESRCH" }, "no pulumi left running");
            assert.equal(f.pulumiCalls().some((c) => c.argv[0] === "up"), false);
            assert.deepEqual(checkoutState(f), before, "no worktree left registered");
            assert.deepEqual(processesUnder(f.root), []);
        });

        for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]] as const) {
            it(`${signal} at the confirmation prompt stops at once: nothing deployed, no worktree, exit ${code}`, async () => {
                const f = make();
                const before = checkoutState(f);
                // No --yes, and a standard input that stays open: a question nobody answers.
                const p = start(f, ["--stack", "production", "--to", "2"]);
                await until(() => p.stderr().includes("[y/N] "), "the question was asked", 20);
                p.child.kill(signal);
                assert.equal(await p.exit(), code);
                assert.match(p.stderr(), new RegExp(`\\[y/N\\] \n?rollback: interrupted \\(${signal}\\); nothing was deployed`));
                assert.equal(f.pulumiCalls().some((c) => c.argv[0] === "up"), false);
                assert.deepEqual(checkoutState(f), before, "no worktree left registered");
                assert.deepEqual(processesUnder(f.root), []);
            });
        }

        it("SIGTERM while pulumi reads the history stops pulumi too, at once: exit 143", async () => {
            const f = make();
            const p = start(f, ["--stack", "production", "--previous", "--yes"], { FAKE_PULUMI_HISTORY_SLEEP: "20000" });
            const pid = await marker(`${f.log}.history`);
            const killed = Date.now();
            p.child.kill("SIGTERM");
            assert.equal(await p.exit(), 143);
            assert.ok(Date.now() - killed < 5000, `stopped at once, not when pulumi finished (${Date.now() - killed} ms)`);
            assert.equal(p.stderr(), "rollback: interrupted (SIGTERM); nothing was deployed\n");
            assert.throws(() => process.kill(pid, 0), { code: "ESRCH" }, "no pulumi left running");
        });

        it("a reader that closes the pipe early (--yes | head -n1): no stack trace, the rollback completes, no worktree or child left", async () => {
            const f = make();
            const before = checkoutState(f);
            const p = start(f, ["--stack", "production", "--to", "2", "--yes"]);
            p.child.stdout.destroy();
            const code = await p.exit();
            assert.doesNotMatch(p.stderr(), /EPIPE|Error|\n\s+at /, `no stack trace: ${p.stderr()}`);
            assert.equal(code, 0, p.stderr());
            const up = f.pulumiCalls().find((c) => c.argv[0] === "up");
            assert.equal(up?.head, f.commits.b, "the rollback went on to deploy");
            assert.equal(JSON.parse(fs.readFileSync(path.join(f.root, "history.json"), "utf8"))[0].result, "succeeded");
            assert.deepEqual(checkoutState(f), before, "no worktree left registered");
            assert.deepEqual(processesUnder(f.root), [], "no npm ci or pulumi left running");
        });
    });
});
