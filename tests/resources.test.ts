import * as assert from "node:assert/strict";
import { Evaluation, RecordedResource } from "../tools/harness/evaluate";
import { StackConfig } from "../tools/harness/stackFiles";
import { expectedCounts, REPO_STACKS, stackFacts } from "./facts-resources";
import { deployedImage, editedConfig, PROJECT, one, ofKind, run, SERVICES, stackConfig } from "./support";

/**
 * Hand-written facts of the example catalog's two stacks, so that a regression in the program
 * fails even where the expectation is derived from the configuration (tests/facts-resources.ts).
 */
const EXAMPLE: Record<string, { namespace: string; tag: string; logLevel: string; host: string; issuer: string; wait: string; requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } }> = {
    staging: {
        namespace: "hft-staging", tag: "main-3f9c2ab", logLevel: "DEBUG", host: "trading.staging.acme-trading.example", issuer: "letsencrypt-staging", wait: "240",
        requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" },
    },
    production: {
        namespace: "hft-production", tag: "1.4.2", logLevel: "INFO", host: "trading.acme-trading.example", issuer: "letsencrypt-production", wait: "420",
        requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "2000m", memory: "2Gi" },
    },
};
/** The orchestrator's variables in Pulumi.yaml (hand-written: the merge tests below extend them). */
const ORCHESTRATOR_ENV = { INGESTION_URL: "http://ingestion", KALMAN_FILTER_URL: "http://kalman-filter", GARCH_MODEL_URL: "http://garch-model", EXECUTION_URL: "http://execution", RISK_MANAGER_URL: "http://risk-manager" };

const probeOf = (path: string, periodSeconds: number, failureThreshold: number) => ({ httpGet: { path, port: "http" }, periodSeconds, timeoutSeconds: 2, failureThreshold });
const selector = (svc: string) => ({ "app.kubernetes.io/name": svc, "app.kubernetes.io/part-of": "hft" });
const k8sResources = (ev: Evaluation) => ev.resources.filter((r) => r.type.startsWith("kubernetes:"));
const objectName = (ev: Evaluation, kind: string, name: string): string => {
    const r = ofKind(ev, kind).get(name);
    assert.ok(r?.objectName, `no ${kind} ${name}`);
    return r.objectName;
};
/** The service a resource belongs to, from its Pulumi name (`<service>-<role>`); undefined for the environment's own. */
const owner = (r: RecordedResource) => SERVICES.find((s) => r.name.startsWith(`${s}-`));

