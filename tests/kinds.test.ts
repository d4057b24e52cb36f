import { strict as assert } from "assert";
import { deployPlatform } from "../program";
import { underMocks, Evaluation } from "../tools/harness/evaluate";
import { toManifests } from "../tools/harness/manifests";
import { securityContextRule } from "../policy/rules/workloads";
import { configOf, orderSystem } from "./fixtures/catalogs";
import { refusedFixture, renderFixture } from "./fixtureRuns";
import { validateManifest } from "./kubernetesModels";
import { unwrap } from "./support";

/**
 * The workload kinds (web, worker, cronjob, stateful) and the pod features, on another
 * company's catalog (tests/fixtures/catalogs.ts, orderSystem): what each renders, what each
 * refuses, and that every object is valid Kubernetes.
 */

type Stack = "staging" | "production";

function render(stack: Stack, edit: (v: ReturnType<typeof orderSystem>) => void = () => undefined, previousOutputs?: Record<string, unknown>): Promise<Evaluation> {
    const values = orderSystem(stack);
    edit(values);
    return renderFixture(values, stack, previousOutputs);
}

/** The inputs of the one object of a kind named `name` (its Kubernetes name). */
function object(ev: Evaluation, kind: string, name: string): any {
    const found = ev.resources.filter((r) => r.type.endsWith(`:${kind}`) && r.objectName === name);
    assert.equal(found.length, 1, `one ${kind} ${name}; have ${ev.resources.filter((r) => r.type.endsWith(`:${kind}`)).map((r) => r.objectName).join(", ")}`);
    return unwrap(found[0].inputs);
}

function names(ev: Evaluation, kind: string): string[] {
    return ev.resources.filter((r) => r.type.endsWith(`:${kind}`)).map((r) => r.objectName!).sort();
}

/** The problems of a configuration the reader refuses. */
function problems(stack: Stack, edit: (v: ReturnType<typeof orderSystem>) => void): readonly string[] {
    const values = orderSystem(stack);
    edit(values);
    return refusedFixture(values, stack);
}

const S = "platform-test:catalog.services";
const E = "platform-test:environment.services";

