import { strict as assert } from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { REDACTED } from "../../tools/harness/stackFiles";
import { manifestHits, mockedPassword, PLAIN, SECRETS } from "../secretWalk";
import { deployedImage, one, REPO, run, TS_NODE_ARGS, TS_NODE_ENV, unwrap } from "../support";

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
        assert.equal(files.length, 51);
        assert.ok(files.includes("namespace-hft-production.yaml"), files.join(", "));
        assert.deepEqual(files.filter((f) => /^\d/.test(f)), [], "no position numbers");
        const deployment = YAML.parse(fs.readFileSync(path.join(out, "deployment-execution.yaml"), "utf8"));
        assert.equal(deployment.metadata.namespace, "hft-production");
        assert.equal(deployment.spec.replicas, undefined);
        assert.match(r.stdout, /secret config not set here, rendered as "<redacted>": brokerApiKey, githubToken, kubeconfig, marketDataApiKey, pulumiAccessToken, pulumiPreviewToken, registryPassword/);
        const row = r.stdout.split("\n").find((l) => l.startsWith("orchestrator"));
        assert.deepEqual(row?.split(/\s{2,}/), [
            "orchestrator",
            "HPA 3-12",
            deployedImage("production", "orchestrator").replace(/(@sha256:[0-9a-f]{12})[0-9a-f]{52}$/, "$1…"),
            "trading.acme-trading.example/",
            "500m/512Mi",
            "2000m/2Gi",
        ]);
        assert.match(r.stdout, /\npolicy: no findings \(10 rules\)\n$/);

        const ev = await run("production");
        assert.deepEqual(YAML.parse(fs.readFileSync(path.join(out, "outputs.yaml"), "utf8")), JSON.parse(JSON.stringify(ev.outputs)));
        assert.deepEqual(fs.readdirSync(path.join(out, "github")).sort(), [
            "actionsenvironmentsecret-production-secret-pulumi_access_token.yaml",
            "actionsenvironmentvariable-production-variable-namespace.yaml",
            "actionsenvironmentvariable-production-variable-public_url.yaml",
            "actionssecret-production-repository-secret-pulumi_access_token.yaml",
            "branchprotection-production-branch-protection.yaml",
            "repositoryenvironment-production-environment.yaml",
            "repositoryenvironmentdeploymentpolicy-production-branch-main-0d6e4079.yaml",
        ]);
        const secret = YAML.parse(fs.readFileSync(path.join(out, "github", "actionssecret-production-repository-secret-pulumi_access_token.yaml"), "utf8"));
        assert.deepEqual(secret, {
            type: "github:index/actionsSecret:ActionsSecret",
            name: "production-repository-secret-pulumi_access_token",
            inputs: { repository: "hft-platform", secretName: "PULUMI_ACCESS_TOKEN", value: REDACTED },
        });
    });

    it("renders the same files byte for byte on a second run", () => {
        const a = path.join(tmp, "a");
        const b = path.join(tmp, "b");
        const first = render("staging", "--out", a);
        assert.equal(first.code, 0, first.stderr);
        // Staging's branch-tagged images are advice, not a block: printed, and the exit stays 0.
        const advice = first.stdout.split("\n").filter((l) => l.startsWith("  advisory no-mutable-image-tags-nonproduction: Deployment 'hft-staging/"));
        assert.equal(advice.length, 6, first.stdout);
        assert.match(first.stdout, /\npolicy: 6 findings \(0 mandatory, 6 advisory\):\n/);
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
                "allowFrom, autoscaling, build, env, image, ingress, pdb, port, probes, replicas, resources, runAsUser, secrets, servicePort, tier\n",
        );
        assert.equal(fs.existsSync(out), false);
    });

    it("names the stacks it knows when asked for one that does not exist", () => {
        const r = render("qa");
        assert.equal(r.code, 1);
        assert.equal(r.stderr, "render: no stack file Pulumi.qa.yaml; stacks here: production, staging\n");
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
            assert.equal(files.length, stack === "staging" ? 40 : 51);
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
            assert.equal(all.split(REDACTED).length - 1, 4, "exactly the four Secret values are redacted");

            // The rest of the folder: the outputs and the GitHub resources (each stack's environment
            // secret; production also the repository secret).
            const rest = listFiles(out).filter((f) => !files.includes(f)).map((f) => fs.readFileSync(path.join(out, f), "utf8")).join("\n");
            assert.equal(rest.includes(password), false);
            assert.equal(rest.split(REDACTED).length - 1, stack === "staging" ? 1 : 2, "only the GitHub secrets are redacted");
        });
    }
});

describe("npm run render: a reviewer's diff", function () {
    this.timeout(60000);
    let tmp: string;
    beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "render-diff-"))));
    afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

    /** A copy of the project's files in `dir`, with `market-maker` (calling execution and risk-manager, with an Ingress) added when asked. */
    function project(dir: string, marketMaker?: { digest: boolean }): string {
        fs.mkdirSync(dir);
        const read = (f: string) => YAML.parse(fs.readFileSync(path.join(REPO, f), "utf8"));
        const [main, production] = [read("Pulumi.yaml"), read("Pulumi.production.yaml")];
        if (marketMaker) {
            const services = main.config.catalog.value.services;
            services["market-maker"] = {
                port: 8006,
                image: { repository: "ghcr.io/acme-trading/hft-market-maker" },
                env: { EXECUTION_URL: "http://execution", RISK_MANAGER_URL: "http://risk-manager" },
                ingress: { hostPrefix: "mm", path: "/" },
            };
            services.execution.allowFrom.push("market-maker");
            services["risk-manager"].allowFrom.push("market-maker");
            const image = { tag: "1.4.2", ...(marketMaker.digest ? { digest: `sha256:${"ab".repeat(32)}` } : {}) };
            production.config["hft-platform:environment"].services["market-maker"] = { image };
        }
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), YAML.stringify(main));
        fs.writeFileSync(path.join(dir, "Pulumi.production.yaml"), YAML.stringify(production));
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
        const after = render("production", "--dir", project(path.join(tmp, "after"), { digest: true }), "--out", b);
        assert.equal(after.code, 0, after.stderr);
        // An auto-named object's hash suffix is shown as <hash>.
        assert.deepEqual(changes(a, b).map((c) => c.replace(/-[0-9a-f]{8}\.yaml$/, "-<hash>.yaml")), [
            "+ configmap-market-maker-config-<hash>.yaml",
            ...["deployment", "horizontalpodautoscaler", "ingress", "networkpolicy", "poddisruptionbudget", "service", "serviceaccount"].map((k) => `+ ${k}-market-maker.yaml`),
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
        const r = render("production", "--dir", project(path.join(tmp, "project"), { digest: false }), "--out", out);
        assert.equal(r.code, 4, r.stderr);
        assert.equal(r.stderr, "render: stack 'production': mandatory policy findings (above); 'pulumi preview' would fail\n");
        assert.match(
            r.stdout,
            /\npolicy: 1 finding \(1 mandatory, 0 advisory\):\n {2}mandatory no-mutable-image-tags: Deployment 'hft-production\/market-maker' container 'market-maker' image 'ghcr\.io\/acme-trading\/hft-market-maker:1\.4\.2' uses the tag '1\.4\.2' without a digest/,
        );
        assert.ok(fs.existsSync(path.join(out, "deployment-market-maker.yaml")));
    });
});
