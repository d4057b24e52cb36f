import { z } from "zod";
import * as f from "../formats";
import { boolean, envValue, expecting, GOT, integer, list, map, MAX_REPLICAS, object, oneOf, text } from "./fields";
import { canary } from "./canary";
import { amounts, args, command, DNS_LABEL, ENV_NAME, expandProbe, initContainers, PROBE_ACTIONS, probes, quantity, QUANTITY_EXPECTED, routedPath, sidecars, volume, VOLUME_SOURCES } from "./pod";
import { behavior, customMetrics, envFrom, job, kind, metrics, rbac } from "./kinds";
import { CHECK_ACTIONS, checks, expandHttpCheck } from "./verify";
import type { MergeRules } from "../merge";

export { amounts, DNS_LABEL, ENV_NAME, quantity, QUANTITY_EXPECTED };

/**
 * The settings of one service. The same shape is written at four layers (the catalog's
 * `defaults`, the stack's `serviceDefaults`, the catalog's service, the stack's service) and
 * merged leaf by leaf (config/merge.ts); the defaults below apply to the merged result.
 */

export const PLATFORMS = ["linux/amd64", "linux/arm64"] as const;
export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export const IMAGE_TAG_EXPECTED = "an image tag such as 'main-3f9c2ab' or '1.4.2' (not 'latest')";
const NAME_EXPECTED = "a DNS-1123 label (lowercase letters, digits and '-', at most 63)";

export const CONFIG_KEY = /^[A-Za-z][A-Za-z0-9_-]*$/;
export const PATH_TYPES = ["Prefix", "Exact"] as const;
/** In `allowFrom`: every service of the catalog. */
export const EVERY_SERVICE = "*";

/** Variables the program writes into every service's ConfigMap itself, with where they come from. */
export const PLATFORM_ENV: Readonly<Record<string, string>> = {
    PORT: "the service's 'port'",
    SERVICE_NAME: "the service's name in the catalog",
};

export const envMap = map(envValue(), { check: f.envVarName, expected: "an environment variable name", example: "LOG_FORMAT", pattern: ENV_NAME });

/** Variables the program writes into the environment's shared ConfigMap itself, with where they come from. */
export const ENVIRONMENT_ENV: Readonly<Record<string, string>> = {
    ENVIRONMENT: "the environment's name",
    LOG_LEVEL: "environment.logLevel",
    OTEL_EXPORTER_OTLP_ENDPOINT: "environment.telemetryEndpoint",
};

/**
 * Why a service may not name a variable the platform sets for its pods (its own or the
 * environment's): the service's ConfigMap or Secret, read after the shared one, would override it
 * (a staging pod told ENVIRONMENT=production).
 */
function platformSet(name: string, what: string): string | undefined {
    if (Object.hasOwn(PLATFORM_ENV, name)) return `'${name}' is set by the platform (${PLATFORM_ENV[name]}, written into the service's ConfigMap) and cannot ${what}`;
    if (Object.hasOwn(ENVIRONMENT_ENV, name)) return `'${name}' is set by the platform (from ${ENVIRONMENT_ENV[name]}, in the environment's shared ConfigMap) and cannot ${what}`;
    return undefined;
}

/** `commonEnv`: shared variables, besides the ones the program sets. */
export const commonEnv = map(envValue(), {
    check: f.configMapEnvName,
    expected: "an environment variable name",
    example: "LOG_FORMAT",
    pattern: ENV_NAME,
    reserved: (name) => (Object.hasOwn(ENVIRONMENT_ENV, name) ? `'${name}' is set by the platform (from ${ENVIRONMENT_ENV[name]}) and cannot be set in commonEnv` : undefined),
});

export const secretSource = object(
    {
        fromConfig: text({ expected: "the name of a secret config key such as 'brokerApiKey'", check: f.configKey, pattern: CONFIG_KEY })
        .optional()
        .meta({ description: "The secret config key holding the value (`pulumi config set --secret <key> ...`).", examples: ["brokerApiKey"] }),
    generate: object({
        length: integer(16, 128).default(32).meta({ description: "Length of the generated password." }),
    })
        .optional()
        .meta({ description: "Generate a random password once and keep it in the stack's state.", examples: [{ length: 48 }] }),
    external: object({
        key: text({ expected: "the key of the secret in the store, such as 'trading/broker'" }).optional().meta({ description: "The secret's key in the store (required)." }),
        property: text({ expected: "a property of the stored secret", example: "password" }).optional().meta({ description: "A property of a structured secret (a JSON field)." }),
    })
        .optional()
        .meta({
            description: "Synchronised by the External Secrets Operator from the stack's store (`environment.externalSecrets`); the value never passes through Pulumi.",
            examples: [{ key: "trading/broker", property: "apiKey" }],
        }),
    },
    { required: "an object with 'fromConfig', 'generate' or 'external'" },
);

