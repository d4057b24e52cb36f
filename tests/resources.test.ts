import * as assert from "node:assert/strict";
import { Evaluation, RecordedResource } from "../tools/harness/evaluate";
import { StackConfig } from "../tools/harness/stackFiles";
import { expectedCounts, factsOf, REPO_STACKS, ServiceFacts, servicesOf, stackFacts } from "./facts-resources";
import { deployedImage, editedConfig, PROJECT, one, ofKind, run, SERVICES, stackConfig, uncached, unwrap } from "./support";

/**
 * Hand-written facts of the example catalog's two stacks, so that a regression in the program
 * fails even where the expectation is derived from the configuration (tests/facts-resources.ts).
 */
const EXAMPLE: Record<string, { namespace: string; tag: string; logLevel: string; host: string; issuer: string; wait: string; requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } }> = {
    staging: {
        namespace: "hft-staging", tag: "main-3f9c2ab", logLevel: "DEBUG", host: "trading.staging.acme-trading.example", issuer: "letsencrypt-production", wait: "240",
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
/** The service a resource belongs to, from its Pulumi name (`<service>-<role>`, the longest such name); undefined for the environment's own. */
const owner = (r: RecordedResource) =>
    SERVICES.filter((s) => r.name.startsWith(`${s}-`)).sort((a, b) => b.length - a.length)[0];
/** The Pulumi name of a service's workload, by the kind of object it is. */
const workloadName = (svc: string, f: ServiceFacts) => `${svc}-${f.workload.slice(f.workload.indexOf(":") + 1).toLowerCase()}`;
const workloadOf = (ev: Evaluation, svc: string, f: ServiceFacts) => one(ev, f.workload, workloadName(svc, f));
/** The pod template of a workload: a CronJob keeps it in its job template. */
const podTemplateOf = (w: any, f: ServiceFacts) => (f.workload === "batch/v1:CronJob" ? w.spec.jobTemplate.spec.template : w.spec.template);
const WORKLOAD_KINDS = ["apps/v1:Deployment", "apps/v1:StatefulSet", "batch/v1:CronJob", "argoproj.io/v1alpha1:Rollout"] as const;
/** The labels of the pods that verify a service's releases (docs/verification.md). */
const verifier = (svc: string) => ({ "app.kubernetes.io/component": "verification", "app.kubernetes.io/instance": svc, "app.kubernetes.io/part-of": "hft" });

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
                // The example: one Namespace, and per service a ServiceAccount; the six web services' Services, Deployments and policies.
                assert.equal(counts["core/v1:Namespace"], 1);
                for (const kind of ["core/v1:ServiceAccount", "core/v1:Service", "apps/v1:Deployment"]) assert.ok(counts[kind] >= 6, kind);
                assert.ok(counts["networking.k8s.io/v1:NetworkPolicy"] >= 8);
                // The nightly report is a CronJob in both stacks; Redis a StatefulSet where it runs (staging).
                assert.equal(counts["batch/v1:CronJob"], 1);
                assert.equal(counts["apps/v1:StatefulSet"], stack === "staging" ? 1 : undefined);
                // Production's Prometheus Operator: a ServiceMonitor per web service (six or more), a PodMonitor for the worker.
                if (stack === "production") assert.ok(counts["monitoring.coreos.com/v1:ServiceMonitor"] >= 6 && counts["monitoring.coreos.com/v1:PodMonitor"] === 1);
                else assert.deepEqual([counts["monitoring.coreos.com/v1:ServiceMonitor"], counts["monitoring.coreos.com/v1:PodMonitor"]], [undefined, undefined]);
            }
        });

        it("leaves out the services the stack turns off, and nothing else", () => {
            assert.deepEqual(servicesOf(x), SERVICES.filter((s) => !x.disabled.includes(s)));
            for (const svc of x.disabled) {
                assert.deepEqual(k8sResources(ev).filter((r) => owner(r) === svc).map((r) => r.name), [], `${svc} is off`);
                assert.equal(svc in (ev.outputs as any).services, false, svc);
            }
            if (ex) assert.deepEqual(x.disabled, stack === "production" ? ["redis"] : []);
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
            const monitor = (r: RecordedResource) => r.type.startsWith("kubernetes:monitoring.coreos.com/v1:");
            for (const r of k8sResources(ev)) {
                const meta = (r.inputs as any).metadata;
                const svc = owner(r);
                if (r.name.startsWith(`${svc}-canary-wait`)) {
                    // An in-cluster canary's wait (its Job, ServiceAccount, Role and binding) carries no service's name either.
                    assert.deepEqual(meta.labels, { "app.kubernetes.io/component": "canary-wait", "app.kubernetes.io/instance": svc, "app.kubernetes.io/part-of": "hft", "app.kubernetes.io/managed-by": "pulumi", environment: x.stack }, `labels of ${r.name}`);
                    assert.equal(meta.namespace, x.namespace);
                    continue;
                }
                if (r.type === "kubernetes:batch/v1:Job") {
                    // A verification Job carries no service's name, so no Service selects its pods.
                    assert.deepEqual(meta.labels, { ...verifier(svc), "app.kubernetes.io/managed-by": "pulumi", environment: x.stack }, `labels of ${r.name}`);
                    assert.equal(meta.namespace, x.namespace);
                    continue;
                }
                assert.deepEqual(
                    r.type === "kubernetes:core/v1:Namespace" ? Object.fromEntries(Object.entries(meta.labels).filter(([k]) => !k.startsWith("pod-security"))) : meta.labels,
                    {
                        "app.kubernetes.io/name": svc ?? "hft",
                        "app.kubernetes.io/part-of": "hft",
                        "app.kubernetes.io/managed-by": "pulumi",
                        // The version is the service's image tag: its own (Redis 7.4.1) or the stack's.
                        ...(svc ? { "app.kubernetes.io/version": x.services[svc].tag } : {}),
                        environment: x.stack,
                        // A monitor also carries the labels the stack's Prometheus selects monitors by.
                        ...(monitor(r) ? x.monitoring.labels : {}),
                    },
                    `labels of ${r.name}`,
                );
                if (r.type !== "kubernetes:core/v1:Namespace") assert.equal(meta.namespace, x.namespace, `namespace of ${r.name}`);
            }
            if (ex) {
                assert.equal(one(ev, "apps/v1:Deployment", "execution-deployment").metadata.labels["app.kubernetes.io/version"], ex.tag);
                if (stack === "staging") assert.equal(one(ev, "apps/v1:StatefulSet", "redis-statefulset").metadata.labels["app.kubernetes.io/version"], "7.4.1");
                if (stack === "production") assert.equal(one(ev, "monitoring.coreos.com/v1:ServiceMonitor", "execution-servicemonitor").metadata.labels.release, "kube-prometheus-stack");
            }
        });

        it("runs each service's pods hardened, with the stack's image, ports, probes, resources and volumes", () => {
            const common = objectName(ev, "core/v1:ConfigMap", `${x.stack}-common`);
            for (const svc of servicesOf(x)) {
                const f = x.services[svc];
                const w = workloadOf(ev, svc, f);
                const t = podTemplateOf(w, f);
                const spread = f.maxReplicas > 1;
                assert.equal(w.metadata.name, svc);
                assert.deepEqual(t.metadata.labels, { ...selector(svc), "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/version": f.tag, environment: x.stack });
                // Without the Prometheus Operator, the pods of a scraped service say where their metrics are.
                const scrape = f.metrics && !x.monitoring.operator ? { "prometheus.io/scrape": "true", "prometheus.io/port": String(f.metrics.port), "prometheus.io/path": f.metrics.path } : {};
                assert.deepEqual(t.metadata.annotations, { "checksum/config": t.metadata.annotations["checksum/config"], "kubectl.kubernetes.io/default-container": svc, ...scrape }, svc);
                assert.match(t.metadata.annotations["checksum/config"], /^[0-9a-f]{16}$/);
                assert.equal(objectName(ev, "core/v1:ServiceAccount", `${svc}-sa`), svc);
                assert.equal(one(ev, "core/v1:ServiceAccount", `${svc}-sa`).automountServiceAccountToken, false);
                const ports = [
                    ...(f.port !== undefined ? [{ name: f.portName, containerPort: f.port, protocol: "TCP" }] : []),
                    ...(f.metrics && f.metrics.port !== f.port ? [{ name: "metrics", containerPort: f.metrics.port, protocol: "TCP" }] : []),
                ];
                const probe = (which: "liveness" | "readiness" | "startup") => (f.probes[which] ? { [`${which}Probe`]: f.probes[which] } : {});
                const volumeOf = (v: ServiceFacts["volumes"][number]) => {
                    switch (v.source) {
                        case "files":
                            return { configMap: { name: objectName(ev, "core/v1:ConfigMap", `${svc}-files-${v.name}`) } };
                        case "configMap":
                            return { configMap: { name: v.settings.configMap } };
                        case "secret":
                            return { secret: { secretName: v.settings.secret } };
                        case "existingClaim":
                            return { persistentVolumeClaim: { claimName: v.settings.existingClaim, ...(v.readOnly ? { readOnly: true } : {}) } };
                        default:
                            return { emptyDir: v.settings.emptyDir ?? { sizeLimit: "256Mi" } };
                    }
                };
                const { initContainers, ...spec } = t.spec;
                assert.deepEqual((initContainers ?? []).map((c: any) => c.name).sort(), [...f.extraContainers].sort(), svc);
                assert.deepEqual(spec, {
                    serviceAccountName: svc,
                    automountServiceAccountToken: f.rbac,
                    ...(x.registryCredentials ? { imagePullSecrets: [{ name: objectName(ev, "core/v1:Secret", `${x.stack}-registry`) }] } : {}),
                    // A cronjob's run is not restarted in place: the Job retries it (backoffLimit).
                    ...(f.kind === "cronjob" ? { restartPolicy: "Never" } : {}),
                    securityContext: { runAsNonRoot: true, runAsUser: f.runAsUser, runAsGroup: f.runAsUser, fsGroup: f.runAsUser, seccompProfile: { type: "RuntimeDefault" } },
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
                            ...(f.command ? { command: f.command } : {}),
                            ...(f.args ? { args: f.args } : {}),
                            ...(ports.length > 0 ? { ports } : {}),
                            envFrom: [
                                { configMapRef: { name: common } },
                                { configMapRef: { name: objectName(ev, "core/v1:ConfigMap", `${svc}-config`) } },
                                ...(f.hasSecrets ? [{ secretRef: { name: objectName(ev, "core/v1:Secret", `${svc}-secrets`) } }] : []),
                            ],
                            ...probe("liveness"),
                            ...probe("readiness"),
                            ...probe("startup"),
                            resources: f.resources,
                            securityContext: {
                                allowPrivilegeEscalation: false,
                                readOnlyRootFilesystem: true,
                                runAsNonRoot: true,
                                capabilities: { drop: ["ALL"] },
                                seccompProfile: { type: "RuntimeDefault" },
                            },
                            volumeMounts: [{ name: "tmp", mountPath: "/tmp" }, ...f.volumes.map((v) => ({ name: v.name, mountPath: v.mountPath, ...(v.readOnly ? { readOnly: true } : {}) }))],
                        },
                    ],
                    // A claim is not a pod volume: a StatefulSet's claim template gives each pod its own.
                    volumes: [{ name: "tmp", emptyDir: { sizeLimit: "256Mi" } }, ...f.volumes.filter((v) => v.source !== "claim").map((v) => ({ name: v.name, ...volumeOf(v) }))],
                }, svc);
                assert.equal(f.image, deployedImage(x.stack, svc), svc);
            }
            const withSecrets = servicesOf(x, (s) => s.hasSecrets);
            assert.deepEqual([...ofKind(ev, "core/v1:Secret").keys()].sort(), [...withSecrets.map((s) => `${s}-secrets`), ...(x.registryCredentials ? [`${x.stack}-registry`] : [])].sort());
            if (ex) {
                // ingestion: port 8000, a startup probe, its API key in a Secret, the stack's tier.
                const c = one(ev, "apps/v1:Deployment", "ingestion-deployment").spec.template.spec.containers[0];
                assert.deepEqual(c.ports, [{ name: "http", containerPort: 8000, protocol: "TCP" }]);
                assert.deepEqual(c.startupProbe, probeOf("/healthz", 5, 30));
                assert.equal(c.envFrom[2].secretRef.name, objectName(ev, "core/v1:Secret", "ingestion-secrets"));
                assert.deepEqual(c.resources, { requests: ex.requests, limits: ex.limits });
                assert.equal(one(ev, "apps/v1:Deployment", "kalman-filter-deployment").spec.template.spec.containers[0].envFrom.length, 2);
                assert.ok(workloadOf(ev, "orchestrator", x.services.orchestrator).spec.template.spec.topologySpreadConstraints, "the orchestrator runs 2 or more replicas, spread");
                // The worker serves no port of its own: only metrics, where its probes also look.
                const worker = one(ev, "apps/v1:Deployment", "position-reconciler-deployment").spec.template.spec.containers[0];
                assert.deepEqual(worker.ports, [{ name: "metrics", containerPort: 9090, protocol: "TCP" }]);
                assert.deepEqual(worker.readinessProbe.httpGet, { path: "/readyz", port: 9090 });
                assert.deepEqual(worker.command, ["python", "-m", "execution.reconciler"]);
                // The cronjob inherits no probes from the catalog's defaults.
                const report = one(ev, "batch/v1:CronJob", "risk-report-cronjob").spec.jobTemplate.spec.template.spec;
                assert.equal(report.restartPolicy, "Never");
                assert.deepEqual(Object.keys(report.containers[0]).filter((k) => k.endsWith("Probe") || k === "ports"), []);
                if (stack === "staging") {
                    // Redis: its own user, exec and TCP probes, its config file read-only, its data on the claim.
                    const redis = one(ev, "apps/v1:StatefulSet", "redis-statefulset").spec.template.spec;
                    assert.equal(redis.securityContext.runAsUser, 999);
                    assert.deepEqual(redis.containers[0].livenessProbe.exec, { command: ["redis-cli", "ping"] });
                    assert.deepEqual(redis.containers[0].readinessProbe.tcpSocket, { port: "main" });
                    assert.deepEqual(redis.containers[0].volumeMounts.slice(1), [
                        { name: "config", mountPath: "/usr/local/etc/redis", readOnly: true },
                        { name: "data", mountPath: "/data" },
                    ]);
                }
            }
        });

        it("runs web services and workers as Deployments, stateful services as StatefulSets with a claim per pod, cronjobs on their schedule", () => {
            for (const kind of WORKLOAD_KINDS) {
                const expected = servicesOf(x, (s) => s.workload === kind).map((s) => `${s}-${kind.slice(kind.indexOf(":") + 1).toLowerCase()}`);
                assert.deepEqual([...ofKind(ev, kind).keys()].sort(), expected, kind);
            }
            for (const svc of servicesOf(x)) {
                const f = x.services[svc];
                const w = workloadOf(ev, svc, f);
                const replicas = f.replicas !== undefined ? { replicas: f.replicas } : {};
                if (f.workload === "apps/v1:Deployment") {
                    const { template, ...spec } = w.spec;
                    assert.ok(template, svc);
                    assert.deepEqual(spec, {
                        ...replicas,
                        revisionHistoryLimit: 10,
                        progressDeadlineSeconds: x.progressDeadline,
                        selector: { matchLabels: selector(svc) },
                        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
                    }, svc);
                } else if (f.workload === "argoproj.io/v1alpha1:Rollout") {
                    // An in-cluster canary (docs/canary-in-cluster.md): the Deployment's spec, its canary steps in place of the rolling update.
                    const { template, ...spec } = w.spec;
                    assert.ok(template, svc);
                    const r = f.rollout!;
                    const templates = Object.keys(r.templates).length > 0;
                    const watch = (windowSeconds: number) =>
                        templates
                            ? { analysis: { templates: [{ templateName: r.templates[windowSeconds] }], args: [{ name: "canary-hash", valueFrom: { podTemplateHashValue: "Latest" } }] } }
                            : { pause: { duration: `${windowSeconds}s` } };
                    assert.deepEqual(spec, {
                        ...replicas,
                        revisionHistoryLimit: 10,
                        progressDeadlineSeconds: x.progressDeadline,
                        selector: { matchLabels: selector(svc) },
                        progressDeadlineAbort: true,
                        strategy: { canary: { maxSurge: 1, maxUnavailable: 0, steps: r.steps.flatMap((st) => [{ setWeight: st.weight }, watch(st.windowSeconds)]) } },
                    }, svc);
                    // Nothing awaits the Rollout itself: its wait Job does (tests/canaryWait.test.ts).
                    assert.equal(w.metadata.annotations, undefined, svc);
                } else if (f.workload === "apps/v1:StatefulSet") {
                    const { template, ...spec } = w.spec;
                    assert.ok(template, svc);
                    assert.deepEqual(spec, {
                        ...replicas,
                        serviceName: svc,
                        podManagementPolicy: "OrderedReady",
                        updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
                        revisionHistoryLimit: 10,
                        selector: { matchLabels: selector(svc) },
                        ...(Object.keys(f.claims).length > 0
                            ? {
                                  volumeClaimTemplates: Object.entries(f.claims).map(([name, c]) => ({
                                      metadata: { name, labels: selector(svc) },
                                      spec: { accessModes: [c.accessMode], ...(c.storageClass ? { storageClassName: c.storageClass } : {}), resources: { requests: { storage: c.size } } },
                                  })),
                              }
                            : {}),
                        persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
                    }, svc);
                } else {
                    const { template, ...jobSpec } = w.spec.jobTemplate.spec;
                    assert.ok(template, svc);
                    const { backoffLimit, activeDeadlineSeconds, ttlSecondsAfterFinished, schedule, ...cron } = f.job as Record<string, unknown>;
                    assert.deepEqual({ ...w.spec, jobTemplate: { metadata: w.spec.jobTemplate.metadata, spec: jobSpec } }, {
                        schedule,
                        ...cron,
                        jobTemplate: {
                            metadata: { labels: { ...selector(svc), "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/version": f.tag, environment: x.stack } },
                            spec: {
                                backoffLimit,
                                ...(activeDeadlineSeconds !== undefined ? { activeDeadlineSeconds } : {}),
                                ...(ttlSecondsAfterFinished !== undefined ? { ttlSecondsAfterFinished } : {}),
                            },
                        },
                    }, svc);
                }
            }
            const claims = Object.fromEntries(servicesOf(x).flatMap((s) => Object.entries(x.services[s].claims).map(([v, c]) => [`${s}/${v}`, c])));
            // The claims and the releases are outputs, read back by the next update through a reference
            // to the stack itself; a stack promoted from another also reads that one's releases.
            assert.deepEqual((ev.outputs as any).claims, Object.keys(claims).length > 0 ? claims : undefined);
            const promotedFrom = JSON.parse(stackConfig(stack).config[`${PROJECT}:environment`]).promotion?.from;
            assert.deepEqual(
                ev.resources.filter((r) => r.type === "pulumi:pulumi:StackReference").map((r) => [r.name, r.inputs.name]).sort(),
                [["last-update", `organization/${PROJECT}/${stack}`], ...(promotedFrom ? [["promotion-source", `organization/${PROJECT}/${promotedFrom}`]] : [])],
            );
            if (ex) {
                const report = one(ev, "batch/v1:CronJob", "risk-report-cronjob").spec;
                assert.deepEqual([report.schedule, report.timeZone, report.jobTemplate.spec.activeDeadlineSeconds], ["30 17 * * 1-5", "America/New_York", 1800]);
                if (stack === "staging") {
                    // Staging's own claim for Redis: 2Gi on the SSD class, over the catalog's 1Gi.
                    assert.deepEqual(one(ev, "apps/v1:StatefulSet", "redis-statefulset").spec.volumeClaimTemplates[0].spec, {
                        accessModes: ["ReadWriteOnce"],
                        storageClassName: "premium-rwo",
                        resources: { requests: { storage: "2Gi" } },
                    });
                    assert.deepEqual((ev.outputs as any).claims, { "redis/data": { size: "2Gi", accessMode: "ReadWriteOnce", storageClass: "premium-rwo" } });
                }
            }
        });

        it("runs fixed replica counts or an autoscaler per service, and a budget wherever more than one replica runs", () => {
            for (const svc of servicesOf(x)) {
                const f = x.services[svc];
                const w = workloadOf(ev, svc, f);
                const hpa = ofKind(ev, "autoscaling/v2:HorizontalPodAutoscaler").get(`${svc}-hpa`)?.inputs as any;
                if (f.autoscaling) {
                    assert.equal("replicas" in w.spec, false, `${svc} workload sets replicas`);
                    assert.ok(hpa, `${svc} has no autoscaler`);
                    assert.equal(hpa.metadata.name, svc);
                    const utilization = (name: string, averageUtilization: number) => ({ type: "Resource", resource: { name, target: { type: "Utilization", averageUtilization } } });
                    const [apiVersion, kind] = f.workload.split(":");
                    assert.deepEqual(hpa.spec, {
                        scaleTargetRef: { apiVersion, kind, name: objectName(ev, f.workload, workloadName(svc, f)) },
                        minReplicas: f.autoscaling.minReplicas,
                        maxReplicas: f.autoscaling.maxReplicas,
                        metrics: [utilization("cpu", 70), utilization("memory", 80)],
                    });
                } else {
                    // A cronjob runs one pod per run: no replica count at all.
                    assert.equal(w.spec.replicas, f.replicas, svc);
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
            // Shared defaults give a cronjob no autoscaler, budget or replica count.
            assert.ok(servicesOf(x, (s) => s.kind === "cronjob").every((s) => x.services[s].replicas === undefined && !x.services[s].pdb && !x.services[s].autoscaling));
            if (stack === "staging") {
                // The orchestrator runs 2 replicas with a budget; the others one each, without.
                assert.equal(one(ev, "apps/v1:Deployment", "orchestrator-deployment").spec.replicas, 2);
                assert.deepEqual(one(ev, "policy/v1:PodDisruptionBudget", "orchestrator-pdb").spec, { maxUnavailable: 1, selector: { matchLabels: selector("orchestrator") } });
                assert.equal(one(ev, "apps/v1:Deployment", "execution-deployment").spec.replicas, 1);
                assert.equal(one(ev, "apps/v1:StatefulSet", "redis-statefulset").spec.replicas, 1);
                assert.equal("replicas" in one(ev, "batch/v1:CronJob", "risk-report-cronjob").spec, false);
                assert.equal(ofKind(ev, "policy/v1:PodDisruptionBudget").has("execution-pdb"), false);
                assert.equal(ofKind(ev, "autoscaling/v2:HorizontalPodAutoscaler").size, 0);
            }
            if (stack === "production") {
                // Every long-running service autoscaled from 3; execution up to 6, the orchestrator 12, the others 10.
                const bounds = (svc: string) => [one(ev, "autoscaling/v2:HorizontalPodAutoscaler", `${svc}-hpa`).spec.minReplicas, one(ev, "autoscaling/v2:HorizontalPodAutoscaler", `${svc}-hpa`).spec.maxReplicas];
                assert.deepEqual(bounds("execution"), [3, 6]);
                assert.deepEqual(bounds("orchestrator"), [3, 12]);
                assert.deepEqual(bounds("garch-model"), [3, 10]);
                assert.deepEqual(bounds("position-reconciler"), [3, 10]);
                assert.equal(ofKind(ev, "policy/v1:PodDisruptionBudget").has("kalman-filter-pdb"), true);
                // The cronjob takes neither the stack's autoscaling nor its budget.
                assert.equal(ofKind(ev, "autoscaling/v2:HorizontalPodAutoscaler").has("risk-report-hpa"), false);
                assert.equal(ofKind(ev, "policy/v1:PodDisruptionBudget").has("risk-report-pdb"), false);
            }
        });

        it("exposes each web and stateful service under its own name (headless when stateful), and its address as output", () => {
            const outputs = (ev.outputs as any).services;
            assert.deepEqual(Object.keys(outputs).sort(), servicesOf(x));
            assert.deepEqual([...ofKind(ev, "core/v1:Service").keys()].sort(), servicesOf(x, (s) => s.hasService).map((s) => `${s}-service`));
            for (const svc of servicesOf(x)) {
                const f = x.services[svc];
                const ingress = f.ingress;
                // A web service is called over HTTP; a stateful one by host and port.
                const host = `${svc}.${x.namespace}.svc.cluster.local`;
                const address = !f.hasService ? {} : f.kind === "web" ? { address: `http://${host}${f.servicePort === 80 ? "" : `:${f.servicePort}`}` } : { address: `${host}:${f.servicePort}` };
                // From a laptop: the container's port, forwarded to the Service's (what a local stack, exposing nothing, is reached by).
                const portForward = f.hasService ? { portForward: `kubectl port-forward --namespace ${x.namespace} service/${svc} ${f.port}:${f.servicePort}` } : {};
                assert.deepEqual(outputs[svc], { ...address, ...portForward, image: deployedImage(x.stack, svc), url: ingress ? `https://${ingress.host}${ingress.path}` : undefined }, svc);
                if (!f.hasService) continue;
                const s = one(ev, "core/v1:Service", `${svc}-service`);
                assert.equal(s.metadata.name, svc);
                assert.deepEqual(s.spec, {
                    type: "ClusterIP",
                    ...(f.kind === "stateful" ? { clusterIP: "None" } : {}),
                    selector: selector(svc),
                    ports: [
                        { name: f.portName, port: f.servicePort, targetPort: f.portName, protocol: "TCP" },
                        // A ServiceMonitor scrapes a port of the Service by name.
                        ...(f.metrics && f.metrics.port !== f.port ? [{ name: "metrics", port: f.metrics.port, targetPort: "metrics", protocol: "TCP" }] : []),
                    ],
                }, svc);
            }
            if (ex) {
                assert.equal(outputs.orchestrator.url, `https://${ex.host}/`);
                assert.equal(outputs.execution.address, `http://execution.${ex.namespace}.svc.cluster.local`);
                assert.equal(outputs.execution.url, undefined);
                assert.deepEqual(outputs["position-reconciler"], { image: deployedImage(stack, "position-reconciler"), url: undefined });
                if (stack === "staging") {
                    assert.equal(outputs.redis.address, "redis.hft-staging.svc.cluster.local:6379");
                    assert.equal(one(ev, "core/v1:Service", "redis-service").spec.clusterIP, "None");
                }
            }
        });

        it("gives a TLS Ingress on the stack's domain to exactly the services the catalog exposes, when the stack uses Ingresses", () => {
            const exposed = servicesOf(x, (s) => s.ingress !== undefined);
            assert.deepEqual([...ofKind(ev, "networking.k8s.io/v1:Ingress").keys()].sort(), x.exposure === "gateway" ? [] : exposed.map((s) => `${s}-ingress`));
            for (const svc of x.exposure === "gateway" ? [] : exposed) {
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
            if (ex && stack === "production") {
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

        it("gives an HTTPRoute on the stack's Gateway, and a redirect on its HTTP listener, to exactly the exposed services, when the stack uses Gateway API", () => {
            const exposed = servicesOf(x, (s) => s.ingress !== undefined);
            const routes = [...ev.resources.filter((r) => r.type === "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute").map((r) => r.name)].sort();
            if (x.exposure === "ingress") {
                assert.deepEqual(routes, []);
                return;
            }
            const g = x.gateway!;
            assert.deepEqual(routes, exposed.flatMap((svc) => [`${svc}-route`, ...(g.httpListener ? [`${svc}-route-https-redirect`] : [])]).sort());
            const parent = (sectionName: string) => ({ group: "gateway.networking.k8s.io", kind: "Gateway", name: g.name, namespace: g.namespace, sectionName });
            for (const svc of exposed) {
                const f = x.services[svc];
                const route = unwrap(ev.resources.find((r) => r.name === `${svc}-route`)!.inputs);
                assert.equal(route.metadata.name, svc);
                assert.deepEqual(route.spec.parentRefs, [parent(g.listener)]);
                assert.deepEqual(route.spec.hostnames, [f.ingress!.host]);
                assert.deepEqual(route.spec.rules[0].matches, [{ path: { type: "PathPrefix", value: f.ingress!.path } }]);
                assert.deepEqual(route.spec.rules[0].backendRefs, [{ name: svc, port: f.servicePort }]);
                if (g.httpListener) {
                    const redirect = unwrap(ev.resources.find((r) => r.name === `${svc}-route-https-redirect`)!.inputs);
                    assert.deepEqual(redirect.spec, {
                        parentRefs: [parent(g.httpListener)],
                        hostnames: [f.ingress!.host],
                        rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
                    });
                }
            }
            if (ex && stack === "staging") {
                // Staging's orchestrator: the catalog's one CORS origin as response headers on the shared Gateway's HTTPS listener.
                const route = unwrap(ev.resources.find((r) => r.name === "orchestrator-route")!.inputs);
                assert.deepEqual(route.spec.parentRefs, [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "public", namespace: "gateway-system", sectionName: "https" }]);
                assert.deepEqual(route.spec.rules[0].filters, [
                    {
                        type: "ResponseHeaderModifier",
                        responseHeaderModifier: {
                            set: [
                                { name: "Access-Control-Allow-Origin", value: "https://dashboard.acme-trading.example" },
                                { name: "Access-Control-Allow-Methods", value: "GET, POST, PUT, DELETE, OPTIONS" },
                                { name: "Access-Control-Allow-Headers", value: "Authorization, Content-Type" },
                                { name: "Vary", value: "Origin" },
                            ],
                        },
                    },
                ]);
                assert.equal(route.metadata.annotations["pulumi.com/waitFor"], 'jsonpath={.status.parents[*].conditions[?(@.type=="Accepted")].status}=True');
            }
        });

        it("denies ingress by default and admits exactly each service's callers on its port, and Prometheus on its metrics port", () => {
            const deny = one(ev, "networking.k8s.io/v1:NetworkPolicy", `${x.stack}-default-deny`);
            assert.equal(deny.metadata.name, "default-deny-ingress");
            assert.deepEqual(deny.spec, { podSelector: {}, policyTypes: ["Ingress"] });
            // cert-manager's HTTP-01 solver answers Let's Encrypt through the ingress controller
            // (a stack with no Ingress has none: "a stack with no Ingress" below).
            // The local stack (exposure: none) exposes nothing, so it has none either.
            assert.equal(servicesOf(x).some((s) => x.services[s].ingress !== undefined), x.exposure !== "none", "a repo stack exposes a service unless it exposes nothing");
            if (x.exposure === "none") {
                assert.equal(ofKind(ev, "networking.k8s.io/v1:NetworkPolicy").has(`${x.stack}-acme-solver`), false);
            } else {
                const solver = one(ev, "networking.k8s.io/v1:NetworkPolicy", `${x.stack}-acme-solver`);
                assert.deepEqual(solver.spec, {
                    podSelector: { matchLabels: { "acme.cert-manager.io/http01-solver": "true" } },
                    policyTypes: ["Ingress"],
                    ingress: [{ from: x.exposurePeers, ports: [{ port: 8089, protocol: "TCP" }] }],
                });
            }
            const namespace = (name: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } } });
            const rulesOf = (f: ServiceFacts) => {
                const ports = [{ port: f.port, protocol: "TCP" }];
                const served = f.port !== undefined;
                return [
                    ...(served && f.ingress ? [{ from: x.exposurePeers, ports }] : []),
                    ...(served && f.allowFrom.length > 0 ? [{ from: f.allowFrom.map((c) => ({ podSelector: { matchLabels: selector(c) } })), ports }] : []),
                    ...(f.metrics ? [{ from: [namespace(x.monitoring.namespace)], ports: [{ port: f.metrics.port, protocol: "TCP" }] }] : []),
                    // The pods of each verification Job that checks it, on the ports it checks.
                    ...f.verifiedBy.map((v) => ({ from: [{ podSelector: { matchLabels: verifier(v.service) } }], ports: v.ports.map((port) => ({ port, protocol: "TCP" })) })),
                ];
            };
            // A service nobody calls or scrapes (the cronjob) gets none: the default deny holds.
            const withPolicy = servicesOf(x, (s) => s.networkPolicy);
            assert.deepEqual(
                [...ofKind(ev, "networking.k8s.io/v1:NetworkPolicy").keys()].filter((n) => owner({ name: n } as RecordedResource)).sort(),
                withPolicy.map((s) => `${s}-netpol`),
            );
            for (const svc of withPolicy) {
                const np = one(ev, "networking.k8s.io/v1:NetworkPolicy", `${svc}-netpol`);
                assert.equal(np.metadata.name, svc);
                assert.deepEqual(np.spec, { podSelector: { matchLabels: selector(svc) }, policyTypes: ["Ingress"], ingress: rulesOf(x.services[svc]) }, svc);
            }
            if (ex) {
                // risk-manager (8004) admits execution, the orchestrator and the report; the orchestrator (8005) first the ingress controller.
                const spec = (svc: string) => one(ev, "networking.k8s.io/v1:NetworkPolicy", `${svc}-netpol`).spec.ingress;
                const admitted = (svc: string) => spec(svc).flatMap((r: any) => r.from.map((p: any) => p.podSelector?.matchLabels?.["app.kubernetes.io/name"])).filter(Boolean);
                assert.ok(["execution", "orchestrator", "risk-report"].every((c) => admitted("risk-manager").includes(c)));
                assert.equal(admitted("risk-manager").includes("kalman-filter"), false);
                assert.deepEqual(spec("risk-manager")[0].ports, [{ port: 8004, protocol: "TCP" }]);
                // Production admits the ingress controller's namespace; staging only the shared Gateway's proxies.
                assert.deepEqual(
                    spec("orchestrator")[0].from,
                    stack === "production"
                        ? [namespace("ingress-nginx")]
                        : [{ ...namespace("gateway-system"), podSelector: { matchLabels: { "gateway.envoyproxy.io/owning-gateway-name": "public" } } }],
                );
                assert.deepEqual(spec("orchestrator")[0].ports, [{ port: 8005, protocol: "TCP" }]);
                // The worker is only scraped, on 9090, from Prometheus' namespace.
                assert.deepEqual(spec("position-reconciler"), [{ from: [namespace("monitoring")], ports: [{ port: 9090, protocol: "TCP" }] }]);
                assert.equal(ofKind(ev, "networking.k8s.io/v1:NetworkPolicy").has("risk-report-netpol"), false);
            }
        });

        it("admits every caller that the catalog points at a service by URL", () => {
            // A service whose env names <scheme>://<other> must be let through <other>'s policy.
            const admitted = (target: string, caller: string) =>
                (one(ev, "networking.k8s.io/v1:NetworkPolicy", `${target}-netpol`).spec.ingress as any[]).some((rule) =>
                    rule.from.some((peer: any) => peer.podSelector?.matchLabels?.["app.kubernetes.io/name"] === caller),
                );
            const hostOf = (url: string) => /^[a-z][a-z0-9+.-]*:\/\/([a-z0-9-]+)(:[0-9]+)?(\/|$)/.exec(url)?.[1];
            const targetOf = (url: string) => {
                const target = hostOf(url);
                return target && servicesOf(x).includes(target) ? target : undefined;
            };
            // No service points at one the stack turns off (production points at its managed Redis instead).
            const all = servicesOf(x).flatMap((s) => Object.values(x.services[s].env));
            assert.deepEqual(all.filter((url) => x.disabled.includes(hostOf(url) ?? "")), []);
            let calls = 0;
            const expectedCalls = all.filter((url) => targetOf(url) !== undefined).length;
            for (const caller of servicesOf(x)) {
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
                // The orchestrator calls the five other web services, and each admits it; the report calls the risk manager.
                for (const target of ["ingestion", "kalman-filter", "garch-model", "execution", "risk-manager"]) assert.ok(admitted(target, "orchestrator"), target);
                assert.ok(admitted("risk-manager", "risk-report"));
                assert.ok(admitted("execution", "position-reconciler"));
                if (stack === "staging") assert.ok(admitted("redis", "execution") && admitted("redis", "risk-manager"));
                assert.ok(calls >= 9);
            }
        });

        it("layers the shared ConfigMap under each service's ConfigMap, and writes each files volume into a ConfigMap of its own", () => {
            const common = one(ev, "core/v1:ConfigMap", `${x.stack}-common`);
            assert.equal(common.immutable, true);
            assert.deepEqual(common.data, { ENVIRONMENT: x.stack, LOG_LEVEL: x.logLevel, ...(x.telemetryEndpoint ? { OTEL_EXPORTER_OTLP_ENDPOINT: x.telemetryEndpoint } : {}), ...x.commonEnv });
            for (const svc of servicesOf(x)) {
                const f = x.services[svc];
                const cm = one(ev, "core/v1:ConfigMap", `${svc}-config`);
                assert.equal(cm.immutable, true);
                // PORT only for a service with a port (a cronjob has none).
                assert.deepEqual(cm.data, { SERVICE_NAME: svc, ...(f.port !== undefined ? { PORT: String(f.port) } : {}), ...f.env });
                for (const v of f.volumes.filter((v) => v.source === "files")) {
                    const files = one(ev, "core/v1:ConfigMap", `${svc}-files-${v.name}`);
                    assert.equal(files.immutable, true);
                    assert.equal(files.metadata.name, undefined, "auto-named, so a changed file rolls the pods");
                    assert.deepEqual(files.data, v.settings.files);
                }
            }
            if (ex) {
                assert.deepEqual(common.data, { ENVIRONMENT: stack, LOG_LEVEL: ex.logLevel, OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector.observability.svc:4318", TZ: "UTC" });
                assert.deepEqual(one(ev, "core/v1:ConfigMap", "orchestrator-config").data, { SERVICE_NAME: "orchestrator", PORT: "8005", ...ORCHESTRATOR_ENV });
                assert.deepEqual(one(ev, "core/v1:ConfigMap", "ingestion-config").data, { SERVICE_NAME: "ingestion", PORT: "8000", MARKET_DATA_FEED: "wss://feed.example-exchange.com/v2" });
                assert.deepEqual(one(ev, "core/v1:ConfigMap", "risk-report-config").data, { SERVICE_NAME: "risk-report", RISK_MANAGER_URL: "http://risk-manager" });
                if (stack === "staging") assert.match(one(ev, "core/v1:ConfigMap", "redis-files-config").data["redis.conf"], /^dir \/data\n/);
            }
        });

        it("has Prometheus scrape the services with metrics: monitors where its operator runs, pod annotations elsewhere", () => {
            const monitors = [...ofKind(ev, "monitoring.coreos.com/v1:ServiceMonitor").values(), ...ofKind(ev, "monitoring.coreos.com/v1:PodMonitor").values()];
            const scraped = servicesOf(x, (s) => s.metrics !== undefined);
            if (!x.monitoring.operator) {
                assert.deepEqual(monitors, []);
                return;
            }
            assert.deepEqual(monitors.map((m) => m.name).sort(), scraped.map((s) => `${s}-${x.services[s].kind === "worker" ? "podmonitor" : "servicemonitor"}`).sort());
            for (const svc of scraped) {
                const f = x.services[svc];
                const worker = f.kind === "worker";
                const m = one(ev, `monitoring.coreos.com/v1:${worker ? "PodMonitor" : "ServiceMonitor"}`, `${svc}-${worker ? "podmonitor" : "servicemonitor"}`);
                assert.equal(m.metadata.name, svc);
                // The port by name: the service's own when metrics are served there, else the `metrics` port.
                const endpoint = { port: f.metrics!.port === f.port ? f.portName : "metrics", path: f.metrics!.path, interval: f.metrics!.interval };
                assert.deepEqual(m.spec, { selector: { matchLabels: selector(svc) }, ...(worker ? { podMetricsEndpoints: [endpoint] } : { endpoints: [endpoint] }) }, svc);
            }
            if (ex) {
                assert.deepEqual(one(ev, "monitoring.coreos.com/v1:PodMonitor", "position-reconciler-podmonitor").spec.podMetricsEndpoints, [{ port: "metrics", path: "/metrics", interval: "30s" }]);
                assert.deepEqual(one(ev, "monitoring.coreos.com/v1:ServiceMonitor", "execution-servicemonitor").spec.endpoints, [{ port: "http", path: "/metrics", interval: "30s" }]);
            }
        });
    });
}

describe("configuration changes", () => {
    /** Every workload's inputs, by Pulumi name, whatever its kind. */
    const workloads = (ev: Evaluation) => new Map(WORKLOAD_KINDS.flatMap((kind) => [...ofKind(ev, kind)].map(([k, r]) => [k, r.inputs] as const)));

    it("rolls only the changed service: new ConfigMap name and config checksum, other workloads identical", async () => {
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
        const b = workloads(base);
        const e = workloads(edited);
        assert.deepEqual([...e.keys()].sort(), [...b.keys()].sort());
        assert.equal(b.size, servicesOf(stackFacts("staging")).length);
        for (const [name, inputs] of b) {
            if (name === "kalman-filter-deployment") continue;
            assert.deepEqual(e.get(name), inputs, name);
        }
        for (const svc of servicesOf(stackFacts("staging")).filter((s) => s !== "kalman-filter")) {
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
        // The stack's env for execution is now only EXTRA_FLAG: the catalog's variables stay,
        // REDIS_URL among them (production's own value, the managed Redis, went with the edit).
        assert.deepEqual(one(ev, "core/v1:ConfigMap", "execution-config").data, {
            SERVICE_NAME: "execution",
            PORT: "8003",
            RISK_MANAGER_URL: "http://risk-manager",
            REDIS_URL: "redis://redis:6379",
            EXTRA_FLAG: "on",
        });
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
        const config = editedConfig("staging", ({ environment }) => {
            environment.serviceDefaults.probes = { readiness: "/ready" };
            environment.services.ingestion = { probes: { startup: "/startz" } };
        });
        const ev = await run(config);
        const x = factsOf(config);
        const container = (svc: string) => podTemplateOf(workloadOf(ev, svc, x.services[svc]), x.services[svc]).spec.containers[0];
        for (const svc of servicesOf(x)) {
            const c = container(svc);
            const f = x.services[svc];
            assert.deepEqual([c.livenessProbe, c.readinessProbe, c.startupProbe], [f.probes.liveness, f.probes.readiness, f.probes.startup], svc);
        }
        // The web services: liveness from catalog.defaults, readiness from serviceDefaults, ingestion's startup from the stack.
        for (const svc of servicesOf(x, (s) => s.kind === "web")) {
            const c = container(svc);
            assert.equal(c.livenessProbe.httpGet.path, "/healthz", svc);
            assert.equal(c.readinessProbe.httpGet.path, "/ready", svc);
            assert.equal(c.startupProbe?.httpGet.path, svc === "ingestion" ? "/startz" : undefined, svc);
        }
        // Services that write their own readiness in the catalog keep it over the stack's serviceDefaults.
        assert.deepEqual(container("position-reconciler").readinessProbe.httpGet, { path: "/readyz", port: 9090 });
        assert.deepEqual(container("redis").readinessProbe.tcpSocket, { port: "main" });
        assert.equal(container("redis").readinessProbe.httpGet, undefined);
        // A cronjob takes no probes from shared defaults.
        assert.equal(container("risk-report").readinessProbe, undefined);
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
        // Production's autoscalers, one per service its configuration autoscales (the orchestrator's
        // among them; not the cronjob, which production's serviceDefaults.autoscaling does not apply to).
        const autoscaled = servicesOf(stackFacts("production"), (s) => s.autoscaling !== undefined);
        assert.deepEqual([...ofKind(ev, "autoscaling/v2:HorizontalPodAutoscaler").keys()].sort(), autoscaled.map((s) => `${s}-hpa`));
        assert.ok(autoscaled.includes("orchestrator") && !autoscaled.includes("risk-report"));
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
            const first = await uncached(() => run(stack));
            const second = await uncached(() => run(stack));
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
