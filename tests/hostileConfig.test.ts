import { strict as assert } from "assert";
import { refused } from "./refused";
import { editedConfig, PROJECT, run } from "./support";

/**
 * Issue 18, classes 6 and 8: settings that would override what the platform sets for every pod,
 * and the stack's own credentials handed to a pod. Each is refused by the configuration check,
 * before any resource, with the key path and what to do.
 */

const P = `${PROJECT}:`;
const SERVICE = `${P}catalog.services.ingestion`;

describe("values the platform sets cannot be overridden per service (issue 18, class 6)", () => {
    it("a service's env saying ENVIRONMENT: production in staging (the example)", async () => {
        const problems = await refused(editedConfig("staging", (v) => (v.catalog.services.ingestion.env = { ...v.catalog.services.ingestion.env, ENVIRONMENT: "production" })));
        assert.deepEqual(problems, [`${SERVICE}.env.ENVIRONMENT: 'ENVIRONMENT' is set by the platform (from the environment's name, in the environment's shared ConfigMap) and cannot be set in env`]);
    });

    it("LOG_LEVEL and the telemetry endpoint in a stack's own service entry", async () => {
        const problems = await refused(
            editedConfig("staging", (v) => {
                v.environment.services ??= {};
                v.environment.services.ingestion = { ...v.environment.services.ingestion, env: { LOG_LEVEL: "TRACE", OTEL_EXPORTER_OTLP_ENDPOINT: "http://attacker.example:4318" } };
            }),
        );
        assert.deepEqual(problems, [
            `${P}environment.services.ingestion.env.LOG_LEVEL: 'LOG_LEVEL' is set by the platform (from environment.logLevel, in the environment's shared ConfigMap) and cannot be set in env`,
            `${P}environment.services.ingestion.env.OTEL_EXPORTER_OTLP_ENDPOINT: 'OTEL_EXPORTER_OTLP_ENDPOINT' is set by the platform (from environment.telemetryEndpoint, in the environment's shared ConfigMap) and cannot be set in env`,
        ]);
    });

    it("a secret named like a platform variable (its Secret would override the ConfigMap's value)", async () => {
        const problems = await refused(editedConfig("staging", (v) => (v.catalog.services.ingestion.secrets = { ENVIRONMENT: { generate: { length: 16 } }, PORT: { generate: { length: 16 } } })));
        assert.deepEqual(problems, [
            `${SERVICE}.secrets.ENVIRONMENT: 'ENVIRONMENT' is set by the platform (from the environment's name, in the environment's shared ConfigMap) and cannot be a secret's name`,
            `${SERVICE}.secrets.PORT: 'PORT' is set by the platform (the service's 'port', written into the service's ConfigMap) and cannot be a secret's name`,
        ]);
    });
});

describe("the stack's own credentials never reach a pod (issue 18, class 8)", () => {
    it("the cluster's kubeconfig as a service secret (the example)", async () => {
        const problems = await refused(editedConfig("staging", (v) => (v.catalog.services.ingestion.secrets = { KUBECONFIG: { fromConfig: "kubeconfig" } })));
        assert.deepEqual(problems, [
            `${SERVICE}.secrets.KUBECONFIG.fromConfig: 'kubeconfig' holds the stack's own credentials (environment.cluster.kubeconfigSecret), which no pod may get; give the service a secret key of its own ('pulumi config set --secret <key> <value>')`,
        ]);
    });

    it("the registry password and the GitHub token, in a stack's service entry", async () => {
        const problems = await refused(
            editedConfig("staging", (v) => {
                v.environment.services ??= {};
                v.environment.services.ingestion = { ...v.environment.services.ingestion, secrets: { REGISTRY: { fromConfig: "registryPassword" }, GH: { fromConfig: "githubToken" } } };
            }),
        );
        assert.deepEqual(problems, [
            `${P}environment.services.ingestion.secrets.REGISTRY.fromConfig: 'registryPassword' holds the stack's own credentials (environment.registry.passwordSecret), which no pod may get; give the service a secret key of its own ('pulumi config set --secret <key> <value>')`,
            `${P}environment.services.ingestion.secrets.GH.fromConfig: 'githubToken' holds the stack's own credentials (github.tokenSecret), which no pod may get; give the service a secret key of its own ('pulumi config set --secret <key> <value>')`,
        ]);
    });
});

describe("amounts that mean no limit or can never run (issue 18, class 3)", () => {
    const Q = 'expected a Kubernetes quantity such as "250m", "1", "512Mi" or "2Gi"';
    const withResources = (resources: object) => editedConfig("staging", (v) => (v.catalog.services.ingestion.resources = resources));

    it('a limit of "0" (the example): no limit at all', async () => {
        assert.deepEqual(await refused(withResources({ limits: { cpu: "0", memory: "512Mi" } })), [
            `${SERVICE}.resources.limits.cpu: ${Q}, got "0" (0 means no amount at all; leave the key out for the tier's, or give one such as "250m")`,
        ]);
    });

    it('memory "256m" (the example): 0.256 bytes', async () => {
        assert.deepEqual(await refused(withResources({ limits: { cpu: "1", memory: "256m" } })), [
            `${SERVICE}.resources.limits.memory: ${Q}, got "256m" ('m' is thousandths: that is 0.256 bytes; did you mean "256Mi"?)`,
        ]);
    });

    it("memory no container can start with, and a CPU amount below a millicore", async () => {
        assert.deepEqual(await refused(withResources({ requests: { cpu: "0.0001", memory: "64Mi" }, limits: { cpu: "1", memory: "512k" } })), [
            `${SERVICE}.resources.requests.cpu: ${Q}, got "0.0001" (below 1m, the smallest CPU amount Kubernetes keeps)`,
            `${SERVICE}.resources.limits.memory: ${Q}, got "512k" (0.488 MiB: below 6Mi no container runtime starts a container)`,
        ]);
    });

    it("in a tier too", async () => {
        const problems = await refused(editedConfig("staging", (v) => (v.catalog.tiers.standard.limits.memory = "512m")));
        assert.deepEqual(problems, [`${P}catalog.tiers.standard.limits.memory: ${Q}, got "512m" ('m' is thousandths: that is 0.512 bytes; did you mean "512Mi"?)`]);
    });
});

