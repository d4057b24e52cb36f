import { strict as assert } from "assert";
import { Manifest } from "../tools/harness/manifests";
import { SUPPORTED_KINDS, validateManifest } from "./kubernetesModels";

/**
 * The schema of each kind the program is about to emit, shown to be real: an object written as
 * the program would write it passes, and the same object with one realistic mistake fails with
 * the schema's own message.
 */
const NAMESPACE = "hft-production";
const labels = (name: string) => ({ "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "hft", "app.kubernetes.io/managed-by": "pulumi" });
const selector = (name: string) => ({ matchLabels: { "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "hft" } });
const meta = (name: string) => ({ name, namespace: NAMESPACE, labels: labels(name) });
const container = (name: string) => ({
    name,
    image: `ghcr.io/acme-trading/hft-${name}:1.4.2`,
    resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
});

const podTemplate = (name: string) => ({ metadata: { labels: labels(name) }, spec: { containers: [container(name)] } });
const jobSpec = (name: string) => ({ backoffLimit: 2, template: { ...podTemplate(name), spec: { ...podTemplate(name).spec, restartPolicy: "OnFailure" } } });

interface Case {
    /** The object as the program would emit it. */
    readonly valid: Manifest;
    /** One realistic mistake, made on a copy of `valid`. */
    readonly mistake: string;
    readonly breakIt: (m: any) => void;
    /** The whole message `validateManifest` throws. */
    readonly error: string;
}

const CASES: Record<string, Case> = {
    StatefulSet: {
        valid: {
            apiVersion: "apps/v1",
            kind: "StatefulSet",
            metadata: meta("order-book"),
            spec: {
                serviceName: "order-book",
                replicas: 3,
                selector: selector("order-book"),
                template: podTemplate("order-book"),
                volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } } } }],
            },
        },
        mistake: "a storage request that is not a quantity",
        breakIt: (m) => (m.spec.volumeClaimTemplates[0].spec.resources.requests.storage = "10 GB"),
        // A quantity is a number or a string of quantity format: ajv reports both branches of the oneOf.
        error:
            "apps/v1 StatefulSet order-book: data/spec/volumeClaimTemplates/0/spec/resources/requests/storage must be number, " +
            'data/spec/volumeClaimTemplates/0/spec/resources/requests/storage must match format "quantity", ' +
            'data/spec/volumeClaimTemplates/0/spec/resources/requests/storage must match exactly one schema in "oneOf"',
    },
    CronJob: {
        valid: {
            apiVersion: "batch/v1",
            kind: "CronJob",
            metadata: meta("eod-report"),
            spec: { schedule: "30 22 * * 1-5", timeZone: "Europe/London", concurrencyPolicy: "Forbid", jobTemplate: { spec: jobSpec("eod-report") } },
        },
        mistake: "no schedule, and concurrencyPolicy as a number",
        breakIt: (m) => {
            delete m.spec.schedule;
            m.spec.concurrencyPolicy = 1;
        },
        error:
            "batch/v1 CronJob eod-report: data/spec must have required property schedule, data/spec/concurrencyPolicy must be string, " +
            "data/spec/concurrencyPolicy must be equal to one of the allowed values",
    },
    Job: {
        valid: { apiVersion: "batch/v1", kind: "Job", metadata: meta("migrate"), spec: jobSpec("migrate") },
        mistake: "a backoff limit as a string",
        breakIt: (m) => (m.spec.backoffLimit = "twice"),
        error: "batch/v1 Job migrate: data/spec/backoffLimit must be integer",
    },
    Role: {
        valid: {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "Role",
            metadata: meta("orchestrator"),
            rules: [{ apiGroups: [""], resources: ["configmaps"], resourceNames: ["orchestrator-leader"], verbs: ["get", "update"] }],
        },
        mistake: "a rule without verbs, and resources as a string",
        breakIt: (m) => {
            delete m.rules[0].verbs;
            m.rules[0].resources = "configmaps";
        },
        error: "rbac.authorization.k8s.io/v1 Role orchestrator: data/rules/0 must have required property verbs, data/rules/0/resources must be array",
    },
    RoleBinding: {
        valid: {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata: meta("orchestrator"),
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "orchestrator" },
            subjects: [{ kind: "ServiceAccount", name: "orchestrator", namespace: NAMESPACE }],
        },
        mistake: "a roleRef without its kind, and no subject kind",
        breakIt: (m) => {
            delete m.roleRef.kind;
            delete m.subjects[0].kind;
        },
        error: "rbac.authorization.k8s.io/v1 RoleBinding orchestrator: data/roleRef must have required property kind, data/subjects/0 must have required property kind",
    },
    ServiceMonitor: {
        valid: {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "ServiceMonitor",
            metadata: meta("execution"),
            spec: { selector: selector("execution"), namespaceSelector: { matchNames: [NAMESPACE] }, endpoints: [{ port: "metrics", path: "/metrics", interval: "30s" }] },
        },
        mistake: "no selector, and an interval in seconds as a number",
        breakIt: (m) => {
            delete m.spec.selector;
            m.spec.endpoints[0].interval = 30;
        },
        error: "monitoring.coreos.com/v1 ServiceMonitor execution: data/spec must have required property selector, data/spec/endpoints/0/interval must be string",
    },
    PodMonitor: {
        valid: {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "PodMonitor",
            metadata: meta("eod-report"),
            spec: { selector: selector("eod-report"), podMetricsEndpoints: [{ port: "metrics", path: "/metrics", interval: "30s" }] },
        },
        mistake: "an interval that is not a Prometheus duration",
        breakIt: (m) => (m.spec.podMetricsEndpoints[0].interval = "30 seconds"),
        error: 'monitoring.coreos.com/v1 PodMonitor eod-report: data/spec/podMetricsEndpoints/0/interval must match pattern "^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$"',
    },
    ExternalSecret: {
        valid: {
            apiVersion: "external-secrets.io/v1",
            kind: "ExternalSecret",
            metadata: meta("execution-secrets"),
            spec: {
                refreshInterval: "1h",
                secretStoreRef: { name: "vault", kind: "ClusterSecretStore" },
                target: { name: "execution-secrets", creationPolicy: "Owner" },
                data: [{ secretKey: "EXCHANGE_API_KEY", remoteRef: { key: "hft/production/execution", property: "exchange-api-key" } }],
            },
        },
        mistake: "a remoteRef without its key, and a store kind outside the enum",
        breakIt: (m) => {
            delete m.spec.data[0].remoteRef.key;
            m.spec.secretStoreRef.kind = "VaultStore";
        },
        error:
            "external-secrets.io/v1 ExternalSecret execution-secrets: data/spec/data/0/remoteRef must have required property 'key', " +
            "data/spec/secretStoreRef/kind must be equal to one of the allowed values (SecretStore, ClusterSecretStore)",
    },
};

