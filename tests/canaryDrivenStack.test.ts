import { strict as assert } from "assert";
import { loadPlatformConfig } from "../config/load";
import { PlatformConfig } from "../config/types";
import { deployPlatform } from "../program";
import { MOCK_DOCKER_HOST, promotionSourceOutputs, underMocks, unwrapSecrets } from "../tools/harness/evaluate";
import { toManifests } from "../tools/harness/manifests";
import { checkRules, policyResources } from "../tools/harness/policy";
import { predictedNames, recordedNames } from "./declaredNames";
import { validateManifest } from "./kubernetesModels";
import { deployedImage, editedConfig, one, PROJECT, REPO, run } from "./support";

/**
 * A driven canary end to end through the configuration reader: the production stack, exposed
 * through a Gateway with `environment.canary.mode: driven` (its orchestrator has a canary), read
 * from its stack files with `PLATFORM_CANARY` in the environment as the release driver sets it.
 */

const STABLE = `ghcr.io/acme-trading/hft-orchestrator@sha256:${"e".repeat(64)}`;

const drivenProduction = () =>
    editedConfig("production", (v) => {
        v.environment.exposure = "gateway";
        v.environment.gateway = { name: "public", namespace: "gateway-system", httpListener: "http" };
        v.environment.canary = { mode: "driven", prometheus: "https://prometheus.example.com" };
    });

/** Staging's outputs, evaluated without the release's variable (the promotion source is another stack, which no release reaches). */
const staging = () => promotionSourceOutputs(drivenProduction(), { ciEnv: {} });

const release = (weight: number, promote = false) => ({ PLATFORM_CANARY: JSON.stringify({ weight, stable: { orchestrator: STABLE }, promote }) });

describe("a driven release of the production stack, through the configuration reader", () => {
    it("renders the stable and canary Deployments, the weighted route and the canary output from PLATFORM_CANARY", async () => {
        const ev = await run(drivenProduction(), { ciEnv: release(10), stackOutputs: await staging() });
        const configured = deployedImage("production", "orchestrator");
        const image = (name: string) => one(ev, "apps/v1:Deployment", name).spec.template.spec.containers[0].image;
        assert.equal(image("orchestrator-deployment"), STABLE);
        assert.equal(image("orchestrator-canary-deployment"), configured);
        assert.equal(one(ev, "apps/v1:Deployment", "orchestrator-canary-deployment").spec.replicas, 1);
        const route = ev.resources.find((r) => r.name === "orchestrator-route")!.inputs as any;
        assert.deepEqual(
            route.spec.rules[0].backendRefs.map((b: any) => [b.name, b.weight]),
            [
                ["orchestrator", 90],
                ["orchestrator-canary", 10],
            ],
        );
        const outputs = unwrapSecrets(ev.outputs) as any;
        assert.deepEqual(outputs.canary, { weight: 10, services: { orchestrator: configured } });
        assert.equal(outputs.releases.orchestrator[0].image, STABLE);
        for (const m of toManifests(ev.resources)) assert.doesNotThrow(() => validateManifest(m), `${m.kind} ${m.metadata.name}`);
        // The production rules accept the canary's one pod beside the autoscaled stable Deployment.
        assert.deepEqual(checkRules(policyResources(ev, PROJECT, "production")).filter((f) => f.level === "mandatory"), []);
    });

    it("the services the orchestrator calls admit its canary pods, whether a release runs or not", async () => {
        const atRest = await run(drivenProduction(), { stackOutputs: await staging() });
        const released = await run(drivenProduction(), { ciEnv: release(50), stackOutputs: await staging() });
        const callers = (ev: typeof atRest) => (one(ev, "networking.k8s.io/v1:NetworkPolicy", "execution-netpol").spec.ingress as any[]).flatMap((r) => (r.from ?? []).map((p: any) => p.podSelector?.matchLabels));
        assert.deepEqual(callers(atRest), callers(released));
        assert.ok(callers(atRest).some((s) => s?.["app.kubernetes.io/component"] === "canary" && s["app.kubernetes.io/instance"] === "orchestrator"), JSON.stringify(callers(atRest)));
        assert.equal(atRest.resources.some((r) => r.name.includes("canary")), false);
        assert.equal((unwrapSecrets(atRest.outputs) as any).canary, undefined);
    });

    it("declares exactly the names config/names/declared.ts predicts, at promotion", async () => {
        const files = drivenProduction();
        const stackOutputs = await staging();
        let config: PlatformConfig | undefined;
        const ev = await underMocks(files, false, () => deployPlatform((config = loadPlatformConfig({ DOCKER_HOST: MOCK_DOCKER_HOST, ...release(100, true) }, REPO))), { stackOutputs });
        assert.equal(ev.error, undefined, String(ev.error));
        assert.deepEqual(config!.release, { weight: 100, stable: { orchestrator: STABLE }, promote: true });
        const predicted = predictedNames(config!, PROJECT, "production");
        const recorded = recordedNames(ev);
        assert.deepEqual(predicted.urns, recorded.urns);
        assert.deepEqual(predicted.objects, recorded.objects);
    });

    it("refuses PLATFORM_CANARY on the stack as committed, whose canary runs in the cluster", async () => {
        await assert.rejects(run("production", { ciEnv: release(10), stackOutputs: await staging() }), (e: Error) => {
            assert.match(e.message, /PLATFORM_CANARY\.stable\.orchestrator: orchestrator has no driven canary/);
            return true;
        });
    });
});
