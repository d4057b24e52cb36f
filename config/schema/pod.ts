import { z } from "zod";
import * as f from "../formats";
import { boolean, envValue, expecting, integer, list, map, object, oneOf, shorthand, text } from "./fields";

/**
 * What a service's pods are made of besides the main container's image: its command, probes,
 * volumes, init containers and sidecars. Collections a stack may change one entry of are maps
 * keyed by name, so a stack overrides one entry without restating the rest.
 */

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const QUANTITY_EXPECTED = 'a Kubernetes quantity such as "250m", "1", "512Mi" or "2Gi"';
const HTTP_PATH = /^\/[A-Za-z0-9\-._~/%]*$/;
const MOUNT_PATH = /^\/[A-Za-z0-9._\-/]*$/;

export const httpPath = (example: string) => text({ expected: `an HTTP path such as '${example}'`, check: f.httpPath, pattern: HTTP_PATH });
/** A path an Ingress or an HTTPRoute routes to the service. */
export const routedPath = (example: string) => text({ expected: `an HTTP path such as '${example}'`, check: f.routedPath, pattern: HTTP_PATH });

/**
 * A Kubernetes quantity; YAML reads `cpu: 2` as a number, which Kubernetes accepts, so does this.
 * As a CPU or memory amount, it must also mean an amount a container can run with.
 */
export function quantity(amount?: "cpu" | "memory") {
    const check = amount === "cpu" ? f.cpuAmount : amount === "memory" ? f.memoryAmount : f.quantity;
    return z
        .preprocess((v) => (typeof v === "number" && v > 0 && f.quantity(String(v)) === undefined ? String(v) : v), text({ expected: QUANTITY_EXPECTED, check, example: amount === "cpu" ? "250m" : amount === "memory" ? "512Mi" : "1Gi" }))
        .meta({ type: ["string", "number"] });
}

export const amounts = object({
    cpu: quantity("cpu").optional().meta({ description: "CPU, in cores or millicores." }),
    memory: quantity("memory").optional().meta({ description: "Memory, in bytes with a suffix (Mi, Gi)." }),
});

const resources = object({
    requests: amounts.optional().meta({ description: "Requests." }),
    limits: amounts.optional().meta({ description: "Limits." }),
});

/** A command or its arguments: a list of strings (YAML numbers are written as read). */
const argv = (description: string, example: string[]) =>
    list(z.union([z.string(), z.number(), z.boolean()], expecting("a string")).transform((v) => String(v)))
        .optional()
        .meta({ description, examples: [example] });

export const command = argv("The container's command (its image's ENTRYPOINT otherwise).", ["opentelemetry-instrument", "python", "-m", "app"]);
export const args = argv("The command's arguments (its image's CMD otherwise).", ["--workers", "4"]);

/** The ways a probe checks a container: exactly one is used. Writing one in a later layer replaces the others. */
export const PROBE_ACTIONS = ["http", "tcp", "grpc", "exec"] as const;

const probeObject = object(
    {
    enabled: boolean().optional().meta({ description: "`false` turns off a probe set by a shared default." }),
    http: httpPath("/healthz").optional().meta({ description: "HTTP GET of this path; healthy on a 2xx or 3xx status.", examples: ["/healthz"] }),
    tcp: z
        .literal(true, expecting("true (connect to the port)"))
        .optional()
        .meta({ description: "Healthy when a TCP connection to the port opens." }),
    grpc: z
        .union([z.literal(true), text({ expected: "a gRPC health service name" })], expecting("true, or the name of the gRPC health service to ask"))
        .optional()
        .meta({ description: "The gRPC health-checking protocol on the port; `true`, or the service name to ask about." }),
    exec: list(text({ expected: "a command word" }), { nonEmpty: true }).optional().meta({ description: "A command run in the container; healthy when it exits 0.", examples: [["redis-cli", "ping"]] }),
    port: integer(1, 65535).optional().meta({ description: "The port for http, tcp and grpc; default: the service's `port`." }),
    initialDelaySeconds: integer(0, 3600).optional().meta({ description: "Seconds after start before the first probe." }),
    periodSeconds: integer(1, 3600).optional().meta({ description: "Seconds between probes." }),
    timeoutSeconds: integer(1, 3600).optional().meta({ description: "Seconds a probe may take." }),
    failureThreshold: integer(1, 1000).optional().meta({ description: "Failures in a row before the probe counts as failed." }),
    },
    { short: httpPath("/healthz") },
);

/** What a probe written as a path stands for; the merge of layers expands it the same way (schema/service.ts). */
export const expandProbe = (path: string): Record<string, unknown> => ({ http: path });

const probeForms = shorthand(httpPath("/healthz"), probeObject, expandProbe);

/** A probe: an HTTP path (`/healthz`), or an object with one action and its timings. */
export const probe = (description: string) => probeForms.optional().meta({ description, examples: ["/healthz", { tcp: true, periodSeconds: 10 }] });

export type ProbeSettings = z.output<typeof probeObject>;

export const probes = object({
    liveness: probe("Restarts the container when it fails (required for `web` and `stateful`)."),
    readiness: probe("Takes the pod out of its Service while it fails (required for `web` and `stateful`)."),
    startup: probe("Holds the other probes back until the container has started, for slow starters."),
});

