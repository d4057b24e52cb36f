import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { PROJECT, REPO } from "../support";

/**
 * scripts/e2e.sh run as a process (issue 20): its offline step (render + policy pack), its usage
 * error, and shellcheck. The in-process checks of its stack and workflow are tests/e2eScript.test.ts.
 */

const SCRIPT = path.join(REPO, "scripts", "e2e.sh");
const STACK_FILE = fs.readFileSync(path.join(REPO, "Pulumi.e2e.yaml"), "utf8");
const onPath = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;

describe("scripts/e2e.sh as a process (issue 20)", () => {
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
});
