import { strict as assert } from "assert";
import { RULES } from "../../policy/rules";
import { PACK_NAME } from "../../policy/pack";
import { container, deployment, gateway, GATEWAY_REF, httpRoute, pdb, redirectRoute, sidecar, worker, workload } from "../policyFixtures";
import { Finding, PolicyInput, policyResources, runPack } from "../policyRunner";
import { PolicyPackProcess } from "../policyServer";
import { run } from "../support";

const sorted = (fs: Finding[]) => fs.map((f) => `${f.policy} ${f.level} ${f.urn} ${f.message}`).sort();
// The CLI shows a violation as the policy's description, then the message on its own line.
const asServed = (fs: Finding[]) => fs.map((f) => ({ ...f, message: `${RULES.find((r) => r.name === f.policy)!.description}\n${f.message}` }));

/** Every finding the served pack reports for a stack's resources, as the engine asks for them. */
async function servedFindings(pack: PolicyPackProcess, resources: PolicyInput): Promise<Finding[]> {
    const served: Finding[] = [];
    for (const r of resources.inputs) served.push(...(await pack.analyze(r)));
    served.push(...(await pack.analyzeStack(resources.outputs)));
    return served;
}

// policy-pack/ is what CI runs (compiled by `npm run generate`); policy/ is its TypeScript source,
// which the runner type-checks with ts-node on start. Both must serve the pack the in-process run checks.
for (const folder of ["policy-pack", "policy"] as const) {
    describe(`the policy pack served as \`pulumi preview --policy-pack ${folder}\` starts it`, function () {
        this.timeout(120_000);
        let pack: PolicyPackProcess;
        before(async () => {
            pack = await PolicyPackProcess.start(folder);
        });
        after(() => pack?.stop());

        it("describes every policy with its level and config schema", async () => {
            const info = await pack.info();
            assert.equal(info.name, PACK_NAME);
            assert.equal(info.version, "0.1.0");
            assert.deepEqual(
                info.policies.map((p) => [p.name, p.level]),
                RULES.map((r) => [r.name, r.enforcementLevel]),
            );
            assert.deepEqual(info.policies.find((p) => p.name === "production-min-replicas")?.configProperties, {
                productionEnvironments: {
                    type: "array",
                    items: { type: "string" },
                    description: "Stacks (or values of the resources' 'environment' label) that are production; a resource is in production when either matches.",
                    default: ["production"],
                },
                minReplicas: { type: "integer", minimum: 1, description: "The fewest replicas a production Deployment or StatefulSet may run.", default: 2 },
            });
        });

        for (const stack of ["staging", "production"]) {
            it(`${stack}: reports exactly what the in-process run reports`, async () => {
                await pack.configure({});
                const resources = policyResources(await run(stack), stack);
                const served = await servedFindings(pack, resources);
                assert.deepEqual(sorted(served), sorted(asServed(runPack(resources))));
                assert.equal(served.filter((f) => f.level === "mandatory").length, 0);
            });
        }

        it("reports a failing resource, at the level the pack config sets", async () => {
            const bad = deployment({ containers: [container({ securityContext: {} })] });
            await pack.configure({});
            assert.deepEqual(
                (await pack.analyze(bad)).map((f) => [f.policy, f.level]),
                [["pod-security-context", "mandatory"]],
            );
            await pack.configure({ "pod-security-context": { level: "advisory" } });
            assert.deepEqual(
                (await pack.analyze(bad)).map((f) => [f.policy, f.level]),
                [["pod-security-context", "advisory"]],
            );
            await pack.configure({ "pod-security-context": { level: "disabled" } });
            assert.deepEqual(await pack.analyze(bad), []);
            await pack.configure({ "production-min-replicas": { level: "mandatory", properties: { minReplicas: 3 } } });
            assert.deepEqual(
                (await pack.analyzeStack([deployment({ replicas: 2 }), pdb({ maxUnavailable: 1 })])).map((f) => [f.policy, f.level]),
                [["production-min-replicas", "mandatory"]],
            );
        });

        it("judges the new workload kinds as the in-process run does: a StatefulSet, a CronJob, a sidecar and an ephemeral container", async () => {
            await pack.configure({});
            const statefulSet = workload("StatefulSet", { replicas: 3, pod: { hostNetwork: true }, initContainers: [sidecar({ securityContext: {} })] });
            const cronJob = workload("CronJob", { containers: [worker({ resources: {} })], ephemeralContainers: [worker({ name: "debug", securityContext: { privileged: true } })] });
            const resources = { inputs: [statefulSet, cronJob], outputs: [statefulSet, cronJob] };
            const served: Finding[] = [];
            for (const r of resources.inputs) served.push(...(await pack.analyze(r)));
            served.push(...(await pack.analyzeStack(resources.outputs)));
            assert.deepEqual(sorted(served), sorted(asServed(runPack(resources))));
            // The CLI's message starts with the policy's description; the finding's own text follows it.
            const about = (f: Finding) => `${f.policy}: ${/^(.*?) (?:is not restricted|has no|can run)/m.exec(f.message.split("\n")[1])?.[1]}`;
            assert.deepEqual(served.map(about).sort(), [
                "container-resources-and-probes: CronJob 'hft-production/api' container 'worker'",
                "pod-disruption-budget: StatefulSet 'hft-production/api'",
                "pod-security-context: CronJob 'hft-production/api' ephemeral container 'debug'",
                "pod-security-context: StatefulSet 'hft-production/api' pod template",
                "pod-security-context: StatefulSet 'hft-production/api' sidecar 'proxy'",
            ]);
        });

        it("judges Gateway API routes as the in-process run does: a route on the HTTP listener, a wildcard host, a Gateway outside allowedGateways", async () => {
            const onHttp = httpRoute({ hostnames: ["*.hft.example.com"], parentRefs: [{ ...GATEWAY_REF, sectionName: "http" }] });
            const outputs = [onHttp, redirectRoute(), gateway()];
            await pack.configure({});
            const served = await pack.analyzeStack(outputs);
            assert.deepEqual(sorted(served), sorted(asServed(runPack({ inputs: [], outputs }))));
            assert.deepEqual(
                served.map((f) => [f.policy, f.level, /(listener 'http'|wildcard hostname)/.exec(f.message)?.[1]]),
                [
                    ["gateway-routes", "mandatory", "listener 'http'"],
                    ["gateway-routes", "mandatory", "wildcard hostname"],
                ],
            );
            await pack.configure({ "gateway-routes": { level: "mandatory", properties: { allowedGateways: ["edge/public"] } } });
            assert.deepEqual(
                (await pack.analyzeStack([redirectRoute()])).map((f) => /attaches to Gateway '([^']+)'/.exec(f.message)?.[1]),
                ["hft-gateway/hft"],
            );
        });
    });
}

describe("policy-pack/ against its source policy/, both served", function () {
    this.timeout(120_000);
    const packs: PolicyPackProcess[] = [];
    before(async () => {
        for (const folder of ["policy-pack", "policy"] as const) packs.push(await PolicyPackProcess.start(folder));
    });
    after(() => Promise.all(packs.map((p) => p.stop())));

    it("describe the same pack: name, version, every policy's level and config schema", async () => {
        const [compiled, source] = await Promise.all(packs.map((p) => p.info()));
        assert.deepEqual(compiled, source);
    });

    for (const stack of ["staging", "production"]) {
        it(`${stack}: report the same findings, at the default levels and with a pack config`, async () => {
            const configs: Parameters<PolicyPackProcess["configure"]>[0][] = [{}, { "pod-security-context": { level: "advisory" }, "production-min-replicas": { level: "mandatory", properties: { minReplicas: 5 } } }];
            const resources = policyResources(await run(stack), stack);
            for (const config of configs) {
                for (const p of packs) await p.configure(config);
                const [compiled, source] = await Promise.all(packs.map((p) => servedFindings(p, resources)));
                assert.deepEqual(sorted(compiled), sorted(source));
            }
        });
    }
});
