import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../config/errors";
import { apiAndWeb, configOf, singleApi, thirtyServices } from "../fixtures/catalogs";

/** The config reader called directly, on other companies' catalogs. */
describe("config reader on other systems' catalogs", () => {
    it("one service: three replicas, a budget of one, a TLS host with CORS and the schema's defaults", () => {
        const config = configOf(singleApi);
        assert.equal(config.services.length, 1);
        const api = config.services[0];
        assert.equal(api.replicas, 3);
        assert.equal(api.autoscaling, undefined);
        assert.deepEqual(api.disruptionBudget, { maxUnavailable: 1 });
        assert.deepEqual(api.ingress, {
            host: "api.example.com",
            path: "/",
            paths: [{ path: "/", pathType: "Prefix" }],
            httpsRedirect: true,
            cors: { allowOrigins: ["https://shop.example.com"], allowMethods: ["GET", "POST", "PUT", "DELETE", "OPTIONS"], allowHeaders: ["Authorization", "Content-Type"], allowCredentials: true },
        });
        assert.equal(api.servicePort, 80);
        assert.equal(api.runAsUser, 10001);
        assert.deepEqual(api.image, { repository: "registry.example.com/shop/api", tag: "2.4.1", digest: undefined, buildTags: [] });
        assert.deepEqual(config.environment.rollout, { progressDeadlineSeconds: 300, awaitTimeoutSeconds: 360 });
        assert.deepEqual(config.environment.ingress, { controller: "ingress-nginx", className: "nginx", clusterIssuer: "letsencrypt-production", controllerNamespace: "ingress-nginx" });
        assert.equal(config.environment.exposure, "ingress");
        assert.equal(config.environment.gateway, undefined);
        assert.deepEqual(config.cluster, { context: "prod" });
        assert.equal(config.environment.name, "production", "named after the stack");
        assert.equal(config.github, undefined);
    });

    it("an API and a web front end: tiers, callers, the environment's tag, and the secret value in the field that uses it", async () => {
        const config = configOf(apiAndWeb, { databaseUrl: "postgres://db" }, "staging");
        assert.deepEqual(
            config.services.map((s) => [s.name, s.image.repository, s.image.tag, s.resources.limits.memory, s.allowFrom]),
            [
                ["api", "ghcr.io/notes/api", "main-1a2b3c4", "1Gi", ["web"]],
                ["web", "ghcr.io/notes/web", "main-1a2b3c4", "256Mi", []],
            ],
        );
        const secret = config.services[0].secrets.DATABASE_URL;
        assert.ok("value" in secret);
        assert.equal(await new Promise((r) => secret.value.apply(r)), "postgres://db");
        assert.equal(await pulumi.isSecret(secret.value), true);
        assert.deepEqual(config.services[1].env, { API_URL: "http://api" });
        assert.equal(config.services[1].ingress?.host, "notes.staging.notes.dev");
    });

    it("thirty services, autoscaled by the stack's serviceDefaults, in name order", () => {
        const config = configOf(thirtyServices());
        assert.equal(config.services.length, 30);
        assert.deepEqual(config.services.map((s) => s.name), [...config.services.map((s) => s.name)].sort());
        for (const s of config.services) {
            assert.equal(s.replicas, undefined, s.name);
            assert.deepEqual(s.autoscaling, { minReplicas: 3, maxReplicas: 12, targetCPUUtilization: 70, targetMemoryUtilization: 80 }, s.name);
            assert.deepEqual(s.disruptionBudget, { maxUnavailable: 1 }, s.name);
        }
    });

    it("refuses a fixture's mistakes with the key path, the value, what is allowed and a hint", () => {
        const bad = structuredClone(singleApi) as any;
        bad.catalog.services.api.port = "8080";
        bad.catalog.services.api.replcias = 2;
        bad.environment.services = { apii: { replicas: 2 } };
        assert.throws(
            () => configOf(bad),
            (e: unknown) => {
                assert.ok(e instanceof ConfigError);
                assert.deepEqual(e.problems, [
                    'platform-test:catalog.services.api.port: expected an integer from 1 to 65535, got "8080" (remove the quotes: YAML reads a quoted number as text)',
                    `platform-test:catalog.services.api.replcias: unknown key (did you mean 'replicas'?); allowed keys: kind, enabled, allowFrom, objectName, containerName, portName, selector, autoscaling, build, canary, command, args, env, envFrom, image, ingress, initContainers, job, metrics, pdb, port, probes, rbac, replicas, resources, runAsUser, secrets, servicePort, sidecars, tier, verify, volumes`,
                    "platform-test:environment.services.apii: unknown service; the catalog (platform-test:catalog.services) has: api",
                ]);
                return true;
            },
        );
    });

    it("refuses shared variables the program sets itself (ENVIRONMENT, LOG_LEVEL, the telemetry endpoint)", () => {
        const bad = structuredClone(singleApi) as any;
        bad.catalog.commonEnv = { LOG_LEVEL: "DEBUG", TZ: "UTC" };
        bad.environment.commonEnv = { ENVIRONMENT: "prod", OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel:4318" };
        assert.throws(() => configOf(bad), (e: unknown) => {
            assert.ok(e instanceof ConfigError);
            assert.deepEqual(e.problems, [
                "platform-test:catalog.commonEnv.LOG_LEVEL: 'LOG_LEVEL' is set by the platform (from environment.logLevel) and cannot be set in commonEnv",
                "platform-test:environment.commonEnv.ENVIRONMENT: 'ENVIRONMENT' is set by the platform (from the environment's name) and cannot be set in commonEnv",
                "platform-test:environment.commonEnv.OTEL_EXPORTER_OTLP_ENDPOINT: 'OTEL_EXPORTER_OTLP_ENDPOINT' is set by the platform (from environment.telemetryEndpoint) and cannot be set in commonEnv",
            ]);
            return true;
        });
    });

    it("a stack's tier replaces the catalog's tier of that name, for every service that picks it", () => {
        const values = structuredClone(apiAndWeb) as any;
        const tiny = { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "100m", memory: "128Mi" } };
        values.environment.tiers = { web: tiny, batch: tiny };
        const config = configOf(values, { databaseUrl: "postgres://db" }, "qa");
        assert.deepEqual(config.services.find((s) => s.name === "web")?.resources, tiny);
        assert.equal(config.services.find((s) => s.name === "api")?.resources.limits.memory, "1Gi", "the catalog's other tier is kept");
        values.catalog.services.api.tier = "gpu";
        assert.throws(() => configOf(values, { databaseUrl: "x" }, "qa"), { message: /catalog\.services\.api\.tier: unknown tier "gpu"; expected one of: api, batch, web/ });
    });

    it("takes an amount left empty in a tier (`memory:` with nothing after it) as missing", () => {
        const values = structuredClone(singleApi) as any;
        values.catalog.tiers = { small: { requests: { cpu: "100m", memory: null }, limits: { cpu: "1", memory: "1Gi" } } };
        assert.throws(() => configOf(values), {
            message: /platform-test:catalog\.tiers\.small\.requests\.memory: required; expected a Kubernetes quantity such as "250m" or "512Mi"/,
        });
    });

    it("names the public service: the only exposed one by default, and asks which when several are exposed", () => {
        assert.equal(configOf(singleApi).environment.publicService, "api");
        const two = structuredClone(apiAndWeb) as any;
        two.catalog.services.api.ingress = { hostPrefix: "api" };
        assert.throws(() => configOf(two, { databaseUrl: "x" }, "staging"), {
            message: /platform-test:environment\.publicService: required when several services have an Ingress \(api, web\): name the one whose URL is the environment's public URL/,
        });
        two.environment.publicService = "web";
        assert.equal(configOf(two, { databaseUrl: "x" }, "staging").environment.publicService, "web");
        two.environment.publicService = "db";
        assert.throws(() => configOf(two, { databaseUrl: "x" }, "staging"), { message: /publicService: unknown service "db"; expected one of the services with an Ingress: api, web/ });
    });

    it("refuses a secret the stack does not hold, naming the command that sets it", () => {
        assert.throws(() => configOf(apiAndWeb, {}, "staging"), {
            message: /platform-test:databaseUrl: required secret is not set \(used by platform-test:catalog\.services\.api\.secrets\.DATABASE_URL\); set it with 'pulumi config set --secret databaseUrl <value> --stack staging'/,
        });
    });

    it("gives identical results for the same configuration", () => {
        assert.deepEqual(JSON.stringify(configOf(thirtyServices()).services), JSON.stringify(configOf(thirtyServices()).services));
    });
});
