import { strict as assert } from "assert";
import { evaluate } from "../tools/harness/evaluate";
import { StackConfig } from "../tools/harness/stackFiles";
import { refused } from "./refused";
import { ConfigError } from "../config/errors";
import { apiAndWeb, configOf } from "./fixtures/catalogs";
import { secretKeysNamed, servicesExcept } from "./facts-validation";
import { catalogOf, editedConfig, PROJECT, stackConfig } from "./support";

/**
 * Validation: a table of bad configs, each with its exact message, and no resource created.
 *
 * Every case starts from a real stack (staging or production), makes one mistake, and checks
 * that the program stops with a single `ConfigError` listing exactly the expected problems, each
 * naming the full key path, the bad value and what is allowed, before any resource exists.
 */

type Values = { catalog: any; environment: any };

interface BadCase {
    readonly name: string;
    /** The stack the case is derived from; staging unless said. */
    readonly stack?: "staging" | "production";
    readonly edit: (values: Values) => void;
    readonly expected: readonly string[];
}

const P = `${PROJECT}:`;
const DNS_REASON = "lowercase letters, digits and '-' only, starting and ending with a letter or digit";
const SERVICE_KEYS = "kind, enabled, allowFrom, objectName, containerName, portName, selector, autoscaling, build, canary, command, args, env, envFrom, image, ingress, initContainers, job, metrics, pdb, port, probes, rbac, replicas, resources, runAsUser, secrets, servicePort, sidecars, tier, verify, volumes";
const ENVIRONMENT_KEYS = "name, namespace, domain, cluster, logLevel, telemetryEndpoint, sharedNamespace, adopt, protect, exposure, ingress, gateway, imageTag, registry, promotion, mutableTags, buildOnPreview, rollout, canary, verify, monitoring, externalSecrets, commonEnv, tiers, publicService, ci, serviceDefaults, services";
const QUANTITY = 'a Kubernetes quantity such as "250m", "1", "512Mi" or "2Gi"';
const TAG = "an image tag such as 'main-3f9c2ab' or '1.4.2' (not 'latest')";
/** The services staging's ingestion accepts calls from, as the catalog lists them. */
const INGESTION_CALLERS: readonly string[] = catalogOf("staging").services.ingestion.allowFrom;


