/**
 * The Kustomize layout this program replaces, for the same generated catalog: a base with one
 * folder per service (its objects, a ConfigMap and a Secret generator) and a staging overlay
 * (namespace, environment label, the shared settings, the pull Secret, and one patch per
 * service setting its image tag, public host and autoscaler ceiling). The objects match what
 * the program declares, kind for kind. Image tags are set in the patches rather than with an
 * `images:` list, which costs kustomize several times more at 200 services (one image
 * transformer per entry, each over every object).
 */
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { RESTRICTED_CONTAINER_SECURITY_CONTEXT, TMP_VOLUME } from "../components/service/podTemplate";
import { AUTOSCALING, BenchService, DASHBOARD_ORIGIN, DOMAIN, IMAGE_TAG, NAMESPACE, TIERS } from "./catalog";

const KUSTOMIZATION = { apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization" };
const PLACEHOLDER = "<redacted>";

/** Writes `base/` and `overlays/staging/` under `dir`; returns the overlay folder to build. */
export function writeKustomize(dir: string, services: readonly BenchService[]): string {
    const base = path.join(dir, "base");
    const overlay = path.join(dir, "overlays", "staging");
    write(path.join(base, "platform.yaml"), platformObjects());
    write(path.join(base, "kustomization.yaml"), [
        {
            ...KUSTOMIZATION,
            labels: [{ pairs: { "app.kubernetes.io/part-of": "hft", "app.kubernetes.io/managed-by": "kustomize" } }],
            resources: ["platform.yaml", ...services.map((s) => s.name)],
            configMapGenerator: [{ name: "hft-common", literals: ["TZ=UTC"], options: { immutable: true } }],
        },
    ]);
    for (const s of services) {
        write(path.join(base, s.name, "resources.yaml"), serviceObjects(s));
        write(path.join(base, s.name, "kustomization.yaml"), [
            {
                ...KUSTOMIZATION,
                resources: ["resources.yaml"],
                configMapGenerator: [
                    {
                        name: `${s.name}-config`,
                        literals: [`SERVICE_NAME=${s.name}`, `PORT=${s.port}`, ...Object.entries(s.env).map(([k, v]) => `${k}=${v}`)],
                        options: { immutable: true },
                    },
                ],
                secretGenerator: [
                    {
                        name: `${s.name}-secrets`,
                        literals: [`MARKET_DATA_API_KEY=${PLACEHOLDER}`, `SESSION_SIGNING_KEY=${PLACEHOLDER}`],
                        options: { immutable: true },
                    },
                ],
            },
        ]);
        write(path.join(overlay, "patches", `${s.name}.yaml`), stagingPatch(s));
    }
    write(path.join(overlay, "kustomization.yaml"), [
        {
            ...KUSTOMIZATION,
            namespace: NAMESPACE,
            resources: ["../../base"],
            labels: [{ pairs: { environment: "staging" }, includeTemplates: true }],
            configMapGenerator: [
                {
                    name: "hft-common",
                    behavior: "merge",
                    literals: ["ENVIRONMENT=staging", "LOG_LEVEL=DEBUG", "OTEL_EXPORTER_OTLP_ENDPOINT=http://otel-collector.observability.svc:4318"],
                },
            ],
            secretGenerator: [{ name: "registry", type: "kubernetes.io/dockerconfigjson", literals: [`.dockerconfigjson={"auths":{"ghcr.io":{"auth":"${PLACEHOLDER}"}}}`] }],
            patches: services.map((s) => ({ path: `patches/${s.name}.yaml` })),
        },
    ]);
    return overlay;
}

function write(file: string, docs: readonly unknown[]): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, docs.map((d) => YAML.stringify(d)).join("---\n"));
}

function platformObjects(): unknown[] {
    return [
        {
            apiVersion: "v1",
            kind: "Namespace",
            metadata: {
                name: "hft",
                labels: {
                    "pod-security.kubernetes.io/enforce": "restricted",
                    "pod-security.kubernetes.io/enforce-version": "latest",
                    "pod-security.kubernetes.io/audit": "restricted",
                    "pod-security.kubernetes.io/warn": "restricted",
                },
            },
        },
        {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: "default-deny-ingress" },
            spec: { podSelector: {}, policyTypes: ["Ingress"] },
        },
    ];
}

