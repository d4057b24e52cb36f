import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { readStackFiles } from "../../tools/harness/stackFiles";
import { resolveServices } from "../../tools/promote/target";
import { FakePulumi, installFakePulumi } from "../fakePulumi";
import { PROJECT, REPO, TS_NODE_ARGS, TS_NODE_ENV } from "../support";

/**
 * The promote command, run for real against a temporary copy of the repository's Pulumi.yaml and
 * stack files, with the tests' fake `pulumi` (tests/fakePulumi.ts) answering staging's `releases`
 * output. What the fixture expects is read from the copied files themselves (the catalog's
 * repositories, the services production turns off), so it follows the files as they change.
 */

const TOOL = path.join(REPO, "tools", "promote.ts");
const ENV_KEY = `${PROJECT}:environment`;
const SECRET_CIPHERTEXT = "v1:AAAAthisIsTheCiphertextOfTheBrokerKey==";

type Releases = Record<string, { image: string; tag?: string; source: string; since?: string }[]>;

interface Fixture {
    readonly root: string;
    readonly dir: string;
    readonly pulumi: FakePulumi;
    readonly releases: Releases;
    /** Production's stack file as copied. */
    readonly before: string;
}

const production = (f: Fixture) => fs.readFileSync(path.join(f.dir, "Pulumi.production.yaml"), "utf8");
const digest = (i: number) => `sha256:${i.toString(16).padStart(2, "0").repeat(32)}`;

/** Every catalog service with a prebuilt image, and its repository, from Pulumi.yaml. */
function catalogImages(dir: string): Map<string, string> {
    const catalog = (YAML.parse(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as { config: { catalog: { value: { services: Record<string, { image?: { repository?: string } }> } } } }).config.catalog.value;
    return new Map(
        Object.entries(catalog.services)
            .filter(([, s]) => s.image?.repository)
            .map(([name, s]) => [name, s.image!.repository!]),
    );
}

/** Services production's stack file turns off. */
function disabledIn(text: string): string[] {
    const services = (YAML.parse(text) as { config: Record<string, { services?: Record<string, { enabled?: boolean }> }> }).config[ENV_KEY].services ?? {};
    return Object.entries(services)
        .filter(([, s]) => s.enabled === false)
        .map(([name]) => name)
        .sort();
}

/** Staging's releases: each prebuilt service a new digest and tag (entry [0]) over an older one. */
function stagingReleases(dir: string): Releases {
    const releases: Releases = {};
    [...catalogImages(dir)].forEach(([name, repository], i) => {
        releases[name] = [
            { image: `${repository}@${digest(i + 1)}`, tag: `main-${String(i).padStart(7, "0")}`, source: "registry", since: "2026-11-28T10:00:00Z" },
            { image: `${repository}@${digest(200 + i)}`, tag: "main-0ld0000", source: "registry", since: "2026-11-20T09:00:00Z" },
        ];
    });
    return releases;
}

function fixture(edit: { releases?: (r: Releases) => Releases; production?: (doc: YAML.Document) => void; project?: (doc: YAML.Document) => void; outputs?: Record<string, Record<string, unknown>> } = {}): Fixture {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "promote-test-"));
    const dir = path.join(root, "project");
    fs.mkdirSync(dir);
    for (const file of ["Pulumi.yaml", "Pulumi.staging.yaml", "Pulumi.production.yaml"]) fs.copyFileSync(path.join(REPO, file), path.join(dir, file));
    const rewrite = (file: string, change: (doc: YAML.Document) => void) => {
        const doc = YAML.parseDocument(fs.readFileSync(path.join(dir, file), "utf8"));
        change(doc);
        fs.writeFileSync(path.join(dir, file), doc.toString({ lineWidth: 0 }));
    };
    // A secret, as 'pulumi config set --secret' writes it: it must stay, and never be printed.
    const file = path.join(dir, "Pulumi.production.yaml");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(/^config:\n/m, `config:\n  ${PROJECT}:brokerApiKey:\n    secure: ${SECRET_CIPHERTEXT}\n`));
    if (edit.project) rewrite("Pulumi.yaml", edit.project);
    if (edit.production) rewrite("Pulumi.production.yaml", edit.production);
    const releases = (edit.releases ?? ((r) => r))(stagingReleases(dir));
    const pulumi = installFakePulumi(root, { outputs: edit.outputs ?? { staging: { releases, namespace: "hft-staging" } } });
    return { root, dir, pulumi, releases, before: fs.readFileSync(path.join(dir, "Pulumi.production.yaml"), "utf8") };
}

