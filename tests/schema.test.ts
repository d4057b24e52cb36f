import { strict as assert } from "assert";
import { toManifests, Manifest } from "../tools/harness/manifests";
import { expectedCounts, REPO_STACKS, stackFacts } from "./facts-resources";
import { SUPPORTED_KINDS, validateManifest } from "./kubernetesModels";
import { run } from "./support";

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
            // Every kind the stack declares has a schema (tests/kubernetesModels.ts): none is
            // left unvalidated, whatever kinds the stack adds.
            const kinds = [...new Set(manifests.map((m) => `${m.apiVersion}/${m.kind}`))];
            assert.deepEqual(kinds.filter((k) => !SUPPORTED_KINDS.includes(k)), [], `kinds without a schema model in ${stack}`);
            for (const m of manifests) {
                assert.doesNotThrow(() => validateManifest(m), `${m.kind} ${m.metadata.name}`);
            }
            if (stack === "staging" || stack === "production") {
                assert.equal((manifests.find((m) => m.kind === "Deployment" && m.metadata.name === "orchestrator")?.spec as { replicas?: number } | undefined)?.replicas, stack === "staging" ? 2 : undefined);
            }
        });
    }

    it("catches an invalid object: a malformed quantity and a string replica count", async () => {
        const manifests = toManifests((await run("staging")).resources);
        const deployment = structuredClone(manifests.find((m) => m.kind === "Deployment")!) as any;
        deployment.spec.replicas = "three";
        deployment.spec.template.spec.containers[0].resources.requests.cpu = "250mm";
        assert.throws(() => validateManifest(deployment), (e: Error) => {
            assert.match(e.message, /^apps\/v1 Deployment [a-z-]+: /);
            assert.match(e.message, /data\/spec\/replicas must be integer/);
            assert.match(e.message, /resources\/requests\/cpu must match format "quantity"/);
            return true;
        });
    });

    it("catches a missing required field: a Service port without a number", async () => {
        const manifests = toManifests((await run("production")).resources);
        const service = structuredClone(manifests.find((m) => m.kind === "Service")!) as any;
        delete service.spec.ports[0].port;
        assert.throws(() => validateManifest(service), /data\/spec\/ports\/0 must have required property port/);
    });
});