/** The sources of a secret: exactly one is used. */
export const SECRET_SOURCES = ["fromConfig", "generate", "external"] as const;

export const service = object({
    kind,
    enabled: boolean().default(true).meta({ description: "`false` leaves the service out of this stack (production using a managed database instead of the catalog's)." }),
    allowFrom: list(
        z.union(
            [
                z.literal(EVERY_SERVICE),
                text({ expected: `a service name, ${NAME_EXPECTED}`, check: f.dnsLabel, pattern: DNS_LABEL }),
                object({
                    namespace: text({ expected: "a namespace (DNS-1123 label)", check: f.dnsLabel, pattern: DNS_LABEL }).optional().meta({ description: "The namespace (required)." }),
                    podLabels: map(text({ expected: "a label value", check: f.labelValue, example: "prometheus" }), { check: f.labelKey, expected: "a label key", example: "app.kubernetes.io/name" })
                        .optional()
                        .meta({ description: "Only its pods with these labels; default: every pod of the namespace." }),
                }),
            ],
            expecting(`a service name, '${EVERY_SERVICE}' (every service of the catalog), or {namespace, podLabels} (pods of another namespace)`),
        ),
    )
        .optional()
        .meta({
            description: `Who may call this service (everything else is denied by the default-deny policy): services of the catalog by name, '${EVERY_SERVICE}' for every service of the catalog, or pods of another namespace ({namespace: api-gateway, podLabels: {...}}).`,
            examples: [["orchestrator", { namespace: "api-gateway" }]],
        }),
    objectName: text({ expected: "a Kubernetes object name (DNS-1123 label starting with a letter)", check: f.serviceName, pattern: /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/ })
        .optional()
        .meta({
            description: "The name of the service's Kubernetes objects (workload, Service, Ingress...) when it is not the catalog name: an imported object keeps its name (a Kustomize `namePrefix`). Callers reach it as `http://<objectName>`.",
            examples: ["prod-api"],
        }),
    containerName: text({ expected: "a container name (DNS-1123 label)", check: f.dnsLabel, pattern: DNS_LABEL, example: "app" })
        .optional()
        .meta({ description: "The main container's name; default: the service's name. An imported workload keeps its own." }),
    portName: text({ expected: "a port name (at most 15 lowercase letters, digits and '-', with a letter)", check: f.portName, example: "http" })
        .optional()
        .meta({ description: "The name of the service's port on the container and the Service; default: `http` for `web`, `main` otherwise. An imported Service keeps its own." }),
    selector: map(text({ expected: "a label value", check: f.labelValue, example: "orders" }), { check: f.labelKey, expected: "a label key", example: "app" })
        .optional()
        .meta({
            description: "The workload's selector labels, when not the platform's (`app.kubernetes.io/name`, `app.kubernetes.io/part-of`): an imported Deployment or StatefulSet keeps its selector, which Kubernetes cannot change without replacing it.",
            examples: [{ app: "api" }],
        }),
    autoscaling: object({
        enabled: boolean().optional().meta({ description: "Scale with a HorizontalPodAutoscaler instead of a fixed `replicas`." }),
        minReplicas: integer(1, MAX_REPLICAS).default(2).meta({ description: "Fewest replicas the autoscaler keeps." }),
        maxReplicas: integer(1, MAX_REPLICAS).default(6).meta({ description: "Most replicas the autoscaler starts." }),
        targetCPUUtilization: integer(1, 100).default(70).meta({ description: "Average CPU use (percent of requests) the autoscaler aims for." }),
        targetMemoryUtilization: integer(1, 100).default(80).meta({ description: "Average memory use (percent of requests) the autoscaler aims for." }),
        customMetrics,
        behavior,
    })
        .optional()
        .meta({ description: "A HorizontalPodAutoscaler; `replicas` is then left to it." }),
    build: object({
        context: text({ expected: "a build context folder such as 'services/api'", check: f.relativePath })
            .optional()
            .meta({ description: "Build context, relative to the project folder (required with `build`).", examples: ["services/api"] }),
        dockerfile: text({ expected: "a Dockerfile path such as 'services/api/Dockerfile'", check: f.relativePath }).optional().meta({ description: "Dockerfile, relative to the project folder; default: `Dockerfile` in the context." }),
        target: text({ expected: "a build stage name", check: (s) => (/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(s) ? undefined : "a Dockerfile stage name"), example: "runtime" })
            .optional()
            .meta({ description: "Dockerfile stage to build." }),
        args: envMap.optional().meta({ description: "Build arguments (`--build-arg`)." }),
        platforms: list(oneOf(PLATFORMS), { nonEmpty: true }).default(["linux/amd64"]).meta({ description: "Target platforms; more than one makes a multi-architecture image." }),
    })
        .optional()
        .meta({ description: "Build the image from source and push it to the environment's registry (instead of `image`)." }),
    canary: canary
        .optional()
        .meta({
            description: "Canary releases of a `web` or `worker` service: the new version takes a growing share of traffic, step by step, while checks watch it; a failed check aborts to the stable version (docs/canary.md). How they run is the stack's `environment.canary`.",
            examples: [{ enabled: true }, { enabled: true, steps: [{ weight: 20, window: "10m" }, { weight: 100, window: "5m" }], maxRestarts: 1 }],
        }),
    command,
    args,
    env: map(envValue(), {
        check: f.configMapEnvName,
        expected: "an environment variable name",
        example: "LOG_FORMAT",
        pattern: ENV_NAME,
        reserved: (name) => platformSet(name, "be set in env"),
    })
        .optional()
        .meta({ description: "Plain environment variables, written into the service's ConfigMap.", examples: [{ KAFKA_TOPIC: "trades" }] }),
    envFrom,
    image: object({
        repository: text({ expected: "an image repository such as 'ghcr.io/acme/api'", check: f.imageRepository })
            .optional()
            .meta({ description: "A prebuilt image's repository, without tag or digest.", examples: ["ghcr.io/acme/api"] }),
        tag: text({ expected: IMAGE_TAG_EXPECTED, check: f.imageTag }).optional().meta({ description: "The tag deployed, looked up in the registry and run by its digest (docs/images.md); default: the environment's `imageTag`, else the CI tags." }),
        digest: text({
            expected: "an image digest such as 'sha256:9f86d0...'",
            check: f.imageDigest,
            pattern: /^sha256:[0-9a-f]{64}$/,
            example: "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        })
            .optional()
            .meta({ description: "Pins the image: the workload runs `repository@digest`, and the tag is not looked up (`npm run promote` writes it)." }),
    })
        .optional()
        .meta({ description: "Run a prebuilt image (instead of `build`)." }),
    ingress: object({
        enabled: boolean().optional().meta({ description: "Expose the service; default: exposed when `hostPrefix` is set." }),
        hostPrefix: text({ expected: NAME_EXPECTED, check: f.dnsLabel, pattern: DNS_LABEL }).optional().meta({ description: "The public host is `<hostPrefix>.<environment.domain>`.", examples: ["api"] }),
        path: routedPath("/")
            .default("/")
            .meta({
                description:
                    "The path routed to the service; like every routed path, without `//`, `/./`, `/../` or `%2F` and not ending in `/.` or `/..` (the API server's rule), only letters, digits, `/`, `_`, `-` and `.` on ingress-nginx, and at most 64 paths on a Gateway route (docs/limits.md).",
            }),
        pathType: oneOf(PATH_TYPES).default("Prefix").meta({ description: "How `path` matches: `Prefix` (the path and everything under it) or `Exact`." }),
        paths: map(
            object({
                path: routedPath("/health").optional().meta({ description: "The path (required)." }),
                pathType: oneOf(PATH_TYPES).default("Prefix").meta({ description: "How it matches." }),
            }),
            { check: f.dnsLabel, expected: "a path name (DNS-1123 label)", example: "admin", pattern: DNS_LABEL },
        )
            .optional()
            .meta({ description: "More paths routed to the service, by name, beside `path`.", examples: [{ health: { path: "/health", pathType: "Exact" } }] }),
        tlsSecretName: text({ expected: "a Secret name (DNS-1123 subdomain)", check: f.dnsSubdomain, example: "trading-tls" })
            .optional()
            .meta({ description: "The Secret holding the host's certificate (cert-manager issues into it); default: `<objectName>-tls`. An imported Ingress keeps its own, so the certificate it has keeps serving." }),
        timeoutSeconds: integer(1, 3600).optional().meta({ description: "How long the proxy waits for the service's response; default: the controller's or Gateway's." }),
        httpsRedirect: boolean()
            .default(true)
            .meta({ description: "Redirect plain HTTP to HTTPS (301). On a Gateway, routes serve HTTPS only, so it cannot be turned off there." }),
        cors: object({
            allowOrigins: list(text({ expected: "an origin such as 'https://app.example.com'", check: f.corsOrigin }), { nonEmpty: true })
                .optional()
                .meta({ description: "Origins allowed to call the service from a browser (required with `cors`).", examples: [["https://app.example.com"]] }),
            allowMethods: list(oneOf(HTTP_METHODS), { nonEmpty: true })
                .default(["GET", "POST", "PUT", "DELETE", "OPTIONS"])
                .meta({ description: "Methods allowed across origins." }),
            allowHeaders: list(text({ expected: "an HTTP header name", check: (s) => (/^[A-Za-z0-9-]+$/.test(s) ? undefined : "letters, digits and '-' only"), example: "Authorization" }), { nonEmpty: true })
                .default(["Authorization", "Content-Type"])
                .meta({ description: "Request headers allowed across origins." }),
            allowCredentials: boolean().default(false).meta({ description: "Allow cookies and credentials across origins." }),
        })
            .optional()
            .meta({ description: "CORS: the ingress controller's annotations, or the Gateway's CORS filter or response headers (`environment.gateway.cors`)." }),
    })
        .optional()
        .meta({ description: "Public HTTPS exposure: a TLS Ingress (certificate from the environment's cert-manager ClusterIssuer) or an HTTPRoute on the stack's Gateway, as `environment.exposure` says." }),
    initContainers,
    job,
    metrics,
    pdb: object({
        enabled: boolean().optional().meta({ description: "Default: a budget whenever more than one replica can run." }),
        maxUnavailable: integer(1, MAX_REPLICAS).default(1).meta({ description: "Pods a drain may take down at once (unless `minAvailable` is set)." }),
        minAvailable: integer(1, MAX_REPLICAS).optional().meta({ description: "Pods a drain must leave running (instead of `maxUnavailable`); below the minimum replica count." }),
    })
        .prefault({})
        .meta({ description: "The PodDisruptionBudget." }),
    port: integer(1, 65535).optional().meta({ description: "The port the container listens on (required).", examples: [8080] }),
    probes: probes.optional().meta({ description: "The main container's probes: an HTTP path on the service's port, or `{http|tcp|grpc|exec, port, timings}`." }),
    rbac,
    replicas: integer(0, MAX_REPLICAS).default(1).meta({ description: "Fixed replica count, when autoscaling is off." }),
    resources: object({
        requests: amounts.optional().meta({ description: "Requests; default: the tier's." }),
        limits: amounts.optional().meta({ description: "Limits; default: the tier's." }),
    })
        .optional()
        .meta({ description: "CPU and memory, overriding the tier's." }),
    runAsUser: integer(1, 2147483647).default(10001).meta({ description: "The non-root user the container runs as." }),
    secrets: map(
        secretSource.superRefine((s, ctx) => {
            const given = SECRET_SOURCES.filter((k) => s[k] !== undefined);
            if (given.length !== 1) ctx.addIssue({ code: "custom", message: `expected exactly one of 'fromConfig', 'generate' or 'external'${given.length > 1 ? ", not several" : ""}, got ${GOT}`, input: s });
        }),
        { check: f.configMapEnvName, expected: "an environment variable name", example: "DATABASE_PASSWORD", pattern: ENV_NAME, reserved: (name) => platformSet(name, "be a secret's name") },
    )
        .optional()
        .meta({ description: "Secret environment variables, in the service's Secret.", examples: [{ BROKER_API_KEY: { fromConfig: "brokerApiKey" } }] }),
    servicePort: integer(1, 65535).default(80).meta({ description: "The port of the service's Kubernetes Service." }),
    sidecars,
    tier: text({ expected: "a tier name defined in catalog.tiers", check: f.dnsLabel, pattern: DNS_LABEL, example: "small" }).optional().meta({ description: "A resource tier of `catalog.tiers`." }),
    verify: checks,
    volumes: map(volume, { check: f.dnsLabel, expected: "a volume name (DNS-1123 label)", example: "logs", pattern: DNS_LABEL })
        .optional()
        .meta({
            description: "Volumes of the main container, by name: a writable directory beside the read-only root (`emptyDir`, the default), files, an existing ConfigMap, Secret or claim, or a claim per pod (`stateful`).",
            examples: [{ logs: { mountPath: "/app/logs" }, cache: { mountPath: "/app/.next/cache", emptyDir: { sizeLimit: "1Gi" } } }],
        }),
});

/** One layer of service settings as written: every key optional, nothing defaulted yet. */
export type ServiceLayer = z.input<typeof service>;
/** The merged settings of one service, with the schema's defaults. */
export type ServiceSettings = z.output<typeof service>;

/**
 * How the layers of service settings merge (config/merge.ts): a secret is replaced whole; a
 * probe's action, a volume's source and a check's action are one of several keys (writing one
 * drops the others); a probe written as a path is `{http: <path>}`, a check's `http` written as
 * a path `{path: <path>}`.
 */
export const SERVICE_MERGE: MergeRules = {
    atomic: (at) => at.length === 2 && at[0] === "secrets",
    exclusive: (at) =>
        at.length === 2 && at[0] === "probes" ? PROBE_ACTIONS : at.length === 2 && at[0] === "volumes" ? VOLUME_SOURCES : at.length === 2 && at[0] === "verify" ? CHECK_ACTIONS : undefined,
    expand: (at, v) =>
        typeof v !== "string" ? undefined : at.length === 2 && at[0] === "probes" ? expandProbe(v) : at.length === 3 && at[0] === "verify" && at[2] === "http" ? expandHttpCheck(v) : undefined,
};
