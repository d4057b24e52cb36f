import * as assert from "node:assert/strict";
import { Evaluation, RecordedResource } from "../tools/harness/evaluate";
import { StackConfig } from "../tools/harness/stackFiles";
import { deployedImage, editedConfig, PROJECT, one, ofKind, run, SERVICES, stackConfig } from "./support";

const PORTS: Record<string, number> = { ingestion: 8000, "kalman-filter": 8001, "garch-model": 8002, execution: 8003, "risk-manager": 8004, orchestrator: 8005 };
/** `allowFrom` of each service in Pulumi.yaml. */
const CALLERS: Record<string, string[]> = {
    ingestion: ["garch-model", "kalman-filter", "orchestrator"], "kalman-filter": ["orchestrator"], "garch-model": ["orchestrator", "risk-manager"],
    execution: ["orchestrator"], "risk-manager": ["execution", "orchestrator"], orchestrator: [],
};
/** Each service's own variables, from Pulumi.yaml. */
const SERVICE_ENV: Record<string, Record<string, string>> = {
    ingestion: { MARKET_DATA_FEED: "wss://feed.example-exchange.com/v2" },
    "kalman-filter": { INGESTION_URL: "http://ingestion" },
    "garch-model": { INGESTION_URL: "http://ingestion" },
    execution: { RISK_MANAGER_URL: "http://risk-manager" },
    "risk-manager": { GARCH_MODEL_URL: "http://garch-model" },
    orchestrator: { INGESTION_URL: "http://ingestion", KALMAN_FILTER_URL: "http://kalman-filter", GARCH_MODEL_URL: "http://garch-model", EXECUTION_URL: "http://execution", RISK_MANAGER_URL: "http://risk-manager" },
};
const WITH_SECRETS = ["execution", "ingestion", "orchestrator"];

interface Expected {
    stack: string; namespace: string; tag: string; logLevel: string; host: string; issuer: string;
    /** How long `pulumi up` waits for each rollout object (rollout.awaitTimeoutSeconds). */
    wait: string;
    requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string };
    replicas?: Record<string, number>; maxReplicas?: Record<string, number>; counts: Record<string, number>;
}

const COMMON_COUNTS = { "core/v1:Namespace": 1, "core/v1:ServiceAccount": 6, "core/v1:ConfigMap": 7, "core/v1:Secret": 4, "core/v1:Service": 6, "apps/v1:Deployment": 6, "networking.k8s.io/v1:NetworkPolicy": 8, "networking.k8s.io/v1:Ingress": 1 };
const STACKS: Expected[] = [
    {
        stack: "staging", namespace: "hft-staging", tag: "main-3f9c2ab", logLevel: "DEBUG",
        host: "trading.staging.acme-trading.example", issuer: "letsencrypt-staging", wait: "240",
        requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" },
        replicas: { execution: 1, "garch-model": 1, ingestion: 1, "kalman-filter": 1, orchestrator: 2, "risk-manager": 1 },
        counts: { ...COMMON_COUNTS, "autoscaling/v2:HorizontalPodAutoscaler": 0, "policy/v1:PodDisruptionBudget": 1 },
    },
    {
        stack: "production", namespace: "hft-production", tag: "1.4.2", logLevel: "INFO",
        host: "trading.acme-trading.example", issuer: "letsencrypt-production", wait: "420",
        requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "2000m", memory: "2Gi" },
        maxReplicas: { execution: 6, "garch-model": 10, ingestion: 10, "kalman-filter": 10, orchestrator: 12, "risk-manager": 10 },
        counts: { ...COMMON_COUNTS, "autoscaling/v2:HorizontalPodAutoscaler": 6, "policy/v1:PodDisruptionBudget": 6 },
    },
];

const selector = (svc: string) => ({ "app.kubernetes.io/name": svc, "app.kubernetes.io/part-of": "hft" });
const k8sResources = (ev: Evaluation) => ev.resources.filter((r) => r.type.startsWith("kubernetes:"));
const objectName = (ev: Evaluation, kind: string, name: string): string => {
    const r = ofKind(ev, kind).get(name);
    assert.ok(r?.objectName, `no ${kind} ${name}`);
    return r.objectName;
};
/** The service a resource belongs to, from its Pulumi name (`<service>-<role>`); undefined for the environment's own. */
const owner = (r: RecordedResource) => SERVICES.find((s) => r.name.startsWith(`${s}-`));

