import { strict as assert } from "assert";
import { dockerDaemonProblem } from "../config/dockerDaemon";
import * as pulumi from "@pulumi/pulumi";
import { evaluate, isSecretEnvelope, MOCK_DOCKER_HOST } from "../tools/harness/evaluate";
import * as fs from "fs";
import YAML from "yaml";
import { lookUp, REFUSE, REGISTRY_FIXTURE } from "../tools/harness/registry";
import { refused } from "./refused";
import { describeImages } from "../tools/render/images";
import { servicesOf, stackFacts } from "./facts-resources";
import { editedConfig, ofKind, one, PROJECT, run, stackConfig, unwrap } from "./support";
import { CHECKER_IMAGE } from "../config/schema/verify";

/**
 * Tags turned into digests by the program: @pulumi/docker's getRegistryImage through one
 * provider per environment, answered here by the mock registry (tools/harness/registry.yaml).
 */

const containerImage = (ev: any, svc: string) => one(ev, "apps/v1:Deployment", `${svc}-deployment`).spec.template.spec.containers[0].image;
const EXECUTION = "ghcr.io/acme-trading/hft-execution";

describe("registry lookups (@pulumi/docker getRegistryImage)", () => {
    it("staging: looks up each tag-only image once, by repository:tag, through the environment's provider with its credentials as a secret", async () => {
        const config = stackConfig("staging");
        config.config[`${PROJECT}:registryPassword`] = "ghp_lookuptoken";
        const ev = await run(config);
        const providers = ev.resources.filter((r) => r.type === "pulumi:providers:docker");
        assert.deepEqual(providers.map((p) => p.name), ["staging-registry-lookups"]);
        const provider = providers[0].inputs;
        assert.equal(provider.host, MOCK_DOCKER_HOST, "the daemon the provider pings is DOCKER_HOST's");
        assert.equal(isSecretEnvelope(provider.registryAuth), true, "the registry credentials reach the provider only as a secret");
        assert.deepEqual(JSON.parse(unwrap(provider.registryAuth)), [{ address: "ghcr.io", username: "acme-trading-ci", password: "ghp_lookuptoken" }]);
        // Anywhere else it appears, it is inside a secret envelope too.
        const plain = (v: unknown): unknown => (isSecretEnvelope(v) ? "<secret>" : Array.isArray(v) ? v.map(plain) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)])) : v);
        assert.doesNotMatch(JSON.stringify(ev.resources.map((r) => plain(r.inputs))), /ghp_lookuptoken/);

        const x = stackFacts("staging");
        // The services' tags, and the verification Jobs' HTTP checker's (environment.verify.image).
        const expected = [...servicesOf(x).map((s) => x.services[s].image.replace(/@sha256:[0-9a-f]{64}$/, `:${x.services[s].tag}`)), ...(x.verify ? [CHECKER_IMAGE] : [])];
        assert.deepEqual(ev.lookups.map((l) => l.name).sort(), [...new Set(expected)].sort());
        assert.ok(ev.lookups.every((l) => l.provider?.startsWith(`urn:pulumi:staging::${PROJECT}::pulumi:providers:docker::staging-registry-lookups::`)), "every lookup goes through the environment's provider");
        // The repository's images are answered from tools/harness/registry.yaml; a service added to
        // the catalog (not in it) gets a digest derived from its name.
        const fixture = YAML.parse(fs.readFileSync(REGISTRY_FIXTURE, "utf8")) as Record<string, string>;
        for (const l of ev.lookups) assert.deepEqual([l.from, l.digest], l.name in fixture ? ["fixture", fixture[l.name]] : ["derived", lookUp(l.name).digest], l.name);
        assert.ok(ev.lookups.filter((l) => l.from === "fixture").length >= 7);
        for (const svc of servicesOf(x).filter((s) => x.services[s].workload === "apps/v1:Deployment")) {
            assert.equal(containerImage(ev, svc), x.services[svc].image, svc);
        }
        assert.equal(containerImage(ev, "execution"), `${EXECUTION}@${lookUp(`${EXECUTION}:main-3f9c2ab`).digest}`);
    });

    it("a tag moved in the registry is a new digest: the pods roll, in place", async () => {
        const before = await run("staging");
        const moved = `sha256:${"5e".repeat(32)}`;
        const after = await run("staging", { registry: { [`${EXECUTION}:main-3f9c2ab`]: moved } });
        assert.equal(containerImage(after, "execution"), `${EXECUTION}@${moved}`);
        assert.notEqual(containerImage(before, "execution"), containerImage(after, "execution"));
        // Same Deployment (name and everything else), a new pod template: a rolling update, no replacement.
        const strip = (ev: any) => ({ ...one(ev, "apps/v1:Deployment", "execution-deployment"), spec: { ...one(ev, "apps/v1:Deployment", "execution-deployment").spec, template: undefined } });
        assert.deepEqual(strip(after), strip(before));
        assert.equal(containerImage(after, "ingestion"), containerImage(before, "ingestion"), "other services are unchanged");
    });

    it("looks nothing up for a pinned digest or a build, and declares no provider when nothing needs one", async () => {
        const digest = `sha256:${"ab".repeat(32)}`;
        const ev = await run(
            editedConfig("staging", (v) => {
                for (const svc of Object.keys(v.catalog.services)) {
                    v.catalog.services[svc].image = { ...v.catalog.services[svc].image, digest };
                }
                v.environment.verify = { image: `docker.io/curlimages/curl@${digest}` };
            }),
        );
        assert.deepEqual(ev.lookups, []);
        assert.ok(ofKind(ev, "batch/v1:Job").size > 0 && [...ofKind(ev, "batch/v1:Job").values()].every((j: any) => j.inputs.spec.template.spec.containers.every((c: any) => c.image.endsWith(`@${digest}`))), "the checker runs by the digest the stack pins");
        assert.deepEqual(ev.resources.filter((r) => r.type.startsWith("pulumi:providers:docker")), []);
        assert.equal(containerImage(ev, "execution"), `${EXECUTION}@${digest}`);
    });

    it("a tag the registry refuses fails the update with the image and what to check, no stack trace", async () => {
        const ev = await evaluate(stackConfig("staging"), {
            ciEnv: {},
            registry: { [`${EXECUTION}:main-3f9c2ab`]: `${REFUSE}manifest unknown: manifest tagged by "main-3f9c2ab" is not found` },
        });
        assert.equal(ev.error?.name, "RegistryLookupError");
        // The workloads' specs hold the image: Pulumi prefixes the property (once per workload
        // that runs it), and prints a RunError without a stack trace.
        const message = `looking up the digest of ${EXECUTION}:main-3f9c2ab failed: manifest unknown: manifest tagged by "main-3f9c2ab" is not found. ` +
            "Check that the tag exists and that the stack's registry credentials (environment.registry) can read it";
        assert.equal(ev.error?.message.replace(/^(error serializing property "(spec|metadata)": )+/, ""), message);
        assert.ok(ev.error instanceof pulumi.RunError, "a RunError: Pulumi prints its message without a stack trace");
        assert.equal(ev.resources.some((r) => r.name === "execution-deployment"), false, "the Deployment is not declared with an unknown image");
    });
});

