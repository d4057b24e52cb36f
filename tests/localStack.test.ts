import { strict as assert } from "assert";
import { isLocalRegistry, localRegistryHosts } from "../config/localRegistry";
import { refused } from "./refused";
import { policyResources, runPack } from "./policyRunner";
import { editedConfig, ofKind, one, PROJECT, run, unwrap } from "./support";

/**
 * Issue 19, item 4: the local stack (Pulumi.local.yaml) runs the catalog on a kind cluster: images
 * from the registry at localhost:5001 (plain HTTP, no credentials), `dev` tags, nothing exposed
 * (port-forward commands as outputs), smaller resources; `latest` only where a stack says so, and
 * never beside production protections.
 */

const P = `${PROJECT}:`;

describe("the local stack (kind, docs/local.md)", () => {
    it("exposes nothing, gives each service with a Service its port-forward command, and passes the policy pack", async () => {
        const ev = await run("local");
        for (const kind of ["networking.k8s.io/v1:Ingress", "gateway.networking.k8s.io/v1:HTTPRoute", "gateway.networking.k8s.io/v1:Gateway"]) {
            assert.deepEqual([...ofKind(ev, kind).keys()], [], `no ${kind}`);
        }
        const services = (ev.outputs as any).services;
        assert.equal(services.orchestrator.portForward, "kubectl port-forward --namespace hft-local service/orchestrator 8005:80");
        assert.equal(services.redis.portForward, "kubectl port-forward --namespace hft-local service/redis 6379:6379");
        assert.equal(services["position-reconciler"].portForward, undefined, "a worker has no Service to forward to");
        assert.equal(services.orchestrator.url, undefined);
        assert.equal((ev.outputs as any).publicUrl, undefined);
        // One replica of half the standard tier.
        const orchestrator = one(ev, "apps/v1:Deployment", "orchestrator-deployment");
        assert.equal(orchestrator.spec.replicas, 1);
        assert.deepEqual(orchestrator.spec.template.spec.containers[0].resources, { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "250m", memory: "256Mi" } });
        assert.match(orchestrator.spec.template.spec.containers[0].image, /^localhost:5001\/hft-orchestrator@sha256:[0-9a-f]{64}$/);
        assert.deepEqual(
            runPack(policyResources(ev, "local")).filter((f) => f.level === "mandatory"),
            [],
        );
    });

    it("asks the local registry over plain HTTP, without credentials, and holds no image pull Secret", async () => {
        const ev = await run("local");
        const provider = ev.resources.find((r) => r.type === "pulumi:providers:docker")!.inputs;
        assert.deepEqual(JSON.parse(unwrap(provider.registryAuth)), [{ address: "http://localhost:5001", authDisabled: true }]);
        assert.deepEqual([...ofKind(ev, "core/v1:Secret").keys()].filter((n) => n.endsWith("-registry")), []);
    });

    it("builds and pushes to the local registry without credentials on 'pulumi up'; a remote registry still needs them", async () => {
        const building = (server: string) =>
            editedConfig("local", (v) => {
                v.environment.registry = { server, cache: false };
                v.environment.services.ingestion = { build: { context: "services/ingestion" } };
                delete v.catalog.services.ingestion.image;
            });
        const local = await run(building("localhost:5001"), { preview: false });
        const builds = local.resources.filter((r) => r.type === "docker-build:index:Image");
        assert.equal(builds.length, 1);
        const image = builds[0].inputs as any;
        assert.deepEqual(image.tags, ["localhost:5001/ingestion:dev"]);
        assert.equal(image.registries, undefined, "no credentials to push with");
        assert.deepEqual(await refused(building("registry.example.com")), [
            `${P}environment.registry: ingestion build images that 'pulumi up' pushes to registry.example.com, which needs credentials; set 'username' and 'passwordSecret' (a preview pushes nothing and needs none)`,
        ]);
    });

    it("takes localhost, 127.0.0.1, [::1] and *.localhost as this machine's registries, with or without a port", () => {
        for (const s of ["localhost:5001", "localhost", "127.0.0.1:5000", "[::1]:5000", "registry.localhost:5001"]) assert.equal(isLocalRegistry(s), true, s);
        for (const s of ["ghcr.io", "localhost.example.com", "10.0.0.5:5000", "mylocalhost:5001"]) assert.equal(isLocalRegistry(s), false, s);
        assert.deepEqual(localRegistryHosts("ghcr.io", ["localhost:5001/a", "docker.io/library/redis", "redis", "localhost:5001/b", "127.0.0.1:5000/c"]), ["127.0.0.1:5000", "localhost:5001"]);
    });
});

describe("mutable tags only where the stack says so (issue 19, item 4)", () => {
    it("refuses 'latest' in a stack that does not run mutable tags, and runs it, by its digest, in one that does", async () => {
        assert.deepEqual(await refused(editedConfig("local", (v) => (v.environment.imageTag = "latest"))), [
            `${P}environment.imageTag: expected an image tag such as 'main-3f9c2ab' or '1.4.2' (not 'latest'), got "latest" ('latest' is mutable; name a build, or let a stack without production protections run it: ${P}environment.mutableTags: true)`,
        ]);
        const ev = await run(
            editedConfig("local", (v) => {
                v.environment.imageTag = "latest";
                v.environment.mutableTags = true;
            }),
        );
        assert.match(one(ev, "apps/v1:Deployment", "orchestrator-deployment").spec.template.spec.containers[0].image, /^localhost:5001\/hft-orchestrator@sha256:[0-9a-f]{64}$/);
        assert.ok(ev.lookups.some((l) => l.name === "localhost:5001/hft-orchestrator:latest"), "looked up by its tag, run by the digest");
    });

    it("refuses mutableTags in a stack with production protections: promotion.from (production) or protect", async () => {
        assert.deepEqual(await refused(editedConfig("production", (v) => (v.environment.mutableTags = true))), [
            `${P}environment.mutableTags: a stack with production protections (protect: true, promotion.from: staging) runs only the builds it names; remove mutableTags`,
        ]);
        assert.deepEqual(
            await refused(
                editedConfig("local", (v) => {
                    v.environment.mutableTags = true;
                    v.environment.protect = true;
                }),
            ),
            [`${P}environment.mutableTags: a stack with production protections (protect: true) runs only the builds it names; remove mutableTags`],
        );
    });
});

describe("exposure 'none'", () => {
    it("needs no domain, and refuses a Gateway no route would use; the other modes still need a domain", async () => {
        assert.deepEqual(await refused(editedConfig("local", (v) => (v.environment.gateway = { name: "public" }))), [
            `${P}environment.gateway: set, but ${P}environment.exposure is 'none', so no route would use it; set exposure: gateway (or both, to move over), or remove it`,
        ]);
        assert.deepEqual(await refused(editedConfig("local", (v) => (v.environment.exposure = "ingress"))), [`${P}environment.domain: required; expected a DNS domain such as 'staging.example.com'`]);
    });

    it("leaves the catalog's ingress settings unused, and refuses a public service there is none of", async () => {
        assert.deepEqual(await refused(editedConfig("local", (v) => (v.environment.publicService = "orchestrator"))), [
            `${P}environment.publicService: "orchestrator" has no Ingress, so no public URL; expected one of the services with an Ingress: none`,
        ]);
    });
});
