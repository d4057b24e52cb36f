import { lookUp } from "../../tools/harness/registry";
import { strict as assert } from "assert";
import { Microservice } from "../../components/service/microservice";
import { podTemplate, RESTRICTED_CONTAINER_SECURITY_CONTEXT } from "../../components/service/podTemplate";
import { underMocks } from "../../tools/harness/evaluate";
import { apiAndWeb, configOf, singleApi } from "../fixtures/catalogs";
import { unwrap } from "../support";

const STACK = { project: "platform-test", stack: "production", config: {}, secretKeys: [] };

/** One Microservice built directly from a fixture, every resource it declares recorded. */
async function build(values: Record<string, unknown>, secrets: Record<string, string> = {}, index = 0) {
    const config = configOf(values, secrets);
    const ev = await underMocks(STACK, false, () => {
        const svc = config.services[index];
        return new Microservice(svc.name, { service: svc, environment: config.environment, namespace: "ns", commonConfigMapName: "common" });
    });
    assert.equal(ev.error, undefined, String(ev.error));
    const of = (type: string) => ev.resources.filter((r) => r.type === `kubernetes:${type}`).map((r) => r.inputs as any);
    return { ev, of };
}

describe("Microservice, built directly", () => {
    it("runs three replicas with a budget of one, a ClusterIP Service and a TLS Ingress with CORS", async () => {
        const { ev, of } = await build(singleApi);
        assert.deepEqual(ev.resources.map((r) => r.type).sort(), [
            "kubernetes:apps/v1:Deployment",
            "kubernetes:core/v1:ConfigMap",
            "kubernetes:core/v1:Service",
            "kubernetes:core/v1:ServiceAccount",
            "kubernetes:networking.k8s.io/v1:Ingress",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy",
            "kubernetes:policy/v1:PodDisruptionBudget",
            "platform:service:Microservice",
            // Built on its own, the service brings the provider that looks its tag up.
            "pulumi:providers:docker",
        ]);
        const [deployment] = of("apps/v1:Deployment");
        assert.equal(deployment.spec.replicas, 3);
        assert.equal(deployment.spec.template.spec.containers[0].image, `registry.example.com/shop/api@${lookUp("registry.example.com/shop/api:2.4.1").digest}`);
        assert.deepEqual(ev.lookups.map((l) => [l.name, l.from]), [["registry.example.com/shop/api:2.4.1", "derived"]]);
        assert.deepEqual(of("policy/v1:PodDisruptionBudget")[0].spec.maxUnavailable, 1);
        const [ingress] = of("networking.k8s.io/v1:Ingress");
        assert.deepEqual(ingress.spec.tls, [{ hosts: ["api.example.com"], secretName: "api-tls" }]);
        assert.equal(ingress.metadata.annotations["nginx.ingress.kubernetes.io/cors-allow-origin"], "https://shop.example.com");
        assert.equal(ingress.metadata.annotations["nginx.ingress.kubernetes.io/cors-allow-credentials"], "true");
    });

    it("puts a secret from config into the service's Secret as a secret, never in the ConfigMap", async () => {
        const { ev, of } = await build(apiAndWeb, { databaseUrl: "postgres://db" });
        const secret = ev.resources.find((r) => r.type === "kubernetes:core/v1:Secret")!;
        assert.equal(unwrap(secret.inputs).stringData.DATABASE_URL, "postgres://db");
        assert.doesNotMatch(JSON.stringify(of("core/v1:ConfigMap")), /postgres/);
        assert.match(JSON.stringify(secret.inputs.stringData), /4dabf18193072939515e22adb298388d/, "wrapped as a secret");
    });

    it("builds a restricted pod: non-root, read-only root, all capabilities dropped, the service's probes", () => {
        const svc = configOf(singleApi).services[0];
        const pod = podTemplate({ service: svc, labels: {}, selector: { app: "api" }, serviceAccountName: "api", image: "img", envFrom: { commonConfigMap: "c", configMap: "m" }, configDigest: "d" }) as any;
        const container = pod.spec.containers[0];
        assert.deepEqual(container.securityContext, RESTRICTED_CONTAINER_SECURITY_CONTEXT);
        assert.equal(pod.spec.securityContext.runAsUser, 10001);
        assert.deepEqual([container.livenessProbe.httpGet.path, container.readinessProbe.httpGet.path], ["/healthz", "/ready"]);
        assert.equal(pod.spec.topologySpreadConstraints.length, 2, "three replicas are spread over nodes and zones");
    });
});