for (const x of STACKS) {
    describe(`resources of stack ${x.stack}`, () => {
        let ev: Evaluation;
        before(async () => {
            ev = await run(x.stack);
        });

        it("declares exactly the expected number of objects of each kind", () => {
            const counts: Record<string, number> = {};
            for (const r of k8sResources(ev)) counts[r.type.slice("kubernetes:".length)] = (counts[r.type.slice("kubernetes:".length)] ?? 0) + 1;
            assert.deepEqual(counts, Object.fromEntries(Object.entries(x.counts).filter(([, n]) => n > 0)));
        });

        it("creates the namespace with Pod Security restricted and the standard labels", () => {
            const ns = one(ev, "core/v1:Namespace", `${x.stack}-namespace`);
            assert.equal(ns.metadata.name, x.namespace);
            assert.deepEqual(ns.metadata.labels, {
                "app.kubernetes.io/name": "hft",
                "app.kubernetes.io/part-of": "hft",
                "app.kubernetes.io/managed-by": "pulumi",
                environment: x.stack,
                "pod-security.kubernetes.io/enforce": "restricted",
                "pod-security.kubernetes.io/enforce-version": "latest",
                "pod-security.kubernetes.io/audit": "restricted",
                "pod-security.kubernetes.io/warn": "restricted",
            });
            assert.equal(ev.outputs && (ev.outputs as any).namespace, x.namespace);
        });

        it("gives every Kubernetes resource the stack's explicit provider", () => {
            const providers = ev.resources.filter((r) => r.type === "pulumi:providers:kubernetes");
            assert.deepEqual(providers.map((p) => p.name), [`${x.stack}-k8s`]);
            const urn = `urn:pulumi:${x.stack}::${PROJECT}::platform:environment:Environment$pulumi:providers:kubernetes::${x.stack}-k8s`;
            for (const r of k8sResources(ev)) {
                assert.ok(r.provider?.startsWith(`${urn}::`), `${r.type} ${r.name} uses provider ${String(r.provider)}`);
            }
        });

        it("labels every object and puts every namespaced object in the namespace", () => {
            for (const r of k8sResources(ev)) {
                const meta = (r.inputs as any).metadata;
                const svc = owner(r);
                assert.deepEqual(
                    r.type === "kubernetes:core/v1:Namespace" ? Object.fromEntries(Object.entries(meta.labels).filter(([k]) => !k.startsWith("pod-security"))) : meta.labels,
                    {
                        "app.kubernetes.io/name": svc ?? "hft",
                        "app.kubernetes.io/part-of": "hft",
                        "app.kubernetes.io/managed-by": "pulumi",
                        ...(svc ? { "app.kubernetes.io/version": x.tag } : {}),
                        environment: x.stack,
                    },
                    `labels of ${r.name}`,
                );
                if (r.type !== "kubernetes:core/v1:Namespace") assert.equal(meta.namespace, x.namespace, `namespace of ${r.name}`);
            }
        });

        it("runs each service as a hardened Deployment with the stack's image, port, probes and resources", () => {
            const common = objectName(ev, "core/v1:ConfigMap", `${x.stack}-common`);
            for (const svc of SERVICES) {
                const d = one(ev, "apps/v1:Deployment", `${svc}-deployment`);
                const spread = svc === "orchestrator" || x.stack === "production";
                const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({ httpGet: { path, port: "http" }, periodSeconds, timeoutSeconds: 2, failureThreshold });
                assert.equal(d.metadata.name, svc);
                assert.equal(d.spec.revisionHistoryLimit, 10);
                assert.deepEqual(d.spec.selector, { matchLabels: selector(svc) });
                assert.deepEqual(d.spec.strategy, { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
                assert.deepEqual(d.spec.template.metadata.labels, { ...selector(svc), "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/version": x.tag, environment: x.stack });
                assert.deepEqual(Object.keys(d.spec.template.metadata.annotations).sort(), ["checksum/config", "kubectl.kubernetes.io/default-container"]);
                assert.match(d.spec.template.metadata.annotations["checksum/config"], /^[0-9a-f]{16}$/);
                assert.equal(d.spec.template.metadata.annotations["kubectl.kubernetes.io/default-container"], svc);
                assert.equal(objectName(ev, "core/v1:ServiceAccount", `${svc}-sa`), svc);
                assert.equal(one(ev, "core/v1:ServiceAccount", `${svc}-sa`).automountServiceAccountToken, false);
                assert.deepEqual(d.spec.template.spec, {
                    serviceAccountName: svc,
                    automountServiceAccountToken: false,
                    imagePullSecrets: [{ name: objectName(ev, "core/v1:Secret", `${x.stack}-registry`) }],
                    securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } },
                    ...(spread
                        ? {
                              topologySpreadConstraints: ["kubernetes.io/hostname", "topology.kubernetes.io/zone"].map((topologyKey) => ({
                                  maxSkew: 1,
                                  topologyKey,
                                  whenUnsatisfiable: "ScheduleAnyway",
                                  labelSelector: { matchLabels: selector(svc) },
                              })),
                          }
                        : {}),
                    containers: [
                        {
                            name: svc,
                            image: deployedImage(x.stack, svc),
                            imagePullPolicy: "IfNotPresent",
                            ports: [{ name: "http", containerPort: PORTS[svc], protocol: "TCP" }],
                            envFrom: [
                                { configMapRef: { name: common } },
                                { configMapRef: { name: objectName(ev, "core/v1:ConfigMap", `${svc}-config`) } },
                                ...(WITH_SECRETS.includes(svc) ? [{ secretRef: { name: objectName(ev, "core/v1:Secret", `${svc}-secrets`) } }] : []),
                            ],
                            livenessProbe: probe("/healthz", 10, 3),
                            readinessProbe: probe("/readyz", 5, 3),
                            ...(svc === "ingestion" ? { startupProbe: probe("/healthz", 5, 30) } : {}),
                            resources: { requests: x.requests, limits: x.limits },
                            securityContext: {
                                allowPrivilegeEscalation: false,
                                readOnlyRootFilesystem: true,
                                runAsNonRoot: true,
                                capabilities: { drop: ["ALL"] },
                                seccompProfile: { type: "RuntimeDefault" },
                            },
                            volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                        },
                    ],
                    volumes: [{ name: "tmp", emptyDir: { sizeLimit: "256Mi" } }],
                });
            }
            assert.deepEqual([...ofKind(ev, "core/v1:Secret").keys()].sort(), [...WITH_SECRETS.map((s) => `${s}-secrets`), `${x.stack}-registry`]);
        });

        if (x.replicas) {
            const replicas = x.replicas;
            it("runs fixed replica counts without autoscalers, with a budget only for the orchestrator", () => {
                for (const svc of SERVICES) assert.equal(one(ev, "apps/v1:Deployment", `${svc}-deployment`).spec.replicas, replicas[svc], svc);
                assert.equal(ofKind(ev, "autoscaling/v2:HorizontalPodAutoscaler").size, 0);
                assert.deepEqual([...ofKind(ev, "policy/v1:PodDisruptionBudget").keys()], ["orchestrator-pdb"]);
                const pdb = one(ev, "policy/v1:PodDisruptionBudget", "orchestrator-pdb");
                assert.equal(pdb.metadata.name, "orchestrator");
                assert.deepEqual(pdb.spec, { maxUnavailable: 1, selector: { matchLabels: selector("orchestrator") } });
            });
        }
        if (x.maxReplicas) {
            const maxReplicas = x.maxReplicas;
            it("leaves the replica count to an autoscaler and budgets one disruption per service", () => {
                for (const svc of SERVICES) {
                    const d = one(ev, "apps/v1:Deployment", `${svc}-deployment`);
                    assert.equal("replicas" in d.spec, false, `${svc} Deployment sets replicas`);
                    const hpa = one(ev, "autoscaling/v2:HorizontalPodAutoscaler", `${svc}-hpa`);
                    assert.equal(hpa.metadata.name, svc);
                    assert.ok(hpa.spec.minReplicas >= 3);
                    const utilization = (name: string, averageUtilization: number) => ({ type: "Resource", resource: { name, target: { type: "Utilization", averageUtilization } } });
                    assert.deepEqual(hpa.spec, {
                        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: objectName(ev, "apps/v1:Deployment", `${svc}-deployment`) },
                        minReplicas: 3,
                        maxReplicas: maxReplicas[svc],
                        metrics: [utilization("cpu", 70), utilization("memory", 80)],
                    });
                    const pdb = one(ev, "policy/v1:PodDisruptionBudget", `${svc}-pdb`);
                    assert.equal(pdb.metadata.name, svc);
                    assert.deepEqual(pdb.spec, { maxUnavailable: 1, selector: { matchLabels: selector(svc) } });
                }
            });
        }

        it("exposes each service as a ClusterIP Service under its own name, and its address as output", () => {
            const outputs = (ev.outputs as any).services;
            assert.deepEqual(Object.keys(outputs).sort(), SERVICES);
            for (const svc of SERVICES) {
                const s = one(ev, "core/v1:Service", `${svc}-service`);
                assert.equal(s.metadata.name, svc);
                assert.deepEqual(s.spec, { type: "ClusterIP", selector: selector(svc), ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }] });
                assert.deepEqual(outputs[svc], {
                    address: `http://${svc}.${x.namespace}.svc.cluster.local`,
                    image: deployedImage(x.stack, svc),
                    url: svc === "orchestrator" ? `https://${x.host}/` : undefined,
                });
            }
        });

        it("gives only the orchestrator a TLS Ingress on the stack's host", () => {
            assert.deepEqual([...ofKind(ev, "networking.k8s.io/v1:Ingress").keys()], ["orchestrator-ingress"]);
            const ing = one(ev, "networking.k8s.io/v1:Ingress", "orchestrator-ingress");
            assert.equal(ing.metadata.name, "orchestrator");
            assert.deepEqual(ing.metadata.annotations, {
                "pulumi.com/timeoutSeconds": x.wait,
                "cert-manager.io/cluster-issuer": x.issuer,
                "nginx.ingress.kubernetes.io/enable-cors": "true",
                "nginx.ingress.kubernetes.io/cors-allow-origin": "https://dashboard.acme-trading.example",
                "nginx.ingress.kubernetes.io/cors-allow-methods": "GET, POST, PUT, DELETE, OPTIONS",
                "nginx.ingress.kubernetes.io/cors-allow-headers": "Authorization, Content-Type",
                "nginx.ingress.kubernetes.io/cors-allow-credentials": "false",
            });
            assert.deepEqual(ing.spec, {
                ingressClassName: "nginx",
                tls: [{ hosts: [x.host], secretName: "orchestrator-tls" }],
                rules: [{ host: x.host, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "orchestrator", port: { name: "http" } } } }] } }],
            });
        });

        it("denies ingress by default and admits exactly each service's callers on its port", () => {
            const deny = one(ev, "networking.k8s.io/v1:NetworkPolicy", `${x.stack}-default-deny`);
            assert.equal(deny.metadata.name, "default-deny-ingress");
            assert.deepEqual(deny.spec, { podSelector: {}, policyTypes: ["Ingress"] });
            // cert-manager's HTTP-01 solver answers Let's Encrypt through the ingress controller.
            const solver = one(ev, "networking.k8s.io/v1:NetworkPolicy", `${x.stack}-acme-solver`);
            assert.deepEqual(solver.spec, {
                podSelector: { matchLabels: { "acme.cert-manager.io/http01-solver": "true" } },
                policyTypes: ["Ingress"],
                ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }], ports: [{ port: 8089, protocol: "TCP" }] }],
            });
            for (const svc of SERVICES) {
                const np = one(ev, "networking.k8s.io/v1:NetworkPolicy", `${svc}-netpol`);
                const ports = [{ port: PORTS[svc], protocol: "TCP" }];
                const rules = [
                    ...(svc === "orchestrator" ? [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }], ports }] : []),
                    ...(CALLERS[svc].length > 0 ? [{ from: CALLERS[svc].map((c) => ({ podSelector: { matchLabels: selector(c) } })), ports }] : []),
                ];
                assert.equal(np.metadata.name, svc);
                assert.deepEqual(np.spec, { podSelector: { matchLabels: selector(svc) }, policyTypes: ["Ingress"], ingress: rules }, svc);
            }
        });

        it("admits every caller that the catalog points at a service by URL", () => {
            // A service whose env names http://<other> must be let through <other>'s policy.
            const admitted = (target: string, caller: string) =>
                (one(ev, "networking.k8s.io/v1:NetworkPolicy", `${target}-netpol`).spec.ingress as any[]).some((rule) =>
                    rule.from.some((peer: any) => peer.podSelector?.matchLabels?.["app.kubernetes.io/name"] === caller),
                );
            let calls = 0;
            for (const caller of SERVICES) {
                const data = one(ev, "core/v1:ConfigMap", `${caller}-config`).data as Record<string, string>;
                for (const url of Object.values(data)) {
                    const target = /^http:\/\/([a-z0-9-]+)(:[0-9]+)?(\/|$)/.exec(url)?.[1];
                    if (target && SERVICES.includes(target)) {
                        calls++;
                        assert.ok(admitted(target, caller), `${caller} calls ${url}, but ${target}'s NetworkPolicy does not admit it`);
                    }
                }
            }
            assert.equal(calls, 9);
        });

        it("layers the shared ConfigMap under each service's ConfigMap", () => {
            const common = one(ev, "core/v1:ConfigMap", `${x.stack}-common`);
            assert.equal(common.immutable, true);
            assert.deepEqual(common.data, { ENVIRONMENT: x.stack, LOG_LEVEL: x.logLevel, OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector.observability.svc:4318", TZ: "UTC" });
            for (const svc of SERVICES) {
                const cm = one(ev, "core/v1:ConfigMap", `${svc}-config`);
                assert.equal(cm.immutable, true);
                assert.deepEqual(cm.data, { SERVICE_NAME: svc, PORT: String(PORTS[svc]), ...SERVICE_ENV[svc] });
            }
        });
    });
}