describe("schema models for the kinds the program is about to emit", () => {
    for (const [kind, c] of Object.entries(CASES)) {
        it(`${kind}: a valid object passes; ${c.mistake} fails`, () => {
            assert.ok(SUPPORTED_KINDS.includes(`${c.valid.apiVersion}/${c.valid.kind}`));
            assert.doesNotThrow(() => validateManifest(c.valid));
            const broken = structuredClone(c.valid) as any;
            c.breakIt(broken);
            assert.throws(() => validateManifest(broken), { message: c.error });
        });
    }

    it("ExternalSecret: the metadata is checked as an ObjectMeta too (the CRD's schema leaves it open)", () => {
        const broken = structuredClone(CASES.ExternalSecret.valid) as any;
        broken.metadata.labels["app.kubernetes.io/version"] = 1.4;
        assert.throws(() => validateManifest(broken), { message: "external-secrets.io/v1 ExternalSecret execution-secrets: data/metadata/labels/app.kubernetes.io~1version must be string" });
    });

    it("an apiVersion without a schema is refused: ExternalSecret v1beta1 (not served since ESO 0.17), an unknown custom resource", () => {
        const beta = { ...CASES.ExternalSecret.valid, apiVersion: "external-secrets.io/v1beta1" };
        assert.throws(() => validateManifest(beta), { message: "no schema model for external-secrets.io/v1beta1 ExternalSecret" });
        const probe = { apiVersion: "monitoring.coreos.com/v1", kind: "Probe", metadata: meta("x"), spec: {} };
        assert.throws(() => validateManifest(probe), { message: "no schema model for monitoring.coreos.com/v1 Probe" });
    });

    it("covers the kinds the program emits today and those it is about to", () => {
        assert.deepEqual([...SUPPORTED_KINDS].sort(), [
            "apps/v1/Deployment",
            "apps/v1/StatefulSet",
            "autoscaling/v2/HorizontalPodAutoscaler",
            "batch/v1/CronJob",
            "batch/v1/Job",
            "external-secrets.io/v1/ExternalSecret",
            "monitoring.coreos.com/v1/PodMonitor",
            "monitoring.coreos.com/v1/ServiceMonitor",
            "networking.k8s.io/v1/Ingress",
            "networking.k8s.io/v1/NetworkPolicy",
            "policy/v1/PodDisruptionBudget",
            "rbac.authorization.k8s.io/v1/Role",
            "rbac.authorization.k8s.io/v1/RoleBinding",
            "v1/ConfigMap",
            "v1/Namespace",
            "v1/Secret",
            "v1/Service",
            "v1/ServiceAccount",
        ]);
    });
});
