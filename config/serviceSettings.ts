import { Node } from "./node";
import * as f from "./formats";

/** A validated leaf value and the full key path it was written at. */
export interface Leaf {
    readonly value: unknown;
    readonly path: string;
}

/**
 * The service settings one configuration layer writes, flattened to dotted field names
 * ("autoscaling.minReplicas", "env.KAFKA_TOPIC"). Layers merge leaf by leaf: a later layer
 * replaces only the leaves it writes.
 */
export type Layer = Map<string, Leaf>;

/**
 * The value of a leaf that was given but failed its check (the problem is already recorded).
 * Later checks skip it instead of reporting it again as missing or cascading from it.
 */
export const INVALID: unique symbol = Symbol("invalid");

export function isValid(leaf: Leaf | undefined): leaf is Leaf {
    return leaf !== undefined && leaf.value !== INVALID;
}

export const SERVICE_KEYS = [
    "allowFrom",
    "autoscaling",
    "build",
    "env",
    "image",
    "ingress",
    "pdb",
    "port",
    "probes",
    "replicas",
    "resources",
    "runAsUser",
    "secrets",
    "servicePort",
    "tier",
] as const;

export const MAX_REPLICAS = 1000;
const QUANTITY_EXPECTED = 'a Kubernetes quantity such as "250m", "1", "512Mi" or "2Gi"';
const NAME_EXPECTED = "a DNS-1123 label (lowercase letters, digits and '-', at most 63)";

/** Reads one layer of service settings (catalog defaults, a catalog service, or an override). */
export function readServiceLayer(node: Node): Layer {
    const layer: Layer = new Map();
    const keys = node.object(SERVICE_KEYS);
    if (!keys) {
        return layer;
    }
    const set = (field: string, n: Node, value: unknown) => {
        if (value !== undefined) {
            layer.set(field, { value, path: n.path });
        } else if (n.present) {
            layer.set(field, { value: INVALID, path: n.path });
        }
    };
    const k = keys;

    if (k.port) set("port", k.port, k.port.integer(1, 65535));
    if (k.servicePort) set("servicePort", k.servicePort, k.servicePort.integer(1, 65535));
    if (k.replicas) set("replicas", k.replicas, k.replicas.integer(0, MAX_REPLICAS));
    if (k.runAsUser) set("runAsUser", k.runAsUser, k.runAsUser.integer(1, 2147483647));
    if (k.tier) set("tier", k.tier, k.tier.string(f.dnsLabel, "a tier name defined in catalog.tiers"));

    const image = k.image?.object(["repository", "tag", "digest"]);
    if (image?.repository) set("image.repository", image.repository, image.repository.string(f.imageRepository, "an image repository such as 'ghcr.io/acme/api'"));
    if (image?.tag) set("image.tag", image.tag, image.tag.string(f.imageTag, IMAGE_TAG_EXPECTED));
    if (image?.digest) set("image.digest", image.digest, image.digest.string(f.imageDigest, "an image digest such as 'sha256:9f86d0...'"));

    const build = k.build?.object(["context", "dockerfile", "target", "args", "platforms"]);
    if (build?.context) set("build.context", build.context, build.context.string(f.relativePath, "a build context folder such as 'services/api'"));
    if (build?.dockerfile) set("build.dockerfile", build.dockerfile, build.dockerfile.string(f.relativePath, "a Dockerfile path such as 'services/api/Dockerfile'"));
    if (build?.target) set("build.target", build.target, build.target.string((s) => (/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(s) ? undefined : "a Dockerfile stage name"), "a build stage name"));
    for (const [name, v] of build?.args ? readEnvMap(build.args) : []) {
        set(`build.args.${name}`, v.node, v.value);
    }
    if (build?.platforms) setList(layer, "build.platforms", build.platforms, (n) => n.oneOf(PLATFORMS));

    const probes = k.probes?.object(["liveness", "readiness", "startup"]);
    for (const probe of ["liveness", "readiness", "startup"] as const) {
        const p = probes?.[probe];
        if (p) set(`probes.${probe}`, p, p.string(f.httpPath, "an HTTP path such as '/healthz'"));
    }

    const resources = k.resources?.object(["requests", "limits"]);
    for (const kind of ["requests", "limits"] as const) {
        const amounts = resources?.[kind]?.object(["cpu", "memory"]);
        for (const r of ["cpu", "memory"] as const) {
            const q = amounts?.[r];
            if (q) set(`resources.${kind}.${r}`, q, quantityOf(q));
        }
    }

    const autoscaling = k.autoscaling?.object(["enabled", "minReplicas", "maxReplicas", "targetCPUUtilization", "targetMemoryUtilization"]);
    if (autoscaling?.enabled) set("autoscaling.enabled", autoscaling.enabled, autoscaling.enabled.boolean());
    for (const bound of ["minReplicas", "maxReplicas"] as const) {
        const b = autoscaling?.[bound];
        if (b) set(`autoscaling.${bound}`, b, b.integer(1, MAX_REPLICAS));
    }
    for (const target of ["targetCPUUtilization", "targetMemoryUtilization"] as const) {
        const t = autoscaling?.[target];
        if (t) set(`autoscaling.${target}`, t, t.integer(1, 100));
    }

    const pdb = k.pdb?.object(["enabled", "maxUnavailable", "minAvailable"]);
    if (pdb?.enabled) set("pdb.enabled", pdb.enabled, pdb.enabled.boolean());
    if (pdb?.maxUnavailable) set("pdb.maxUnavailable", pdb.maxUnavailable, pdb.maxUnavailable.integer(1, MAX_REPLICAS));
    if (pdb?.minAvailable) set("pdb.minAvailable", pdb.minAvailable, pdb.minAvailable.integer(1, MAX_REPLICAS));

    for (const [name, v] of k.env ? readEnvMap(k.env) : []) {
        if (Object.hasOwn(PLATFORM_ENV, name)) {
            v.node.problems.add(v.node.path, `'${name}' is set by the platform (${PLATFORM_ENV[name]}, written into the service's ConfigMap) and cannot be set in env`);
            continue;
        }
        set(`env.${name}`, v.node, v.value);
    }

    const secrets = k.secrets?.map(f.envVarName, "an environment variable name");
    for (const [name, s] of secrets ?? []) {
        const source = s.object(["fromConfig", "generate"]);
        if (!source) {
            if (!s.present) s.required("an object with 'fromConfig' or 'generate'");
            continue;
        }
        if (source.fromConfig && source.generate) {
            s.fail("exactly one of 'fromConfig' or 'generate', not both");
        } else if (source.fromConfig) {
            const key = source.fromConfig.string(f.configKey, "the name of a secret config key such as 'brokerApiKey'");
            if (key) set(`secrets.${name}`, s, { fromConfig: key });
        } else if (source.generate) {
            const length = source.generate.object(["length"])?.length?.integer(16, 128) ?? (source.generate.present ? 32 : undefined);
            if (length !== undefined) set(`secrets.${name}`, s, { generate: { length } });
        } else {
            s.fail("exactly one of 'fromConfig' or 'generate'");
        }
    }

    if (k.allowFrom) {
        const names = k.allowFrom.array()?.map((n) => n.string(f.dnsLabel, `a service name, ${NAME_EXPECTED}`));
        set("allowFrom", k.allowFrom, names?.every((n) => n !== undefined) ? names : undefined);
    }

    const ingress = k.ingress?.object(["enabled", "hostPrefix", "path", "cors"]);
    if (ingress?.enabled) set("ingress.enabled", ingress.enabled, ingress.enabled.boolean());
    if (ingress?.hostPrefix) set("ingress.hostPrefix", ingress.hostPrefix, ingress.hostPrefix.string(f.dnsLabel, NAME_EXPECTED));
    if (ingress?.path) set("ingress.path", ingress.path, ingress.path.string(f.httpPath, "an HTTP path such as '/'"));
    const cors = ingress?.cors?.object(["allowOrigins", "allowMethods", "allowHeaders", "allowCredentials"]);
    if (cors?.allowOrigins) setList(layer, "ingress.cors.allowOrigins", cors.allowOrigins, (n) => n.string(f.corsOrigin, "an origin such as 'https://app.example.com'"));
    if (cors?.allowMethods) setList(layer, "ingress.cors.allowMethods", cors.allowMethods, (n) => n.oneOf(HTTP_METHODS));
    if (cors?.allowHeaders) setList(layer, "ingress.cors.allowHeaders", cors.allowHeaders, (n) => n.string((s) => (/^[A-Za-z0-9-]+$/.test(s) ? undefined : "letters, digits and '-' only"), "an HTTP header name"));
    if (cors?.allowCredentials) set("ingress.cors.allowCredentials", cors.allowCredentials, cors.allowCredentials.boolean());
    return layer;
}

