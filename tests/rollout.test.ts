import { strict as assert } from "assert";
import { refused } from "./refused";
import { readPlatformConfig } from "../config/platform";
import { ConfigError } from "../config/errors";
import { apiAndWeb, secretsOf } from "./fixtures/catalogs";
import { servicesExcept } from "./facts-validation";
import { servicesOf, stackFacts } from "./facts-resources";
import { deployedImage, editedConfig, one, PROJECT, run, stackConfig } from "./support";
import { warningsDuring } from "./warnings";

const P = `${PROJECT}:`;
const DIGEST = `sha256:${"0a".repeat(32)}`;

describe("rollout deadlines", () => {
    for (const [stack, deadline, wait] of [
        ["staging", 180, "240"],
        ["production", 300, "420"],
    ] as const) {
        it(`${stack}: a bad release fails after ${deadline}s in Kubernetes and ${wait}s in 'pulumi up'`, async () => {
            const ev = await run(stack);
            const x = stackFacts(stack);
            assert.equal(x.progressDeadline, deadline);
            assert.equal(x.wait, wait);
            for (const svc of servicesOf(x)) {
                const f = x.services[svc];
                const kind = f.workload.slice(f.workload.indexOf(":") + 1).toLowerCase();
                const w = one(ev, f.workload, `${svc}-${kind}`);
                if (f.workload === "batch/v1:CronJob") {
                    // A run is bounded by its job's own deadlines; `pulumi up` does not wait for one.
                    assert.equal(w.spec.progressDeadlineSeconds, undefined, svc);
                    assert.equal(w.metadata.annotations?.["pulumi.com/timeoutSeconds"], undefined, svc);
                    continue;
                }
                // A StatefulSet has no progress deadline in Kubernetes; `pulumi up` waits for it as long.
                // An in-cluster canary's Rollout has the deadline per step, and `pulumi up` waits for every window too.
                assert.equal(w.spec.progressDeadlineSeconds, f.workload === "apps/v1:Deployment" || f.rollout ? deadline : undefined, svc);
                if (f.rollout) {
                    // `pulumi up` waits for a Rollout's release through its wait Job, two margins past the release's own time.
                    assert.equal(w.metadata.annotations, undefined, svc);
                    assert.equal(one(ev, "batch/v1:Job", `${svc}-canary-wait`).metadata.annotations["pulumi.com/timeoutSeconds"], String(f.rollout.statusSeconds + 120), svc);
                    continue;
                }
                assert.equal(w.metadata.annotations["pulumi.com/timeoutSeconds"], wait, svc);
            }
            // The Services (endpoints) and an Ingress (load balancer) or HTTPRoute (accepted by the
            // Gateway) give up with the workload; only web and stateful services have a Service.
            const services = ev.resources.filter((r) => r.type === "kubernetes:core/v1:Service");
            assert.deepEqual(services.map((r) => r.name).sort(), servicesOf(x, (s) => s.hasService).map((s) => `${s}-service`));
            for (const s of services) assert.equal((s.inputs as any).metadata.annotations["pulumi.com/timeoutSeconds"], wait, s.name);
            const ingresses = ev.resources.filter((r) => r.type === "kubernetes:networking.k8s.io/v1:Ingress" || r.type === "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute");
            assert.ok(ingresses.length > 0);
            for (const ing of ingresses) {
                assert.equal((ing.inputs as any).metadata.annotations["pulumi.com/timeoutSeconds"], wait, ing.name);
            }
            // Every kind the example runs is covered here.
            const kinds = new Set(servicesOf(x).map((s) => x.services[s].workload));
            assert.ok(kinds.has("apps/v1:Deployment") && kinds.has("batch/v1:CronJob"));
            if (stack === "staging") assert.equal(one(ev, "apps/v1:StatefulSet", "redis-statefulset").metadata.annotations["pulumi.com/timeoutSeconds"], wait);
        });
    }

    it("defaults to 300s and a wait 60s longer", async () => {
        const ev = await run(editedConfig("staging", (v) => delete v.environment.rollout));
        const d = one(ev, "apps/v1:Deployment", "execution-deployment");
        assert.equal(d.spec.progressDeadlineSeconds, 300);
        assert.equal(d.metadata.annotations["pulumi.com/timeoutSeconds"], "360");
    });

    it("refuses a wait shorter than the deadline", async () => {
        assert.deepEqual(await refused(editedConfig("production", (v) => (v.environment.rollout.awaitTimeoutSeconds = 120))), [
            `${P}environment.rollout.awaitTimeoutSeconds: awaitTimeoutSeconds (120) must be at least progressDeadlineSeconds (300), or 'pulumi up' gives up before Kubernetes reports the rollout failed`,
        ]);
    });
});