describe("the Docker daemon @pulumi/docker's provider needs", () => {
    const none = () => false;
    it("is found at DOCKER_HOST's socket, the default socket or Docker Desktop's; tcp, ssh and contexts are trusted", () => {
        assert.equal(dockerDaemonProblem({}, (p) => p === "/var/run/docker.sock", "/home/u"), undefined);
        assert.equal(dockerDaemonProblem({}, (p) => p === "/home/u/.docker/run/docker.sock", "/home/u"), undefined);
        assert.equal(dockerDaemonProblem({}, (p) => p === "/home/u/.docker/desktop/docker.sock", "/home/u"), undefined);
        assert.equal(dockerDaemonProblem({ DOCKER_HOST: "unix:///run/user/1000/docker.sock" }, (p) => p === "/run/user/1000/docker.sock"), undefined);
        assert.equal(dockerDaemonProblem({ DOCKER_HOST: "tcp://10.0.0.5:2376" }, none), undefined);
        assert.equal(dockerDaemonProblem({ DOCKER_HOST: "ssh://builder@10.0.0.5" }, none), undefined);
        assert.equal(dockerDaemonProblem({ DOCKER_CONTEXT: "colima" }, none), undefined);
    });

    it("missing, it is named with every place looked at", () => {
        assert.equal(
            dockerDaemonProblem({}, none, "/home/u"),
            "DOCKER_HOST is not set and no Docker socket exists (/var/run/docker.sock, /home/u/.docker/run/docker.sock, /home/u/.docker/desktop/docker.sock)",
        );
        assert.equal(dockerDaemonProblem({ DOCKER_HOST: "unix:///tmp/nothing.sock" }, none), "DOCKER_HOST is unix:///tmp/nothing.sock, and no socket is there");
    });

    it("missing while images need a lookup, the configuration is refused before any resource, saying what to do", async () => {
        const problems = await refused(stackConfig("staging"), { ciEnv: { DOCKER_HOST: "unix:///nonexistent/docker.sock" } });
        const tagged = `${servicesOf(stackFacts("staging")).join(", ")}, and the verification Jobs' HTTP checker (environment.verify.image)`;
        assert.deepEqual(problems, [
            `DOCKER_HOST: ${tagged} name images by tag (ghcr.io/acme-trading/hft-execution:main-3f9c2ab), whose digests are looked up in the registry with @pulumi/docker. ` +
                "Its provider needs a reachable Docker daemon when it starts, even for a lookup (pulumi/pulumi-docker#1106), and DOCKER_HOST is unix:///nonexistent/docker.sock, and no socket is there. " +
                "Start Docker, point DOCKER_HOST at a daemon, or pin each image by digest (image.digest; 'npm run promote' writes them)",
        ]);
    });

    it("is not needed when every image is pinned", async () => {
        const digest = `sha256:${"cd".repeat(32)}`;
        const config = editedConfig("staging", (v) => {
            for (const svc of Object.keys(v.catalog.services)) v.catalog.services[svc].image = { ...v.catalog.services[svc].image, digest };
            v.environment.verify = { image: `docker.io/curlimages/curl:8.11.1@${digest}` };
        });
        const ev = await run(config, { ciEnv: { DOCKER_HOST: "unix:///nonexistent/docker.sock" } });
        assert.equal(ev.error, undefined);
    });

    it("is needed for the HTTP checker's tag alone, when every service's image is pinned", async () => {
        const digest = `sha256:${"cd".repeat(32)}`;
        const config = editedConfig("staging", (v) => {
            for (const svc of Object.keys(v.catalog.services)) v.catalog.services[svc].image = { ...v.catalog.services[svc].image, digest };
        });
        assert.deepEqual(await refused(config, { ciEnv: { DOCKER_HOST: "unix:///nonexistent/docker.sock" } }), [
            `DOCKER_HOST: the verification Jobs' HTTP checker (environment.verify.image) names an image by tag (${CHECKER_IMAGE}), whose digests are looked up in the registry with @pulumi/docker. ` +
                "Its provider needs a reachable Docker daemon when it starts, even for a lookup (pulumi/pulumi-docker#1106), and DOCKER_HOST is unix:///nonexistent/docker.sock, and no socket is there. " +
                "Start Docker, point DOCKER_HOST at a daemon, or pin each image by digest (image.digest; 'npm run promote' writes them)",
        ]);
    });
});

describe("the render says where its digests came from", () => {
    it("names the fixture, the tags it did not hold, and the promotion source", async () => {
        const production = await run("production");
        assert.equal(
            describeImages(production, stackConfig("production")),
            // Its six images' tags, the HTTP checker's and the canary wait's Argo Rollouts CLI.
            "images: 8 tags looked up in the registry, answered offline from tools/harness/registry.yaml (not real digests)\n" +
                "promotion: every image checked against what staging ran (its releases, rendered from Pulumi.staging.yaml)\n",
        );
        const config = editedConfig("staging", (v) => (v.catalog.services.orchestrator.image.tag = "2.0.0"));
        assert.match(describeImages(await run(config), config), /; not in it, so given a digest derived from the name: (.*, )?ghcr\.io\/acme-trading\/hft-orchestrator:2\.0\.0(, .*)?\n$/);
    });
});