export const PLATFORMS = ["linux/amd64", "linux/arm64"] as const;

/** Variables the program writes into every service's ConfigMap itself, with where they come from. */
export const PLATFORM_ENV: Readonly<Record<string, string>> = {
    PORT: "the service's 'port'",
    SERVICE_NAME: "the service's name in the catalog",
};
export const IMAGE_TAG_EXPECTED = "an image tag such as 'main-3f9c2ab' or '1.4.2' (not 'latest')";

export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

function setList(layer: Layer, field: string, node: Node, item: (n: Node) => string | undefined): void {
    const items = node.array()?.map(item);
    if (items && items.length === 0) {
        node.fail("a non-empty list");
    }
    const valid = items && items.length > 0 && items.every((i) => i !== undefined);
    layer.set(field, { value: valid ? items : INVALID, path: node.path });
}

function quantityOf(n: Node): string | undefined {
    // YAML reads `cpu: 2` as a number; Kubernetes accepts it, so does this.
    if (typeof n.value === "number" && n.value > 0 && f.quantity(String(n.value)) === undefined) {
        return String(n.value);
    }
    return n.string(f.quantity, QUANTITY_EXPECTED);
}

/** An environment map: NAME -> scalar. Numbers and booleans are written as YAML reads them. */
export function readEnvMap(node: Node): Map<string, { value: string; node: Node }> {
    const out = new Map<string, { value: string; node: Node }>();
    for (const [name, v] of node.map(f.envVarName, "an environment variable name") ?? []) {
        if (typeof v.value === "string" || typeof v.value === "boolean" || (typeof v.value === "number" && Number.isFinite(v.value))) {
            out.set(name, { value: String(v.value), node: v });
        } else {
            v.fail("a string, number or boolean");
        }
    }
    return out;
}