describe("configuration changes", () => {
    const deployments = (ev: Evaluation) => new Map([...ofKind(ev, "apps/v1:Deployment")].map(([k, r]) => [k, r.inputs]));

    it("rolls only the changed service: new ConfigMap name and config checksum, other Deployments identical", async () => {
        const base = await run("staging");
        const edited = await run(
            editedConfig("staging", ({ environment }) => {
                environment.services["kalman-filter"] = { env: { INGESTION_URL: "http://ingestion.hft-staging" } };
            }),
        );
        const before = one(base, "apps/v1:Deployment", "kalman-filter-deployment");
        const after = one(edited, "apps/v1:Deployment", "kalman-filter-deployment");
        const newName = objectName(edited, "core/v1:ConfigMap", "kalman-filter-config");
        assert.notEqual(newName, objectName(base, "core/v1:ConfigMap", "kalman-filter-config"));
        assert.equal(one(edited, "core/v1:ConfigMap", "kalman-filter-config").data.INGESTION_URL, "http://ingestion.hft-staging");
        assert.equal(after.spec.template.spec.containers[0].envFrom[1].configMapRef.name, newName);
        assert.notEqual(after.spec.template.metadata.annotations["checksum/config"], before.spec.template.metadata.annotations["checksum/config"]);
        const b = deployments(base);
        const e = deployments(edited);
        for (const svc of SERVICES.filter((s) => s !== "kalman-filter")) {
            assert.deepEqual(e.get(`${svc}-deployment`), b.get(`${svc}-deployment`), svc);
            assert.equal(objectName(edited, "core/v1:ConfigMap", `${svc}-config`), objectName(base, "core/v1:ConfigMap", `${svc}-config`));
        }
    });
});

