import { Node } from "./node";
import * as f from "./formats";
import { IMAGE_TAG_EXPECTED, INVALID, Layer, Leaf, readEnvMap, readServiceLayer } from "./serviceSettings";
import { ClusterConfig, IngressDefaults, RegistryConfig, RolloutConfig } from "./types";

export const LOG_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] as const;

/** Defaults for environment settings; each lives only here. */
export const ENVIRONMENT_DEFAULTS = {
    logLevel: "INFO",
    ingressClassName: "nginx",
    clusterIssuer: "letsencrypt-production",
    ingressControllerNamespace: "ingress-nginx",
    progressDeadlineSeconds: 300,
    /** Added to the progress deadline for the provider's wait, so Kubernetes decides first. */
    awaitMarginSeconds: 60,
} as const;

/** What one stack says about its environment, written in Pulumi.<stack>.yaml. */
export interface EnvironmentSettings {
    /** False when the environment is missing or not an object (already reported). */
    readonly readable: boolean;
    readonly name?: string;
    readonly namespace?: string;
    readonly domain?: string;
    readonly cluster?: ClusterConfig;
    readonly logLevel: string;
    readonly telemetryEndpoint?: string;
    readonly ingress: IngressDefaults;
    readonly imageTag?: Leaf;
    readonly registry?: RegistryConfig;
    /** Where `registry` is (or would be) written, for messages. */
    readonly registryPath: string;
    /** True when `registry` is written, valid or not. */
    readonly registryGiven: boolean;
    /** The secret key `cluster.kubeconfigSecret` names, even when the rest of `cluster` is invalid. */
    readonly kubeconfigSecretKey?: string;
    /** The secret key `registry.passwordSecret` names, even when the rest of `registry` is invalid. */
    readonly registryPasswordSecret?: string;
    readonly buildOnPreview: boolean;
    readonly rollout?: RolloutConfig;
    readonly commonEnv: Map<string, string>;
    readonly serviceDefaults: Layer;
    readonly services: Map<string, { layer: Layer; path: string }>;
}

export function readEnvironment(node: Node, stack: string): EnvironmentSettings {
    if (!node.present) {
        node.required("the stack's environment (an object with 'namespace', 'domain' and 'cluster'), set in Pulumi.<stack>.yaml");
    }
    const k = node.object([
        "name",
        "namespace",
        "domain",
        "cluster",
        "logLevel",
        "telemetryEndpoint",
        "ingress",
        "imageTag",
        "registry",
        "buildOnPreview",
        "rollout",
        "commonEnv",
        "serviceDefaults",
        "services",
    ]);
    // Required keys are reported missing only when the environment itself is a valid object.
    const need = (key: string, expected: string) => (k && !k[key] ? node.child(key).required(expected) : undefined);

    const nameNode = k?.name;
    const name = nameNode ? nameNode.string(f.dnsLabel, "a DNS-1123 label such as 'staging'") : dnsSafe(stack);
    const namespace = k?.namespace?.string(f.dnsLabel, "a namespace name (DNS-1123 label)") ?? need("namespace", "a namespace name such as 'hft-staging'");
    const domain = k?.domain?.string(f.hostName, "a DNS domain such as 'staging.example.com'") ?? need("domain", "a DNS domain such as 'staging.example.com'");

    let cluster: ClusterConfig | undefined;
    const c = k?.cluster?.object(["context", "kubeconfigSecret"]);
    if (k?.cluster && c) {
        const context = c.context?.string(undefined, "a kubeconfig context name");
        const kubeconfigSecret = c.kubeconfigSecret?.string(f.configKey, "the name of a secret config key holding a kubeconfig, such as 'kubeconfig'");
        if (!c.context && !c.kubeconfigSecret) {
            k.cluster.fail("'context' or 'kubeconfigSecret', so that this stack can only reach its own cluster");
        } else if (c.context && c.kubeconfigSecret) {
            k.cluster.fail("either 'context' or 'kubeconfigSecret', not both");
        } else if (context || kubeconfigSecret) {
            cluster = context ? { context } : { kubeconfigSecret };
        }
    } else if (!k?.cluster) {
        need("cluster", "'context' (a kubeconfig context) or 'kubeconfigSecret' (a secret config key), so that this stack can only reach its own cluster");
    }

    const i = k?.ingress?.object(["className", "clusterIssuer", "controllerNamespace"]);
    const ingress: IngressDefaults = {
        className: i?.className?.string(f.dnsLabel, "an IngressClass name such as 'nginx'") ?? ENVIRONMENT_DEFAULTS.ingressClassName,
        clusterIssuer: i?.clusterIssuer?.string(f.dnsLabel, "a cert-manager ClusterIssuer name such as 'letsencrypt-production'") ?? ENVIRONMENT_DEFAULTS.clusterIssuer,
        controllerNamespace: i?.controllerNamespace?.string(f.dnsLabel, "the ingress controller's namespace (DNS-1123 label)") ?? ENVIRONMENT_DEFAULTS.ingressControllerNamespace,
    };

    const registry = k?.registry ? readRegistry(k.registry) : undefined;
    const tag = k?.imageTag?.string(f.imageTag, IMAGE_TAG_EXPECTED);
    const services = new Map<string, { layer: Layer; path: string }>();
    for (const [svc, s] of k?.services?.map(f.dnsLabel, "a service name (DNS-1123 label)") ?? []) {
        services.set(svc, { layer: readServiceLayer(s), path: s.path });
    }

    return {
        readable: k !== undefined,
        name,
        namespace,
        domain,
        cluster,
        logLevel: k?.logLevel?.oneOf(LOG_LEVELS) ?? ENVIRONMENT_DEFAULTS.logLevel,
        telemetryEndpoint: k?.telemetryEndpoint?.string(f.httpUrl, "an http(s) URL such as 'http://otel-collector.observability:4318'"),
        ingress,
        imageTag: k?.imageTag ? { value: tag ?? INVALID, path: k.imageTag.path } : undefined,
        registry,
        registryPath: node.child("registry").path,
        registryGiven: k?.registry !== undefined,
        registryPasswordSecret: registry?.passwordSecret ?? secretKeyOf(k?.registry?.value, "passwordSecret"),
        kubeconfigSecretKey: secretKeyOf(k?.cluster?.value, "kubeconfigSecret"),
        buildOnPreview: k?.buildOnPreview?.boolean() ?? false,
        rollout: readRollout(k?.rollout ?? node.child("rollout")),
        commonEnv: new Map([...(k?.commonEnv ? readEnvMap(k.commonEnv) : [])].map(([n, v]) => [n, v.value])),
        serviceDefaults: k?.serviceDefaults ? readServiceLayer(k.serviceDefaults) : (new Map() as Layer),
        services,
    };
}