for (const stack of REPO_STACKS) {
    describe(`resources of stack ${stack}`, () => {
        const x = stackFacts(stack);
        /** The hand-written facts, for a stack of the example catalog. */
        const ex = EXAMPLE[stack];
        let ev: Evaluation;
        before(async () => {
            ev = await run(stack);
        });

        if (ex) {
            it("reads the example's hand-written facts from its configuration", () => {
                assert.deepEqual(
                    { namespace: x.namespace, tag: x.tag, logLevel: x.logLevel, issuer: x.issuer, wait: x.wait, host: x.services.orchestrator.ingress?.host },
                    { namespace: ex.namespace, tag: ex.tag, logLevel: ex.logLevel, issuer: ex.issuer, wait: ex.wait, host: ex.host },
                );
                assert.deepEqual(x.services.ingestion.resources, { requests: ex.requests, limits: ex.limits });
            });
        }

        it("declares exactly the expected number of objects of each kind", () => {
            const counts: Record<string, number> = {};
            for (const r of k8sResources(ev)) counts[r.type.slice("kubernetes:".length)] = (counts[r.type.slice("kubernetes:".length)] ?? 0) + 1;
            assert.deepEqual(counts, expectedCounts(x));
            if (ex) {
                // The example: one Namespace, and per service a ServiceAccount, Service, Deployment and policy.
                assert.equal(counts["core/v1:Namespace"], 1);
                for (const kind of ["core/v1:ServiceAccount", "core/v1:Service", "apps/v1:Deployment"]) assert.ok(counts[kind] >= 6, kind);
                assert.ok(counts["networking.k8s.io/v1:NetworkPolicy"] >= 8);
            }
        });

        it("creates the namespace with Pod Security restricted and the standard labels", () => {
            const ns = one(ev, "core/v1:Namespace", `${x.stack}-namespace`);
            assert.equal(ns.metadata.name, x.namespace);
            if (ex) assert.equal(ns.metadata.name, ex.namespace);
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
            if (ex) assert.equal(one(ev, "apps/v1:Deployment", "execution-deployment").metadata.labels["app.kubernetes.io/version"], ex.tag);
        });

        it("runs each service as a hardened Deployment with the stack's image, port, probes and resources", () => {
            const common = objectName(ev, "core/v1:ConfigMap", `${x.stack}-common`);
            for (const svc of SERVICES) {
                const f = x.services[svc];
                const d = one(ev, "apps/v1:Deployment", `${svc}-deployment`);
                const spread = f.maxReplicas > 1;
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
                            ports: [{ name: "http", containerPort: f.port, protocol: "TCP" }],
                            envFrom: [
                                { configMapRef: { name: common } },
                                { configMapRef: { name: objectName(ev, "core/v1:ConfigMap", `${svc}-config`) } },
                                ...(f.hasSecrets ? [{ secretRef: { name: objectName(ev, "core/v1:Secret", `${svc}-secrets`) } }] : []),
                            ],
                            livenessProbe: probeOf(f.probes.liveness, 10, 3),
                            readinessProbe: probeOf(f.probes.readiness, 5, 3),
                            ...(f.probes.startup !== undefined ? { startupProbe: probeOf(f.probes.startup, 5, 30) } : {}),
                            resources: f.resources,
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
            const withSecrets = SERVICES.filter((s) => x.services[s].hasSecrets);
            assert.deepEqual([...ofKind(ev, "core/v1:Secret").keys()].sort(), [...withSecrets.map((s) => `${s}-secrets`), `${x.stack}-registry`].sort());
            if (ex) {
                // ingestion: port 8000, a startup probe, its API key in a Secret, the stack's tier.
                const c = one(ev, "apps/v1:Deployment", "ingestion-deployment").spec.template.spec.containers[0];
                assert.deepEqual(c.ports, [{ name: "http", containerPort: 8000, protocol: "TCP" }]);
                assert.deepEqual(c.startupProbe, probeOf("/healthz", 5, 30));
                assert.equal(c.envFrom[2].secretRef.name, objectName(ev, "core/v1:Secret", "ingestion-secrets"));
                assert.deepEqual(c.resources, { requests: ex.requests, limits: ex.limits });
                assert.equal(one(ev, "apps/v1:Deployment", "kalman-filter-deployment").spec.template.spec.containers[0].envFrom.length, 2);
                assert.ok(one(ev, "apps/v1:Deployment", "orchestrator-deployment").spec.template.spec.topologySpreadConstraints, "the orchestrator runs 2 or more replicas, spread");
            }
        });

        it("runs fixed replica counts or an autoscaler per service, and a budget wherever more than one replica runs", () => {
            for (const svc of SERVICES) {
                const f = x.services[svc];
                const d = one(ev, "apps/v1:Deployment", `${svc}-deployment`);
                const hpa = ofKind(ev, "autoscaling/v2:HorizontalPodAutoscaler").get(`${svc}-hpa`)?.inputs as any;
                if (f.autoscaling) {
                    assert.equal("replicas" in d.spec, false, `${svc} Deployment sets replicas`);
                    assert.ok(hpa, `${svc} has no autoscaler`);
                    assert.equal(hpa.metadata.name, svc);
                    const utilization = (name: string, averageUtilization: number) => ({ type: "Resource", resource: { name, target: { type: "Utilization", averageUtilization } } });
                    assert.deepEqual(hpa.spec, {
                        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: objectName(ev, "apps/v1:Deployment", `${svc}-deployment`) },
                        minReplicas: f.autoscaling.minReplicas,
                        maxReplicas: f.autoscaling.maxReplicas,
                        metrics: [utilization("cpu", 70), utilization("memory", 80)],
                    });
                } else {
                    assert.equal(d.spec.replicas, f.replicas, svc);
                    assert.equal(hpa, undefined, `${svc} has an autoscaler`);
                }
                const pdb = ofKind(ev, "policy/v1:PodDisruptionBudget").get(`${svc}-pdb`)?.inputs as any;
                if (f.pdb) {
                    assert.ok(pdb, `${svc} has no PodDisruptionBudget`);
                    assert.equal(pdb.metadata.name, svc);
                    assert.deepEqual(pdb.spec, { maxUnavailable: 1, selector: { matchLabels: selector(svc) } });
                } else {
                    assert.equal(pdb, undefined, `${svc} has a PodDisruptionBudget`);
                }
            }
            if (stack === "staging") {
                // The orchestrator runs 2 replicas with a budget; the others one each, without.
                assert.equal(one(ev, "apps/v1:Deployment", "orchestrator-deployment").spec.replicas, 2);
                assert.deepEqual(one(ev, "policy/v1:PodDisruptionBudget", "orchestrator-pdb").spec, { maxUnavailable: 1, selector: { matchLabels: selector("orchestrator") } });
                assert.equal(one(ev, "apps/v1:Deployment", "execution-deployment").spec.replicas, 1);
                assert.equal(ofKind(ev, "policy/v1:PodDisruptionBudget").has("execution-pdb"), false);
                assert.equal(ofKind(ev, "autoscaling/v2:HorizontalPodAutoscaler").size, 0);
            }
            if (stack === "production") {
                // Every service autoscaled from 3; execution up to 6, the orchestrator 12, the others 10.
                const bounds = (svc: string) => [one(ev, "autoscaling/v2:HorizontalPodAutoscaler", `${svc}-hpa`).spec.minReplicas, one(ev, "autoscaling/v2:HorizontalPodAutoscaler", `${svc}-hpa`).spec.maxReplicas];
                assert.deepEqual(bounds("execution"), [3, 6]);
                assert.deepEqual(bounds("orchestrator"), [3, 12]);
                assert.deepEqual(bounds("garch-model"), [3, 10]);
                assert.equal(ofKind(ev, "policy/v1:PodDisruptionBudget").has("kalman-filter-pdb"), true);
            }
        });

        it("exposes each service as a ClusterIP Service under its own name, and its address as output", () => {
            const outputs = (ev.outputs as any).services;
            assert.deepEqual(Object.keys(outputs).sort(), SERVICES);
            for (const svc of SERVICES) {
                const ingress = x.services[svc].ingress;
                const s = one(ev, "core/v1:Service", `${svc}-service`);
                assert.equal(s.metadata.name, svc);
                assert.deepEqual(s.spec, { type: "ClusterIP", selector: selector(svc), ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }] });
                assert.deepEqual(outputs[svc], {
                    address: `http://${svc}.${x.namespace}.svc.cluster.local`,
                    image: deployedImage(x.stack, svc),
                    url: ingress ? `https://${ingress.host}${ingress.path}` : undefined,
                });
            }
            if (ex) {
                assert.equal(outputs.orchestrator.url, `https://${ex.host}/`);
                assert.equal(outputs.execution.address, `http://execution.${ex.namespace}.svc.cluster.local`);
                assert.equal(outputs.execution.url, undefined);
            }
        });

        it("gives a TLS Ingress on the stack's domain to exactly the services the catalog exposes", () => {
            const exposed = SERVICES.filter((s) => x.services[s].ingress !== undefined);
            assert.deepEqual([...ofKind(ev, "networking.k8s.io/v1:Ingress").keys()].sort(), exposed.map((s) => `${s}-ingress`));
            for (const svc of exposed) {
                const { host, path } = x.services[svc].ingress!;
                const ing = one(ev, "networking.k8s.io/v1:Ingress", `${svc}-ingress`);
                assert.equal(ing.metadata.name, svc);
                assert.equal(ing.metadata.annotations["pulumi.com/timeoutSeconds"], x.wait);
                assert.equal(ing.metadata.annotations["cert-manager.io/cluster-issuer"], x.issuer);
                assert.deepEqual(ing.spec, {
                    ingressClassName: "nginx",
                    tls: [{ hosts: [host], secretName: `${svc}-tls` }],
                    rules: [{ host, http: { paths: [{ path, pathType: "Prefix", backend: { service: { name: svc, port: { name: "http" } } } }] } }],
                });
            }
            if (ex) {
                // The orchestrator's, with the catalog's CORS settings.
                const ing = one(ev, "networking.k8s.io/v1:Ingress", "orchestrator-ingress");
                assert.deepEqual(ing.metadata.annotations, {
                    "pulumi.com/timeoutSeconds": ex.wait,
                    "cert-manager.io/cluster-issuer": ex.issuer,
                    "nginx.ingress.kubernetes.io/enable-cors": "true",
                    "nginx.ingress.kubernetes.io/cors-allow-origin": "https://dashboard.acme-trading.example",
                    "nginx.ingress.kubernetes.io/cors-allow-methods": "GET, POST, PUT, DELETE, OPTIONS",
                    "nginx.ingress.kubernetes.io/cors-allow-headers": "Authorization, Content-Type",
                    "nginx.ingress.kubernetes.io/cors-allow-credentials": "false",
                });
                assert.deepEqual(ing.spec.tls, [{ hosts: [ex.host], secretName: "orchestrator-tls" }]);
                assert.equal(ofKind(ev, "networking.k8s.io/v1:Ingress").has("execution-ingress"), false);
            }
        });

        it("denies ingress by default and admits exactly each service's callers on its port", () => {
            const deny = one(ev, "networking.k8s.io/v1:NetworkPolicy", `${x.stack}-default-deny`);
            assert.equal(deny.metadata.name, "default-deny-ingress");
            assert.deepEqual(deny.spec, { podSelector: {}, policyTypes: ["Ingress"] });
            // cert-manager's HTTP-01 solver answers Let's Encrypt through the ingress controller
            // (a stack with no Ingress has none: "a stack with no Ingress" below).
            assert.ok(SERVICES.some((s) => x.services[s].ingress !== undefined), "a repo stack exposes a service");
            const solver = one(ev, "networking.k8s.io/v1:NetworkPolicy", `${x.stack}-acme-solver`);
            assert.deepEqual(solver.spec, {
                podSelector: { matchLabels: { "acme.cert-manager.io/http01-solver": "true" } },
                policyTypes: ["Ingress"],
                ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }], ports: [{ port: 8089, protocol: "TCP" }] }],
            });
            const rulesOf = (port: number, callers: string[], exposed: boolean) => {
                const ports = [{ port, protocol: "TCP" }];
                return [
                    ...(exposed ? [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }], ports }] : []),
                    ...(callers.length > 0 ? [{ from: callers.map((c) => ({ podSelector: { matchLabels: selector(c) } })), ports }] : []),
                ];
            };
            for (const svc of SERVICES) {
                const f = x.services[svc];
                const np = one(ev, "networking.k8s.io/v1:NetworkPolicy", `${svc}-netpol`);
                assert.equal(np.metadata.name, svc);
                assert.deepEqual(np.spec, { podSelector: { matchLabels: selector(svc) }, policyTypes: ["Ingress"], ingress: rulesOf(f.port, f.allowFrom, f.ingress !== undefined) }, svc);
            }
            if (ex) {
                // risk-manager (8004) admits execution and the orchestrator; the orchestrator (8005) only the ingress controller.
                const spec = (svc: string) => one(ev, "networking.k8s.io/v1:NetworkPolicy", `${svc}-netpol`).spec.ingress;
                const admitted = (svc: string) => spec(svc).flatMap((r: any) => r.from.map((p: any) => p.podSelector?.matchLabels?.["app.kubernetes.io/name"])).filter(Boolean);
                assert.ok(["execution", "orchestrator"].every((c) => admitted("risk-manager").includes(c)));
                assert.equal(admitted("risk-manager").includes("kalman-filter"), false);
                assert.deepEqual(spec("risk-manager")[0].ports, [{ port: 8004, protocol: "TCP" }]);
                assert.deepEqual(spec("orchestrator")[0].from, [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }]);
                assert.deepEqual(spec("orchestrator")[0].ports, [{ port: 8005, protocol: "TCP" }]);
            }
        });

        it("admits every caller that the catalog points at a service by URL", () => {
            // A service whose env names http://<other> must be let through <other>'s policy.
            const admitted = (target: string, caller: string) =>
                (one(ev, "networking.k8s.io/v1:NetworkPolicy", `${target}-netpol`).spec.ingress as any[]).some((rule) =>
                    rule.from.some((peer: any) => peer.podSelector?.matchLabels?.["app.kubernetes.io/name"] === caller),
                );
            const targetOf = (url: string) => {
                const target = /^http:\/\/([a-z0-9-]+)(:[0-9]+)?(\/|$)/.exec(url)?.[1];
                return target && SERVICES.includes(target) ? target : undefined;
            };
            let calls = 0;
            const expectedCalls = SERVICES.flatMap((s) => Object.values(x.services[s].env).filter((url) => targetOf(url) !== undefined)).length;
            for (const caller of SERVICES) {
                const data = one(ev, "core/v1:ConfigMap", `${caller}-config`).data as Record<string, string>;
                for (const url of Object.values(data)) {
                    const target = targetOf(url);
                    if (target) {
                        calls++;
                        assert.ok(admitted(target, caller), `${caller} calls ${url}, but ${target}'s NetworkPolicy does not admit it`);
                    }
                }
            }
            assert.equal(calls, expectedCalls);
            if (ex) {
                // The orchestrator calls the five other services, and each admits it.
                for (const target of ["ingestion", "kalman-filter", "garch-model", "execution", "risk-manager"]) assert.ok(admitted(target, "orchestrator"), target);
                assert.ok(calls >= 9);
            }
        });

        it("layers the shared ConfigMap under each service's ConfigMap", () => {
            const common = one(ev, "core/v1:ConfigMap", `${x.stack}-common`);
            assert.equal(common.immutable, true);
            assert.deepEqual(common.data, { ENVIRONMENT: x.stack, LOG_LEVEL: x.logLevel, OTEL_EXPORTER_OTLP_ENDPOINT: x.telemetryEndpoint, ...x.commonEnv });
            for (const svc of SERVICES) {
                const cm = one(ev, "core/v1:ConfigMap", `${svc}-config`);
                assert.equal(cm.immutable, true);
                assert.deepEqual(cm.data, { SERVICE_NAME: svc, PORT: String(x.services[svc].port), ...x.services[svc].env });
            }
            if (ex) {
                assert.deepEqual(common.data, { ENVIRONMENT: stack, LOG_LEVEL: ex.logLevel, OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector.observability.svc:4318", TZ: "UTC" });
                assert.deepEqual(one(ev, "core/v1:ConfigMap", "orchestrator-config").data, { SERVICE_NAME: "orchestrator", PORT: "8005", ...ORCHESTRATOR_ENV });
                assert.deepEqual(one(ev, "core/v1:ConfigMap", "ingestion-config").data, { SERVICE_NAME: "ingestion", PORT: "8000", MARKET_DATA_FEED: "wss://feed.example-exchange.com/v2" });
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
            ...ORCHESTRATOR_ENV,
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
        // Production's autoscalers, one per service its configuration autoscales (the orchestrator's among them).
        const autoscaled = SERVICES.filter((s) => stackFacts("production").services[s].autoscaling !== undefined);
        assert.deepEqual([...ofKind(ev, "autoscaling/v2:HorizontalPodAutoscaler").keys()].sort(), autoscaled.map((s) => `${s}-hpa`));
        assert.equal(one(ev, "autoscaling/v2:HorizontalPodAutoscaler", "orchestrator-hpa").spec.maxReplicas, 12);
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
                // Every service's Ingress: the orchestrator's, and any other the catalog adds.
                for (const svc of Object.values<any>(v.catalog.services)) delete svc.ingress;
                for (const svc of Object.values<any>(v.environment.services ?? {})) delete svc.ingress;
                delete v.environment.publicService;
            }),
        );
        assert.equal(ofKind(ev, "networking.k8s.io/v1:NetworkPolicy").has("staging-acme-solver"), false);
        assert.equal((ev.outputs as { publicUrl?: string }).publicUrl, undefined, "no public URL without an exposed service");
        assert.equal(ofKind(ev, "networking.k8s.io/v1:NetworkPolicy").has("staging-default-deny"), true);
        assert.equal(ofKind(ev, "networking.k8s.io/v1:Ingress").size, 0);
    });
});
