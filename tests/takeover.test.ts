import { strict as assert } from "assert";
import { deployPlatform } from "../program";
import { declaredOptions, Evaluation, MOCK_DOCKER_HOST, underMocks } from "../tools/harness/evaluate";
import { configOf } from "./fixtures/catalogs";
import { stackConfig, unwrap } from "./support";
import { evaluate } from "../tools/harness/evaluate";

/**
 * Taking over a running system: a namespace shared with others, adoption of existing objects
 * (the provider upserts for that update, the objects it takes over are protected), the names
 * and selectors the objects already have, callers from other namespaces, and protection of
 * what losing would lose data or access.
 */

const small = { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } };

/** A shop that ran under Kustomize (namePrefix `prod-`, selectors `app: <name>`) in a namespace it shares. */
function shop(environment: Record<string, unknown> = {}) {
    return {
        catalog: {
            system: "shop",
            tiers: { small },
            defaults: { tier: "small", probes: { liveness: "/healthz", readiness: "/ready" } },
            services: {
                api: {
                    port: 8080,
                    image: { repository: "ghcr.io/shop/api", tag: "2.0.0" },
                    objectName: "prod-api",
                    selector: { app: "api" },
                    allowFrom: [{ namespace: "api-gateway", podLabels: { "app.kubernetes.io/name": "gateway" } }, "web"],
                    replicas: 2,
                },
                web: { port: 3000, image: { repository: "ghcr.io/shop/web", tag: "2.0.0" }, objectName: "prod-web", selector: { app: "web" } },
                db: {
                    kind: "stateful",
                    port: 5432,
                    image: { repository: "docker.io/library/postgres", tag: "16.4" },
                    objectName: "prod-db",
                    selector: { app: "db" },
                    probes: { liveness: { tcp: true }, readiness: { exec: ["pg_isready"] } },
                    volumes: { data: { mountPath: "/var/lib/postgresql/data", claim: { size: "10Gi" } } },
                    allowFrom: ["*"],
                },
            },
        },
        environment: { namespace: "shop", domain: "shop.example.com", cluster: { context: "prod" }, sharedNamespace: true, adopt: true, ...environment },
    };
}

const STACK = { project: "platform-test", stack: "production", config: {}, secretKeys: [] };

async function render(values: ReturnType<typeof shop>): Promise<Evaluation> {
    const config = configOf(values);
    const ev = await underMocks(STACK, false, () => deployPlatform(config));
    assert.equal(ev.error, undefined, String(ev.error));
    return ev;
}

const of = (ev: Evaluation, kind: string) => ev.resources.filter((r) => r.type.endsWith(`:${kind}`)).map((r) => unwrap(r.inputs));