function promote(f: Fixture, args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
    const r = spawnSync(process.execPath, [...TS_NODE_ARGS, TOOL, ...args], { cwd: f.dir, env: { ...f.pulumi.env, ...TS_NODE_ENV, ...extraEnv }, encoding: "utf8" });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, calls: f.pulumi.calls() };
}

/** The lines of `b` that `a` does not have, and those of `a` that `b` does not have, counting repeats. */
function lineChanges(a: string, b: string): { removed: string[]; added: string[] } {
    const minus = (x: string[], y: string[]) => {
        const left = [...y];
        return x.filter((l) => {
            const i = left.indexOf(l);
            if (i < 0) return true;
            left.splice(i, 1);
            return false;
        });
    };
    return { removed: minus(a.split("\n"), b.split("\n")), added: minus(b.split("\n"), a.split("\n")) };
}

/** The services production runs from prebuilt images, by the copied files. */
function promoted(f: Fixture): string[] {
    const off = disabledIn(f.before);
    return [...catalogImages(f.dir).keys()].filter((s) => !off.includes(s) && f.releases[s]).sort();
}

describe("promote command", function () {
    this.timeout(60000);
    const fixtures: Fixture[] = [];
    const make = (edit?: Parameters<typeof fixture>[0]) => {
        const f = fixture(edit);
        fixtures.push(f);
        return f;
    };
    after(() => fixtures.forEach((f) => fs.rmSync(f.root, { recursive: true, force: true })));

    it("writes staging's current digests and tags into production's stack file, keeping every other line and comment", () => {
        const f = make();
        const services = promoted(f);
        assert.ok(services.length >= 5, services.join(", "));
        const r = promote(f, ["--from", "staging", "--to", "production"]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stderr, "");
        assert.deepEqual(r.calls.map((c) => c.argv), [["stack", "output", "releases", "--json", "--stack", "staging"]], "one read, never --show-secrets");

        const after = production(f);
        const written = (YAML.parse(after)).config[ENV_KEY].services;
        for (const s of services) {
            const [current] = f.releases[s];
            assert.equal(`${catalogImages(f.dir).get(s)}@${written[s].image.digest}`, current.image, s);
            assert.equal(written[s].image.tag, current.tag, s);
        }
        // Only image lines changed: every comment, the secret and every other setting is as it was.
        const { removed, added } = lineChanges(f.before, after);
        assert.ok(removed.every((l) => /^\s*(image|tag|digest):/.test(l)), removed.join("\n"));
        const newDigests = services.map((s) => f.releases[s][0].image.split("@")[1]);
        assert.ok(added.every((l) => newDigests.some((d) => l.includes(d)) || /^\s*(image|tag):/.test(l) || services.some((s) => l.trim() === `${s}:`)), added.join("\n"));
        assert.ok(added.length > 0);
        assert.equal((YAML.parse(after)).config[`${PROJECT}:brokerApiKey`].secure, SECRET_CIPHERTEXT);
        assert.equal(r.stdout.includes(SECRET_CIPHERTEXT), false, "no secret printed");

        // The program reads the written file as running exactly staging's images.
        const resolved = resolveServices(readStackFiles(f.dir, "production", { fillSecrets: true }));
        for (const s of services) {
            const image = resolved.find((x) => x.name === s);
            assert.ok(image && image.state === "runs");
            assert.equal(`${image.image.repository}@${image.image.digest}`, f.releases[s][0].image, s);
        }

        // The summary: one row per service, production's image now and staging's, since when.
        const lines = r.stdout.split("\n");
        assert.equal(lines[0], "promote staging -> production (Pulumi.production.yaml)");
        assert.match(lines[2], /^SERVICE\s+PRODUCTION NOW\s+FROM STAGING\s+IN STAGING SINCE$/);
        for (const s of services) {
            const [current] = f.releases[s];
            const short = `${current.tag}@${current.image.split("@")[1].slice(0, 19)}`;
            assert.match(r.stdout, new RegExp(`^${s} +\\S+ +${short.replace(/[.]/g, "\\.")} +2026-11-28T10:00:00Z$`, "m"), s);
        }
        assert.equal(r.stdout.includes("could not be kept line by line"), false, "the layout was kept");
        assert.match(r.stdout, new RegExp(`^wrote Pulumi\\.production\\.yaml: ${services.length} services now name staging's image; review 'git diff Pulumi\\.production\\.yaml', commit it and open a pull request$`, "m"));
    });

    it("is idempotent: a second run changes nothing, says so and exits 0", () => {
        const f = make();
        assert.equal(promote(f, ["--from", "staging", "--to", "production"]).code, 0);
        const once = production(f);
        const r = promote(f, ["--from", "staging", "--to", "production"]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(production(f), once, "byte for byte");
        for (const s of promoted(f)) assert.match(r.stdout, new RegExp(`^${s} +\\S+ +unchanged +2026-11-28T10:00:00Z$`, "m"), s);
        assert.match(r.stdout, /^Pulumi\.production\.yaml already names what staging runs: nothing to change$/m);
    });

    it("--dry-run prints what would change and writes nothing", () => {
        const f = make();
        const r = promote(f, ["--from", "staging", "--to", "production", "--dry-run"]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(production(f), f.before);
        assert.match(r.stdout, new RegExp(`^--dry-run: Pulumi\\.production\\.yaml would change for ${promoted(f).length} services; nothing was written$`, "m"));
        assert.equal(r.stdout.includes("unchanged"), false);
    });

    it("takes organization-qualified stack names, passing the source's to pulumi as given", () => {
        const f = make();
        const r = promote(f, ["--from", "acme-trading/hft-platform/staging", "--to", "acme-trading/hft-platform/production"]);
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(r.calls.map((c) => c.argv), [["stack", "output", "releases", "--json", "--stack", "acme-trading/hft-platform/staging"]]);
        assert.notEqual(production(f), f.before);
        assert.match(r.stdout, /^promote acme-trading\/hft-platform\/staging -> acme-trading\/hft-platform\/production \(Pulumi\.production\.yaml\)$/m);
    });

    it("refuses a qualified name of another project, and a stack without a stack file, before asking pulumi", () => {
        const f = make();
        const other = promote(f, ["--from", "acme-trading/other-project/staging", "--to", "production"]);
        assert.equal(other.code, 1);
        assert.equal(other.stderr, "promote: --from acme-trading/other-project/staging is a stack of project other-project; this project (Pulumi.yaml) is hft-platform\n");
        const to = promote(f, ["--from", "staging", "--to", "acme-trading/hft-platform/qa"]);
        assert.equal(to.code, 1);
        assert.equal(to.stderr, `promote: --to acme-trading/hft-platform/qa: no stack file Pulumi.qa.yaml in ${f.dir}; stacks here: production, staging\n`);
        const from = promote(f, ["--from", "stagin", "--to", "production"]);
        assert.equal(from.code, 1);
        assert.match(from.stderr, /^promote: --from stagin: no stack file Pulumi\.stagin\.yaml in .*; stacks here: production, staging\n$/);
        assert.deepEqual(f.pulumi.calls(), [], "pulumi was never asked");
        assert.equal(production(f), f.before);
    });

    it("refuses a source stack without the releases output, naming it and what to do", () => {
        const f = make({ outputs: { staging: { namespace: "hft-staging" } } });
        const r = promote(f, ["--from", "staging", "--to", "production"]);
        assert.equal(r.code, 1);
        assert.equal(
            r.stderr,
            "promote: stack staging has no output 'releases': it was never deployed, or last deployed by a program older than that output; deploy staging first ('pulumi up --stack staging'), then promote\n",
        );
        assert.equal(r.stdout, "");
        assert.equal(production(f), f.before);
    });

    it("refuses an empty or malformed releases output, writing nothing", () => {
        const empty = make({ outputs: { staging: { releases: {} } } });
        const r = promote(empty, ["--from", "staging", "--to", "production"]);
        assert.equal(r.code, 1);
        assert.equal(r.stderr, "promote: stack staging's output 'releases' lists no service; deploy staging with this program first ('pulumi up --stack staging'), then promote\n");
        const byTag = make({ releases: (rel) => ({ ...rel, orchestrator: [{ image: "ghcr.io/acme-trading/hft-orchestrator:main-3f9c2ab", source: "registry" }] }) });
        const t = promote(byTag, ["--from", "staging", "--to", "production"]);
        assert.equal(t.code, 1);
        assert.match(t.stderr, /names an image that is not pinned by digest for orchestrator \(releases\.orchestrator\[0\]\.image: expected "<repository>@sha256:<64 hex digits>", got "ghcr\.io\/acme-trading\/hft-orchestrator:main-3f9c2ab"\)/);
        assert.equal(production(byTag), byTag.before);
    });

    it("refuses a release from another repository than production pulls from, naming both references, and writes nothing", () => {
        const moved = `ghcr.io/acme-trading-forks/hft-execution@${digest(99)}`;
        const f = make({ releases: (rel) => ({ ...rel, execution: [{ image: moved, tag: "main-fork000", source: "registry" }] }) });
        const r = promote(f, ["--from", "staging", "--to", "production"]);
        assert.equal(r.code, 1);
        assert.equal(
            r.stderr,
            `promote: cannot promote staging to production, nothing was written: execution: staging runs ${moved}, but production pulls execution from ghcr.io/acme-trading/hft-execution ` +
                "(the image.repository that Pulumi.yaml and Pulumi.production.yaml give it); a digest names an image only within its repository, so make the two repositories agree first\n",
        );
        assert.equal(production(f), f.before, "not even the other services");
    });

    it("refuses a service production runs that staging never ran; --allow-missing keeps its image", () => {
        const f = make({
            releases: (rel) => Object.fromEntries(Object.entries(rel).filter(([name]) => name !== "orchestrator")),
        });
        const r = promote(f, ["--from", "staging", "--to", "production"]);
        assert.equal(r.code, 1);
        assert.equal(
            r.stderr,
            "promote: cannot promote staging to production, nothing was written: orchestrator: runs in production but never ran in staging (no entry in its 'releases' output); " +
                "deploy to staging first, or pass --allow-missing to keep production's current image\n",
        );
        assert.equal(production(f), f.before);

        const allowed = promote(f, ["--from", "staging", "--to", "production", "--allow-missing"]);
        assert.equal(allowed.code, 0, allowed.stderr);
        assert.match(allowed.stdout, /^orchestrator +\S+ +unchanged \(--allow-missing: never ran there\) +-$/m);
        const before = (YAML.parse(f.before)).config[ENV_KEY].services;
        const after = (YAML.parse(production(f))).config[ENV_KEY].services;
        assert.deepEqual(after.orchestrator, before.orchestrator);
        assert.equal(`${catalogImages(f.dir).get("execution")}@${after.execution.image.digest}`, f.releases.execution[0].image);
    });

    it("skips services turned off in production, and says so", () => {
        const f = make({ production: (doc) => doc.setIn(["config", ENV_KEY, "services", "kalman-filter", "enabled"], false) });
        const off = disabledIn(f.before);
        assert.ok(off.includes("kalman-filter"));
        const r = promote(f, ["--from", "staging", "--to", "production"]);
        assert.equal(r.code, 0, r.stderr);
        for (const s of off) assert.match(r.stdout, new RegExp(`^${s} +- +not promoted: enabled: false in production +\\S+$`, "m"), s);
        const before = (YAML.parse(f.before)).config[ENV_KEY].services;
        const after = (YAML.parse(production(f))).config[ENV_KEY].services;
        for (const s of off) assert.deepEqual(after[s], before[s], s);
        assert.notDeepEqual(after.ingestion, before.ingestion, "the others are promoted");
    });

    it("skips services production builds from source, and says so", () => {
        const f = make({
            project: (doc) => doc.deleteIn(["config", "catalog", "value", "services", "ingestion", "image"]),
            production: (doc) => {
                if (doc.hasIn(["config", ENV_KEY, "services", "ingestion", "image"])) doc.deleteIn(["config", ENV_KEY, "services", "ingestion", "image"]);
                doc.setIn(["config", ENV_KEY, "services", "ingestion", "build"], doc.createNode({ context: "services/ingestion" }));
            },
            releases: (rel) => ({ ...rel, ingestion: [{ image: `ghcr.io/acme-trading/ingestion@${digest(77)}`, tag: "main-3f9c2ab", source: "build" }] }),
        });
        const r = promote(f, ["--from", "staging", "--to", "production"]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^ingestion +1\.4\.2 +not promoted: builds from source in production +-$/m);
        const after = (YAML.parse(production(f))).config[ENV_KEY].services;
        assert.deepEqual(after.ingestion, { build: { context: "services/ingestion" } });
    });

    it("exits 3 with how to install it when pulumi is not on PATH", () => {
        const f = make();
        const r = promote(f, ["--from", "staging", "--to", "production"], { PATH: "/nonexistent" });
        assert.equal(r.code, 3);
        assert.match(r.stderr, /^promote: 'pulumi' was not found on PATH; install the Pulumi CLI/);
        assert.equal(production(f), f.before);
    });

    it("SIGTERM while pulumi answers stops both, writes nothing and exits 143", async () => {
        const f = make();
        const child = spawn(process.execPath, [...TS_NODE_ARGS, TOOL, "--from", "staging", "--to", "production"], {
            cwd: f.dir,
            env: { ...f.pulumi.env, ...TS_NODE_ENV, FAKE_PULUMI_OUTPUT_SLEEP: "20000" },
        });
        let stderr = "";
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
        const marker = `${f.pulumi.log}.reading`;
        for (let i = 0; i < 200 && !fs.existsSync(marker); i++) await new Promise((r) => setTimeout(r, 100));
        assert.ok(fs.existsSync(marker), "pulumi was asked");
        const pid = Number(fs.readFileSync(marker, "utf8"));
        const killed = Date.now();
        child.kill("SIGTERM");
        assert.equal(await exited, 143);
        assert.ok(Date.now() - killed < 5000, `stopped at once, not when pulumi finished (${Date.now() - killed} ms)`);
        assert.equal(stderr, "promote: interrupted (SIGTERM); nothing was written\n");
        assert.throws(() => process.kill(pid, 0), { code: "ESRCH" }, "no pulumi left running");
        assert.equal(production(f), f.before);
    });

    it("a reader that closes the pipe early (| head -n1) gets no stack trace; the file is written and the exit code is 0", async () => {
        const f = make();
        const child = spawn(process.execPath, [...TS_NODE_ARGS, TOOL, "--from", "staging", "--to", "production"], { cwd: f.dir, env: { ...f.pulumi.env, ...TS_NODE_ENV } });
        child.stdout.destroy();
        let stderr = "";
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
        assert.equal(stderr, "");
        assert.equal(code, 0);
        assert.notEqual(production(f), f.before);
    });
});
