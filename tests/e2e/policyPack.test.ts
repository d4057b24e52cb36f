import { strict as assert } from "assert";
import { RULES } from "../../policy/rules";
import { PACK_NAME } from "../../policy/pack";
import { container, deployment, gateway, GATEWAY_REF, httpRoute, pdb, redirectRoute, sidecar, worker, workload } from "../policyFixtures";
import { Finding, policyResources, runPack } from "../policyRunner";
import { PolicyPackProcess } from "../policyServer";
import { run } from "../support";

describe("the policy pack served as `pulumi preview --policy-pack policy` runs it", function () {
    // The pack is type-checked by ts-node on start, as the CLI does.
    this.timeout(120_000);
    let pack: PolicyPackProcess;
    before(async () => {
        pack = await PolicyPackProcess.start();
    });
    after(() => pack?.stop());

    const sorted = (fs: Finding[]) => fs.map((f) => `${f.policy} ${f.level} ${f.urn} ${f.message}`).sort();
    // The CLI shows a violation as the policy's description, then the message on its own line.
    const asServed = (fs: Finding[]) => fs.map((f) => ({ ...f, message: `${RULES.find((r) => r.name === f.policy)!.description}\n${f.message}` }));

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
            const served: Finding[] = [];
            for (const r of resources.inputs) served.push(...(await pack.analyze(r)));
            served.push(...(await pack.analyzeStack(resources.outputs)));
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
