import { strict as assert } from "assert";
import { Namespace, ServiceAccount, ConfigMap, Secret, Service } from "kubernetes-models/v1";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { Ingress, NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { toManifests, Manifest } from "../tools/harness/manifests";
import { expectedCounts, REPO_STACKS, stackFacts } from "./facts-resources";
import { run } from "./support";

// The Kubernetes OpenAPI schema, compiled by kubernetes-models: types, required fields, enums
// and formats (int32, quantities). It does not reject unknown fields; those are caught when
// the program compiles, by the excess-property checks of @pulumi/kubernetes's input types.
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
    "v1/Namespace": Namespace,
    "v1/ServiceAccount": ServiceAccount,
    "v1/ConfigMap": ConfigMap,
    "v1/Secret": Secret,
    "v1/Service": Service,
    "apps/v1/Deployment": Deployment,
    "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
    "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
    "networking.k8s.io/v1/Ingress": Ingress,
    "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
};

function validate(m: Manifest): void {
    const Model = MODELS[`${m.apiVersion}/${m.kind}`];
    assert.ok(Model, `no schema model for ${m.apiVersion} ${m.kind}`);
    new Model(m).validate();
}

function countKinds(manifests: Manifest[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const m of manifests) counts[m.kind] = (counts[m.kind] ?? 0) + 1;
    return counts;
}

describe("every Kubernetes object validates against the OpenAPI schema", () => {
    // The number of objects of each kind, from the stack's configuration (tests/facts-resources.ts).
    const expected = (stack: string): Record<string, number> =>
        Object.fromEntries(Object.entries(expectedCounts(stackFacts(stack))).map(([kind, n]) => [kind.slice(kind.indexOf(":") + 1), n]));
    for (const stack of REPO_STACKS) {
        it(`${stack}: all objects are valid, and all kinds are covered`, async () => {
            const manifests = toManifests((await run(stack)).resources);
            const counts = countKinds(manifests);
            assert.deepEqual(counts, expected(stack));
            for (const m of manifests) {
                assert.doesNotThrow(() => validate(m), `${m.kind} ${m.metadata.name}`);
            }
            if (stack === "staging" || stack === "production") {
                // The example's stacks have a model for every kind the program declares but the
                // autoscaler (production only): ten kinds, each validated.
                assert.deepEqual(Object.keys(counts).sort(), Object.keys(MODELS).map((k) => k.slice(k.lastIndexOf("/") + 1)).filter((k) => stack === "production" || k !== "HorizontalPodAutoscaler").sort());
                assert.equal((manifests.find((m) => m.kind === "Deployment" && m.metadata.name === "orchestrator")?.spec as { replicas?: number } | undefined)?.replicas, stack === "staging" ? 2 : undefined);
            }
        });
    }

    it("catches an invalid object: a malformed quantity and a string replica count", async () => {
        const manifests = toManifests((await run("staging")).resources);
        const deployment = structuredClone(manifests.find((m) => m.kind === "Deployment")!) as any;
        deployment.spec.replicas = "three";
        deployment.spec.template.spec.containers[0].resources.requests.cpu = "250mm";
        assert.throws(() => validate(deployment), (e: Error) => {
            assert.match(e.message, /data\/spec\/replicas must be integer/);
            assert.match(e.message, /resources\/requests\/cpu must match format "quantity"/);
            return true;
        });
    });

    it("catches a missing required field: a Service port without a number", async () => {
        const manifests = toManifests((await run("production")).resources);
        const service = structuredClone(manifests.find((m) => m.kind === "Service")!) as any;
        delete service.spec.ports[0].port;
        assert.throws(() => validate(service), /data\/spec\/ports\/0 must have required property port/);
    });
});
