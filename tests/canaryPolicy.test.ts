import { strict as assert } from "assert";
import { PlatformConfig, ServiceConfig } from "../config/types";
import { readPlatformConfig } from "../config/platform";
import { PolicyResource } from "../policy/rules";
import { deployPlatform } from "../program";
import { underMocks } from "../tools/harness/evaluate";
import { policyResources } from "../tools/harness/policy";
import { secretsOf } from "./fixtures/catalogs";
import { Finding, PolicyInput, runPack } from "./policyRunner";
import { resource } from "./policyFixtures";

/**
 * The policy pack and driven canaries (policy/rules/canary.ts): the production rules accept a
 * canary Deployment's few pods beside its stable sibling, but not a workload that only calls
 * itself a canary; and no certificate is requested for a canary.
 */

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const small = { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } };
const values = {
    catalog: {
        system: "notes",
        tiers: { small },
        defaults: { probes: { liveness: "/healthz", readiness: "/ready" }, tier: "small", replicas: 3 },
        services: {
            api: { port: 3000, image: { repository: "ghcr.io/notes/api", digest: digest("c") }, allowFrom: ["web"] },
            web: { port: 3001, image: { repository: "ghcr.io/notes/web", digest: digest("b") }, ingress: { hostPrefix: "notes" } },
        },
    },
    environment: { namespace: "notes", domain: "notes.dev", cluster: { context: "prod" }, exposure: "gateway", gateway: { name: "public", namespace: "gateway-system", httpListener: "http" } },
};

function released(weight: number): PlatformConfig {
    const config = readPlatformConfig({ project: "platform-test", stack: "production", values, dryRun: false, ciEnv: {} }, secretsOf({}));
    return {
        ...config,
        environment: { ...config.environment, canary: { mode: "driven", prometheusUrl: "http://prometheus.example:9090", intervalSeconds: 30 } },
        services: config.services.map((s): ServiceConfig => (s.name === "web" ? { ...s, canary: { steps: [{ weight: 100, windowSeconds: 60 }], replicas: 1, maxRestarts: 0 } } : s)),
        release: { weight, stable: { web: `ghcr.io/notes/web@${digest("a")}` }, promote: false },
    };
}

async function resources(weight = 10): Promise<PolicyInput> {
    const ev = await underMocks({ project: "platform-test", stack: "production", config: {}, secretKeys: [] }, false, () => deployPlatform(released(weight)));
    assert.equal(ev.error, undefined, String(ev.error));
    return policyResources(ev, "platform-test", "production");
}

const mandatory = (findings: Finding[]) => findings.filter((f) => f.level === "mandatory").map((f) => `${f.policy}: ${f.message}`);

/** The same resources with some objects' props changed, in inputs and outputs alike. */
function edited(input: PolicyInput, edit: (r: PolicyResource) => PolicyResource | undefined): PolicyInput {
    const apply = (list: readonly PolicyResource[]) => list.flatMap((r) => edit(r) ?? []);
    return { inputs: apply(input.inputs), outputs: apply(input.outputs) };
}

const named = (r: PolicyResource, name: string) => (r.props.metadata as { name?: string } | undefined)?.name === name;

describe("the policy pack and driven canaries", () => {
    it("accepts a release's canary Deployment of one pod in production, without a budget of its own", async () => {
        assert.deepEqual(mandatory(runPack(await resources())), []);
    });

    it("judges a workload that only calls itself a canary like any other", async () => {
        const input = await resources();
        const canary = input.outputs.find((r) => r.type === "kubernetes:apps/v1:Deployment" && named(r, "web-canary"))!;
        const minReplicas = (findings: Finding[]) => findings.filter((f) => f.policy === "production-min-replicas").map((f) => f.message);
        const refused = ["Deployment 'notes/web-canary' may run 1 replica in production (it runs 1 replica); at least 2 are required. Fix: set 'replicas: 2' or 'autoscaling.minReplicas: 2' for the service in the production stack's config."];
        // The route no longer splits traffic with it.
        const unrouted = edited(input, (r) =>
            (r.props.kind === "HTTPRoute" || r.type.endsWith(":HTTPRoute")) && named(r, "web")
                ? { ...r, props: { ...r.props, spec: { ...(r.props.spec as object), rules: [{ backendRefs: [{ name: "web", port: 80 }] }] } } }
                : r,
        );
        assert.deepEqual(minReplicas(runPack(unrouted)), refused);
        // Without its stable sibling.
        assert.deepEqual(minReplicas(runPack(edited(input, (r) => (r.type === "kubernetes:apps/v1:Deployment" && named(r, "web") ? undefined : r)))).includes(refused[0]), true);
        // Another name, the same labels.
        const renamed = edited(input, (r) => (r === canary || r.urn === canary.urn ? { ...r, props: { ...r.props, metadata: { ...(r.props.metadata as object), name: "web-small" } } } : r));
        assert.deepEqual(minReplicas(runPack(renamed)), [refused[0].replace("web-canary", "web-small")]);
        // Labelled a canary on the Deployment only.
        const unlabelled = edited(input, (r) => {
            if (r.urn !== canary.urn) return r;
            const spec = r.props.spec as any;
            return { ...r, props: { ...r.props, spec: { ...spec, template: { ...spec.template, metadata: { ...spec.template.metadata, labels: { ...spec.template.metadata.labels, "app.kubernetes.io/component": "web" } } } } } };
        });
        assert.deepEqual(minReplicas(runPack(unlabelled)), refused);
    });

    it("refuses an Ingress, a Certificate or a Gateway labelled as a canary", () => {
        const labels = { "app.kubernetes.io/component": "canary", environment: "production" };
        const ingress = resource("networking.k8s.io/v1:Ingress", "web-canary", { metadata: { name: "web-canary", namespace: "notes", labels }, spec: { tls: [{ hosts: ["notes.notes.dev"], secretName: "web-canary-tls" }], rules: [] } });
        const certificate = resource("cert-manager.io/v1:Certificate", "web-canary", { metadata: { name: "web-canary", namespace: "notes", labels }, spec: { secretName: "web-canary-tls", dnsNames: ["notes.notes.dev"] } });
        const gateway = resource("gateway.networking.k8s.io/v1:Gateway", "canary", {
            apiVersion: "gateway.networking.k8s.io/v1",
            kind: "Gateway",
            metadata: { name: "canary", namespace: "notes", labels },
            spec: { gatewayClassName: "eg", listeners: [{ name: "https-web-canary", hostname: "notes.notes.dev", port: 443, protocol: "HTTPS", tls: { certificateRefs: [{ name: "web-canary-tls" }] } }] },
        });
        const unlabelled = resource("networking.k8s.io/v1:Ingress", "web", { metadata: { name: "web", namespace: "notes", labels: { environment: "production" } }, spec: { tls: [{ hosts: ["notes.notes.dev"], secretName: "web-tls" }], rules: [] } });
        const all = [ingress, certificate, gateway, unlabelled];
        const findings = runPack({ inputs: all, outputs: all }).filter((f) => f.policy === "canary-no-certificate");
        assert.deepEqual(
            findings.map((f) => f.message),
            ["Ingress 'notes/web-canary'", "Certificate 'notes/web-canary'", "Gateway 'notes/canary'"].map(
                (what) =>
                    `${what} is labelled as a canary (app.kubernetes.io/component: canary), and a canary gets no certificate of its own: each one is another issuance against the CA's rate limits and another secret to renew. Fix: route the canary through its stable service's HTTPRoute (weighted backendRefs), which shares the stable host's certificate.`,
            ),
        );
        assert.equal(findings[0].level, "mandatory");
    });
});