describe("configuration merge (catalog.defaults < serviceDefaults < catalog service < stack service)", () => {
    it("keeps the other autoscaling bound from the stack's serviceDefaults", async () => {
        const ev = await run(
            editedConfig("production", ({ environment }) => {
                environment.serviceDefaults.autoscaling.minReplicas = 4;
            }),
        );
        const bounds = (svc: string) => {
            const s = one(ev, "autoscaling/v2:HorizontalPodAutoscaler", `${svc}-hpa`).spec;
            return [s.minReplicas, s.maxReplicas];
        };
        assert.deepEqual(bounds("execution"), [4, 6]); // only maxReplicas overridden
        assert.deepEqual(bounds("garch-model"), [4, 10]);
        assert.deepEqual(bounds("orchestrator"), [3, 12]); // both overridden
    });

    it("adds and replaces single env vars and resource amounts without dropping the catalog's", async () => {
        const ev = await run(
            editedConfig("production", ({ environment }) => {
                environment.services.execution.env = { EXTRA_FLAG: "on" };
                environment.services.execution.resources = { limits: { memory: "4Gi" } };
                environment.services.orchestrator.env = { EXECUTION_URL: "http://execution-canary" };
            }),
        );
        assert.deepEqual(one(ev, "core/v1:ConfigMap", "execution-config").data, { SERVICE_NAME: "execution", PORT: "8003", RISK_MANAGER_URL: "http://risk-manager", EXTRA_FLAG: "on" });
        assert.deepEqual(one(ev, "core/v1:ConfigMap", "orchestrator-config").data, {
            SERVICE_NAME: "orchestrator",
            PORT: "8005",
            ...SERVICE_ENV.orchestrator,
            EXECUTION_URL: "http://execution-canary",
        });
        assert.deepEqual(one(ev, "apps/v1:Deployment", "execution-deployment").spec.template.spec.containers[0].resources, {
            requests: { cpu: "500m", memory: "512Mi" },
            limits: { cpu: "2000m", memory: "4Gi" },
        });
        assert.deepEqual(one(ev, "apps/v1:Deployment", "garch-model-deployment").spec.template.spec.containers[0].resources.limits, { cpu: "2000m", memory: "2Gi" });
    });

    it("lets serviceDefaults override catalog.defaults and a stack service override the catalog service, leaf by leaf", async () => {
        const ev = await run(
            editedConfig("staging", ({ environment }) => {
                environment.serviceDefaults.probes = { readiness: "/ready" };
                environment.services.ingestion = { probes: { startup: "/startz" } };
            }),
        );
        for (const svc of SERVICES) {
            const c = one(ev, "apps/v1:Deployment", `${svc}-deployment`).spec.template.spec.containers[0];
            assert.equal(c.livenessProbe.httpGet.path, "/healthz", svc);
            assert.equal(c.readinessProbe.httpGet.path, "/ready", svc);
            assert.equal(c.startupProbe?.httpGet.path, svc === "ingestion" ? "/startz" : undefined, svc);
        }
    });
});

