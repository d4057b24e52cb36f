import { strict as assert } from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { REDACTED, stacksOf } from "../../tools/harness/stackFiles";
import { manifestHits, mockedPassword, PLAIN, SECRETS } from "../secretWalk";
import { expectedCounts, servicesOf, stackFacts } from "../facts-resources";
import { deployedImage, one, REPO, run, TS_NODE_ARGS, TS_NODE_ENV, unwrap } from "../support";
import { MARKET_MAKER, MARKET_MAKER_CALLEES } from "./grow";
import { lookUp } from "../../tools/harness/registry";

/** The number of Kubernetes objects a repo stack declares, from its configuration (tests/facts-resources.ts). */
function objectCount(stack: string): number {
    return Object.values(expectedCounts(stackFacts(stack))).reduce((a, b) => a + b, 0);
}
/** The GitHub resources each repo stack manages (production also the branch protection and a repository secret). */
const GITHUB_FILES: Readonly<Record<string, number>> = { staging: 3, production: 5 };
/** Every file a render of a repo stack writes: one per object, outputs.yaml and the GitHub resources. */
const fileCount = (stack: string) => objectCount(stack) + 1 + GITHUB_FILES[stack];

function render(...args: string[]) {
    const r = spawnSync(process.execPath, [...TS_NODE_ARGS, path.join(REPO, "tools/render.ts"), ...args], {
        cwd: REPO,
        env: { ...process.env, ...TS_NODE_ENV },
        encoding: "utf8",
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every file under `dir`, with its path relative to it, sorted. */
function listFiles(dir: string): string[] {
    return fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

describe("npm run render (offline rendering of a stack)", function () {
    this.timeout(60000);
    let tmp: string;
    beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "render-"))));
    afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("writes the production manifests, outputs and GitHub resources, prints the service table and no finding", async () => {
        const out = path.join(tmp, "out");
        const r = render("production", "--out", out);
        assert.equal(r.code, 0, r.stderr);
        const files = fs.readdirSync(out).filter((f) => f.endsWith(".yaml") && f !== "outputs.yaml");
        assert.equal(files.length, objectCount("production"));
        assert.ok(files.length >= 51, "the example's objects, or more");
        assert.ok(files.includes("namespace-hft-production.yaml"), files.join(", "));
        assert.deepEqual(files.filter((f) => /^\d/.test(f)), [], "no position numbers");
        const deployment = YAML.parse(fs.readFileSync(path.join(out, "deployment-execution.yaml"), "utf8"));
        assert.equal(deployment.metadata.namespace, "hft-production");
        assert.equal(deployment.spec.replicas, undefined);
        assert.match(r.stdout, /secret config not set here, rendered as "<redacted>": brokerApiKey, githubToken, kubeconfig, marketDataApiKey, registryPassword\n/);
        const row = r.stdout.split("\n").find((l) => l.startsWith("orchestrator"));
        // Its workload: a Deployment, or the Argo Rollout of an in-cluster canary (production's).
        const orchestrator = stackFacts("production").services.orchestrator.workload;
        assert.deepEqual(row?.split(/\s{2,}/), [
            "orchestrator",
            orchestrator.slice(orchestrator.indexOf(":") + 1),
            "HPA 3-12",
            deployedImage("production", "orchestrator").replace(/(@sha256:[0-9a-f]{12})[0-9a-f]{52}$/, "$1…"),
            "trading.acme-trading.example/",
            "500m/512Mi",
            "2000m/2Gi",
        ]);
        // Every workload has a row, whatever its kind: the nightly report's shows its schedule.
        assert.deepEqual(r.stdout.split("\n").find((l) => l.startsWith("risk-report"))?.split(/\s{2,}/).slice(0, 3), ["risk-report", "CronJob", "cron 30 17 * * 1-5"]);
        assert.match(r.stdout, /\npolicy: no findings \(13 rules\)\n$/);

        const ev = await run("production");
        assert.deepEqual(YAML.parse(fs.readFileSync(path.join(out, "outputs.yaml"), "utf8")), JSON.parse(JSON.stringify(ev.outputs)));
        assert.equal(fs.readdirSync(path.join(out, "github")).length, GITHUB_FILES.production);
        assert.deepEqual(fs.readdirSync(path.join(out, "github")).sort(), [
            "actionsenvironmentvariable-production-variable-namespace.yaml",
            "actionsenvironmentvariable-production-variable-public_url.yaml",
            "branchprotection-production-branch-protection.yaml",
            "repositoryenvironment-production-environment.yaml",
            "repositoryenvironmentdeploymentpolicy-production-branch-main-0d6e4079.yaml",
        ]);
        const protection = YAML.parse(fs.readFileSync(path.join(out, "github", "branchprotection-production-branch-protection.yaml"), "utf8"));
        assert.equal(protection.type, "github:index/branchProtection:BranchProtection");
        assert.equal(protection.inputs.pattern, "main");
    });

    it("renders the same files byte for byte on a second run", () => {
        const a = path.join(tmp, "a");
        const b = path.join(tmp, "b");
        const first = render("staging", "--out", a);
        assert.equal(first.code, 0, first.stderr);
        // Staging's branch tags are looked up and run by digest: no finding, and the render says
        // where the digests came from (the committed fixture: it cannot ask a registry).
        const running = servicesOf(stackFacts("staging")).length;
        assert.ok(running >= 6);
        assert.match(first.stdout, /\nimages: [0-9]+ tags looked up in the registry, answered offline from tools\/harness\/registry\.yaml \(not real digests\)\npolicy: no findings/);
        assert.equal(render("staging", "--out", b).code, 0);
        const files = listFiles(a);
        assert.deepEqual(listFiles(b), files);
        assert.ok(files.includes("outputs.yaml"));
        for (const f of files) {
            assert.equal(fs.readFileSync(path.join(b, f), "utf8"), fs.readFileSync(path.join(a, f), "utf8"), f);
        }
    });

    it("exits 1 with the configuration error, no stack trace and no output, for an invalid stack", () => {
        fs.copyFileSync(path.join(REPO, "Pulumi.yaml"), path.join(tmp, "Pulumi.yaml"));
        const staging = fs.readFileSync(path.join(REPO, "Pulumi.staging.yaml"), "utf8");
        fs.writeFileSync(path.join(tmp, "Pulumi.broken.yaml"), staging.replace("replicas: 2", "replcias: 2"));
        const out = path.join(tmp, "out");
        const r = render("broken", "--dir", tmp, "--out", out);
        assert.equal(r.code, 1);
        assert.equal(
            r.stderr,
            "render: stack 'broken': Invalid configuration (1 problem):\n" +
                "  - Pulumi.broken.yaml: hft-platform:environment.services.orchestrator.replcias: unknown key (did you mean 'replicas'?); allowed keys: " +
                "kind, enabled, allowFrom, objectName, containerName, portName, selector, autoscaling, build, canary, command, args, env, envFrom, image, ingress, initContainers, job, metrics, pdb, port, probes, rbac, replicas, resources, runAsUser, secrets, servicePort, sidecars, tier, verify, volumes\n",
        );
        assert.equal(fs.existsSync(out), false);
    });

    it("names the stacks it knows when asked for one that does not exist", () => {
        const r = render("qa");
        assert.equal(r.code, 1);
        assert.equal(r.stderr, `render: no stack file Pulumi.qa.yaml; stacks here: ${stacksOf(REPO).join(", ")}\n`);
    });

    it("refuses to replace a folder it did not write", () => {
        fs.writeFileSync(path.join(tmp, "notes.txt"), "mine");
        const r = render("staging", "--out", tmp);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /^render: refusing to overwrite .* it exists and was not written by this tool/);
        assert.equal(fs.readFileSync(path.join(tmp, "notes.txt"), "utf8"), "mine");
    });
});