const CASES: readonly BadCase[] = [
    // --- wrong types -------------------------------------------------------------------------
    {
        name: "port given as a string",
        edit: (v) => (v.environment.services["kalman-filter"] = { port: "8001" }),
        expected: [`${P}environment.services.kalman-filter.port: expected an integer from 1 to 65535, got "8001" (remove the quotes: YAML reads a quoted number as text)`],
    },
    {
        name: "environment name given as a number",
        edit: (v) => (v.environment.name = 42),
        expected: [`${P}environment.name: expected a DNS-1123 label such as 'staging', got 42`],
    },
    {
        name: "tier given as a number",
        edit: (v) => (v.environment.services["kalman-filter"] = { tier: 3 }),
        expected: [`${P}environment.services.kalman-filter.tier: expected a tier name defined in catalog.tiers, got 3`],
    },
    {
        name: "autoscaling given as a boolean instead of an object",
        edit: (v) => (v.environment.services["kalman-filter"] = { autoscaling: true }),
        expected: [
            `${P}environment.services.kalman-filter.autoscaling: expected an object with keys enabled, minReplicas, maxReplicas, targetCPUUtilization, targetMemoryUtilization, customMetrics, behavior, got true`,
        ],
    },
    {
        name: "allowFrom given as a string instead of a list",
        edit: (v) => (v.catalog.services["garch-model"].allowFrom = "orchestrator"),
        expected: [`${P}catalog.services.garch-model.allowFrom: expected a list, got "orchestrator"`],
    },
    {
        name: "env value given as an object",
        edit: (v) => (v.catalog.services["kalman-filter"].env.INGESTION_URL = { url: "http://ingestion" }),
        expected: [`${P}catalog.services.kalman-filter.env.INGESTION_URL: expected a string, number or boolean, got {"url":"http://ingestion"}`],
    },
    // --- numbers out of range ----------------------------------------------------------------
    {
        name: "port 0",
        edit: (v) => (v.environment.services["kalman-filter"] = { port: 0 }),
        expected: [`${P}environment.services.kalman-filter.port: expected an integer from 1 to 65535, got 0`],
    },
    {
        name: "port 70000",
        edit: (v) => (v.environment.services["kalman-filter"] = { port: 70000 }),
        expected: [`${P}environment.services.kalman-filter.port: expected an integer from 1 to 65535, got 70000`],
    },
    {
        name: "non-integer replicas",
        edit: (v) => (v.environment.services.orchestrator.replicas = 1.5),
        expected: [`${P}environment.services.orchestrator.replicas: expected an integer from 0 to 1000, got 1.5`],
    },
    {
        name: "runAsUser 0 (root)",
        edit: (v) => (v.environment.services["kalman-filter"] = { runAsUser: 0 }),
        expected: [`${P}environment.services.kalman-filter.runAsUser: expected an integer from 1 to 2147483647, got 0`],
    },
    {
        name: "CPU utilization target above 100",
        stack: "production",
        edit: (v) => (v.environment.services.orchestrator.autoscaling.targetCPUUtilization = 150),
        expected: [`${P}environment.services.orchestrator.autoscaling.targetCPUUtilization: expected an integer from 1 to 100, got 150`],
    },
    {
        name: "generated secret too short",
        edit: (v) => (v.catalog.services.orchestrator.secrets.SESSION_SIGNING_KEY = { generate: { length: 8 } }),
        expected: [`${P}catalog.services.orchestrator.secrets.SESSION_SIGNING_KEY.generate.length: expected an integer from 16 to 128, got 8`],
    },
    // --- names -------------------------------------------------------------------------------
    {
        name: "service name that is not a DNS-1123 label",
        edit: (v) => {
            v.catalog.services.Kalman_Filter = v.catalog.services["kalman-filter"];
            delete v.catalog.services["kalman-filter"];
        },
        expected: [
            `${P}catalog.services.Kalman_Filter: "Kalman_Filter" is not a service name (DNS-1123 label: lowercase letters, digits and '-', at most 63): ${DNS_REASON}`,
            // Renamed away, so ingestion's caller list now names a service that is gone.
            `${P}catalog.services.ingestion.allowFrom[${INGESTION_CALLERS.indexOf("kalman-filter")}]: unknown service "kalman-filter"; expected one of: ${servicesExcept("ingestion", "kalman-filter")}`,
        ],
    },
    {
        name: "namespace that is not a DNS-1123 label",
        edit: (v) => (v.environment.namespace = "HFT_Staging"),
        expected: [`${P}environment.namespace: expected a namespace name (DNS-1123 label), got "HFT_Staging" (${DNS_REASON})`],
    },
    {
        name: "empty namespace",
        edit: (v) => (v.environment.namespace = ""),
        expected: [`${P}environment.namespace: expected a namespace name (DNS-1123 label), got ""`],
    },
    {
        name: "system name that is not a DNS-1123 label",
        edit: (v) => (v.catalog.system = "HFT"),
        expected: [`${P}catalog.system: expected a DNS-1123 label naming the whole system, such as 'hft', got "HFT" (${DNS_REASON})`],
    },
    {
        name: "tier name that is not a DNS-1123 label",
        edit: (v) => (v.catalog.tiers.Big = v.catalog.tiers.performance),
        expected: [`${P}catalog.tiers.Big: "Big" is not a tier name (DNS-1123 label): ${DNS_REASON}`],
    },
    {
        name: "environment variable name with '-' and a leading digit",
        edit: (v) => (v.catalog.services["kalman-filter"].env["1NPUT-URL"] = "x"),
        expected: [`${P}catalog.services.kalman-filter.env.1NPUT-URL: "1NPUT-URL" is not an environment variable name: letters, digits and '_' only, not starting with a digit`],
    },
    {
        name: "common environment variable name with '-'",
        edit: (v) => (v.environment.commonEnv = { "my-var": "1" }),
        expected: [`${P}environment.commonEnv.my-var: "my-var" is not an environment variable name: letters, digits and '_' only, not starting with a digit`],
    },
    {
        name: "ingress class that is not a DNS-1123 label",
        stack: "production",
        edit: (v) => (v.environment.ingress.className = "NGINX"),
        expected: [`${P}environment.ingress.className: expected an IngressClass name such as 'nginx', got "NGINX" (${DNS_REASON})`],
    },
    // --- Kubernetes quantities and resources -------------------------------------------------
    {
        name: 'CPU request "250mm"',
        edit: (v) => (v.environment.services["garch-model"] = { resources: { requests: { cpu: "250mm" } } }),
        expected: [`${P}environment.services.garch-model.resources.requests.cpu: expected ${QUANTITY}, got "250mm" (a number with an optional suffix such as m, Ki, Mi, Gi or k, M, G)`],
    },
    {
        name: 'memory limit "lots"',
        edit: (v) => (v.environment.services["garch-model"] = { resources: { limits: { memory: "lots" } } }),
        expected: [`${P}environment.services.garch-model.resources.limits.memory: expected ${QUANTITY}, got "lots" (a number with an optional suffix such as m, Ki, Mi, Gi or k, M, G)`],
    },
    {
        name: "tier whose limits lack memory",
        edit: (v) => {
            delete v.catalog.tiers.performance.limits.memory;
            v.environment.serviceDefaults.tier = "standard";
        },
        expected: [`${P}catalog.tiers.performance.limits.memory: required; expected a Kubernetes quantity such as "250m" or "512Mi"`],
    },
    {
        name: "memory request greater than the tier's limit",
        edit: (v) => (v.environment.services["risk-manager"] = { resources: { requests: { memory: "1Gi" } } }),
        expected: [
            `${P}environment.services.risk-manager.resources.requests.memory: request "1Gi" is greater than the limit "512Mi"; a request must not exceed its limit`,
        ],
    },
    {
        name: "unknown tier",
        edit: (v) => (v.environment.services["risk-manager"] = { tier: "turbo" }),
        expected: [`${P}environment.services.risk-manager.tier: unknown tier "turbo"; expected one of: performance, standard`],
    },
    // --- hosts, URLs, paths, images ----------------------------------------------------------
    {
        name: "host prefix with an upper-case letter",
        edit: (v) => (v.catalog.services.orchestrator.ingress.hostPrefix = "Trading"),
        expected: [
            `${P}catalog.services.orchestrator.ingress.hostPrefix: expected a DNS-1123 label (lowercase letters, digits and '-', at most 63), got "Trading" (${DNS_REASON})`,
        ],
    },
    {
        name: "public host longer than 253 characters",
        edit: (v) => {
            v.catalog.services.orchestrator.ingress.hostPrefix = "a".repeat(63);
            v.environment.domain = ["b", "c", "d", "e"].map((c) => c.repeat(60)).join(".");
        },
        expected: [
            `${P}catalog.services.orchestrator.ingress.hostPrefix: the host ${JSON.stringify(
                ["a".repeat(63), ..."bcde".split("").map((c) => c.repeat(60))].join("."),
            )} is not a valid host name (307 characters, at most 253 allowed)`,
        ],
    },
    {
        name: "ingress enabled without hostPrefix",
        edit: (v) => (v.catalog.services["kalman-filter"].ingress = { enabled: true }),
        expected: [`${P}catalog.services.kalman-filter.ingress.hostPrefix: required when ingress is enabled; expected a DNS-1123 label such as 'api'`],
    },
    {
        name: "ingress path without a leading '/'",
        edit: (v) => (v.catalog.services.orchestrator.ingress.path = "api"),
        expected: [
            `${P}catalog.services.orchestrator.ingress.path: expected an HTTP path such as '/', got "api" (must start with '/' and contain only URL path characters)`,
        ],
    },
    {
        name: "probe path without a leading '/'",
        edit: (v) => (v.environment.services["kalman-filter"] = { probes: { liveness: "healthz" } }),
        expected: [
            `${P}environment.services.kalman-filter.probes.liveness: expected an HTTP path such as '/healthz', got "healthz" (must start with '/' and contain only URL path characters)`,
        ],
    },
    {
        name: "telemetry endpoint without a scheme",
        edit: (v) => (v.environment.telemetryEndpoint = "otel-collector:4318"),
        expected: [
            `${P}environment.telemetryEndpoint: expected an http(s) URL such as 'http://otel-collector.observability:4318', got "otel-collector:4318" (must be http:// or https://)`,
        ],
    },
    {
        name: "telemetry endpoint that is not a URL",
        edit: (v) => (v.environment.telemetryEndpoint = "http://"),
        expected: [`${P}environment.telemetryEndpoint: expected an http(s) URL such as 'http://otel-collector.observability:4318', got "http://" (not a URL)`],
    },
    {
        name: "CORS origin with a path",
        edit: (v) => (v.catalog.services.orchestrator.ingress.cors.allowOrigins = ["https://dashboard.acme-trading.example/app"]),
        expected: [
            `${P}catalog.services.orchestrator.ingress.cors.allowOrigins[0]: expected an origin such as 'https://app.example.com', got "https://dashboard.acme-trading.example/app" (an origin has no path, query or trailing '/')`,
        ],
    },
    {
        name: "empty CORS origin list",
        edit: (v) => (v.catalog.services.orchestrator.ingress.cors.allowOrigins = []),
        expected: [`${P}catalog.services.orchestrator.ingress.cors.allowOrigins: expected a non-empty list, got []`],
    },
    {
        name: "CORS method that HTTP does not have",
        edit: (v) => (v.catalog.services.orchestrator.ingress.cors.allowMethods = ["FETCH"]),
        expected: [`${P}catalog.services.orchestrator.ingress.cors.allowMethods[0]: expected one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, got "FETCH"`],
    },
    {
        name: "CORS settings without allowOrigins",
        edit: (v) => (v.catalog.services.orchestrator.ingress.cors = { allowCredentials: true }),
        expected: [
            `${P}catalog.services.orchestrator.ingress.cors.allowOrigins: required when CORS is configured; expected a list of origins such as 'https://app.example.com'`,
        ],
    },
    {
        name: "image repository with a tag in it",
        edit: (v) => (v.environment.services["kalman-filter"] = { image: { repository: "ghcr.io/acme/kalman:1.0" } }),
        expected: [
            `${P}environment.services.kalman-filter.image.repository: expected an image repository such as 'ghcr.io/acme/api', got "ghcr.io/acme/kalman:1.0" (a repository such as 'ghcr.io/acme/api' with no tag or digest)`,
        ],
    },
    {
        name: "image tag 'latest'",
        edit: (v) => (v.environment.services["kalman-filter"] = { image: { tag: "latest" } }),
        expected: [`${P}environment.services.kalman-filter.image.tag: expected ${TAG}, got "latest" ('latest' is mutable; name a build, or let a stack without production protections run it: ${P}environment.mutableTags: true)`],
    },
    {
        name: "unknown log level",
        edit: (v) => (v.environment.logLevel = "VERBOSE"),
        expected: [`${P}environment.logLevel: expected one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got "VERBOSE"`],
    },
    // --- scaling and disruption budgets ------------------------------------------------------
    {
        name: "minReplicas greater than maxReplicas",
        stack: "production",
        edit: (v) => (v.environment.services.orchestrator.autoscaling.minReplicas = 13),
        expected: [`${P}environment.services.orchestrator.autoscaling.minReplicas: minReplicas (13) must be less than or equal to maxReplicas (12)`],
    },
    {
        name: "maxReplicas 0",
        stack: "production",
        edit: (v) => (v.environment.services.orchestrator.autoscaling.maxReplicas = 0),
        expected: [`${P}environment.services.orchestrator.autoscaling.maxReplicas: expected an integer from 1 to 1000, got 0`],
    },
    {
        name: "PDB minAvailable equal to the fixed replica count",
        edit: (v) => (v.environment.services.orchestrator.pdb = { minAvailable: 2 }),
        expected: [
            `${P}environment.services.orchestrator.pdb.minAvailable: minAvailable (2) must be less than the minimum replica count (2), or the budget blocks every node drain`,
        ],
    },
    {
        name: "PDB minAvailable equal to the autoscaler's minReplicas",
        stack: "production",
        edit: (v) => (v.environment.services.orchestrator.pdb = { minAvailable: 3 }),
        expected: [
            `${P}environment.services.orchestrator.pdb.minAvailable: minAvailable (3) must be less than the minimum replica count (3), or the budget blocks every node drain`,
        ],
    },
    {
        name: "a cronjob with an Ingress",
        edit: (v) => (v.catalog.services["risk-report"].ingress = { hostPrefix: "reports" }),
        expected: [
            `${P}catalog.services.risk-report.ingress: does not apply to a 'cronjob' service (a CronJob (scheduled work that runs to completion)): a cronjob has no Service to route to`,
        ],
    },
    {
        name: "an autoscaler on a stateful service, in the stack",
        edit: (v) => (v.environment.services.redis = { autoscaling: { enabled: true, maxReplicas: 3 } }),
        expected: [
            `${P}environment.services.redis.autoscaling: does not apply to a 'stateful' service (a StatefulSet with a headless Service and a claim per pod (a database, a broker)): a stateful service keeps one claim per pod, so its replica count is set ('replicas'), not scaled by an autoscaler`,
        ],
    },
    {
        name: "a worker with a port-based probe and no port",
        edit: (v) => (v.catalog.services["position-reconciler"].probes = { liveness: { tcp: true } }),
        expected: [
            `${P}catalog.services.position-reconciler.probes.liveness.tcp: a 'tcp' probe needs a port: set 'port' on the probe or the service (a service without a port can only have 'exec' probes)`,
        ],
    },
    {
        name: "a claim per pod on a web service",
        edit: (v) => (v.catalog.services.execution.volumes = { data: { mountPath: "/data", claim: { size: "1Gi" } } }),
        expected: [
            `${P}catalog.services.execution.volumes.data.claim: a claim per pod is a StatefulSet's volumeClaimTemplate: it needs a 'stateful' service, and this one is 'web'; mount a claim that exists with 'existingClaim'`,
        ],
    },
    {
        name: "PDB enabled on a single replica",
        edit: (v) => (v.environment.services["kalman-filter"] = { pdb: { enabled: true } }),
        expected: [
            `${P}environment.services.kalman-filter.pdb.enabled: a PodDisruptionBudget for a service that runs at most 1 replica would block every node drain; it needs more than one replica`,
        ],
    },
    {
        name: "PDB with both minAvailable and maxUnavailable",
        edit: (v) => (v.environment.services.orchestrator.pdb = { minAvailable: 1, maxUnavailable: 1 }),
        expected: [
            `${P}environment.services.orchestrator.pdb.minAvailable: set either pdb.minAvailable or pdb.maxUnavailable (at ${P}environment.services.orchestrator.pdb.maxUnavailable), not both`,
        ],
    },
    // --- unknown keys ------------------------------------------------------------------------
    {
        name: "typo 'replcias' in a service override",
        edit: (v) => (v.environment.services.execution = { replcias: 2 }),
        expected: [`${P}environment.services.execution.replcias: unknown key (did you mean 'replicas'?); allowed keys: ${SERVICE_KEYS}`],
    },
    {
        name: "unknown top-level environment key",
        edit: (v) => (v.environment.logLvel = "DEBUG"),
        expected: [`${P}environment.logLvel: unknown key (did you mean 'logLevel'?); allowed keys: ${ENVIRONMENT_KEYS}`],
    },
    {
        name: "unknown top-level catalog key",
        edit: (v) => (v.catalog.service = {}),
        expected: [`${P}catalog.service: unknown key (did you mean 'services'?); allowed keys: system, tiers, commonEnv, defaults, services`],
    },
    {
        name: "unknown key under a catalog service's image",
        edit: (v) => (v.catalog.services["kalman-filter"].image.tags = "main-3f9c2ab"),
        expected: [`${P}catalog.services.kalman-filter.image.tags: unknown key (did you mean 'tag'?); allowed keys: repository, tag, digest`],
    },
    {
        name: "unknown key under cluster",
        edit: (v) => (v.environment.cluster.namespace = "hft-staging"),
        expected: [`${P}environment.cluster.namespace: unknown key; allowed keys: context, kubeconfigSecret`],
    },
    {
        name: "unknown key under serviceDefaults.autoscaling",
        stack: "production",
        edit: (v) => (v.environment.serviceDefaults.autoscaling.targetCPU = 60),
        expected: [
            `${P}environment.serviceDefaults.autoscaling.targetCPU: unknown key; allowed keys: enabled, minReplicas, maxReplicas, targetCPUUtilization, targetMemoryUtilization, customMetrics, behavior`,
        ],
    },
    {
        name: "environment ingress given as a string",
        edit: (v) => (v.environment.ingress = "nginx"),
        expected: [`${P}environment.ingress: expected an object with keys controller, className, clusterIssuer, controllerNamespace, got "nginx"`],
    },
    // --- references between services ---------------------------------------------------------
    {
        name: "override for a service not in the catalog",
        edit: (v) => (v.environment.services["kalman-filtre"] = { replicas: 2 }),
        expected: [
            `${P}environment.services.kalman-filtre: unknown service; the catalog (${P}catalog.services) has: ${servicesExcept()}`,
        ],
    },
    {
        name: "allowFrom naming an unknown service",
        edit: (v) => (v.catalog.services["garch-model"].allowFrom = ["orchestrator", "risk-manger"]),
        expected: [
            `${P}catalog.services.garch-model.allowFrom[1]: unknown service "risk-manger"; expected one of: ${servicesExcept("garch-model")}`,
        ],
    },
    {
        name: "allowFrom naming the service itself",
        edit: (v) => (v.catalog.services["garch-model"].allowFrom = ["garch-model"]),
        expected: [
            `${P}catalog.services.garch-model.allowFrom[0]: a service does not need to allow itself; expected one of the other services: ${servicesExcept("garch-model")}`,
        ],
    },
    // --- missing required keys ---------------------------------------------------------------
    {
        name: "service without a port",
        edit: (v) => delete v.catalog.services["kalman-filter"].port,
        expected: [`${P}catalog.services.kalman-filter.port: required; expected an integer from 1 to 65535`],
    },
    {
        name: "service without an image repository",
        edit: (v) => delete v.catalog.services["kalman-filter"].image.repository,
        expected: [
            `${P}catalog.services.kalman-filter.image: required: either 'image' (a prebuilt image: repository, with tag and/or digest) or 'build' (build from source: context, dockerfile, target, args, platforms)`,
        ],
    },
    {
        name: "service without an image tag when the environment has no imageTag",
        edit: (v) => {
            delete v.environment.imageTag;
            for (const name of Object.keys(v.catalog.services)) {
                if (name !== "kalman-filter") v.catalog.services[name].image.tag = "main-3f9c2ab";
            }
        },
        expected: [
            `${P}catalog.services.kalman-filter.image.tag: required (or image.digest); set image.tag, the environment's imageTag, or run in GitHub Actions (tags from GITHUB_SHA and GITHUB_REF)`,
        ],
    },
    {
        name: "catalog without a system name",
        edit: (v) => delete v.catalog.system,
        expected: [`${P}catalog.system: required; expected a DNS-1123 label naming the whole system, such as 'hft'`],
    },
    {
        name: "environment without a namespace",
        edit: (v) => delete v.environment.namespace,
        expected: [`${P}environment.namespace: required; expected a namespace name such as 'hft-staging'`],
    },
    {
        name: "environment without a cluster",
        edit: (v) => delete v.environment.cluster,
        expected: [
            `${P}environment.cluster: required; expected 'context' (a kubeconfig context) or 'kubeconfigSecret' (a secret config key), so that this stack can only reach its own cluster`,
        ],
    },
    {
        name: "cluster with neither context nor kubeconfigSecret",
        edit: (v) => (v.environment.cluster = {}),
        expected: [`${P}environment.cluster: expected 'context' or 'kubeconfigSecret', so that this stack can only reach its own cluster, got {}`],
    },
    {
        name: "cluster with both context and kubeconfigSecret",
        edit: (v) => (v.environment.cluster.context = "hft-staging"),
        expected: [`${P}environment.cluster: expected either 'context' or 'kubeconfigSecret', not both, got {"kubeconfigSecret":"kubeconfig","context":"hft-staging"}`],
    },
    // --- secrets and environment variables ---------------------------------------------------
    {
        name: "secret with both fromConfig and generate",
        edit: (v) => (v.catalog.services.orchestrator.secrets.SESSION_SIGNING_KEY = { fromConfig: "sessionKey", generate: {} }),
        expected: [
            `${P}catalog.services.orchestrator.secrets.SESSION_SIGNING_KEY: expected exactly one of 'fromConfig', 'generate' or 'external', not several, got {"fromConfig":"sessionKey","generate":{}}`,
        ],
    },
    {
        name: "secret with neither fromConfig nor generate",
        edit: (v) => (v.catalog.services.orchestrator.secrets.SESSION_SIGNING_KEY = {}),
        expected: [`${P}catalog.services.orchestrator.secrets.SESSION_SIGNING_KEY: expected exactly one of 'fromConfig', 'generate' or 'external', got {}`],
    },
    {
        name: "secret fromConfig naming an invalid config key",
        edit: (v) => (v.catalog.services.orchestrator.secrets.SESSION_SIGNING_KEY = { fromConfig: "session key" }),
        expected: [
            `${P}catalog.services.orchestrator.secrets.SESSION_SIGNING_KEY.fromConfig: expected the name of a secret config key such as 'brokerApiKey', got "session key" (letters, digits, '_' and '-' only, starting with a letter)`,
        ],
    },
    {
        name: "secret named like an environment variable it cannot be",
        edit: (v) => (v.catalog.services.orchestrator.secrets["signing-key"] = { generate: {} }),
        expected: [
            `${P}catalog.services.orchestrator.secrets.signing-key: "signing-key" is not an environment variable name: letters, digits and '_' only, not starting with a digit`,
        ],
    },
    {
        name: "a name that is both a plain variable and a secret",
        edit: (v) => (v.catalog.services.orchestrator.env.SESSION_SIGNING_KEY = "not-a-secret"),
        expected: [
            `${P}catalog.services.orchestrator.secrets.SESSION_SIGNING_KEY: 'SESSION_SIGNING_KEY' is also set as a plain variable at ${P}catalog.services.orchestrator.env.SESSION_SIGNING_KEY; a name is either plain or secret, not both`,
        ],
    },
    {
        name: "env setting PORT, which the platform writes into the service's ConfigMap",
        edit: (v) => (v.catalog.services.orchestrator.env.PORT = 9000),
        expected: [`${P}catalog.services.orchestrator.env.PORT: 'PORT' is set by the platform (the service's 'port', written into the service's ConfigMap) and cannot be set in env`],
    },
    {
        name: "env setting SERVICE_NAME in a stack override",
        edit: (v) => (v.environment.services["kalman-filter"] = { env: { SERVICE_NAME: "kf" } }),
        expected: [
            `${P}environment.services.kalman-filter.env.SERVICE_NAME: 'SERVICE_NAME' is set by the platform (the service's name in the catalog, written into the service's ConfigMap) and cannot be set in env`,
        ],
    },
    {
        name: "two secrets of one service whose names differ only by case",
        edit: (v) => (v.catalog.services.orchestrator.secrets.session_signing_key = { generate: {} }),
        expected: [
            `${P}catalog.services.orchestrator.secrets.session_signing_key: 'session_signing_key' differs from the secret 'SESSION_SIGNING_KEY' (at ${P}catalog.services.orchestrator.secrets.SESSION_SIGNING_KEY) only by case; the secrets of one service need names that differ by more than case`,
        ],
    },
    {
        name: "a stack override adding a secret that differs from a catalog secret only by case",
        edit: (v) => (v.environment.services.orchestrator = { ...v.environment.services.orchestrator, secrets: { Session_Signing_Key: { generate: {} } } }),
        expected: [
            `${P}environment.services.orchestrator.secrets.Session_Signing_Key: 'Session_Signing_Key' differs from the secret 'SESSION_SIGNING_KEY' (at ${P}catalog.services.orchestrator.secrets.SESSION_SIGNING_KEY) only by case; the secrets of one service need names that differ by more than case`,
        ],
    },
];

