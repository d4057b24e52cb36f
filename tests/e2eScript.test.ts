import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { replacedIn, unexpected } from "../tools/e2e/replaced";
import { pinned, withSetting } from "../tools/e2e/stackSetting";
import { KIND_ACTION, KIND_VERSION, SETUP_GO, UPLOAD_ARTIFACT } from "../tools/generate/actions";
import { PROJECT, REPO } from "./support";

/**
 * Issue 20: scripts/e2e.sh proves the program on a kind cluster in .github/workflows/e2e.yml.
 * Its offline step (render + policy pack) runs here, so a broken script or stack is caught before
 * a runner sees it; the cluster steps need Docker, kind and the Pulumi CLI, which this suite has not.
 */

const SCRIPT = path.join(REPO, "scripts", "e2e.sh");
const STACK_FILE = fs.readFileSync(path.join(REPO, "Pulumi.e2e.yaml"), "utf8");
const DIGEST = `sha256:${"ab".repeat(32)}`;
const onPath = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;

describe("scripts/e2e.sh (issue 20)", () => {
    it("--steps render renders the e2e stack offline into the artifacts folder and passes the policy pack", function () {
        this.timeout(120000);
        const artifacts = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-artifacts-"));
        try {
            const r = spawnSync("bash", [SCRIPT, "--steps", "render"], { cwd: os.tmpdir(), env: { ...process.env, E2E_ARTIFACTS: artifacts, E2E_WORK: path.join(artifacts, "work") }, encoding: "utf8" });
            assert.equal(r.status, 0, r.stderr + r.stdout);
            const rendered = path.join(artifacts, "rendered");
            const ingress = YAML.parse(fs.readFileSync(path.join(rendered, "ingress-orchestrator.yaml"), "utf8"));
            assert.equal(ingress.metadata.namespace, "hft-e2e");
            assert.equal(ingress.spec.ingressClassName, "nginx");
            assert.equal(ingress.metadata.annotations["cert-manager.io/cluster-issuer"], "e2e-selfsigned", "the self-signed issuer the script installs");
            assert.deepEqual(ingress.spec.rules.map((r: any) => r.host), ["trading.e2e.hft.test"]);
            // Every service the stack gives the test image runs it (a service the catalog gains later needs its own line there).
            const testImage = Object.entries<any>(YAML.parse(STACK_FILE).config[`${PROJECT}:environment`].services)
                .filter(([, s]) => s.image?.repository === "localhost:5001/hft-e2e-app")
                .map(([name]) => `deployment-${name}.yaml`);
            assert.deepEqual(testImage.sort(), ["execution", "garch-model", "ingestion", "kalman-filter", "orchestrator", "risk-manager"].map((s) => `deployment-${s}.yaml`));
            for (const f of testImage) {
                const d = YAML.parse(fs.readFileSync(path.join(rendered, f), "utf8"));
                assert.match(d.spec.template.spec.containers[0].image, /^localhost:5001\/hft-e2e-app@sha256:[0-9a-f]{64}$/, f);
                assert.equal(d.spec.progressDeadlineSeconds, 60, f);
            }
            const ns = YAML.parse(fs.readFileSync(path.join(rendered, "namespace-hft-e2e.yaml"), "utf8"));
            assert.equal(ns.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
            assert.ok(fs.existsSync(path.join(rendered, "networkpolicy-kalman-filter.yaml")));
            const log = fs.readFileSync(path.join(artifacts, "render.log"), "utf8");
            assert.match(log, /^policy: no findings \(\d+ rules\)$/m);
            assert.deepEqual(fs.readdirSync(artifacts).sort(), ["render.log", "rendered"], "no cluster step ran, and no scratch work was left");
        } finally {
            fs.rmSync(artifacts, { recursive: true, force: true });
        }
    });

    it("refuses an unknown step with its usage (exit 2), before doing anything", () => {
        const r = spawnSync("bash", [SCRIPT, "--steps", "render,deploy-everything"], { encoding: "utf8", env: { ...process.env, E2E_ARTIFACTS: fs.mkdtempSync(path.join(os.tmpdir(), "e2e-usage-")) } });
        assert.equal(r.status, 2);
        assert.match(r.stderr, /^usage: scripts\/e2e\.sh \[--steps <step>\[,<step>\.\.\.\]\]   steps: render cluster images stack preview up change broken destroy$/m);
    });

    it("passes shellcheck, as .ci/run checks it", function () {
        if (!onPath("shellcheck")) {
            // .ci/run installs Debian's shellcheck and runs it itself; this suite may run before that.
            this.skip();
        }
        const scripts = fs.readdirSync(path.join(REPO, "scripts")).filter((f) => f.endsWith(".sh"));
        const r = spawnSync("shellcheck", ["-x", ...scripts.map((f) => path.join("scripts", f))], { cwd: REPO, encoding: "utf8" });
        assert.equal(r.status, 0, r.stdout);
    });

    it("the e2e stack is out of the CI matrix and names the cluster, registry and issuer the script creates", () => {
        const env = YAML.parse(STACK_FILE).config[`${PROJECT}:environment`];
        assert.deepEqual(env.ci, { preview: false });
        assert.equal(env.cluster.context, "kind-hft-e2e");
        assert.equal(env.registry.server, "localhost:5001");
        assert.equal(env.ingress.clusterIssuer, "e2e-selfsigned");
        const script = ["e2e.sh", "e2e-cluster.sh", "e2e-checks.sh"].map((f) => fs.readFileSync(path.join(REPO, "scripts", f), "utf8")).join("\n");
        assert.match(script, /^readonly CLUSTER=hft-e2e$/m);
        assert.match(script, /^  name: e2e-selfsigned$/m);
        assert.match(script, /^readonly NAMESPACE=hft-e2e$/m);
    });
});

describe("tools/e2e: the stack edits and the replacement check of scripts/e2e.sh", () => {
    it("pins services to a digest and changes a setting, keeping every other line", () => {
        const text = withSetting(pinned(STACK_FILE, PROJECT, "Pulumi.e2e.yaml", `localhost:5001/hft-e2e-app@${DIGEST}`, ["execution"]), PROJECT, "Pulumi.e2e.yaml", "logLevel", "DEBUG");
        const before = STACK_FILE.split("\n");
        const after = text.split("\n");
        assert.equal(after.length, before.length);
        const changed = after.filter((l, i) => l !== before[i]);
        assert.deepEqual(changed, ["    logLevel: DEBUG", `        image: { repository: localhost:5001/hft-e2e-app, digest: "${DIGEST}" }`]);
        assert.throws(() => pinned(STACK_FILE, PROJECT, "Pulumi.e2e.yaml", "localhost:5001/hft-e2e-app:good", ["execution"]), /expected an image reference ending in @sha256:<64 hex digits>, got "localhost:5001\/hft-e2e-app:good"/);
        assert.throws(() => withSetting(STACK_FILE, PROJECT, "Pulumi.e2e.yaml", "nothing.here", "1"), /Pulumi.e2e.yaml has no environment.nothing to set nothing.here in/);
    });

    it("lets a changed setting replace ConfigMaps only", () => {
        const urn = (type: string, name: string) => `urn:pulumi:e2e::hft-platform::hft:platform:Service$${type}::${name}`;
        const preview = JSON.stringify({
            steps: [
                { op: "same", urn: urn("kubernetes:apps/v1:Deployment", "kalman-filter-deployment") },
                { op: "update", urn: urn("kubernetes:apps/v1:Deployment", "execution-deployment") },
                { op: "replace", urn: urn("kubernetes:core/v1:ConfigMap", "e2e-common") },
                { op: "create-replacement", urn: urn("kubernetes:core/v1:ConfigMap", "e2e-common") },
            ],
        });
        assert.deepEqual(replacedIn(preview), ["kubernetes:core/v1:ConfigMap e2e-common"]);
        assert.deepEqual(unexpected(replacedIn(preview)), []);
        const worse = JSON.stringify({ steps: [{ op: "replace", urn: urn("kubernetes:core/v1:Service", "execution-service") }] });
        assert.deepEqual(unexpected(replacedIn(worse)), ["kubernetes:core/v1:Service execution-service"]);
    });
});

describe(".github/workflows/e2e.yml", () => {
    const wf = YAML.parse(fs.readFileSync(path.join(REPO, ".github", "workflows", "e2e.yml"), "utf8"));
    it("runs scripts/e2e.sh with kind pinned at v0.24.0 or later, no secret and read-only contents, and uploads the artifacts", () => {
        assert.deepEqual(Object.keys(wf.on).sort(), ["pull_request", "schedule", "workflow_dispatch"]);
        assert.deepEqual(wf.permissions, { contents: "read" });
        const job = wf.jobs.e2e;
        assert.equal(job.permissions, undefined);
        const steps: any[] = job.steps;
        const uses = (action: string) => steps.find((s) => s.uses === action.split(" ")[0]);
        const [major, minor] = KIND_VERSION.slice(1).split(".").map(Number);
        assert.ok(major > 0 || minor >= 24, KIND_VERSION);
        assert.equal(uses(KIND_ACTION).with.version, KIND_VERSION);
        assert.equal(uses(KIND_ACTION).with.cluster_name, "hft-e2e");
        assert.ok(uses(SETUP_GO));
        assert.deepEqual(steps.filter((s) => s.run === "scripts/e2e.sh").length, 1);
        const upload = uses(UPLOAD_ARTIFACT);
        assert.equal(upload.if, "always()");
        assert.equal(upload.with.path, "e2e-artifacts/");
        assert.equal(job.env.E2E_ARTIFACTS, "${{ github.workspace }}/e2e-artifacts");
        assert.doesNotMatch(JSON.stringify(wf), /secrets\.|id-token/);
    });
});
