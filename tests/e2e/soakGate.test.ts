import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { EXIT, Refusal } from "../../tools/cli";
import { parseArgs, soakGate } from "../../tools/soakGate";
import { sourceStack } from "../../tools/soakGate/evidence";
import { installFakePulumi } from "../fakePulumi";

/**
 * The soak gate (`npm run soak-gate`), in-process on a small project of its own, with the tests'
 * fake `pulumi` (tests/fakePulumi.ts, a process per call, hence this suite) answering staging's `releases` output and history and
 * production's own `releases`. Production's catalog: `api` pinned by digest, `web` by tag, `jobs`
 * built from source, `cache` turned off.
 */

const hex = (c: string) => c.repeat(64);
const D = { a: `sha256:${hex("a")}`, b: `sha256:${hex("b")}`, c: `sha256:${hex("c")}`, d: `sha256:${hex("d")}` };
const API = "ghcr.io/acme/api";
const WEB = "ghcr.io/acme/web";
/** When the gate judges, unless a test says otherwise. */
const NOW = "2026-12-01T10:00:00Z";

const PROJECT_FILE = `name: shop
runtime: nodejs
config:
  catalog:
    value:
      system: shop
      tiers:
        small:
          requests: { cpu: 100m, memory: 128Mi }
          limits: { cpu: 500m, memory: 256Mi }
      defaults:
        tier: small
        probes: { liveness: /healthz, readiness: /readyz }
      services:
        api: { port: 8080, image: { repository: ${API} } }
        web: { port: 8000, image: { repository: ${WEB} } }
        jobs: { port: 8081, build: { context: services/jobs } }
        cache: { port: 6379, image: { repository: docker.io/library/redis, tag: "7.4.1" } }
`;

const STAGING_FILE = `config:
  shop:environment:
    namespace: shop-staging
    domain: staging.shop.example
    cluster: { context: kind-staging }
    imageTag: main-3f9c2ab
    registry: { server: ghcr.io, repositoryPrefix: acme, username: ci, passwordSecret: registryPassword }
`;

type Promotion = { from?: string; soak?: string; exceptions?: Record<string, string> } | undefined;

function productionFile(promotion: Promotion): string {
    const env: Record<string, unknown> = {
        namespace: "shop-production",
        domain: "shop.example",
        cluster: { context: "kind-production" },
        imageTag: "2.0.0",
        registry: { server: "ghcr.io", repositoryPrefix: "acme", username: "ci", passwordSecret: "registryPassword" },
        services: { api: { image: { digest: D.a } }, cache: { enabled: false } },
        ...(promotion ? { promotion } : {}),
    };
    return YAML.stringify({ config: { "shop:environment": env } });
}

type Entry = { image: string; tag?: string; source?: string; since?: string };
type Outputs = Record<string, Record<string, unknown>>;

interface Case {
    readonly promotion?: Promotion;
    /** staging's `releases`; default: api and web ran long enough. */
    readonly staging?: Record<string, Entry[]>;
    /** production's `releases`, or none (a stack without outputs yet). */
    readonly production?: Record<string, Entry[]>;
    /** staging's newest update; default: an update that succeeded. */
    readonly latest?: { version: number; kind: string; result: string; startTime?: string } | null;
    readonly outputs?: Outputs;
    /** false: `pulumi stack history` fails, as without a backend. */
    readonly history?: false;
    readonly args?: string[];
}

const SOAKED: Record<string, Entry[]> = {
    api: [{ image: `${API}@${D.a}`, tag: "main-3f9c2ab", source: "registry", since: "2026-11-29T10:00:00Z" }],
    web: [{ image: `${WEB}@${D.b}`, tag: "2.0.0", source: "registry", since: "2026-11-29T09:00:00Z" }],
};

