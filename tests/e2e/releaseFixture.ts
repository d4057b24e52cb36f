import { strict as assert } from "assert";
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { FakePulumi, installFakePulumi, PulumiCall } from "../fakePulumi";
import { FakePrometheus, startFakePrometheus } from "../fakePrometheus";
import { PROJECT, REPO, TS_NODE_ARGS, TS_NODE_ENV } from "../support";
import { within } from "./waits";

/**
 * A project for running `npm run release` for real as a subprocess (tests/e2e/release.test.ts,
 * tests/e2e/releaseCi.test.ts): a temporary git repository holding the repository's Pulumi.yaml
 * and production's stack file turned to driven canaries (the orchestrator, steps 10/50/100 of
 * 1 s, checks every 1 s), against the tests' fake `pulumi` (its updates through the Automation
 * API) and a fake Prometheus on localhost whose answers follow the weight of the last update.
 */

export const TOOL = path.join(REPO, "tools", "release", "main.ts");
export const ROLLBACK = path.join(REPO, "tools", "rollback", "main.ts");
export const digest = (n: number) => `sha256:${String(n).repeat(64)}`;
export const REPOSITORY = "ghcr.io/acme-trading/hft-orchestrator";
export const STABLE = `${REPOSITORY}@${digest(1)}`;
export const NEW = `${REPOSITORY}@${digest(2)}`;
export const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8" }).trim();

export interface Fixture {
    readonly root: string;
    readonly dir: string;
    readonly pulumi: FakePulumi;
    readonly prometheus: FakePrometheus;
    /** The commit deployed before the release (version 1), and the release's. */
    readonly before: string;
    readonly release: string;
    readonly summary: string;
}

/** What the fake Prometheus answers, given the canary's weight after the last update (0: no canary). */
export type Metrics = (weight: number, query: string) => number | "no data";
export const healthy: Metrics = (_, q) => (q.startsWith("sum(kube_pod_container_status_restarts_total") ? 0 : 0.001);

/** The canary's weight after the newest update the fake ran (its PLATFORM_CANARY), 0 without one. */
export function lastWeight(pulumi: FakePulumi): number {
    const ups = pulumi.calls().filter((c) => c.argv[0] === "up");
    const canary = ups.at(-1)?.canary;
    return canary ? (JSON.parse(canary) as { weight: number }).weight : 0;
}

export async function fixture(metrics: Metrics = healthy): Promise<Fixture> {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "release-test-"));
    const dir = path.join(root, "project");
    fs.mkdirSync(dir);
    git(dir, "init", "-q", "-b", "main");
    git(dir, "config", "user.email", "ci@example.com");
    git(dir, "config", "user.name", "CI");
    for (const file of ["Pulumi.yaml", "Pulumi.production.yaml"]) fs.copyFileSync(path.join(REPO, file), path.join(dir, file));
    // What the rollback needs of a commit: a lock file 'npm ci' installs offline, and a program that reads pinned images.
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "demo", version: "1.0.0", private: true }));
    fs.writeFileSync(path.join(dir, "package-lock.json"), JSON.stringify({ name: "demo", version: "1.0.0", lockfileVersion: 3, requires: true, packages: { "": { name: "demo", version: "1.0.0" } } }));
    fs.writeFileSync(path.join(dir, "pinned.ts"), "// reads PLATFORM_PINNED_IMAGES\n");
    fs.writeFileSync(path.join(dir, ".gitignore"), "node_modules/\n");
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "before the release");
    const before = git(dir, "rev-parse", "HEAD");

    const prometheus = await startFakePrometheus((q) => metrics(lastWeight(pulumi), q));
    const file = path.join(dir, "Pulumi.production.yaml");
    const doc = YAML.parseDocument(fs.readFileSync(file, "utf8"));
    const env = doc.getIn(["config", `${PROJECT}:environment`]) as YAML.YAMLMap;
    env.set("exposure", "gateway");
    env.set("gateway", { name: "public", namespace: "gateway-system" });
    env.set("canary", { mode: "driven", prometheus: prometheus.url, interval: "1s" });
    env.setIn(["services", "orchestrator", "canary"], {
        enabled: true,
        steps: [10, 50, 100].map((weight) => ({ weight, window: "1s" })),
        prometheus: { query: 'sum(rate(http_requests_total{namespace="{{namespace}}",pod=~"{{canaryPods}}",code=~"5.."}[1m])) / sum(rate(http_requests_total{namespace="{{namespace}}",pod=~"{{canaryPods}}"}[1m]))', max: 0.01 },
    });
    fs.writeFileSync(file, doc.toString({ lineWidth: 0 }));
    git(dir, "commit", "-q", "-am", "release: the orchestrator through a driven canary");
    const release = git(dir, "rev-parse", "HEAD");

    const history = path.join(root, "history.json");
    const clean = (head: string) => ({ "git.head": head, "git.dirty": "false", "git.headName": "refs/heads/main" });
    fs.writeFileSync(history, JSON.stringify([{ version: 1, kind: "update", result: "succeeded", startTime: "2026-11-29T09:00:00.000Z", message: "deploy 1.4.2", environment: clean(before) }]));
    const releases = { orchestrator: [{ image: STABLE, source: "registry", since: "2026-11-29T09:00:00Z" }] };
    const states = path.join(root, "states");
    fs.mkdirSync(states);
    fs.writeFileSync(path.join(states, "v1.json"), JSON.stringify({ version: 3, deployment: { resources: [{ type: "pulumi:pulumi:Stack", outputs: { releases } }] } }));
    const pulumi = installFakePulumi(root, { history, states, outputs: { production: { releases } }, images: { orchestrator: NEW } });
    return { root, dir, pulumi, prometheus, before, release, summary: path.join(root, "summary.md") };
}