describe("taking over a running system", () => {
    it("a shared namespace: no Namespace declared and no namespace-wide policy; the default deny selects only the platform's pods", async () => {
        const ev = await render(shop());
        assert.deepEqual(of(ev, "Namespace"), []);
        assert.equal((ev.outputs as any).namespace, "shop");
        const policies = of(ev, "NetworkPolicy");
        assert.deepEqual(
            policies.filter((p) => Object.keys(p.spec.podSelector).length === 0),
            [],
            "no policy selects every pod of the namespace",
        );
        const deny = policies.find((p) => p.metadata.name === "shop-default-deny-ingress");
        assert.deepEqual(deny.spec, { podSelector: { matchLabels: { "app.kubernetes.io/part-of": "shop", "app.kubernetes.io/managed-by": "pulumi" } }, policyTypes: ["Ingress"] });
        // Every platform pod carries what the default deny selects, whatever its own selector.
        for (const w of [...of(ev, "Deployment"), ...of(ev, "StatefulSet")]) {
            assert.equal(w.spec.template.metadata.labels["app.kubernetes.io/part-of"], "shop");
            assert.equal(w.spec.template.metadata.labels["app.kubernetes.io/managed-by"], "pulumi");
        }
    });

    it("an owned namespace is declared, with the namespace-wide default deny", async () => {
        const ev = await render(shop({ sharedNamespace: false, adopt: false }));
        assert.deepEqual(of(ev, "Namespace").map((n) => n.metadata.name), ["shop"]);
        assert.deepEqual(of(ev, "NetworkPolicy").find((p) => p.metadata.name === "default-deny-ingress").spec.podSelector, {});
    });

    it("keeps the objects' names and selectors, so nothing immutable changes: workloads, Services, budgets and the StatefulSet's serviceName and claims", async () => {
        const ev = await render(shop());
        const [api] = of(ev, "Deployment").filter((d) => d.metadata.name === "prod-api");
        assert.deepEqual(api.spec.selector, { matchLabels: { app: "api" } });
        assert.equal(api.spec.template.metadata.labels.app, "api");
        const services = of(ev, "Service");
        assert.deepEqual(services.map((s) => [s.metadata.name, s.spec.selector]).sort(), [
            ["prod-api", { app: "api" }],
            ["prod-db", { app: "db" }],
            ["prod-web", { app: "web" }],
        ]);
        const [db] = of(ev, "StatefulSet");
        assert.equal(db.metadata.name, "prod-db");
        assert.equal(db.spec.serviceName, "prod-db");
        assert.deepEqual(db.spec.selector, { matchLabels: { app: "db" } });
        assert.deepEqual(db.spec.volumeClaimTemplates[0].metadata, { name: "data", labels: { app: "db" } });
        assert.deepEqual(of(ev, "PodDisruptionBudget").map((p) => [p.metadata.name, p.spec.selector]), [["prod-api", { matchLabels: { app: "api" } }]]);
        // Callers are admitted by their own selectors, and another namespace's pods by namespace and labels.
        const policy = of(ev, "NetworkPolicy").find((p) => p.metadata.name === "prod-api");
        assert.deepEqual(policy.spec.ingress[0].from, [
            { podSelector: { matchLabels: { app: "web" } } },
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "api-gateway" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "gateway" } } },
        ]);
        // '*': every other service of the catalog.
        assert.deepEqual(of(ev, "NetworkPolicy").find((p) => p.metadata.name === "prod-db").spec.ingress[0].from, [{ podSelector: { matchLabels: { app: "api" } } }, { podSelector: { matchLabels: { app: "web" } } }]);
        assert.equal((ev.outputs as any).services.api.address, "http://prod-api.shop.svc.cluster.local");
    });

    it("adoption: the provider upserts existing objects, and every object taken over under a fixed name is protected", async () => {
        const ev = await render(shop());
        const [provider] = ev.resources.filter((r) => r.type === "pulumi:providers:kubernetes");
        assert.equal((provider.inputs as any).upsertExistingObjects, "true");
        const options = await declaredOptions(STACK, () => deployPlatform(configOf(shop())));
        const fixed = options.filter((o) => o.type.startsWith("kubernetes:") && !/ConfigMap|Secret$/.test(o.type));
        assert.ok(fixed.length >= 10, `${fixed.length} fixed-name objects`);
        assert.deepEqual(fixed.filter((o) => o.protect !== true).map((o) => o.name), []);
        // New auto-named objects are not adopted: a later change may replace them.
        assert.deepEqual(options.filter((o) => o.type === "kubernetes:core/v1:ConfigMap" && o.protect === true).map((o) => o.name), []);
    });

    it("adoption is off unless asked: no upsert and nothing protected by it", async () => {
        const values = shop({ adopt: false });
        const ev = await render(values);
        const [provider] = ev.resources.filter((r) => r.type === "pulumi:providers:kubernetes");
        assert.equal((provider.inputs as any).upsertExistingObjects, undefined);
        const options = await declaredOptions(STACK, () => deployPlatform(configOf(values)));
        assert.deepEqual(options.filter((o) => o.protect === true).map((o) => o.name), []);
        for (const stack of ["staging", "production"]) {
            const repo = await evaluate(stackConfig(stack), { ciEnv: {} });
            assert.equal((repo.resources.find((r) => r.type === "pulumi:providers:kubernetes")!.inputs as any).upsertExistingObjects, undefined, stack);
        }
    });
});

describe("protection of what losing would lose data or access", () => {
    it("production protects and retains its Namespace and its GitHub environment, so a rename cannot delete them; staging does not", async () => {
        for (const [stack, protect] of [
            ["production", true],
            ["staging", false],
        ] as const) {
            const config = stackConfig(stack);
            const { loadPlatformConfig } = await import("../config/load");
            const options = await declaredOptions(config, () => deployPlatform(loadPlatformConfig({ DOCKER_HOST: MOCK_DOCKER_HOST }, config.dir)));
            const ns = options.find((o) => o.type === "kubernetes:core/v1:Namespace")!;
            const env = options.find((o) => o.type === "github:index/repositoryEnvironment:RepositoryEnvironment")!;
            // Protected: the engine refuses to delete them, which a rename (a new name without an alias) would plan.
            assert.deepEqual([ns.protect, ns.retainOnDelete, env.protect, env.retainOnDelete], protect ? [true, true, true, true] : [undefined, undefined, undefined, undefined], stack);
        }
    });

    it("a StatefulSet keeps its claims when deleted or scaled down", async () => {
        const [db] = of(await render(shop()), "StatefulSet");
        assert.deepEqual(db.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: "Retain", whenScaled: "Retain" });
    });
});
