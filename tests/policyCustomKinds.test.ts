import { strict as assert } from "assert";
import { PolicyResource } from "../policy/rules";
import { disruptionBudgetRule, productionReplicasRule } from "../policy/rules/availability";
import { resourcesAndProbesRule, securityContextRule } from "../policy/rules/workloads";
import { container, DIGEST, LABELS, pdb, Props, resource, worker } from "./policyFixtures";
import { runPack } from "./policyRunner";

/**
 * Issue 18, class 12 (the policy pack's half): the pod templates of custom workload kinds, as a
 * program declares them with `k8s.apiextensions.CustomResource` (whose type token is
 * `kubernetes:<apiVersion>:<kind>`, and `...Patch` for a CustomResourcePatch). An Argo Rollout is
 * judged like a Deployment (its pod template, probes, replicas and budget); another custom kind
 * whose `spec.template.spec` holds containers has its pod template judged.
 */

const RESTRICTED_POD_SC = { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } };

/** An Argo Rollout named 'api' in hft-production as `new k8s.apiextensions.CustomResource(...)` declares it. */
function rollout(pod: Props = {}, spec: Props = {}, opts: { readonly patch?: boolean; readonly stack?: string } = {}): PolicyResource {
    const type = `argoproj.io/v1alpha1:Rollout${opts.patch ? "Patch" : ""}`;
    const stack = opts.stack ?? "production";
    const template = { metadata: { labels: LABELS }, spec: { securityContext: RESTRICTED_POD_SC, containers: [container()], ...pod } };
    const props = {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Rollout",
        metadata: { name: "api", namespace: "hft-production", labels: { ...LABELS, environment: stack } },
        spec: { replicas: 3, selector: { matchLabels: LABELS }, strategy: { canary: { steps: [{ setWeight: 20 }, { pause: { duration: "1m" } }] } }, template, ...spec },
    };
    return resource(type, `api-rollout${opts.patch ? "-patch" : ""}`, props, stack);
}

describe("issue 18, class 12: the pod templates of custom workload kinds", () => {
    it("passes a Rollout whose pod is what this program writes, with its budget, through the whole pack", () => {
        const r = rollout();
        const budget = pdb({ maxUnavailable: 1 });
        assert.deepEqual(runPack({ inputs: [r, budget], outputs: [r, budget] }), []);
    });

    it("judges a Rollout's pod template: host namespaces, hostPath, a privileged container", () => {
        assert.match(securityContextRule.check(rollout({ hostNetwork: true }), {})[0], /^Rollout 'hft-production\/api' pod template is not restricted\. Pod Security restricted: hostNetwork is true/);
        assert.match(securityContextRule.check(rollout({ volumes: [{ name: "node", hostPath: { path: "/" } }] }), {})[0], /volume 'node' is hostPath/);
        const privileged = container({ securityContext: { ...(container().securityContext as Props), privileged: true } });
        assert.match(securityContextRule.check(rollout({ containers: [privileged] }), {})[0], /^Rollout 'hft-production\/api' container 'api' is not restricted\. Pod Security restricted: privileged is true/);
    });

    it("asks a Rollout's serving container for probes, and a production Rollout for two replicas and a budget", () => {
        assert.match(resourcesAndProbesRule.check(rollout({ containers: [container({ livenessProbe: undefined })] }), {})[0], /^Rollout 'hft-production\/api' container 'api' has no livenessProbe \(probes are required of a Rollout container that declares a port\)/);
        assert.match(productionReplicasRule.check([rollout({}, { replicas: 1 })], {})[0].message, /^Rollout 'hft-production\/api' may run 1 replica in production/);
        assert.match(disruptionBudgetRule.check([rollout()], {})[0].message, /^Rollout 'hft-production\/api' can run 3 replicas \(it runs 3 replicas\) but no PodDisruptionBudget covers its pods/);
    });

    it("judges a RolloutPatch by what it sets", () => {
        assert.match(securityContextRule.check(rollout({ hostPID: true, securityContext: undefined, containers: [{ name: "api", image: `ghcr.io/acme/api@${DIGEST}` }] }, {}, { patch: true }), {})[0], /^RolloutPatch 'hft-production\/api' pod template is not restricted\. Pod Security restricted: hostPID is true/);
        const imageOnly = resource("argoproj.io/v1alpha1:RolloutPatch", "api-rollout-patch", { metadata: { name: "api", namespace: "hft-production" }, spec: { template: { spec: { containers: [{ name: "api", image: `ghcr.io/acme/api@${DIGEST}` }] } } } });
        assert.deepEqual(runPack({ inputs: [imageOnly], outputs: [imageOnly] }), []);
    });

    it("judges the pod template of another custom kind that keeps one at spec.template (an OpenKruise CloneSet, a Knative Service)", () => {
        const privileged = worker({ name: "c", securityContext: { privileged: true } });
        for (const type of ["apps.kruise.io/v1alpha1:CloneSet", "serving.knative.dev/v1:Service"]) {
            const custom = resource(type, "api-custom", { metadata: { name: "api", namespace: "hft-production" }, spec: { template: { spec: { securityContext: RESTRICTED_POD_SC, containers: [privileged] } } } });
            const messages = securityContextRule.check(custom, {});
            assert.equal(messages.length, 1, type);
            assert.match(messages[0], / container 'c' is not restricted\. Pod Security restricted: .*privileged is true/, type);
        }
        // A custom resource without a pod template is not a workload.
        assert.deepEqual(securityContextRule.check(resource("cert-manager.io/v1:Certificate", "api-cert", { spec: { secretName: "api-tls", template: { labels: {} } } }), {}), []);
    });
});