describe("credentials in plain settings (issue 18, class 7)", () => {
    const fix = (key: string) =>
        `keep it in a secret: 'pulumi config set --secret <key> <value> --stack staging', then 'secrets: {${key}: {fromConfig: <key>}}' instead of 'env' (the value is not shown here)`;

    it("a connection string with a password in the user info (the example), never echoed", async () => {
        const problems = await refused(editedConfig("staging", (v) => (v.catalog.services.ingestion.env = { ...v.catalog.services.ingestion.env, MONGO_URL: "mongodb://app:s3cr3t-pw@mongo:27017/db" })));
        assert.deepEqual(problems, [`${SERVICE}.env.MONGO_URL: holds a credential (a password in the URL) in a plain setting, written into a ConfigMap; ${fix("MONGO_URL")}`]);
        assert.equal(problems.join("\n").includes("s3cr3t-pw"), false);
    });

    it("a JDBC URL with password= (the example), and a token in a query string", async () => {
        const problems = await refused(
            editedConfig("staging", (v) => {
                v.environment.services ??= {};
                v.environment.services.ingestion = {
                    ...v.environment.services.ingestion,
                    env: { DB: "jdbc:postgresql://db:5432/app?user=app&password=hunter2", FEED: "https://feed.example/v1?api_key=abc123def456" },
                };
            }),
        );
        assert.deepEqual(problems, [
            `${P}environment.services.ingestion.env.DB: holds a credential (password= in the value) in a plain setting, written into a ConfigMap; ${fix("DB")}`,
            `${P}environment.services.ingestion.env.FEED: holds a credential (api_key= in the value) in a plain setting, written into a ConfigMap; ${fix("FEED")}`,
        ]);
        assert.equal(/hunter2|abc123def456/.test(problems.join("\n")), false);
    });

    it("in commonEnv too; a URL with a user and no password, or an empty password parameter, is fine", async () => {
        const problems = await refused(editedConfig("staging", (v) => (v.environment.commonEnv = { ...v.environment.commonEnv, CACHE: "redis://:p4ss@cache:6379/0" })));
        assert.deepEqual(problems, [
            `${P}environment.commonEnv.CACHE: holds a credential (a password in the URL) in a plain setting, written into a ConfigMap; keep it in a secret: 'pulumi config set --secret <key> <value> --stack staging', then a service's 'secrets: {CACHE: {fromConfig: <key>}}' instead of 'commonEnv' (the value is not shown here)`,
        ]);
        const fine = await run(editedConfig("staging", (v) => (v.catalog.services.ingestion.env = { ...v.catalog.services.ingestion.env, A: "postgres://app@db/app", B: "https://x.example/?password=" })));
        assert.equal(fine.error, undefined);
    });
});

describe("secrets as build arguments (issue 18, class 9, build args)", () => {
    const building = (args: Record<string, string>) =>
        editedConfig("staging", (v) => {
            delete v.catalog.services.ingestion.image;
            v.catalog.services.ingestion.build = { context: "services/ingestion", args };
        });

    it("a build argument named like a credential (NPM_TOKEN, the example), never echoing its value", async () => {
        const problems = await refused(building({ NPM_TOKEN: "npm_AbCdEf0123456789", PYTHON_VERSION: "3.12" }));
        assert.deepEqual(problems, [
            `${SERVICE}.build.args.NPM_TOKEN: a build argument is kept in the image's history and its provenance, readable by anyone who can pull it, so it cannot carry a credential (its name says it does; the value is not shown here); pass it as a BuildKit secret in CI instead`,
        ]);
        assert.equal(problems.join("\n").includes("npm_AbCdEf0123456789"), false);
    });

    it("other names (a password, an API key) and a credential in the value of an innocent name", async () => {
        const problems = await refused(building({ DB_PASSWORD: "x", GH_API_KEY: "y", INDEX_URL: "https://user:pw@pypi.example/simple" }));
        assert.deepEqual(problems, [
            `${SERVICE}.build.args.DB_PASSWORD: a build argument is kept in the image's history and its provenance, readable by anyone who can pull it, so it cannot carry a credential (its name says it does; the value is not shown here); pass it as a BuildKit secret in CI instead`,
            `${SERVICE}.build.args.GH_API_KEY: a build argument is kept in the image's history and its provenance, readable by anyone who can pull it, so it cannot carry a credential (its name says it does; the value is not shown here); pass it as a BuildKit secret in CI instead`,
            `${SERVICE}.build.args.INDEX_URL: a build argument is kept in the image's history and its provenance, readable by anyone who can pull it, so it cannot carry a credential (a password in the URL; the value is not shown here); pass it as a BuildKit secret in CI instead`,
        ]);
    });
});
