/** Resources written by hand for the policy tests (policy.test.ts, e2e/policyPack.test.ts), as the engine hands them to policies. */
import { PolicyResource } from "../policy/rules";
import { urnOf } from "./policyRunner";

export type Props = Record<string, unknown>;
export const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;

export function resource(type: string, name: string, props: Props, stack = "production"): PolicyResource {
    return { type: `kubernetes:${type}`, name, urn: urnOf(stack, `kubernetes:${type}`, name), props };
}

/** A container as this program writes it. */
export function container(overrides: Props = {}): Props {
    return {
        name: "api",
        image: `ghcr.io/acme/api@${DIGEST}`,
        ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
        resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
        livenessProbe: { httpGet: { path: "/healthz", port: "http" } },
        readinessProbe: { httpGet: { path: "/readyz", port: "http" } },
        securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        },
        ...overrides,
    };
}

/** An init container as the program would write one: restricted, with resources, no probes and no port. */
export function initContainer(overrides: Props = {}): Props {
    return container({ name: "migrate", ports: undefined, livenessProbe: undefined, readinessProbe: undefined, ...overrides });
}

/** A native sidecar: an init container that keeps running beside the containers. */
export function sidecar(overrides: Props = {}): Props {
    return initContainer({ name: "proxy", restartPolicy: "Always", ...overrides });
}

/** A worker's container: no port, so nothing to probe. */
export function worker(overrides: Props = {}): Props {
    return initContainer({ name: "worker", ...overrides });
}

export const LABELS = { "app.kubernetes.io/name": "api", "app.kubernetes.io/part-of": "hft" };

/** Every kind whose pods the workload rules judge, by its Kubernetes kind. */
export const WORKLOAD_TYPES = {
    Deployment: "apps/v1:Deployment",
    StatefulSet: "apps/v1:StatefulSet",
    DaemonSet: "apps/v1:DaemonSet",
    ReplicaSet: "apps/v1:ReplicaSet",
    Job: "batch/v1:Job",
    CronJob: "batch/v1:CronJob",
    Pod: "core/v1:Pod",
} as const;
export type WorkloadKind = keyof typeof WORKLOAD_TYPES;
export const WORKLOAD_KINDS = Object.keys(WORKLOAD_TYPES) as WorkloadKind[];
export const LONG_RUNNING_KINDS: readonly WorkloadKind[] = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"];

export interface WorkloadOptions {
    readonly containers?: Props[];
    readonly initContainers?: Props[];
    readonly ephemeralContainers?: Props[];
    readonly volumes?: Props[];
    /** The pod's securityContext; by default the restricted one this program writes. */
    readonly podSecurity?: Props;
    /** Further pod spec fields (hostNetwork, os, ...). */
    readonly pod?: Props;
    readonly annotations?: Props;
    readonly replicas?: number;
    readonly volumeClaimTemplates?: Props[];
    readonly stack?: string;
    readonly environment?: string;
}

/** A workload of any kind named 'api' in hft-production, its pod as this program writes one unless told otherwise. */
export function workload(kind: WorkloadKind, opts: WorkloadOptions = {}): PolicyResource {
    const batch = kind === "Job" || kind === "CronJob";
    const podSpec = {
        securityContext: opts.podSecurity ?? { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
        containers: opts.containers ?? [batch || kind === "Pod" ? worker() : container()],
        ...(opts.initContainers ? { initContainers: opts.initContainers } : {}),
        ...(opts.ephemeralContainers ? { ephemeralContainers: opts.ephemeralContainers } : {}),
        ...(opts.volumes ? { volumes: opts.volumes } : {}),
        ...(batch ? { restartPolicy: "Never" } : {}),
        ...opts.pod,
    };
    const template = { metadata: { labels: LABELS, ...(opts.annotations ? { annotations: opts.annotations } : {}) }, spec: podSpec };
    const replicas = opts.replicas !== undefined ? { replicas: opts.replicas } : {};
    const specs: Record<WorkloadKind, () => Props> = {
        Deployment: () => ({ ...replicas, selector: { matchLabels: LABELS }, template }),
        StatefulSet: () => ({ ...replicas, serviceName: "api", selector: { matchLabels: LABELS }, template, ...(opts.volumeClaimTemplates ? { volumeClaimTemplates: opts.volumeClaimTemplates } : {}) }),
        DaemonSet: () => ({ selector: { matchLabels: LABELS }, template }),
        ReplicaSet: () => ({ ...replicas, selector: { matchLabels: LABELS }, template }),
        Job: () => ({ template }),
        CronJob: () => ({ schedule: "*/5 * * * *", jobTemplate: { spec: { template } } }),
        Pod: () => podSpec,
    };
    const metadata = { name: "api", namespace: "hft-production", labels: { ...LABELS, environment: opts.environment ?? opts.stack ?? "production" } };
    const podMetadata = kind === "Pod" && opts.annotations ? { annotations: opts.annotations } : {};
    return resource(WORKLOAD_TYPES[kind], `api-${kind.toLowerCase()}`, { metadata: { ...metadata, ...podMetadata }, spec: specs[kind]() }, opts.stack);
}

export function deployment(opts: WorkloadOptions = {}): PolicyResource {
    return workload("Deployment", opts);
}

export function pdb(spec: Props, name = "api", namespace = "hft-production"): PolicyResource {
    return resource("policy/v1:PodDisruptionBudget", `${name}-pdb`, { metadata: { name, namespace }, spec: { selector: { matchLabels: LABELS }, ...spec } });
}

/** The Gateway the routes attach to unless told otherwise. */
export const GATEWAY_REF = { name: "hft", namespace: "hft-gateway" };

/** An HTTPRoute named 'api' in hft-production as the Gateway API mode writes one: on the Gateway's HTTPS listener, with a host and a backend. */
export function httpRoute(spec: Props = {}, opts: { readonly name?: string; readonly stack?: string } = {}): PolicyResource {
    const name = opts.name ?? "api";
    return resource(
        "gateway.networking.k8s.io/v1:HTTPRoute",
        `${name}-route`,
        {
            metadata: { name, namespace: "hft-production" },
            spec: {
                hostnames: ["api.hft.example.com"],
                parentRefs: [{ ...GATEWAY_REF, sectionName: "https-api" }],
                rules: [{ matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs: [{ name: "api", port: 8080 }], timeouts: { request: "15s" } }],
                ...spec,
            },
        },
        opts.stack,
    );
}

/** The route the Gateway's HTTP listener carries: only a redirect to https. */
export function redirectRoute(spec: Props = {}, stack?: string): PolicyResource {
    return httpRoute(
        { parentRefs: [{ ...GATEWAY_REF, sectionName: "http" }], rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }], ...spec },
        { name: "api-https-redirect", stack },
    );
}

/** The Gateway 'hft-gateway/hft': an HTTPS listener for the api host and a plain HTTP one, unless told otherwise. */
export function gateway(listeners?: Props[]): PolicyResource {
    return resource("gateway.networking.k8s.io/v1:Gateway", "hft-gateway", {
        metadata: { ...GATEWAY_REF, annotations: { "cert-manager.io/cluster-issuer": "letsencrypt-production" } },
        spec: {
            gatewayClassName: "envoy",
            listeners: listeners ?? [
                { name: "https-api", protocol: "HTTPS", port: 443, hostname: "api.hft.example.com", tls: { certificateRefs: [{ name: "api-tls" }] }, allowedRoutes: { namespaces: { from: "Same" } } },
                { name: "http", protocol: "HTTP", port: 80, allowedRoutes: { namespaces: { from: "Same" } } },
            ],
        },
    });
}