describe("npm run render: secrets", function () {
    this.timeout(60000);
    let tmp: string;
    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "platform-render-"));
    });
    after(() => {
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    for (const stack of ["staging", "production"]) {
        it(`writes no secret value for ${stack}, only redacted Secret data`, async () => {
            const out = path.join(tmp, stack);
            execFileSync(process.execPath, [...TS_NODE_ARGS, "tools/render.ts", stack, "--out", out], { cwd: REPO, env: { ...process.env, ...TS_NODE_ENV }, stdio: "pipe" });
            const password = unwrap(one(await run(stack), "core/v1:Secret", "orchestrator-secrets").stringData).SESSION_SIGNING_KEY;
            assert.equal(password, mockedPassword("orchestrator-session-signing-key"));
            const files = fs.readdirSync(out).filter((f) => f.endsWith(".yaml") && f !== "outputs.yaml");
            assert.equal(files.length, objectCount(stack));
            const texts = files.map((f) => fs.readFileSync(path.join(out, f), "utf8"));
            const all = texts.join("\n");
            assert.equal(all.includes(password), false, "the generated password was rendered");
            assert.equal(all.includes(PLAIN), true, "the grep sees plain values");
            assert.equal(all.includes(deployedImage(stack, "ingestion")), true);

            const docs = texts.map((t) => YAML.parse(t));
            const secrets = docs.filter((d) => d.kind === "Secret");
            assert.deepEqual(
                Object.fromEntries(secrets.map((d) => [d.metadata.name.replace(/-(secrets|registry)-[0-9a-f]{8}$/, ""), d.stringData])),
                Object.fromEntries([
                    ...Object.entries(SECRETS).map(([svc, keys]) => [svc, Object.fromEntries(keys.map((k) => [k, REDACTED]))]),
                    [stack, { ".dockerconfigjson": REDACTED }],
                ]),
            );
            assert.deepEqual(docs.flatMap((d) => manifestHits(d, REDACTED, true)), []);
            assert.equal(all.split(REDACTED).length - 1, Object.values(SECRETS).flat().length + 1, "exactly the Secret values are redacted: the services' and the pull Secret's");

            // The rest of the folder: the outputs and the GitHub resources, which hold no secret (no
            // stack writes a secret into GitHub; CI's Pulumi tokens come from OIDC).
            const rest = listFiles(out).filter((f) => !files.includes(f)).map((f) => fs.readFileSync(path.join(out, f), "utf8")).join("\n");
            assert.equal(rest.includes(password), false);
            assert.equal(rest.split(REDACTED).length - 1, 0, "nothing else is secret");
        });
    }
});