/** The stack name as a DNS label, when the environment does not name itself. */
function dnsSafe(stack: string): string | undefined {
    const s = stack.toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/^-+|-+$/g, "").slice(0, 63);
    return s.length > 0 ? s : undefined;
}

function readRegistry(node: Node): RegistryConfig | undefined {
    const r = node.object(["server", "repositoryPrefix", "username", "passwordSecret", "cache"]);
    if (!r) {
        return undefined;
    }
    const server = r.server ? r.server.string(f.registryServer, "a registry host such as 'ghcr.io' or 'registry.example.com:5000'") : node.child("server").required("a registry host such as 'ghcr.io'");
    const repositoryPrefix = r.repositoryPrefix?.string(
        (s) => f.imageRepository(`${server ?? "registry.example.com"}/${s}`),
        "a repository path such as 'acme-trading/hft' (lowercase, '/'-separated)",
    );
    const username = r.username?.string(f.registryUsername, "a registry user name");
    const passwordSecret = r.passwordSecret?.string(f.configKey, "the name of a secret config key holding the registry password or token, such as 'registryPassword'");
    if ((r.username && !r.passwordSecret) || (!r.username && r.passwordSecret)) {
        node.fail("'username' and 'passwordSecret' together (credentials), or neither (a public registry)");
        return undefined;
    }
    const cache = r.cache?.boolean() ?? true;
    if (!server || (r.repositoryPrefix && !repositoryPrefix) || (r.username && !username) || (r.passwordSecret && !passwordSecret)) {
        return undefined;
    }
    return { server, repositoryPrefix, username, passwordSecret, cache };
}

/** The secret key an unreadable section still names (so that key is not also called unknown). */
function secretKeyOf(section: unknown, field: string): string | undefined {
    const key = typeof section === "object" && section !== null ? (section as Record<string, unknown>)[field] : undefined;
    return typeof key === "string" && f.configKey(key) === undefined ? key : undefined;
}

/** Rollout deadlines; the provider waits longer than Kubernetes' deadline so a failed rollout is reported as such. */
function readRollout(node: Node): RolloutConfig | undefined {
    const r = node.object(["progressDeadlineSeconds", "awaitTimeoutSeconds"]) ?? {};
    const deadline = r.progressDeadlineSeconds ? r.progressDeadlineSeconds.integer(30, 3600) : ENVIRONMENT_DEFAULTS.progressDeadlineSeconds;
    const wait = r.awaitTimeoutSeconds ? r.awaitTimeoutSeconds.integer(30, 7200) : deadline !== undefined ? deadline + ENVIRONMENT_DEFAULTS.awaitMarginSeconds : undefined;
    if (deadline === undefined || wait === undefined) {
        return undefined;
    }
    if (wait < deadline) {
        r.awaitTimeoutSeconds.problems.add(
            r.awaitTimeoutSeconds.path,
            `awaitTimeoutSeconds (${wait}) must be at least progressDeadlineSeconds (${deadline}), or 'pulumi up' gives up before Kubernetes reports the rollout failed`,
        );
        return undefined;
    }
    return { progressDeadlineSeconds: deadline, awaitTimeoutSeconds: wait };
}
