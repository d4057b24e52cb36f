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

describe("npm run render (offline rendering of a stack)", function () {
    this.timeout(60000);
    let tmp: string;
    beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "render-"))));
    afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("writes the production manifests and prints the service table", () => {
        const out = path.join(tmp, "out");
        const r = render("production", "--out", out);
        assert.equal(r.code, 0, r.stderr);
        const files = fs.readdirSync(out).filter((f) => f.endsWith(".yaml"));
        assert.equal(files.length, 51);
        assert.equal(files[0], "00-namespace-hft-production.yaml");
        const deployment = YAML.parse(fs.readFileSync(path.join(out, files.find((f) => f.includes("deployment-execution"))!), "utf8"));
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
    });

    it("renders the same files byte for byte on a second run", () => {
        const a = path.join(tmp, "a");
        const b = path.join(tmp, "b");
        assert.equal(render("staging", "--out", a).code, 0);
        assert.equal(render("staging", "--out", b).code, 0);
        const files = fs.readdirSync(a).sort();
        assert.deepEqual(fs.readdirSync(b).sort(), files);
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
                "  - hft-platform:environment.services.orchestrator.replcias: unknown key (did you mean 'replicas'?); allowed keys: " +
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
            const files = fs.readdirSync(out).filter((f) => f.endsWith(".yaml"));
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
        });
    }
});