const roots: string[] = [];
after(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

/** Runs the gate on a fresh copy of the project; what it printed, the summary, and the calls pulumi got. */
async function gate(c: Case = {}) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "soak-gate-"));
    roots.push(root);
    const dir = path.join(root, "project");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), PROJECT_FILE);
    fs.writeFileSync(path.join(dir, "Pulumi.staging.yaml"), STAGING_FILE);
    fs.writeFileSync(path.join(dir, "Pulumi.production.yaml"), productionFile("promotion" in c ? c.promotion : { from: "staging" }));
    const history = path.join(root, "history.json");
    const latest = c.latest === undefined ? { version: 42, kind: "update", result: "succeeded", startTime: "2026-11-29T09:58:00Z" } : c.latest;
    fs.writeFileSync(history, JSON.stringify(latest ? [latest, { version: 41, kind: "update", result: "failed" }] : []));
    const outputs = c.outputs ?? { staging: { releases: c.staging ?? SOAKED }, production: c.production ? { releases: c.production } : { namespace: "shop-production" } };
    const fake = installFakePulumi(root, { ...(c.history === false ? {} : { history }), outputs });
    const out: string[] = [];
    const err: string[] = [];
    const summary: string[] = [];
    const parsed = parseArgs(c.args ?? ["--stack", "production", "--now", NOW]);
    assert.equal(parsed.kind, "run");
    const options = parsed.kind === "run" ? parsed.options : assert.fail();
    let code: number;
    try {
        code = await soakGate(options, { cwd: dir, env: fake.env, clock: () => Date.parse(NOW), out: (l) => out.push(l), err: (l) => err.push(l), appendSummary: (t) => summary.push(t) });
    } catch (e) {
        return { code: -1, error: e as Error, out: out.join("\n"), err: err.join("\n"), summary: summary.join(""), calls: fake.calls().map((x) => x.argv.join(" ")) };
    }
    return { code, out: out.join("\n"), err: err.join("\n"), summary: summary.join(""), calls: fake.calls().map((x) => x.argv.join(" ")) };
}

/** The table row of a service, as printed. */
const row = (out: string, service: string) => out.split("\n").find((l) => l.startsWith(`${service} `)) ?? assert.fail(`no row for ${service} in\n${out}`);
/** staging's releases with api's record replaced. */
const withApi = (...entries: Entry[]) => ({ ...SOAKED, api: entries });
const api = (since?: string, more: Partial<Entry> = {}): Entry => ({ image: `${API}@${D.a}`, tag: "main-3f9c2ab", source: "registry", ...(since ? { since } : {}), ...more });

