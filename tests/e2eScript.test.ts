import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { replacedIn, unexpected } from "../tools/e2e/replaced";
import { pinned, withSetting } from "../tools/e2e/stackSetting";
import { KIND_ACTION, KIND_VERSION, SETUP_GO, UPLOAD_ARTIFACT } from "../tools/generate/actions";
import { PROJECT, REPO } from "./support";

/**
 * Issue 20: scripts/e2e.sh proves the program on a kind cluster in .github/workflows/e2e.yml.
 * Its stack file, its edits and the workflow are checked here; its offline step (render + policy
 * pack) runs as a process in tests/e2e/e2eScript.test.ts, so a broken script or stack is caught
 * before a runner sees it; the cluster steps need Docker, kind and the Pulumi CLI, which no suite has.
 */

const STACK_FILE = fs.readFileSync(path.join(REPO, "Pulumi.e2e.yaml"), "utf8");
const DIGEST = `sha256:${"ab".repeat(32)}`;

describe("scripts/e2e.sh (issue 20)", () => {
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
