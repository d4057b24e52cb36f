import YAML from "yaml";
import { KIND_DESCRIPTIONS, KINDS } from "../../config/schema/kinds";
import { RBAC_ACKNOWLEDGED } from "../../config/rbac";

/**
 * The workload kinds and pod features, each with an example written as a catalog's services.
 * docs/configuration.md shows them (tools/generate/files.ts); tests/docs.test.ts reads each one
 * through the program's configuration reader, so every example in the docs is valid.
 */

export interface Example {
    readonly title: string;
    readonly text: string;
    /** Catalog services, by name. */
    readonly services: Record<string, Record<string, unknown>>;
    /** What a stack writes for them (`environment.services`), when the example shows a stack's part. */
    readonly stack?: Record<string, unknown>;
}

const image = (name: string) => ({ repository: `ghcr.io/acme/${name}` });

export const EXAMPLES: readonly Example[] = [
    {
        title: "`web`: a service behind a Service and, when exposed, an Ingress",
        text: "The default kind. `port`, `probes.liveness` and `probes.readiness` are required. Several paths can be routed to it, each with its path type.",
        services: {
            api: {
                port: 8080,
                image: image("api"),
                probes: { liveness: "/healthz", readiness: "/ready" },
                ingress: { hostPrefix: "api", paths: { health: { path: "/health", pathType: "Exact" } } },
            },
        },
    },
    {
        title: "`worker`: background work with no Service",
        text: "A Deployment with no Service and no Ingress. It needs no port; probes are only those it configures (an `exec` probe needs no port; an `http` one needs the probe's or the service's `port`). Shared HTTP probes from `defaults` do not apply to a worker without a port.",
        services: {
            "order-worker": {
                kind: "worker",
                image: image("worker"),
                command: ["python", "-m", "orders.worker"],
                probes: { liveness: { exec: ["/app/healthcheck"], periodSeconds: 30 } },
            },
        },
    },
    {
        title: "`cronjob`: scheduled work that runs to completion",
        text: "A CronJob: `job.schedule` is required; the time zone, concurrency policy, history limits, deadlines and retries have defaults. A stack pauses it with `job.suspend: true`. Port, probes, replicas, autoscaling, budgets and Ingress do not apply.",
        services: {
            "nightly-report": {
                kind: "cronjob",
                image: image("reports"),
                command: ["python", "-m", "reports.nightly"],
                job: { schedule: "30 2 * * *", timeZone: "Europe/London", concurrencyPolicy: "Forbid", activeDeadlineSeconds: 3600 },
            },
        },
        stack: { "nightly-report": { job: { suspend: true } } },
    },
    {
        title: "`stateful`: a database or broker with a claim per pod",
        text: "A StatefulSet behind a headless Service (pods are `<name>-<n>.<name>`), updated one pod at a time in order, with a claim per pod from each `claim` volume; claims are kept when the StatefulSet is deleted or scaled down. No autoscaler. A stack sets the claim's size and class; changing them later is refused at preview (claim templates are immutable), with the steps to resize by hand. Only the services in `allowFrom` reach it. A stack without it sets `enabled: false`.",
        services: {
            redis: {
                kind: "stateful",
                port: 6379,
                servicePort: 6379,
                image: { repository: "docker.io/library/redis", tag: "7.4.1" },
                runAsUser: 999,
                probes: { liveness: { exec: ["redis-cli", "ping"] }, readiness: { tcp: true } },
                volumes: { data: { mountPath: "/data", claim: { size: "1Gi" } } },
                allowFrom: ["api"],
            },
            api: { port: 8080, image: image("api"), probes: { liveness: "/healthz", readiness: "/ready" } },
        },
        stack: { redis: { volumes: { data: { claim: { size: "20Gi", storageClass: "fast-ssd" } } } } },
    },
    {
        title: "Probes: kinds and timings",
        text: "A probe is an HTTP path (`/healthz`) or an object with exactly one of `http`, `tcp`, `grpc`, `exec`, an optional `port` and timings. Writing another action in a later layer replaces the earlier one and keeps its timings; `enabled: false` turns a shared probe off.",
        services: {
            api: {
                port: 8080,
                image: image("api"),
                probes: {
                    liveness: { http: "/healthz", initialDelaySeconds: 30, periodSeconds: 10, timeoutSeconds: 5 },
                    readiness: { grpc: true },
                    startup: { tcp: true, failureThreshold: 60 },
                },
            },
        },
    },
    {
        title: "Volumes, files and extra writable paths",
        text: "The root filesystem stays read-only; a volume without a source is a writable `emptyDir` (256Mi unless `sizeLimit` says otherwise). `files` are written by the platform into a ConfigMap it owns (a change rolls the pods); `configMap`, `secret` and `existingClaim` name objects someone else owns. `/tmp` is always there.",
        services: {
            web: {
                port: 3000,
                image: image("web"),
                probes: { liveness: "/api/health", readiness: "/api/health" },
                volumes: {
                    cache: { mountPath: "/app/.next/cache", emptyDir: { sizeLimit: "1Gi" } },
                    logs: { mountPath: "/app/logs" },
                    settings: { mountPath: "/etc/web", files: { "feature-flags.json": '{"beta": false}\n' } },
                },
            },
        },
    },
    {
        title: "Init containers and native sidecars",
        text: "Maps keyed by name, so a stack changes one entry. Init containers run to completion before the service starts; sidecars run beside it for its whole life (init containers with `restartPolicy: Always`, Kubernetes 1.29+). Both get the restricted security context, `/tmp`, and the service's volumes they `mounts`; resources default to requests 50m/64Mi, limits 250m/128Mi.",
        services: {
            api: {
                port: 8080,
                image: image("api"),
                probes: { liveness: "/healthz", readiness: "/ready" },
                volumes: { logs: { mountPath: "/app/logs" } },
                initContainers: { "wait-for-db": { image: "docker.io/library/busybox:1.36.1", command: ["sh", "-c", "until nc -z db 5432; do sleep 2; done"] } },
                sidecars: { "log-shipper": { image: "docker.io/fluent/fluent-bit:3.1.9", mounts: { logs: "/var/log/app" } } },
            },
        },
    },
    {
        title: "Autoscaler behaviour and custom metrics",
        text: "`behavior` is the HorizontalPodAutoscaler's (policies by name); `customMetrics` are per-pod metrics from a custom metrics API such as prometheus-adapter.",
        services: {
            api: {
                port: 8080,
                image: image("api"),
                probes: { liveness: "/healthz", readiness: "/ready" },
                autoscaling: {
                    enabled: true,
                    maxReplicas: 20,
                    customMetrics: { http_requests_in_flight: { averageValue: "50" } },
                    behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: { "one-pod-a-minute": { type: "Pods", value: 1, periodSeconds: 60 } } } },
                },
            },
        },
    },
    {
        title: "Prometheus scraping",
        text: "`metrics` makes Prometheus scrape the service: a ServiceMonitor (a PodMonitor for a worker) when the stack sets `environment.monitoring.operator: true`, `prometheus.io/*` pod annotations otherwise. The network policy admits `environment.monitoring.namespace` to the metrics port.",
        services: {
            api: { port: 8080, image: image("api"), probes: { liveness: "/healthz", readiness: "/ready" }, metrics: { path: "/metrics", port: 9090, interval: "15s" } },
        },
    },
    {
        title: "Permissions and objects owned by others",
        text: `\`rbac\` gives the service account a Role in the namespace (and only then mounts its token). A rule that reaches past the service's own work (a wildcard, reading \`secrets\`, \`escalate\`, \`bind\` or \`impersonate\`, \`pods/exec\` and the like) is refused unless it says why in \`acknowledge\`; the Role carries the reasons in the annotation \`${RBAC_ACKNOWLEDGED}\`, which the policy pack looks for. \`envFrom\` reads ConfigMaps and Secrets that already exist and that the platform never changes. A secret \`external\` is synchronised by the External Secrets Operator from the stack's \`environment.externalSecrets.store\` into a Secret the operator owns.`,
        services: {
            operator: {
                port: 8080,
                image: image("operator"),
                probes: { liveness: "/healthz", readiness: "/ready" },
                rbac: {
                    "watch-pods": { resources: ["pods"], verbs: ["get", "list", "watch"] },
                    "rotate-credentials": { resources: ["secrets"], resourceNames: ["broker-session"], verbs: ["get", "update"], acknowledge: "renews the broker session token it stores there every hour" },
                },
                envFrom: { configMaps: ["trading-common-config"], secrets: ["shared-credentials"] },
                secrets: { BROKER_API_KEY: { external: { key: "trading/broker", property: "apiKey" } } },
            },
        },
    },
];

/** The examples as a section of docs/configuration.md. */
export function examplesSection(): string {
    const lines = [
        "## Workload kinds and pod features",
        "",
        `A service's \`kind\` says what it deploys: ${KINDS.map((k) => `\`${k}\`, ${KIND_DESCRIPTIONS[k]}`).join("; ")}. A setting a kind has no use for is refused when written for the service itself, and does not apply to it when it comes from \`defaults\` or \`serviceDefaults\` (so one default serves every kind).`,
        "",
    ];
    for (const e of EXAMPLES) {
        lines.push(`### ${e.title}`, "", e.text, "", "```yaml", "# catalog.services (Pulumi.yaml)", YAML.stringify(e.services).trimEnd());
        if (e.stack) lines.push("# environment.services (Pulumi.<stack>.yaml)", YAML.stringify(e.stack).trimEnd());
        lines.push("```", "");
    }
    return lines.join("\n");
}