describe("soak gate", function () {
    this.timeout(30000);

    it("reads staging's releases and newest update, and production's own releases, never asking for secrets", async () => {
        const r = await gate();
        assert.equal(r.code, EXIT.done, r.out + r.err);
        assert.deepEqual(r.calls, [
            "stack output releases --json --stack staging",
            "stack history --json --page-size 1 --stack staging",
            "stack output releases --json --stack production",
        ]);
        assert.match(r.out, /^soak gate: production deploys only images staging has run for 24h \(environment\.promotion\.soak\), its latest update successful$/m);
        assert.match(r.out, /^staging's latest update: version 42, update succeeded, started 2026-11-29T09:58:00Z$/m);
        assert.match(r.out, /^soak gate: passed: production may deploy$/m);
    });

    it("passes an image staging has run for exactly 24 hours, naming service, image, since and how long", async () => {
        const r = await gate({ staging: withApi(api("2026-11-30T10:00:00Z")) });
        assert.equal(r.code, EXIT.done, r.out);
        assert.deepEqual(row(r.out, "api").split(/\s{2,}/), ["api", `${API}@sha256:aaaaaaaaaaaa`, "2026-11-30T10:00:00Z", "1d", "passes"]);
    });

    it("blocks one staging has run for 24 hours less a second, saying when it will be deployable", async () => {
        const r = await gate({ staging: withApi(api("2026-11-30T10:00:01Z")) });
        assert.equal(r.code, EXIT.findings, r.out);
        assert.deepEqual(row(r.out, "api").split(/\s{2,}/), ["api", `${API}@sha256:aaaaaaaaaaaa`, "2026-11-30T10:00:01Z", "23h 59m 59s", "blocked: deployable from 2026-12-01T10:00:01Z (in 1s)"]);
        assert.match(r.out, /^soak gate: blocked \(1 service not soaked\): production is not deployed$/m);
        assert.match(r.out, /^ {2}- wait: run the release again once the time above has passed \(or let its schedule run it\)$/m);
        assert.match(r.out, /^ {2}- or, for one service that cannot wait, say why under environment\.promotion\.exceptions\.<service> in Pulumi\.production\.yaml$/m);
        assert.equal(row(r.out, "web").split(/\s{2,}/).at(-1), "passes", "the other service soaked");
    });

    it("counts an earlier image's run up to the next entry's since, not up to now", async () => {
        const newer = { image: `${API}@${D.c}`, tag: "main-1111111", source: "registry", since: "2026-11-30T09:59:59Z" };
        const short = await gate({ staging: withApi(newer, api("2026-11-29T10:00:00Z")) });
        assert.equal(short.code, EXIT.findings, short.out);
        assert.equal(
            row(short.out, "api").split(/\s{2,}/).slice(2).join(" | "),
            "2026-11-29T10:00:00Z | 23h 59m 59s | blocked: staging ran it 23h 59m 59s only, until 2026-11-30T09:59:59Z, and runs another image now: it cannot soak any more",
        );
        assert.match(short.out, /^ {2}- promote what staging runs now \('npm run promote -- --from staging --to production'\), and let it soak$/m);

        const long = await gate({ staging: withApi({ ...newer, since: "2026-11-30T10:00:00Z" }, api("2026-11-29T10:00:00Z")) });
        assert.equal(long.code, EXIT.done, long.out);
        assert.equal(row(long.out, "api").split(/\s{2,}/).slice(3).join(" | "), "1d | passes: ran 1d in staging, until 2026-11-30T10:00:00Z");
    });

    it("blocks an image staging rolled back from, however long it ran", async () => {
        const back = { image: `${API}@${D.c}`, source: "rollback", since: "2026-11-30T12:00:00Z" };
        const r = await gate({ staging: withApi(back, api("2026-11-20T10:00:00Z")) });
        assert.equal(r.code, EXIT.findings, r.out);
        assert.equal(row(r.out, "api").split(/\s{2,}/).at(-1), "blocked: staging rolled back from it at 2026-11-30T12:00:00Z");
    });

    it("blocks an image whose since is missing, or whose end is not recorded", async () => {
        const none = await gate({ staging: withApi(api(undefined)) });
        assert.equal(none.code, EXIT.findings);
        assert.deepEqual(row(none.out, "api").split(/\s{2,}/).slice(2), ["-", "-", "blocked: staging's record has no time for it (deployed without PLATFORM_RELEASE_TIME, such as from a laptop)"]);
        const unknownEnd = await gate({ staging: withApi({ image: `${API}@${D.c}`, source: "registry" }, api("2026-11-20T10:00:00Z")) });
        assert.equal(unknownEnd.code, EXIT.findings);
        assert.match(row(unknownEnd.out, "api"), /blocked: staging's record has no time for the release after it, so when it stopped running is not known$/);
    });

    it("blocks every deploy that rests on staging while staging's newest update did not succeed", async () => {
        for (const latest of [
            { version: 43, kind: "update", result: "failed", startTime: "2026-12-01T09:00:00Z" },
            { version: 43, kind: "update", result: "in-progress" },
            { version: 43, kind: "destroy", result: "succeeded" },
        ]) {
            const r = await gate({ latest });
            assert.equal(r.code, EXIT.findings, `${latest.kind} ${latest.result}`);
            assert.match(r.out, new RegExp(`^staging's latest update: version 43, ${latest.kind} ${latest.result}`, "m"));
            assert.match(r.out, /^soak gate: blocked \(staging not healthy\): production is not deployed$/m);
            assert.match(r.out, /^ {2}- staging is not known to be healthy now: deploy it successfully first$/m);
        }
        const empty = await gate({ latest: null });
        assert.equal(empty.code, EXIT.findings);
        assert.match(empty.out, /^staging has no update in its history$/m);
    });

    it("lets a service in promotion.exceptions through with its reason, even one staging never ran", async () => {
        const reason = "hotfix for INC-2291, approved by the trading-platform leads";
        const r = await gate({ promotion: { from: "staging", exceptions: { api: reason } }, staging: { web: SOAKED.web } });
        assert.equal(r.code, EXIT.done, r.out);
        assert.equal(row(r.out, "api").split(/\s{2,}/).at(-1), `passes: promotion.exceptions: ${reason}`);
        const without = await gate({ staging: { web: SOAKED.web } });
        assert.equal(without.code, EXIT.findings);
        assert.equal(row(without.out, "api").split(/\s{2,}/).at(-1), "blocked: staging never ran it (no entry in its releases output)");
    });

    it("passes a service production runs already, and only when the exceptions are the only changes does a sick staging not matter", async () => {
        const fresh = withApi(api("2026-12-01T09:00:00Z"));
        const running = { api: [{ image: `${API}@${D.a}`, source: "stack file", since: "2026-11-01T00:00:00Z" }], web: [{ image: `${WEB}@${D.b}`, tag: "2.0.0", source: "registry" }] };
        const r = await gate({ staging: fresh, production: running });
        assert.equal(r.code, EXIT.done, r.out);
        assert.equal(row(r.out, "api").split(/\s{2,}/).at(-1), "passes: production runs it already");
        assert.equal(row(r.out, "web").split(/\s{2,}/).at(-1), "passes: production runs it already", "web's tag names the digest production runs");
        const sick = await gate({ staging: fresh, production: running, latest: { version: 43, kind: "update", result: "failed" } });
        assert.equal(sick.code, EXIT.done, "nothing production is to run rests on staging's record");
    });

    it("matches a pinned digest whatever its tag, and a tag only by the tag staging ran it under", async () => {
        const otherTag = await gate({ staging: withApi(api("2026-11-20T10:00:00Z", { tag: "1.0.0" })) });
        assert.equal(otherTag.code, EXIT.done, "api pins its digest: staging ran that digest");
        const webAsMain = { ...SOAKED, web: [{ image: `${WEB}@${D.b}`, tag: "main-3f9c2ab", source: "registry", since: "2026-11-20T10:00:00Z" }] };
        const r = await gate({ staging: webAsMain });
        assert.equal(r.code, EXIT.findings, "web names tag 2.0.0, which staging never ran under that tag");
        assert.deepEqual(row(r.out, "web").split(/\s{2,}/).slice(1), [`${WEB}:2.0.0`, "-", "-", "blocked: staging never ran it (no entry in its releases output)"]);
        // The newest entry with the tag is the one judged.
        const moved = { ...SOAKED, web: [{ image: `${WEB}@${D.d}`, tag: "2.0.0", source: "registry", since: "2026-12-01T09:00:00Z" }, SOAKED.web[0]] };
        const fresh = await gate({ staging: moved });
        assert.equal(fresh.code, EXIT.findings);
        assert.deepEqual(row(fresh.out, "web").split(/\s{2,}/).slice(2), ["2026-12-01T09:00:00Z", "1h", "blocked: deployable from 2026-12-02T09:00:00Z (in 23h)"]);
    });

    it("takes a custom soak: 90m", async () => {
        const passes = await gate({ promotion: { from: "staging", soak: "90m" }, staging: withApi(api("2026-12-01T08:30:00Z")) });
        assert.equal(passes.code, EXIT.done, passes.out);
        assert.match(passes.out, /has run for 90m \(environment\.promotion\.soak\)/);
        const early = await gate({ promotion: { from: "staging", soak: "90m" }, staging: withApi(api("2026-12-01T08:31:00Z")) });
        assert.equal(early.code, EXIT.findings);
        assert.deepEqual(row(early.out, "api").split(/\s{2,}/).slice(3), ["1h 29m", "blocked: deployable from 2026-12-01T10:01:00Z (in 1m)"]);
    });

    it("skips services turned off or built from source, and a stack without promotion.from has no gate", async () => {
        const r = await gate();
        assert.deepEqual(row(r.out, "cache").split(/\s{2,}/), ["cache", "-", "-", "-", "skipped: turned off in production"]);
        assert.deepEqual(row(r.out, "jobs").split(/\s{2,}/), ["jobs", "ghcr.io/acme/jobs:2.0.0", "-", "-", "skipped: built from source in production"]);
        const none = await gate({ promotion: undefined });
        assert.equal(none.code, EXIT.done);
        assert.equal(none.out, "soak gate: production has no environment.promotion.from: no gate, nothing to wait for");
        assert.deepEqual(none.calls, [], "nothing asked of the backend");
        assert.equal(none.summary, "### Soak gate: none (production has no environment.promotion.from)\n");
    });

    it("writes the verdict and the table to the job summary", async () => {
        const r = await gate({ staging: withApi(api("2026-11-30T10:00:01Z")) });
        const lines = r.summary.split("\n");
        assert.equal(lines[0], "### Soak gate: blocked (production, 24h in staging)");
        assert.equal(lines[2], "staging's latest update: version 42, update succeeded, started 2026-11-29T09:58:00Z");
        assert.equal(lines[4], "| service | image | since | ran | verdict |");
        assert.ok(lines.includes(`| api | ${API}@sha256:aaaaaaaaaaaa | 2026-11-30T10:00:01Z | 23h 59m 59s | blocked: deployable from 2026-12-01T10:00:01Z (in 1s) |`), r.summary);
    });

    it("names a qualified stack's source in its organization and project, as the program's reference does", async () => {
        assert.equal(sourceStack("staging", "acme/shop/production"), "acme/shop/staging");
        assert.equal(sourceStack("other/shop/staging", "acme/shop/production"), "other/shop/staging");
        assert.equal(sourceStack("staging", "production"), "staging");
        const r = await gate({ args: ["--stack", "acme/shop/production", "--now", NOW] });
        assert.equal(r.code, EXIT.done, r.out);
        assert.equal(r.calls[0], "stack output releases --json --stack acme/shop/staging");
        assert.equal(r.calls[2], "stack output releases --json --stack acme/shop/production");
    });

    it("refuses a source without the releases output (1), and fails with a failing pulumi (3)", async () => {
        const missing = await gate({ outputs: { staging: { namespace: "shop-staging" } } });
        assert.equal(missing.code, -1);
        assert.equal(
            missing.error?.message,
            "stack staging has no output 'releases': it was never deployed, or last deployed by a program older than that output; deploy staging first ('pulumi up --stack staging'), then run the soak gate again",
        );
        const malformed = await gate({ staging: withApi(api("2026-11-30T10:00:00Z"), api("30 Nov 2026", { image: `${API}@${D.b}` })) });
        assert.equal(
            malformed.error?.message,
            `stack staging's output 'releases' has a since that is not a UTC time for api (releases.api[1].since: expected a time such as "2026-11-30T15:04:05Z", got "30 Nov 2026"); deploy staging with this program first ('pulumi up --stack staging'), then run the soak gate again`,
            "an earlier entry is read as strictly as the current one",
        );
        const unknown = await gate({ outputs: {} });
        assert.match(unknown.error?.message ?? "", /^the Pulumi backend has no stack staging /);
        assert.ok(missing.error instanceof Refusal && unknown.error instanceof Refusal, "exit 1");
        const failing = await gate({ history: false });
        assert.ok(failing.error && !(failing.error instanceof Refusal), "exit 3");
        assert.match(failing.error.message, /^'pulumi stack history --json --page-size 1 --stack staging' failed \(exit 1\): /);
    });
});