/** The sources of a volume: exactly one is used. Writing one in a later layer replaces the others. */
export const VOLUME_SOURCES = ["emptyDir", "configMap", "secret", "files", "claim", "existingClaim"] as const;

const objectName = (what: string, example: string) => text({ expected: `the name of ${what} (DNS-1123 subdomain)`, check: f.dnsSubdomain, example });

export const volume = object({
    mountPath: text({ expected: "an absolute path such as '/app/logs'", check: f.mountPath, pattern: MOUNT_PATH })
        .optional()
        .meta({ description: "Where the main container sees the volume (required).", examples: ["/app/logs"] }),
    readOnly: boolean().optional().meta({ description: "Mount read-only; default: read-only for configMap, secret and files, writable otherwise." }),
    emptyDir: object({
        sizeLimit: quantity().default("256Mi").meta({ description: "The most the volume may hold; the pod is evicted beyond it." }),
        medium: oneOf(["Memory"]).optional().meta({ description: "`Memory` for a tmpfs (counts against the memory limit)." }),
    })
        .optional()
        .meta({ description: "A writable scratch directory, emptied when the pod goes (the default source).", examples: [{ sizeLimit: "1Gi" }] }),
    configMap: objectName("an existing ConfigMap", "app-config").optional().meta({ description: "An existing ConfigMap the platform does not own, its keys as files." }),
    secret: objectName("an existing Secret", "tls-certs").optional().meta({ description: "An existing Secret the platform does not own, its keys as files." }),
    files: map(text({ expected: "the file's content", example: "log_level = info\n" }), { check: f.fileName, expected: "a file name", example: "app.conf" })
        .optional()
        .meta({ description: "Files written by the platform (a ConfigMap it owns; a change rolls the pods).", examples: [{ "redis.conf": "maxmemory 256mb\n" }] }),
    claim: object({
        size: quantity().optional().meta({ description: "The claim's size (required).", examples: ["10Gi"] }),
        storageClass: objectName("a StorageClass", "standard").optional().meta({ description: "The StorageClass; default: the cluster's default class." }),
        accessMode: oneOf(["ReadWriteOnce", "ReadWriteOncePod", "ReadWriteMany", "ReadOnlyMany"]).default("ReadWriteOnce").meta({ description: "How the claim's volume may be mounted." }),
        labels: map(text({ expected: "a label value", check: f.labelValue, example: "nightly" }), { check: f.labelKey, expected: "a label key", example: "backup" })
            .optional()
            .meta({ description: "The claim template's labels; default: the service's selector. An imported StatefulSet keeps its own (claim templates are immutable)." }),
    })
        .optional()
        .meta({ description: "A persistent claim per pod (`stateful` only: a volumeClaimTemplate of the StatefulSet).", examples: [{ size: "10Gi", storageClass: "standard" }] }),
    existingClaim: objectName("an existing PersistentVolumeClaim", "data").optional().meta({ description: "An existing PersistentVolumeClaim." }),
});

export type VolumeSettings = z.output<typeof volume>;

const mounts = map(text({ expected: "an absolute path such as '/app/logs'", check: f.mountPath, pattern: MOUNT_PATH }), {
    check: f.dnsLabel,
    expected: "the name of one of the service's volumes",
    example: "logs",
    pattern: DNS_LABEL,
})
    .optional()
    .meta({ description: "The service's volumes this container mounts, by name, at a path.", examples: [{ logs: "/var/log/app" }] });

/** An init container or a sidecar: its own image, sharing the pod's security and volumes. */
export const extraContainer = (what: "init" | "sidecar") =>
    object({
        image: text({ expected: "an image reference such as 'busybox:1.36' or 'repo@sha256:...'", check: f.imageReference })
            .optional()
            .meta({ description: "The image (required); pin it by digest for production.", examples: ["docker.io/library/busybox:1.36"] }),
        command,
        args,
        env: map(envValue(), { check: f.envVarName, expected: "an environment variable name", example: "LOG_FORMAT", pattern: ENV_NAME }).optional().meta({ description: "Plain environment variables of this container." }),
        resources: resources.optional().meta({ description: "CPU and memory; default: requests 50m and 64Mi, limits 250m and 128Mi." }),
        mounts,
        order: integer(0, 1000).default(0).meta({ description: what === "init" ? "Init containers run in this order, then by name." : "Sidecars start in this order, then by name." }),
    });

export const initContainers = map(extraContainer("init"), { check: f.dnsLabel, expected: "a container name (DNS-1123 label)", example: "migrate", pattern: DNS_LABEL })
    .optional()
    .meta({ description: "Containers that run to completion before the service starts (waiting for a dependency, a migration).", examples: [{ "wait-for-redis": { image: "docker.io/library/busybox:1.36", command: ["sh", "-c", "until nc -z redis 6379; do sleep 2; done"] } }] });

export const sidecars = map(extraContainer("sidecar"), { check: f.dnsLabel, expected: "a container name (DNS-1123 label)", example: "proxy", pattern: DNS_LABEL })
    .optional()
    .meta({ description: "Containers that run beside the service for its whole life (native sidecars: init containers with `restartPolicy: Always`, Kubernetes 1.29+)." });

export type ExtraContainerSettings = z.output<ReturnType<typeof extraContainer>>;