export function env(f: Fixture, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return { ...f.pulumi.env, ...TS_NODE_ENV, GITHUB_STEP_SUMMARY: f.summary, ...extra };
}

/** The updates the fake ran: the tail of each message, and the variables each saw. */
export function updates(f: Fixture): { step: string; canary: unknown; pinned: unknown }[] {
    return f.pulumi
        .calls()
        .filter((c: PulumiCall) => c.argv[0] === "up")
        .map((c) => ({
            step: (c.argv[c.argv.indexOf("--message") + 1] ?? "").replace(/^canary release [0-9a-z]+-[0-9]{8}T[0-9]{6}Z: /, "").replace(/ \(.*$|: .*$|, .*$/, ""),
            canary: c.canary ? JSON.parse(c.canary) : null,
            pinned: c.pinned ? JSON.parse(c.pinned) : null,
        }));
}

export const step = (weight: number, n: number) => ({ step: `step ${n}/3`, canary: { weight, stable: { orchestrator: STABLE }, promote: false }, pinned: null });
export const PROMOTE = { step: "promote", canary: { weight: 100, stable: { orchestrator: STABLE }, promote: true }, pinned: null };
export const DONE = { step: "done", canary: null, pinned: null };
export const ABORT = { step: "abort", canary: null, pinned: { orchestrator: STABLE } };

/** The release as a process a test can signal; `args` after `--stack production`. */
export function start(f: Fixture, extra: NodeJS.ProcessEnv = {}, args: readonly string[] = []) {
    const child: ChildProcess = spawn(process.execPath, [...TS_NODE_ARGS, TOOL, "--stack", "production", ...args], { cwd: f.dir, env: env(f, extra), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const closed = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    return {
        child,
        stdout: () => stdout,
        stderr: () => stderr,
        async exit(): Promise<number | null> {
            const code = await within(closed, 40000);
            if (code === "running") {
                child.kill("SIGKILL");
                assert.fail(`still running after 40 s; stderr: ${stderr}`);
            }
            return code;
        },
    };
}



/** Fixtures for the tests of one `describe` (call it there): each made by `make`, all removed after them. */
export function useFixtures(): (metrics?: Metrics) => Promise<Fixture> {
    const made: Fixture[] = [];
    after(async () => {
        for (const f of made) {
            await f.prometheus.close();
            fs.rmSync(f.root, { recursive: true, force: true });
        }
    });
    return async (metrics?: Metrics) => {
        const f = await fixture(metrics);
        made.push(f);
        return f;
    };
}