describe("npm run render: a reviewer's diff", function () {
    this.timeout(60000);
    let tmp: string;
    beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "render-diff-"))));
    afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

    /**
     * A copy of the project's files in `dir` (production and staging, the stack it promotes from),
     * with `market-maker` (calling execution and risk-manager, with an Ingress) added when asked:
     * production pins the digest staging ran, as `npm run promote` writes it; a log-shipping sidecar
     * named by tag when asked (sidecar images are not looked up).
     */
    function project(dir: string, marketMaker?: { sidecarByTag?: boolean }): string {
        fs.mkdirSync(dir, { recursive: true });
        const read = (f: string) => YAML.parse(fs.readFileSync(path.join(REPO, f), "utf8"));
        const [main, production] = [read("Pulumi.yaml"), read("Pulumi.production.yaml")];
        if (marketMaker) {
            const services = main.config.catalog.value.services;
            services["market-maker"] = structuredClone(MARKET_MAKER);
            if (marketMaker.sidecarByTag) services["market-maker"].sidecars = { "log-shipper": { image: "docker.io/fluent/fluent-bit:3.1.9" } };
            for (const callee of MARKET_MAKER_CALLEES) services[callee].allowFrom.push("market-maker");
            const image = { tag: "1.4.2", digest: lookUp(`${MARKET_MAKER.image.repository}:main-3f9c2ab`).digest };
            production.config["hft-platform:environment"].services["market-maker"] = { image };
        }
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), YAML.stringify(main));
        fs.writeFileSync(path.join(dir, "Pulumi.production.yaml"), YAML.stringify(production));
        fs.copyFileSync(path.join(REPO, "Pulumi.staging.yaml"), path.join(dir, "Pulumi.staging.yaml"));
        return dir;
    }

    /** What changed from folder `a` to folder `b`: added, removed and changed files. */
    function changes(a: string, b: string): string[] {
        const [before, after] = [listFiles(a), listFiles(b)];
        const read = (dir: string, f: string) => fs.readFileSync(path.join(dir, f), "utf8");
        return [
            ...after.filter((f) => !before.includes(f)).map((f) => `+ ${f}`),
            ...before.filter((f) => !after.includes(f)).map((f) => `- ${f}`),
            ...before.filter((f) => after.includes(f) && read(a, f) !== read(b, f)).map((f) => `~ ${f}`),
        ];
    }

    it("adding a service changes only its files and the objects that really change, outputs and GitHub included", () => {
        const [a, b] = [path.join(tmp, "a"), path.join(tmp, "b")];
        const before = render("production", "--dir", project(path.join(tmp, "before")), "--out", a);
        assert.equal(before.code, 0, before.stderr);
        const after = render("production", "--dir", project(path.join(tmp, "after"), {}), "--out", b);
        assert.equal(after.code, 0, after.stderr);
        // An auto-named object's hash suffix is shown as <hash>, a verification Job's release digest as <release>.
        assert.deepEqual(changes(a, b).map((c) => c.replace(/-[0-9a-f]{8}\.yaml$/, "-<hash>.yaml").replace(/-verify-[0-9a-f]{10}\.yaml$/, "-verify-<release>.yaml")), [
            "+ configmap-market-maker-config-<hash>.yaml",
            ...["deployment", "horizontalpodautoscaler", "ingress"].map((k) => `+ ${k}-market-maker.yaml`),
            // It is checked like every service with a Service (the catalog's defaults: docs/verification.md).
            "+ job-market-maker-verify-<release>.yaml",
            ...["networkpolicy", "poddisruptionbudget", "service", "serviceaccount"].map((k) => `+ ${k}-market-maker.yaml`),
            // Production's Prometheus Operator scrapes it (the catalog's defaults give every service metrics).
            "+ servicemonitor_monitoring.coreos.com_hft-production_market-maker.yaml",
            // The services it calls now let it in; the stack names its public service, so publicUrl
            // (and GitHub's PUBLIC_URL) stays on the orchestrator although the new service is exposed.
            "~ networkpolicy-execution.yaml",
            "~ networkpolicy-risk-manager.yaml",
            "~ outputs.yaml",
        ]);
        assert.equal(YAML.parse(fs.readFileSync(path.join(b, "outputs.yaml"), "utf8")).publicUrl, "https://trading.acme-trading.example/");
    });

    it("exits 4 after writing the files when a mandatory policy finds something, and prints it", () => {
        const out = path.join(tmp, "out");
        const r = render("production", "--dir", project(path.join(tmp, "project"), { sidecarByTag: true }), "--out", out);
        assert.equal(r.code, 4, r.stderr);
        assert.equal(r.stderr, "render: stack 'production': mandatory policy findings (above); 'pulumi preview' would fail\n");
        assert.match(
            r.stdout,
            /\npolicy: 1 finding \(1 mandatory, 0 advisory\):\n {2}mandatory no-mutable-image-tags: Deployment 'hft-production\/market-maker' [a-z ]+'log-shipper' image 'docker\.io\/fluent\/fluent-bit:3\.1\.9' uses the tag '3\.1\.9' without a digest/,
        );
        assert.ok(fs.existsSync(path.join(out, "deployment-market-maker.yaml")));
    });
});