describe("workload kinds on an order system", () => {
    let staging: Evaluation;
    let production: Evaluation;
    before(async () => {
        staging = await render("staging");
        production = await render("production");
        assert.equal(staging.error, undefined, String(staging.error));
        assert.equal(production.error, undefined, String(production.error));
    });

    it("deploys each kind as its workload: web and worker as Deployments, the backup as a CronJob, MongoDB as a StatefulSet", () => {
        assert.deepEqual(names(staging, "Deployment"), ["api", "order-worker"]);
        assert.deepEqual(names(staging, "CronJob"), ["backup"]);
        assert.deepEqual(names(staging, "StatefulSet"), ["mongo"]);
        // Only web and stateful services have a Service; only the exposed web service an Ingress.
        assert.deepEqual(names(staging, "Service"), ["api", "mongo"]);
        assert.deepEqual(names(staging, "Ingress"), ["api"]);
        assert.deepEqual(names(production, "StatefulSet"), [], "production turns the in-cluster database off");
        assert.ok(!production.resources.some((r) => r.objectName === "mongo"), "nothing of a service turned off is declared");
    });

    it("stateful: a headless Service, an ordered rolling update, the stack's claim size and class, no autoscaler", () => {
        const sts = object(staging, "StatefulSet", "mongo");
        assert.equal(sts.spec.serviceName, "mongo");
        assert.equal(sts.spec.podManagementPolicy, "OrderedReady");
        assert.deepEqual(sts.spec.updateStrategy, { type: "RollingUpdate", rollingUpdate: { partition: 0 } });
        assert.deepEqual(sts.spec.volumeClaimTemplates.map((t: any) => [t.metadata.name, t.spec.resources.requests.storage, t.spec.storageClassName, t.spec.accessModes]), [
            ["data", "20Gi", "fast-ssd", ["ReadWriteOnce"]],
        ]);
        assert.equal(sts.spec.volumeClaimTemplates[0].metadata.labels["app.kubernetes.io/version"], undefined, "claim templates are immutable: no version label");
        assert.deepEqual(sts.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: "Retain", whenScaled: "Retain" });
        assert.deepEqual(sts.spec.template.spec.containers[0].volumeMounts, [
            { name: "tmp", mountPath: "/tmp" },
            { name: "data", mountPath: "/data/db" },
        ]);
        assert.equal(object(staging, "Service", "mongo").spec.clusterIP, "None");
        assert.deepEqual(names(staging, "HorizontalPodAutoscaler"), ["api"]);
        // Reachable only by the services in its allowFrom, on its port.
        const policy = object(staging, "NetworkPolicy", "mongo");
        assert.deepEqual(policy.spec.ingress, [
            {
                from: ["api", "backup", "order-worker"].map((n) => ({ podSelector: { matchLabels: { "app.kubernetes.io/name": n, "app.kubernetes.io/part-of": "orders" } } })),
                ports: [{ port: 27017, protocol: "TCP" }],
            },
        ]);
    });

    it("cronjob: the schedule, time zone and concurrency policy; suspended by the staging stack; runs to completion without probes", () => {
        const staged = object(staging, "CronJob", "backup").spec;
        assert.deepEqual([staged.schedule, staged.timeZone, staged.concurrencyPolicy, staged.suspend], ["0 2 * * *", "Europe/London", "Forbid", true]);
        assert.deepEqual([staged.startingDeadlineSeconds, staged.successfulJobsHistoryLimit, staged.failedJobsHistoryLimit], [300, 3, 3]);
        assert.equal(staged.jobTemplate.spec.backoffLimit, 1);
        const pod = staged.jobTemplate.spec.template.spec;
        assert.equal(pod.restartPolicy, "Never");
        assert.deepEqual(pod.containers[0].command, ["/app/backup", "--to", "s3://orders-backups"]);
        assert.equal(pod.containers[0].livenessProbe, undefined, "the catalog's default probes do not apply to a cronjob");
        assert.equal(pod.containers[0].ports, undefined);
        assert.equal(object(production, "CronJob", "backup").spec.suspend, false);
        // Production's serviceDefaults (an autoscaler, a budget) do not apply to the cronjob.
        assert.ok(!names(production, "HorizontalPodAutoscaler").includes("backup"));
        assert.ok(!names(production, "PodDisruptionBudget").includes("backup"));
    });

    it("worker: no Service or Ingress, only the probe it configures, and an API token only because it has RBAC rules", () => {
        const pod = object(staging, "Deployment", "order-worker").spec.template.spec;
        const c = pod.containers[0];
        assert.deepEqual(c.livenessProbe, { exec: { command: ["/app/healthcheck"] }, initialDelaySeconds: 30, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 });
        assert.equal(c.readinessProbe, undefined, "the shared HTTP readiness probe needs a port, which a worker without one does not have");
        assert.equal(c.ports, undefined);
        assert.equal(pod.automountServiceAccountToken, true);
        assert.deepEqual(object(staging, "Role", "order-worker").rules, [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] }]);
        const binding = object(staging, "RoleBinding", "order-worker");
        assert.deepEqual(binding.subjects, [{ kind: "ServiceAccount", name: "order-worker", namespace: "orders-staging" }]);
        assert.equal(object(staging, "Deployment", "api").spec.template.spec.automountServiceAccountToken, false, "no rules, no token");
        // Production's shared autoscaler applies to a worker.
        assert.deepEqual(object(production, "HorizontalPodAutoscaler", "order-worker").spec.scaleTargetRef, { apiVersion: "apps/v1", kind: "Deployment", name: "order-worker" });
    });

    it("probe timings and kinds: the catalog's HTTP timings, MongoDB's tcp and exec probes on its own timings", () => {
        const api = object(staging, "Deployment", "api").spec.template.spec.containers[0];
        assert.deepEqual(api.livenessProbe, { httpGet: { path: "/healthz", port: "http" }, initialDelaySeconds: 30, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 });
        assert.deepEqual(api.readinessProbe, { httpGet: { path: "/ready", port: "http" }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 });
        const mongo = object(staging, "StatefulSet", "mongo").spec.template.spec.containers[0];
        // Writing `tcp` replaces the catalog default's `http`, and keeps its timings.
        assert.deepEqual(mongo.livenessProbe, { tcpSocket: { port: "main" }, initialDelaySeconds: 30, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 3 });
        assert.deepEqual(mongo.readinessProbe, { exec: { command: ["mongosh", "--quiet", "--eval", "db.adminCommand('ping')"] }, periodSeconds: 5, timeoutSeconds: 10, failureThreshold: 3 });
    });

    it("web: command and args, mounted paths beside the read-only root, a native sidecar before the init container", () => {
        const pod = object(staging, "Deployment", "api").spec.template.spec;
        const c = pod.containers[0];
        assert.deepEqual([c.command, c.args], [["opentelemetry-instrument", "uvicorn", "orders.app:main"], ["--port", "8000"]]);
        assert.deepEqual(c.volumeMounts, [
            { name: "tmp", mountPath: "/tmp" },
            { name: "cache", mountPath: "/app/.next/cache" },
            { name: "logs", mountPath: "/app/logs" },
            { name: "settings", mountPath: "/etc/orders", readOnly: true },
        ]);
        assert.deepEqual(pod.volumes, [
            { name: "tmp", emptyDir: { sizeLimit: "256Mi" } },
            { name: "cache", emptyDir: { sizeLimit: "1Gi" } },
            { name: "logs", emptyDir: { sizeLimit: "256Mi" } },
            { name: "settings", configMap: { name: "orders-common-config" } },
        ]);
        assert.equal(c.securityContext.readOnlyRootFilesystem, true);
        assert.deepEqual(
            pod.initContainers.map((i: any) => [i.name, i.restartPolicy, i.volumeMounts.map((m: any) => m.mountPath), i.resources]),
            [
                ["log-shipper", "Always", ["/tmp", "/var/log/app"], { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "250m", memory: "96Mi" } }],
                ["wait-for-mongo", undefined, ["/tmp"], { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "250m", memory: "128Mi" } }],
            ],
        );
    });

    it("several Ingress paths with their path types, all to the service's port", () => {
        const rule = object(staging, "Ingress", "api").spec.rules[0];
        assert.equal(rule.host, "orders.staging.orders.example");
        assert.deepEqual(
            rule.http.paths.map((p: any) => [p.path, p.pathType, p.backend.service.port.name]),
            [
                ["/", "Prefix", "http"],
                ["/health", "Exact", "http"],
                ["/metrics", "Exact", "http"],
            ],
        );
    });

    it("environment from objects others own, an ExternalSecret the operator syncs, in precedence order", () => {
        const c = object(staging, "Deployment", "api").spec.template.spec.containers[0];
        const refs = c.envFrom.map((e: any) => (e.configMapRef ? `configMap ${e.configMapRef.name}` : `secret ${e.secretRef.name}`));
        assert.equal(refs[0], "configMap orders-common-config", "a shared ConfigMap is read first, so the platform's settings win");
        assert.deepEqual(refs.slice(3), ["secret orders-shared-credentials", "secret api-external"]);
        const external = object(production, "ExternalSecret", "api");
        assert.equal(external.apiVersion, "external-secrets.io/v1");
        assert.deepEqual(external.spec, {
            refreshInterval: "15m",
            secretStoreRef: { name: "vault-backend", kind: "ClusterSecretStore" },
            target: { name: "api-external", creationPolicy: "Owner" },
            data: [{ secretKey: "PAYMENT_API_KEY", remoteRef: { key: "orders/payments", property: "apiKey" } }],
        });
        assert.equal(external.metadata.annotations["pulumi.com/waitFor"], "condition=Ready");
        assert.ok(!staging.resources.some((r) => r.type === "kubernetes:core/v1:Secret" && r.objectName?.startsWith("api")), "no Pulumi-held Secret: the value never passes through Pulumi");
    });

    it("autoscaler behaviour and a custom per-pod metric", () => {
        const hpa = object(staging, "HorizontalPodAutoscaler", "api").spec;
        assert.deepEqual(hpa.metrics[2], { type: "Pods", pods: { metric: { name: "http_requests_in_flight" }, target: { type: "AverageValue", averageValue: "50" } } });
        assert.deepEqual(hpa.behavior, { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: "Pods", value: 1, periodSeconds: 60 }] } });
        // The service's own bounds win over production's shared ones.
        assert.deepEqual([object(production, "HorizontalPodAutoscaler", "api").spec.minReplicas, object(production, "HorizontalPodAutoscaler", "api").spec.maxReplicas], [2, 8]);
    });

    it("metrics: scrape annotations without the Prometheus Operator, a ServiceMonitor with it, and Prometheus admitted to the port", () => {
        const annotations = object(staging, "Deployment", "api").spec.template.metadata.annotations;
        assert.deepEqual([annotations["prometheus.io/scrape"], annotations["prometheus.io/port"], annotations["prometheus.io/path"]], ["true", "8000", "/metrics"]);
        assert.deepEqual(names(staging, "ServiceMonitor"), []);
        const monitor = object(production, "ServiceMonitor", "api");
        assert.deepEqual(monitor.spec, { selector: { matchLabels: { "app.kubernetes.io/name": "api", "app.kubernetes.io/part-of": "orders" } }, endpoints: [{ port: "http", path: "/metrics", interval: "30s" }] });
        assert.equal(monitor.metadata.labels.release, "kube-prometheus-stack");
        assert.equal(object(production, "Deployment", "api").spec.template.metadata.annotations["prometheus.io/scrape"], undefined);
        assert.ok(
            object(production, "NetworkPolicy", "api").spec.ingress.some((r: any) => r.from[0].namespaceSelector?.matchLabels["kubernetes.io/metadata.name"] === "monitoring" && r.ports[0].port === 8000),
        );
    });

    it("every object of both stacks is valid Kubernetes, and every pod template of every kind is restricted", () => {
        for (const ev of [staging, production]) {
            for (const m of toManifests(ev.resources)) assert.doesNotThrow(() => validateManifest(m), `${m.kind} ${m.metadata.name}`);
            for (const r of ev.resources.filter((x) => x.type.startsWith("kubernetes:"))) {
                const findings = securityContextRule.check({ type: r.type, name: r.name, urn: "", props: unwrap(r.inputs) }, {});
                assert.deepEqual(findings, [], `${r.type} ${r.objectName}`);
            }
        }
    });

    it("gives identical inputs on every run", async () => {
        const again = await render("staging");
        assert.deepEqual(
            again.resources.map((r) => [r.type, r.name, r.inputs]),
            staging.resources.map((r) => [r.type, r.name, r.inputs]),
        );
    });
});