describe("images pinned by a rollback (PLATFORM_PINNED_IMAGES)", () => {
    it("runs the pinned digests and builds nothing for pinned services", async () => {
        const config = editedConfig("staging", (v) => {
            v.catalog.services.orchestrator.build = { context: "services/orchestrator" };
            delete v.catalog.services.orchestrator.image;
        });
        const pins = { orchestrator: `ghcr.io/acme-trading/orchestrator@${DIGEST}`, ingestion: `ghcr.io/acme-trading/hft-ingestion@${DIGEST}` };
        const ev = await run(config, { ciEnv: { PLATFORM_PINNED_IMAGES: JSON.stringify(pins) } });
        assert.deepEqual(ev.resources.filter((r) => r.type === "docker-build:index:Image"), [], "no rebuild");
        const image = (svc: string) => one(ev, "apps/v1:Deployment", `${svc}-deployment`).spec.template.spec.containers[0].image;
        assert.equal(image("orchestrator"), pins.orchestrator);
        assert.equal(image("ingestion"), pins.ingestion);
        assert.equal(image("execution"), deployedImage("staging", "execution"), "unpinned services are unchanged");
    });

    it("refuses pins it cannot honour", async () => {
        const problems = await refused(editedConfig("staging", () => undefined), {
            ciEnv: { PLATFORM_PINNED_IMAGES: JSON.stringify({ ingestion: "ghcr.io/acme-trading/hft-ingestion:1.4.1", gateway: `ghcr.io/acme/gateway@${DIGEST}` }) },
        });
        assert.deepEqual(problems, [
            `PLATFORM_PINNED_IMAGES.ingestion: expected an image reference such as 'ghcr.io/acme/api@sha256:...', got "ghcr.io/acme-trading/hft-ingestion:1.4.1"`,
            `PLATFORM_PINNED_IMAGES.gateway: unknown service; the catalog has: ${servicesExcept()}`,
        ]);
    });

    it("names a fixture catalog's services when a pin names another", () => {
        const pins = { web: `ghcr.io/notes/web@${DIGEST}`, gateway: `ghcr.io/notes/gateway@${DIGEST}` };
        const raw = { project: "platform-test", stack: "staging", values: apiAndWeb, dryRun: false, ciEnv: { PLATFORM_PINNED_IMAGES: JSON.stringify(pins) } };
        assert.throws(
            () => readPlatformConfig(raw, secretsOf({ databaseUrl: "postgres://db" })),
            (e: unknown) => {
                assert.ok(e instanceof ConfigError, String(e));
                assert.deepEqual(e.problems, ["PLATFORM_PINNED_IMAGES.gateway: unknown service; the catalog has: api, web"]);
                return true;
            },
        );
    });
});

describe("pinned images are announced", () => {
    it("warns when PLATFORM_PINNED_IMAGES is set, so a leftover variable cannot pin images silently", async () => {
        const pins = JSON.stringify({ ingestion: `ghcr.io/acme-trading/hft-ingestion@${DIGEST}` });
        assert.deepEqual(await warningsDuring(() => run("staging", { ciEnv: { PLATFORM_PINNED_IMAGES: pins } })), [
            `PLATFORM_PINNED_IMAGES is set, so services run the images it pins (a rollback sets it): ${pins}`,
        ]);
        assert.deepEqual(await warningsDuring(() => run("staging")), []);
    });
});

describe("structured settings held as secrets", () => {
    it("are refused, naming the key and not echoing the value", async () => {
        const config = stackConfig("staging");
        assert.deepEqual(await refused({ ...config, secretKeys: [...config.secretKeys, `${P}environment`] }), [
            `${P}environment: is held as a secret, but its settings end up in plain Kubernetes objects and labels; set it without --secret and keep each secret in a key of its own ({fromConfig: <key>})`,
        ]);
    });
});