function serviceObjects(s: BenchService): unknown[] {
    const labels = { "app.kubernetes.io/name": s.name };
    const selector = { "app.kubernetes.io/name": s.name, "app.kubernetes.io/part-of": "hft" };
    const meta = { name: s.name, labels };
    const probe = (p: string, periodSeconds: number) => ({ httpGet: { path: p, port: "http" }, periodSeconds, timeoutSeconds: 2, failureThreshold: 3 });
    const tier = TIERS[s.tier];
    const ports = [{ port: s.port, protocol: "TCP" }];
    return [
        { apiVersion: "v1", kind: "ServiceAccount", metadata: meta, automountServiceAccountToken: false },
        {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: meta,
            spec: {
                revisionHistoryLimit: 10,
                selector: { matchLabels: selector },
                strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
                template: {
                    metadata: { labels: selector, annotations: { "kubectl.kubernetes.io/default-container": s.name } },
                    spec: {
                        serviceAccountName: s.name,
                        automountServiceAccountToken: false,
                        imagePullSecrets: [{ name: "registry" }],
                        securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } },
                        topologySpreadConstraints: ["kubernetes.io/hostname", "topology.kubernetes.io/zone"].map((topologyKey) => ({
                            maxSkew: 1,
                            topologyKey,
                            whenUnsatisfiable: "ScheduleAnyway",
                            labelSelector: { matchLabels: selector },
                        })),
                        containers: [
                            {
                                name: s.name,
                                image: s.repository,
                                imagePullPolicy: "IfNotPresent",
                                ports: [{ name: "http", containerPort: s.port, protocol: "TCP" }],
                                envFrom: [
                                    { configMapRef: { name: "hft-common" } },
                                    { configMapRef: { name: `${s.name}-config` } },
                                    { secretRef: { name: `${s.name}-secrets` } },
                                ],
                                livenessProbe: probe("/healthz", 10),
                                readinessProbe: probe("/readyz", 5),
                                resources: tier,
                                // The same as the program's pods, so both sides render equal objects.
                                securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
                                volumeMounts: [{ name: TMP_VOLUME.name, mountPath: TMP_VOLUME.mountPath }],
                            },
                        ],
                        volumes: [{ name: TMP_VOLUME.name, emptyDir: { sizeLimit: TMP_VOLUME.sizeLimit } }],
                    },
                },
            },
        },
        {
            apiVersion: "v1",
            kind: "Service",
            metadata: meta,
            spec: { type: "ClusterIP", selector, ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }] },
        },
        {
            apiVersion: "networking.k8s.io/v1",
            kind: "Ingress",
            metadata: {
                ...meta,
                annotations: {
                    "nginx.ingress.kubernetes.io/enable-cors": "true",
                    "nginx.ingress.kubernetes.io/cors-allow-origin": DASHBOARD_ORIGIN,
                    "nginx.ingress.kubernetes.io/cors-allow-methods": "GET, POST, PUT, DELETE, OPTIONS",
                    "nginx.ingress.kubernetes.io/cors-allow-headers": "Authorization, Content-Type",
                    "nginx.ingress.kubernetes.io/cors-allow-credentials": "false",
                },
            },
            spec: {
                ingressClassName: "nginx",
                tls: [{ hosts: [`${s.name}.example.invalid`], secretName: `${s.name}-tls` }],
                rules: [
                    {
                        host: `${s.name}.example.invalid`,
                        http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: s.name, port: { name: "http" } } } }] },
                    },
                ],
            },
        },
        {
            apiVersion: "autoscaling/v2",
            kind: "HorizontalPodAutoscaler",
            metadata: meta,
            spec: {
                scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: s.name },
                minReplicas: AUTOSCALING.minReplicas,
                maxReplicas: AUTOSCALING.maxReplicas,
                metrics: [
                    { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: AUTOSCALING.targetCPUUtilization } } },
                    { type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: AUTOSCALING.targetMemoryUtilization } } },
                ],
            },
        },
        { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: meta, spec: { maxUnavailable: 1, selector: { matchLabels: selector } } },
        {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: meta,
            spec: {
                podSelector: { matchLabels: selector },
                policyTypes: ["Ingress"],
                ingress: [
                    { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }], ports },
                    ...(s.callers.length > 0
                        ? [{ from: s.callers.map((c) => ({ podSelector: { matchLabels: { "app.kubernetes.io/name": c, "app.kubernetes.io/part-of": "hft" } } })), ports }]
                        : []),
                ],
            },
        },
    ];
}

/** The overlay's one patch for a service: its image tag, its staging host and issuer, and its autoscaler ceiling. */
function stagingPatch(s: BenchService): unknown[] {
    const host = `${s.name}.${DOMAIN}`;
    return [
        {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: s.name },
            spec: { template: { spec: { containers: [{ name: s.name, image: `${s.repository}:${IMAGE_TAG}` }] } } },
        },
        {
            apiVersion: "networking.k8s.io/v1",
            kind: "Ingress",
            metadata: { name: s.name, annotations: { "cert-manager.io/cluster-issuer": "letsencrypt-staging" } },
            spec: {
                tls: [{ hosts: [host], secretName: `${s.name}-tls` }],
                rules: [{ host, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: s.name, port: { name: "http" } } } }] } }],
            },
        },
        { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name: s.name }, spec: { maxReplicas: s.stagingMaxReplicas } },
    ];
}