describe("validation: bad configurations are refused with exact messages and no resource", function () {
    it("has a table of at least 30 distinct cases", function () {
        assert.ok(CASES.length >= 30, `only ${CASES.length} cases`);
        assert.equal(new Set(CASES.map((c) => c.name)).size, CASES.length, "case names must be distinct");
    });

    for (const c of CASES) {
        const stack = c.stack ?? "staging";
        it(`${stack}: ${c.name}`, async function () {
            const problems = await refused(editedConfig(stack, c.edit));
            assert.deepEqual(problems, c.expected);
        });
    }

    it("reports several independent mistakes together, in one error", async function () {
        const problems = await refused(
            editedConfig("staging", (v) => {
                v.catalog.services["kalman-filter"].env["1NPUT"] = "x";
                v.environment.logLevel = "VERBOSE";
                v.catalog.services["garch-model"].allowFrom = ["garch-model"];
            }),
        );
        assert.deepEqual(problems, [
            `${P}catalog.services.kalman-filter.env.1NPUT: "1NPUT" is not an environment variable name: letters, digits and '_' only, not starting with a digit`,
            `${P}environment.logLevel: expected one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got "VERBOSE"`,
            `${P}catalog.services.garch-model.allowFrom[0]: a service does not need to allow itself; expected one of the other services: ${servicesExcept("garch-model")}`,
        ]);
    });
});