describe("npm run render --diff <git-ref>: what a change does, like helm diff", function () {
    this.timeout(60000);
    let tmp: string;
    let repo: string;
    const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, encoding: "utf8" }).trim();
    const read = (f: string) => fs.readFileSync(path.join(REPO, f), "utf8");
    /** The files the diff lists, as `<status> <path>`, an auto-named object's hash suffix shown as <hash>. */
    const listed = (stdout: string) =>
        stdout
            .split("\n")
            .filter((l) => /^(added|changed|replaced|removed) \S+\.yaml( -> \S+\.yaml)? \(/.test(l))
            .map((l) => l.replace(/ \(.*$/, "").replace(/-[0-9a-f]{8}\.yaml/g, "-<hash>.yaml").replace(/-verify-[0-9a-f]{10}\.yaml/g, "-verify-<release>.yaml"));

    beforeEach(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "render-gitdiff-"));
        repo = path.join(tmp, "repo");
        fs.mkdirSync(repo);
        git("init", "-q", "-b", "main");
        git("config", "user.email", "ci@example.com");
        git("config", "user.name", "CI");
        // The project as committed: Pulumi.yaml, the production stack and staging (whose releases
        // production's promotion gate reads), before market-maker.
        fs.writeFileSync(path.join(repo, "Pulumi.yaml"), read("Pulumi.yaml"));
        fs.writeFileSync(path.join(repo, "Pulumi.production.yaml"), read("Pulumi.production.yaml"));
        fs.writeFileSync(path.join(repo, "Pulumi.staging.yaml"), read("Pulumi.staging.yaml"));
        git("add", "-A");
        git("commit", "-q", "-m", "before market-maker");
    });
    afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

    /** Adds market-maker to the working tree, uncommitted (the same change as the reviewer's diff test above). */
    function addMarketMaker(): void {
        const main = YAML.parse(read("Pulumi.yaml"));
        const production = YAML.parse(read("Pulumi.production.yaml"));
        const services = main.config.catalog.value.services;
        services["market-maker"] = structuredClone(MARKET_MAKER);
        for (const callee of MARKET_MAKER_CALLEES) services[callee].allowFrom.push("market-maker");
        // The digest staging ran, as `npm run promote` writes it.
        production.config["hft-platform:environment"].services["market-maker"] = { image: { tag: "1.4.2", digest: lookUp(`${MARKET_MAKER.image.repository}:main-3f9c2ab`).digest } };
        fs.writeFileSync(path.join(repo, "Pulumi.yaml"), YAML.stringify(main));
        fs.writeFileSync(path.join(repo, "Pulumi.production.yaml"), YAML.stringify(production));
    }

    it("shows the new service's files as added, its callees' NetworkPolicies and outputs.yaml as changed, and exits 4", () => {
        addMarketMaker();
        const r = render("production", "--dir", repo, "--diff", "HEAD");
        assert.equal(r.code, 4, r.stderr);
        assert.equal(r.stderr, "");
        const head = git("rev-parse", "--short=7", "HEAD");
        assert.equal(
            r.stdout.split("\n")[0],
            `stack production: the configuration at 'HEAD' (${head}) and the working tree's, both rendered with today's code (a change of code since then does not show)`,
        );
        assert.deepEqual(listed(r.stdout), [
            "added configmap-market-maker-config-<hash>.yaml",
            "added deployment-market-maker.yaml",
            "added horizontalpodautoscaler-market-maker.yaml",
            "added ingress-market-maker.yaml",
            "added job-market-maker-verify-<release>.yaml",
            "changed networkpolicy-execution.yaml",
            "added networkpolicy-market-maker.yaml",
            "changed networkpolicy-risk-manager.yaml",
            "changed outputs.yaml",
            "added poddisruptionbudget-market-maker.yaml",
            "added service-market-maker.yaml",
            "added serviceaccount-market-maker.yaml",
            "added servicemonitor_monitoring.coreos.com_hft-production_market-maker.yaml",
        ]);
        // Every other file of production's render is unchanged.
        assert.ok(r.stdout.endsWith(`\nstack production since 'HEAD': 10 added, 3 changed, 0 replaced, 0 removed (${fileCount("production") - 3} unchanged)\n\npolicy: no findings (13 rules)\n`), r.stdout);
        // A callee's NetworkPolicy gains the caller, and nothing else of it shows.
        assert.ok(
            r.stdout.includes(
                "\nchanged networkpolicy-execution.yaml (NetworkPolicy execution)\n--- a/networkpolicy-execution.yaml\n+++ b/networkpolicy-execution.yaml\n" +
                    "@@ -14,6 +14,10 @@\n     - from:\n         - podSelector:\n             matchLabels:\n" +
                    "+              app.kubernetes.io/name: market-maker\n+              app.kubernetes.io/part-of: hft\n+        - podSelector:\n+            matchLabels:\n" +
                    "               app.kubernetes.io/name: orchestrator\n               app.kubernetes.io/part-of: hft\n         - podSelector:\n\n",
            ),
            r.stdout,
        );
        assert.match(r.stdout, /\n@@ -[0-9]+,6 \+[0-9]+,12 @@\n(.*\n){3}\+ {2}market-maker:\n\+ {4}address: http:\/\/market-maker\.hft-production\.svc\.cluster\.local\n/);
        // Its release, from the digest production pins (the one staging ran).
        assert.match(r.stdout, /\n\+ {2}market-maker:\n\+ {4}- image: ghcr\.io\/acme-trading\/hft-market-maker@sha256:[0-9a-f]{64}\n\+ {6}source: stack file\n\+ {6}tag: 1\.4\.2\n/);
    });

    it("shows a changed auto-named ConfigMap as replaced, with the Deployment that mounts it changed", () => {
        const main = YAML.parse(read("Pulumi.yaml"));
        const execution = main.config.catalog.value.services.execution;
        execution.env = { ...execution.env, LOG_FORMAT: "json" };
        fs.writeFileSync(path.join(repo, "Pulumi.yaml"), YAML.stringify(main));
        const r = render("production", "--dir", repo, "--diff", "HEAD");
        assert.equal(r.code, 4, r.stderr);
        assert.deepEqual(listed(r.stdout), ["replaced configmap-execution-config-<hash>.yaml -> configmap-execution-config-<hash>.yaml", "changed deployment-execution.yaml"]);
        assert.match(r.stdout, /\nreplaced configmap-execution-config-[0-9a-f]{8}\.yaml -> configmap-execution-config-[0-9a-f]{8}\.yaml \(ConfigMap execution-config-[0-9a-f]{8}\)\n/);
        assert.match(r.stdout, /\n\+ {2}LOG_FORMAT: json\n/);
        assert.ok(r.stdout.includes(`\nstack production since 'HEAD': 0 added, 1 changed, 1 replaced, 0 removed (${fileCount("production") - 2} unchanged)\n`), r.stdout);
    });

    it("finds nothing when the working tree renders as the commit does, and exits 0 writing nothing", () => {
        const r = render("production", "--dir", repo, "--diff", "main");
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(listed(r.stdout), []);
        assert.ok(r.stdout.includes(`\nstack production since 'main': 0 added, 0 changed, 0 replaced, 0 removed (${fileCount("production")} unchanged)\n`), r.stdout);
        assert.deepEqual(fs.readdirSync(repo).sort(), [".git", "Pulumi.production.yaml", "Pulumi.staging.yaml", "Pulumi.yaml"]);
    });

    it("with --out, also writes the working tree's render there (never the old one)", () => {
        addMarketMaker();
        const out = path.join(tmp, "out");
        const r = render("production", "--dir", repo, "--diff", "HEAD", "--out", out);
        assert.equal(r.code, 4, r.stderr);
        assert.match(r.stdout, /\nthe working tree's render is written to .*out\n/);
        assert.ok(fs.existsSync(path.join(out, "deployment-market-maker.yaml")));
        // Production's objects, market-maker's ten (its verification Job among them), and outputs.yaml.
        assert.equal(fs.readdirSync(out).filter((f) => f.endsWith(".yaml")).length, objectCount("production") + 10 + 1);
    });

    it("shows every file of a stack added since the ref as added, secrets still redacted", async () => {
        git("rm", "-q", "Pulumi.staging.yaml");
        git("commit", "-q", "-m", "no staging yet");
        fs.writeFileSync(path.join(repo, "Pulumi.staging.yaml"), read("Pulumi.staging.yaml"));
        const r = render("staging", "--dir", repo, "--diff", "HEAD");
        assert.equal(r.code, 4, r.stderr);
        assert.equal(r.stdout.split("\n")[1], "Pulumi.staging.yaml did not exist at 'HEAD': every file is added");
        const files = listed(r.stdout);
        assert.equal(files.length, fileCount("staging"));
        assert.deepEqual(files.filter((f) => !f.startsWith("added ")), []);
        assert.ok(files.includes("added secret-orchestrator-secrets-<hash>.yaml"), files.join(", "));
        const password = unwrap(one(await run("staging"), "core/v1:Secret", "orchestrator-secrets").stringData).SESSION_SIGNING_KEY;
        assert.equal(r.stdout.includes(password), false, "the generated password was printed");
        assert.match(r.stdout, /\n\+ {2}SESSION_SIGNING_KEY: <redacted>\n/);
    });

    it("refuses a ref that names no commit, and a folder outside a git repository", () => {
        const r = render("production", "--dir", repo, "--diff", "no-such-branch");
        assert.equal(r.code, 1);
        assert.equal(r.stderr, `render: --diff: 'no-such-branch' names no commit in the git repository of ${repo}\n`);
        const outside = path.join(tmp, "outside");
        fs.mkdirSync(outside);
        fs.copyFileSync(path.join(repo, "Pulumi.yaml"), path.join(outside, "Pulumi.yaml"));
        fs.copyFileSync(path.join(repo, "Pulumi.production.yaml"), path.join(outside, "Pulumi.production.yaml"));
        fs.copyFileSync(path.join(repo, "Pulumi.staging.yaml"), path.join(outside, "Pulumi.staging.yaml"));
        const o = render("production", "--dir", outside, "--diff", "HEAD");
        assert.equal(o.code, 1);
        assert.equal(o.stderr, `render: --diff: ${outside} is not inside a git repository\n`);
    });

    it("refuses a configuration at the ref that today's code does not accept, saying so", () => {
        fs.writeFileSync(path.join(repo, "Pulumi.production.yaml"), read("Pulumi.production.yaml").replace("hft-platform:environment:", "hft-platform:environment:\n    replcias: 2"));
        git("commit", "-q", "-am", "a typo");
        fs.writeFileSync(path.join(repo, "Pulumi.production.yaml"), read("Pulumi.production.yaml"));
        const r = render("production", "--dir", repo, "--diff", "HEAD");
        assert.equal(r.code, 1);
        assert.match(r.stderr, /^render: the configuration at 'HEAD' does not render with today's code: stack 'production': Invalid configuration/);
    });
});