describe("workload kinds: mixing kinds wrongly is refused with the key path", () => {
    it("a cronjob with an Ingress, an autoscaler on a stateful service, a worker with an HTTP probe and no port", () => {
        assert.deepEqual(
            problems("staging", (v) => {
                v.catalog.services.backup.ingress = { hostPrefix: "backup" };
                v.catalog.services.mongo.autoscaling = { enabled: true };
                v.catalog.services["order-worker"].probes = { readiness: "/ready" };
            }),
            [
                `${S}.backup.ingress: does not apply to a 'cronjob' service (a CronJob (scheduled work that runs to completion)): a cronjob has no Service to route to`,
                `${S}.mongo.autoscaling: does not apply to a 'stateful' service (a StatefulSet with a headless Service and a claim per pod (a database, a broker)): a stateful service keeps one claim per pod, so its replica count is set ('replicas'), not scaled by an autoscaler`,
                `${S}.order-worker.probes.readiness: a 'http' probe needs a port: set 'port' on the probe or the service (a service without a port can only have 'exec' probes)`,
            ],
        );
    });

    it("a setting written in the stack for one service is refused there too; the same in serviceDefaults applies where it can", () => {
        assert.deepEqual(
            problems("production", (v) => {
                v.environment.services.backup = { replicas: 2 };
            }),
            [`${E}.backup.replicas: does not apply to a 'cronjob' service (a CronJob (scheduled work that runs to completion)): a cronjob runs one pod per run`],
        );
        assert.doesNotThrow(() => configOf({ ...orderSystem("production"), environment: { ...orderSystem("production").environment, serviceDefaults: { replicas: 2 } } }, {}, "production"));
    });

    it("a cronjob without a schedule, a claim on a web service, a volume at /tmp, a mount of an unknown volume", () => {
        assert.deepEqual(
            problems("staging", (v) => {
                delete v.catalog.services.backup.job;
                v.catalog.services.api.volumes.data = { mountPath: "/data", claim: { size: "1Gi" } };
                v.catalog.services.api.volumes.scratch = { mountPath: "/tmp" };
                v.catalog.services.api.sidecars["log-shipper"].mounts = { log: "/var/log/app" };
            }),
            [
                `${S}.api.volumes.data.claim: a claim per pod is a StatefulSet's volumeClaimTemplate: it needs a 'stateful' service, and this one is 'web'; mount a claim that exists with 'existingClaim'`,
                `${S}.api.volumes.scratch.mountPath: '/tmp' is the platform's writable scratch directory in every pod; mount the volume elsewhere`,
                `${S}.api.sidecars.log-shipper.mounts.log: unknown volume 'log'; expected one of the service's volumes: cache, logs, settings`,
                `${S}.backup.job.schedule: required for a 'cronjob'; expected a cron schedule such as '0 2 * * *' or '@daily'`,
            ],
        );
    });

    it("bad schedules, time zones and probe actions name the value and what is allowed", () => {
        assert.deepEqual(
            problems("staging", (v) => {
                v.catalog.services.backup.job = { schedule: "0 25 * * *", timeZone: "Europe/Londn" };
                v.catalog.services.api.probes = { liveness: { http: "/healthz", tcp: true } };
            }),
            [
                `${S}.backup.job.schedule: expected a cron schedule such as '0 2 * * *' or '@daily', got "0 25 * * *" (the hour field '25' is not within 0-23)`,
                `${S}.backup.job.timeZone: expected an IANA time zone name such as 'Etc/UTC', got "Europe/Londn" (an IANA time zone name such as 'Etc/UTC' or 'Europe/London')`,
                `${S}.api.probes.liveness: expected one of http, tcp, not several (written at ${S}.api.probes.liveness.http, ${S}.api.probes.liveness.tcp)`,
            ],
        );
    });

    it("a shared budget does not apply to a one-replica stateful service; asked for that service, it is refused", () => {
        const values = orderSystem("production");
        values.environment.services = { mongo: { image: { digest: `sha256:${"b".repeat(64)}` } } };
        const mongo = configOf(values, {}, "production").services.find((s) => s.name === "mongo")!;
        assert.deepEqual([mongo.replicas, mongo.autoscaling, mongo.disruptionBudget], [1, undefined, undefined]);
        assert.deepEqual(
            problems("production", (v) => {
                v.environment.services = { mongo: { pdb: { enabled: true } } };
            }),
            [`${E}.mongo.pdb.enabled: a PodDisruptionBudget for a service that runs at most 1 replica would block every node drain; it needs more than one replica`],
        );
    });

    it("an external secret needs the stack's store", () => {
        assert.deepEqual(
            problems("staging", (v) => {
                delete v.environment.externalSecrets;
            }),
            [`${S}.api.secrets.PAYMENT_API_KEY: an external secret is read from the stack's External Secrets store, and none is set; set platform-test:environment.externalSecrets.store`],
        );
    });
});