/**
 * The messages that list the catalog's services or the configuration's secret keys, written out
 * in full on a small fixture catalog of the tests' own (an API, a web front end and a worker),
 * beside the repository-stack cases above, whose lists are read from the configuration.
 */
describe("validation: messages that list the catalog, on a fixture catalog", function () {
    const FP = "platform-test:";
    const problemsOf = (edit: (v: any) => void): readonly string[] => {
        const values: any = structuredClone(apiAndWeb);
        values.catalog.services.worker = { port: 3002, tier: "api", image: { repository: "ghcr.io/notes/worker" }, allowFrom: ["api"] };
        edit(values);
        try {
            configOf(values, { databaseUrl: "postgres://db" }, "staging");
        } catch (e) {
            assert.ok(e instanceof ConfigError, String(e));
            return e.problems;
        }
        assert.fail("the configuration was accepted");
    };

    it("a service renamed to a name that is not a DNS-1123 label leaves a caller naming a service that is gone", function () {
        assert.deepEqual(
            problemsOf((v) => {
                v.catalog.services.Web_Front = v.catalog.services.web;
                delete v.catalog.services.web;
            }),
            [
                `${FP}catalog.services.Web_Front: "Web_Front" is not a service name (DNS-1123 label: lowercase letters, digits and '-', at most 63): ${DNS_REASON}`,
                `${FP}catalog.services.api.allowFrom[0]: unknown service "web"; expected one of: worker`,
            ],
        );
    });

    it("an override for a service not in the catalog", function () {
        assert.deepEqual(
            problemsOf((v) => (v.environment.services = { wrker: { replicas: 2 } })),
            [`${FP}environment.services.wrker: unknown service; the catalog (${FP}catalog.services) has: api, web, worker`],
        );
    });

    it("allowFrom naming an unknown service", function () {
        assert.deepEqual(problemsOf((v) => (v.catalog.services.api.allowFrom = ["web", "wbe"])), [
            `${FP}catalog.services.api.allowFrom[1]: unknown service "wbe"; expected one of: web, worker`,
        ]);
    });

    it("allowFrom naming the service itself", function () {
        assert.deepEqual(problemsOf((v) => (v.catalog.services.api.allowFrom = ["api"])), [
            `${FP}catalog.services.api.allowFrom[0]: a service does not need to allow itself; expected one of the other services: web, worker`,
        ]);
    });

    it("an unknown project config key lists the secret keys the configuration names", function () {
        assert.deepEqual(
            problemsOf((v) => (v.enviroment = v.environment)),
            [`${FP}enviroment: unknown config key (did you mean 'environment'?); expected catalog, catalogFile, environment, github or a secret key the configuration names (databaseUrl)`],
        );
    });
});