describe("a third stack", () => {
    it("is built from the production config with its own namespace and domain, without code changes", async () => {
        const base = editedConfig("production", ({ environment }) => {
            environment.namespace = "hft-production-eu";
            environment.domain = "eu.acme-trading.example";
        });
        const cfg: StackConfig = { ...base, stack: "production-eu" };
        const ev = await run(cfg);
        assert.equal(one(ev, "core/v1:Namespace", "production-eu-namespace").metadata.name, "hft-production-eu");
        for (const r of k8sResources(ev)) {
            const meta = (r.inputs as any).metadata;
            assert.equal(meta.labels.environment, "production-eu", r.name);
            if (r.type !== "kubernetes:core/v1:Namespace") assert.equal(meta.namespace, "hft-production-eu", r.name);
        }
        const ing = one(ev, "networking.k8s.io/v1:Ingress", "orchestrator-ingress");
        assert.deepEqual(ing.spec.tls, [{ hosts: ["trading.eu.acme-trading.example"], secretName: "orchestrator-tls" }]);
        assert.equal(ing.spec.rules[0].host, "trading.eu.acme-trading.example");
        assert.equal(one(ev, "core/v1:ConfigMap", "production-eu-common").data.ENVIRONMENT, "production-eu");
        const outputs = ev.outputs as any;
        assert.equal(outputs.namespace, "hft-production-eu");
        assert.equal(outputs.services.orchestrator.url, "https://trading.eu.acme-trading.example/");
        assert.equal(outputs.services.execution.address, "http://execution.hft-production-eu.svc.cluster.local");
        assert.equal(ofKind(ev, "autoscaling/v2:HorizontalPodAutoscaler").size, 6);
        // The repo stacks are untouched by it.
        assert.equal(stackConfig("production").stack, "production");
    });
});

