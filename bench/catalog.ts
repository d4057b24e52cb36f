/**
 * Generated catalogs for the benchmark: N services shaped like the real ones, each with an
 * Ingress (CORS), an autoscaler, a disruption budget, plain settings, a secret from config and a
 * generated one, and two callers. The stack file overrides one value per service, as the
 * Kustomize overlay has one patch per service.
 */
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";

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

/** The name of the catalog file Pulumi.yaml points at: a catalog this size does not fit in Pulumi config. */
export const CATALOG_FILE = "catalog.yaml";

/** Pulumi.yaml: the project; its shared catalog is in CATALOG_FILE. */
export function projectFile(runtime: unknown): Record<string, unknown> {
    return { name: "hft-platform", runtime, config: { catalogFile: { value: CATALOG_FILE } } };
}

/** The shared catalog (CATALOG_FILE). */
export function catalogFile(services: readonly BenchService[]): Record<string, unknown> {
    return {
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
                publicService: services[0].name,
                serviceDefaults: { tier: "standard", replicas: 1 },
                services: Object.fromEntries(services.map((s) => [s.name, { autoscaling: { maxReplicas: s.stagingMaxReplicas } }])),
            },
        },
    };
}

/**
 * Writes a project that runs this repository's program on a generated catalog: Pulumi.yaml (with
 * `runtime`), the catalog file, Pulumi.bench.yaml, and links to the program's sources, packages
 * and tsconfig.json (whose "ts-node" section Pulumi's runner reads).
 */
export function writeProject(dir: string, services: readonly BenchService[], runtime: unknown): void {
    const repo = path.resolve(__dirname, "..");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), YAML.stringify(projectFile(runtime)));
    fs.writeFileSync(path.join(dir, CATALOG_FILE), YAML.stringify(catalogFile(services)));
    fs.writeFileSync(path.join(dir, "Pulumi.bench.yaml"), YAML.stringify(stackFile(services)));
    for (const entry of ["package.json", "tsconfig.json", "node_modules", "index.ts", "program.ts", "config", "components", "runtime"]) {
        fs.symlinkSync(path.join(repo, entry), path.join(dir, entry));
    }
}