/** A bad or missing domain is reported once; the services' secret keys stay known. */
describe("validation: bad or missing domain", function () {
    const cases: readonly BadCase[] = [
        {
            name: "domain that is a single label",
            edit: (v) => (v.environment.domain = "staging_acme"),
            expected: [`${P}environment.domain: expected a DNS domain such as 'staging.example.com', got "staging_acme" (at least two dot-separated labels)`],
        },
        {
            name: "wildcard domain",
            edit: (v) => (v.environment.domain = "*.acme-trading.example"),
            expected: [
                `${P}environment.domain: expected a DNS domain such as 'staging.example.com', got "*.acme-trading.example" (each dot-separated label must be a DNS-1123 label)`,
            ],
        },
        {
            name: "environment without a domain",
            edit: (v) => delete v.environment.domain,
            expected: [`${P}environment.domain: required; expected a DNS domain such as 'staging.example.com'`],
        },
    ];
    for (const c of cases) {
        it(`staging: ${c.name}`, async function () {
            assert.deepEqual(await refused(editedConfig("staging", c.edit)), c.expected);
        });
    }
});

/** A repo stack's configuration with one project key's value and secret flag changed. */
function withKey(stack: string, key: string, change: { value?: string | null; secret?: boolean }): StackConfig {
    const base = stackConfig(stack);
    const full = P + key;
    const config = { ...base.config };
    if (change.value === null) delete config[full];
    else if (change.value !== undefined) config[full] = change.value;
    const secretKeys = base.secretKeys.filter((k) => k !== full);
    if (change.secret) secretKeys.push(full);
    return { ...base, config, secretKeys: secretKeys.sort() };
}