describe("determinism", () => {
    const canonical = (v: unknown): unknown => {
        if (Array.isArray(v)) return v.map(canonical);
        if (v && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
        return v;
    };
    const snapshot = (ev: Evaluation) =>
        ev.resources
            .map((r) => JSON.stringify(canonical({ type: r.type, name: r.name, inputs: r.inputs })))
            .sort()
            .join("\n");

    for (const stack of ["staging", "production"]) {
        it(`gives identical resource inputs on two evaluations of ${stack}`, async () => {
            const first = await run(stack);
            const second = await run(stack);
            assert.equal(first.resources.length, second.resources.length);
            assert.equal(snapshot(second), snapshot(first));
            assert.deepEqual(second.outputs, first.outputs);
        });
    }
});

describe("a stack with no Ingress", () => {
    it("has no cert-manager solver policy to open", async () => {
        const ev = await run(
            editedConfig("staging", (v) => {
                delete v.catalog.services.orchestrator.ingress;
                delete v.environment.publicService;
            }),
        );
        assert.equal(ofKind(ev, "networking.k8s.io/v1:NetworkPolicy").has("staging-acme-solver"), false);
        assert.equal((ev.outputs as { publicUrl?: string }).publicUrl, undefined, "no public URL without an exposed service");
        assert.equal(ofKind(ev, "networking.k8s.io/v1:NetworkPolicy").has("staging-default-deny"), true);
    });
});