describe("workload kinds: a stateful service's claims", () => {
    it("a stack overrides one volume entry: the claim's size and class change, its mount path stays the catalog's", () => {
        const config = configOf(orderSystem("staging"), {}, "staging");
        const mongo = config.services.find((s) => s.name === "mongo")!;
        assert.deepEqual(mongo.volumes, [{ name: "data", mountPath: "/data/db", readOnly: false, claim: { size: "20Gi", accessMode: "ReadWriteOnce", storageClass: "fast-ssd" } }]);
    });

    it("refuses a claim change since the last update at preview, explains it, and declares no StatefulSet", async () => {
        const last = { claims: { "mongo/data": { size: "10Gi", accessMode: "ReadWriteOnce", storageClass: "fast-ssd" } } };
        const ev = await render("staging", () => undefined, last);
        assert.ok(ev.error, "refused");
        assert.match(ev.error.message, /Refused \(1 claim change\):\n {2}- mongo: the claim 'data' changes \(size 10Gi -> 20Gi\), but a StatefulSet's claim templates are immutable/);
        assert.match(ev.error.message, /kubectl -n orders-staging delete statefulset mongo --cascade=orphan/);
        assert.doesNotMatch(ev.error.message, /\n\s+at /, "no stack trace");
        assert.deepEqual(names(ev, "StatefulSet"), [], "the StatefulSet is never registered, so it is neither replaced nor changed");
    });

    it("refuses a change of a claim template's labels too (an imported StatefulSet's own)", async () => {
        const last = { claims: { "mongo/data": { size: "20Gi", accessMode: "ReadWriteOnce", storageClass: "fast-ssd", labels: { app: "mongo" } } } };
        const ev = await render("staging", () => undefined, last);
        assert.match(String(ev.error?.message), /the claim 'data' changes \(labels \{"app":"mongo"\} -> \(default\)\)/);
    });

    it("lets the same claims through, records them as the stack's output, and accepts a change once when told", async () => {
        const first = await render("staging");
        const claims = (first.outputs as any).claims;
        assert.deepEqual(claims, { "mongo/data": { size: "20Gi", accessMode: "ReadWriteOnce", storageClass: "fast-ssd" } });
        const again = await render("staging", () => undefined, { claims });
        assert.equal(again.error, undefined);
        const values = orderSystem("staging");
        const accepted = { ...configOf(values, {}, "staging"), acceptedClaimChanges: ["mongo/data"] };
        const ev = await underMocks({ project: "platform-test", stack: "staging", config: {}, secretKeys: [] }, false, () => deployPlatform(accepted), {
            previousOutputs: { claims: { "mongo/data": { size: "10Gi", accessMode: "ReadWriteOnce" } } },
        });
        assert.equal(ev.error, undefined, String(ev.error));
        assert.deepEqual(names(ev, "StatefulSet"), ["mongo"]);
    });
});