describe("validation: stack config keys and secrets", function () {
    const setIt = (key: string, stack: string) => `set it with 'pulumi config set --secret ${key} <value> --stack ${stack}'`;

    it("a secret the catalog names but the stack does not set", async function () {
        assert.deepEqual(await refused(withKey("staging", "brokerApiKey", { value: null, secret: false })), [
            `${P}brokerApiKey: required secret is not set (used by ${P}catalog.services.execution.secrets.BROKER_API_KEY); ${setIt("brokerApiKey", "staging")}`,
        ]);
    });

    it("a secret set as plain text", async function () {
        assert.deepEqual(await refused(withKey("staging", "brokerApiKey", { value: "pk-live-1234", secret: false })), [
            `${P}brokerApiKey: is set as plain text but holds a secret (used by ${P}catalog.services.execution.secrets.BROKER_API_KEY); ${setIt("brokerApiKey", "staging")}`,
        ]);
    });

    it("the kubeconfig secret missing in production", async function () {
        assert.deepEqual(await refused(withKey("production", "kubeconfig", { value: null, secret: false })), [
            `${P}kubeconfig: required secret is not set (used by ${P}environment.cluster.kubeconfigSecret); ${setIt("kubeconfig", "production")}`,
        ]);
    });

    it("the kubeconfig set as plain text in production", async function () {
        assert.deepEqual(await refused(withKey("production", "kubeconfig", { value: "apiVersion: v1", secret: false })), [
            `${P}kubeconfig: is set as plain text but holds a secret (used by ${P}environment.cluster.kubeconfigSecret); ${setIt("kubeconfig", "production")}`,
        ]);
    });

    it("an unknown project config key (typo 'enviroment')", async function () {
        const base = stackConfig("staging");
        const config = { ...base.config, [`${P}enviroment`]: base.config[`${P}environment`] };
        assert.deepEqual(await refused({ ...base, config }), [
            `${P}enviroment: unknown config key (did you mean 'environment'?); expected catalog, catalogFile, environment, github or a secret key the configuration names (${secretKeysNamed("staging").join(", ")})`,
        ]);
    });

    it("an environment that is not an object reports only that", async function () {
        assert.deepEqual(await refused(withKey("staging", "environment", { value: "hft-staging" })), [
            `${P}environment: expected an object with keys ${ENVIRONMENT_KEYS}, got "hft-staging"`,
        ]);
    });

    it("an environment that is not valid JSON", async function () {
        assert.deepEqual(await refused(withKey("staging", "environment", { value: "{namespace: hft-staging" })), [
            `${P}environment: expected a YAML object, got text that is not valid JSON: "{namespace: hft-staging"`,
        ]);
    });
});

