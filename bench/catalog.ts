/**
 * Generated catalogs for the benchmark: N services shaped like the real ones, each with an
 * Ingress (CORS), an autoscaler, a disruption budget, plain settings, a secret from config and a
 * generated one, and two callers. The stack file overrides one value per service, as the
 * Kustomize overlay has one patch per service.
 */

const ROLES = ["ingestion", "pricing", "risk", "execution", "ledger", "gateway", "reporting", "alerts"];

export const DOMAIN = "staging.acme-trading.example";
export const NAMESPACE = "hft-staging";
export const IMAGE_TAG = "main-3f9c2ab";
export const DASHBOARD_ORIGIN = "https://dashboard.acme-trading.example";

/** One generated service, as both the Pulumi catalog and the Kustomize base describe it. */
export interface BenchService {
    readonly name: string;
    readonly port: number;
    readonly repository: string;
    readonly tier: "standard" | "performance";
    readonly env: Readonly<Record<string, string>>;
    readonly callers: readonly string[];
    /** The staging override: the autoscaler's ceiling. */
    readonly stagingMaxReplicas: number;
}

export const TIERS = {
    standard: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
    performance: { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "2000m", memory: "2Gi" } },
} as const;

export const AUTOSCALING = { minReplicas: 2, maxReplicas: 6, targetCPUUtilization: 70, targetMemoryUtilization: 80 } as const;

export function benchServices(count: number): BenchService[] {
    const names = Array.from({ length: count }, (_, i) => `${ROLES[i % ROLES.length]}-${String(i).padStart(3, "0")}`);
    return names.map((name, i) => {
        const next = names[(i + 1) % count];
        const previous = names[(i + count - 1) % count];
        return {
            name,
            port: 8000 + i,
            repository: `ghcr.io/acme-trading/hft-${name}`,
            tier: i % 4 === 0 ? "performance" : "standard",
            env: { UPSTREAM_URL: `http://${next}`, BATCH_SIZE: String(100 + i), FEATURE_FLAGS: "fast-path,audit" },
            callers: [...new Set([previous, next])].filter((n) => n !== name).sort(),
            stagingMaxReplicas: 8 + (i % 3),
        };
    });
}

/** Pulumi.yaml: the project and its shared catalog. */
export function projectFile(services: readonly BenchService[], runtime: unknown): Record<string, unknown> {
    const catalog = {
        system: "hft",
        tiers: TIERS,
        commonEnv: { TZ: "UTC" },
        defaults: { probes: { liveness: "/healthz", readiness: "/readyz" } },
        services: Object.fromEntries(
            services.map((s) => [
                s.name,
                {
                    port: s.port,
                    image: { repository: s.repository },
                    ...(s.tier === "performance" ? { tier: "performance" } : {}),
                    env: s.env,
                    secrets: {
                        MARKET_DATA_API_KEY: { fromConfig: "marketDataApiKey" },
                        SESSION_SIGNING_KEY: { generate: { length: 48 } },
                    },
                    allowFrom: s.callers,
                    autoscaling: { enabled: true, ...AUTOSCALING },
                    pdb: { maxUnavailable: 1 },
                    ingress: { hostPrefix: s.name, path: "/", cors: { allowOrigins: [DASHBOARD_ORIGIN] } },
                },
            ]),
        ),
    };
    return { name: "hft-platform", runtime, config: { catalog: { value: catalog } } };
}

/** Pulumi.<stack>.yaml: the staging environment plus one override per service. */
export function stackFile(services: readonly BenchService[]): Record<string, unknown> {
    return {
        config: {
            "hft-platform:environment": {
                name: "staging",
                namespace: NAMESPACE,
                domain: DOMAIN,
                cluster: { context: "hft-staging" },
                logLevel: "DEBUG",
                telemetryEndpoint: "http://otel-collector.observability.svc:4318",
                ingress: { clusterIssuer: "letsencrypt-staging" },
                registry: { server: "ghcr.io", repositoryPrefix: "acme-trading", username: "acme-trading-ci", passwordSecret: "registryPassword" },
                imageTag: IMAGE_TAG,
                serviceDefaults: { tier: "standard", replicas: 1 },
                services: Object.fromEntries(services.map((s) => [s.name, { autoscaling: { maxReplicas: s.stagingMaxReplicas } }])),
            },
        },
    };
}