/**
 * Mistakes that once slipped through or were reported badly: YAML nulls (`key:` with nothing
 * after it), an invalid value at a required key, and shared settings read once per service.
 */
describe("validation: empty values and shared settings", function () {
    const cases: readonly BadCase[] = [
        {
            name: "an empty namespace (YAML null)",
            edit: (v) => (v.environment.namespace = null),
            expected: [`${P}environment.namespace: required; expected a namespace name such as 'hft-staging'`],
        },
        {
            name: "an empty system name (YAML null)",
            edit: (v) => (v.catalog.system = null),
            expected: [`${P}catalog.system: required; expected a DNS-1123 label naming the whole system, such as 'hft'`],
        },
        {
            name: "an empty cluster (YAML null)",
            edit: (v) => (v.environment.cluster = null),
            expected: [
                `${P}environment.cluster: required; expected 'context' (a kubeconfig context) or 'kubeconfigSecret' (a secret config key), so that this stack can only reach its own cluster`,
            ],
        },
        {
            name: "a cluster with an empty context",
            edit: (v) => (v.environment.cluster = { context: null }),
            expected: [`${P}environment.cluster: expected 'context' or 'kubeconfigSecret', so that this stack can only reach its own cluster, got {"context":null}`],
        },
        {
            name: "an empty domain with the services' secrets unchanged",
            edit: (v) => (v.environment.domain = null),
            expected: [`${P}environment.domain: required; expected a DNS domain such as 'staging.example.com'`],
        },
        {
            name: "a secret whose source is empty",
            edit: (v) => (v.catalog.services.orchestrator.secrets.SESSION_SIGNING_KEY = { generate: null }),
            expected: [`${P}catalog.services.orchestrator.secrets.SESSION_SIGNING_KEY: expected exactly one of 'fromConfig', 'generate' or 'external', got {"generate":null}`],
        },
        {
            name: "an empty entry in allowFrom",
            edit: (v) => (v.catalog.services.execution.allowFrom = ["orchestrator", null]),
            expected: [`${P}catalog.services.execution.allowFrom[1]: expected a value, got null`],
        },
        {
            name: "an empty service list",
            edit: (v) => {
                v.catalog.services = {};
                delete v.environment.services;
            },
            expected: [`${P}catalog.services: expected at least one service, got {}`],
        },
        {
            name: "a bad port in the catalog, reported once (not also as missing)",
            edit: (v) => (v.catalog.services["kalman-filter"].port = 70000),
            expected: [`${P}catalog.services.kalman-filter.port: expected an integer from 1 to 65535, got 70000`],
        },
        {
            name: "a bad port in the catalog that makes a secret key unknown",
            edit: (v) => (v.catalog.services.execution.port = "8003"),
            expected: [`${P}catalog.services.execution.port: expected an integer from 1 to 65535, got "8003" (remove the quotes: YAML reads a quoted number as text)`],
        },
        {
            name: "an unknown tier for every service, reported once",
            edit: (v) => (v.environment.serviceDefaults.tier = "turbo"),
            expected: [`${P}environment.serviceDefaults.tier: unknown tier "turbo"; expected one of: performance, standard`],
        },
        {
            name: "a broken tier, reported where it is defined",
            edit: (v) => (v.catalog.tiers.standard.limits.memory = "lots"),
            expected: [`${P}catalog.tiers.standard.limits.memory: expected ${QUANTITY}, got "lots" (a number with an optional suffix such as m, Ki, Mi, Gi or k, M, G)`],
        },
        {
            name: "a tier whose request exceeds its limit, even when no service uses it",
            edit: (v) => (v.catalog.tiers.performance.requests.cpu = "4"),
            expected: [`${P}catalog.tiers.performance.requests.cpu: request "4" is greater than the limit "2000m"; a request must not exceed its limit`],
        },
        {
            name: "a 'latest' image tag for the environment, reported once",
            edit: (v) => (v.environment.imageTag = "latest"),
            expected: [`${P}environment.imageTag: expected ${TAG}, got "latest" ('latest' is mutable; name a build, or let a stack without production protections run it: ${P}environment.mutableTags: true)`],
        },
        {
            name: "a secret added by a stack override names its own path",
            edit: (v) => (v.environment.services.orchestrator.secrets = { FEED_TOKEN: { fromConfig: "feedToken" } }),
            expected: [
                `${P}feedToken: required secret is not set (used by ${P}environment.services.orchestrator.secrets.FEED_TOKEN); set it with 'pulumi config set --secret feedToken <value> --stack staging'`,
            ],
        },
        {
            name: "minAvailable on a single replica",
            edit: (v) => (v.environment.services["kalman-filter"] = { pdb: { minAvailable: 1 } }),
            expected: [
                `${P}environment.services.kalman-filter.pdb.minAvailable: a PodDisruptionBudget for a service that runs at most 1 replica would block every node drain; it needs more than one replica`,
            ],
        },
    ];
    for (const c of cases) {
        it(`staging: ${c.name}`, async function () {
            assert.deepEqual(await refused(editedConfig("staging", c.edit)), c.expected);
        });
    }

    it("production: a non-boolean autoscaling switch is reported once, with no PDB errors", async function () {
        assert.deepEqual(await refused(editedConfig("production", (v) => (v.environment.serviceDefaults.autoscaling.enabled = "yes"))), [
            `${P}environment.serviceDefaults.autoscaling.enabled: expected true or false, got "yes"`,
        ]);
    });
});

describe("validation: the repository's stacks are valid", function () {
    for (const stack of ["staging", "production"]) {
        it(`${stack} deploys without a configuration error`, async function () {
            const ev = await evaluate(stackConfig(stack), { ciEnv: {} });
            assert.equal(ev.error, undefined, ev.error ? String(ev.error.stack) : "");
            assert.ok(ev.resources.length > 0, "the stack declares resources");
        });
    }
});
