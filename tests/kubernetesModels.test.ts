import { strict as assert } from "assert";
import { Manifest } from "../tools/harness/manifests";
import { SKIPPED_CEL_RULES, SUPPORTED_KINDS, validateManifest } from "./kubernetesModels";

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

const GATEWAY = { name: "hft", namespace: "hft-gateway" };

/** A route as the program's Gateway API mode writes one: HTTPS listener, two path matches, a timeout, a response header filter, CORS. */
const httpRoute = () => ({
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: meta("order-api"),
    spec: {
        hostnames: ["orders.hft.example.com"],
        parentRefs: [{ ...GATEWAY, sectionName: "https-orders" }],
        rules: [
            {
                matches: [{ path: { type: "PathPrefix", value: "/api" } }, { path: { type: "Exact", value: "/healthz" } }],
                backendRefs: [{ name: "order-api", port: 8080 }],
                timeouts: { request: "15s", backendRequest: "10s" },
                filters: [
                    { type: "ResponseHeaderModifier", responseHeaderModifier: { set: [{ name: "Strict-Transport-Security", value: "max-age=31536000" }], remove: ["Server"] } },
                    { type: "CORS", cors: { allowOrigins: ["https://app.hft.example.com"], allowMethods: ["GET", "POST"], allowHeaders: ["Authorization"], allowCredentials: true, maxAge: 600 } },
                ],
            },
        ],
    },
});

/** The HTTP listener's route: only a redirect to HTTPS. */
const redirectRoute = () => ({
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: meta("order-api-https-redirect"),
    spec: {
        hostnames: ["orders.hft.example.com"],
        parentRefs: [{ ...GATEWAY, sectionName: "http" }],
        rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
    },
});

const gateway = () => ({
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: { ...GATEWAY, annotations: { "cert-manager.io/cluster-issuer": "letsencrypt-production" } },
    spec: {
        gatewayClassName: "envoy",
        listeners: [
            {
                name: "https-orders",
                protocol: "HTTPS",
                port: 443,
                hostname: "orders.hft.example.com",
                tls: { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: "orders-hft-example-com-tls" }] },
                allowedRoutes: { namespaces: { from: "Same" } },
            },
            { name: "http", protocol: "HTTP", port: 80, allowedRoutes: { namespaces: { from: "Same" } } },
        ],
    },
});

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
    HTTPRoute: {
        valid: httpRoute(),
        mistake: "a path match type outside the enum, a backendRef without its port, a request timeout that is not a duration",
        breakIt: (m) => {
            m.spec.rules[0].matches[1].path.type = "Prefix";
            delete m.spec.rules[0].backendRefs[0].port;
            m.spec.rules[0].timeouts.request = "10 seconds";
        },
        // The port is required by a CEL rule (tests/celRules.ts); the path type by both the enum and a CEL rule.
        error:
            "gateway.networking.k8s.io/v1 HTTPRoute order-api: data/spec/rules/0/backendRefs/0 Must have port for Service reference, " +
            "data/spec/rules/0/matches/1/path type must be one of ['Exact', 'PathPrefix', 'RegularExpression'], " +
            "data/spec/rules/0/matches/1/path/type must be equal to one of the allowed values (Exact, PathPrefix, RegularExpression), " +
            'data/spec/rules/0/timeouts/request must match pattern "^([0-9]{1,5}(h|m|s|ms)){1,4}$"',
    },
    HTTPRouteRedirect: {
        valid: redirectRoute(),
        mistake: "a status code outside the enum (418), and backendRefs beside the redirect",
        breakIt: (m) => {
            m.spec.rules[0].filters[0].requestRedirect.statusCode = 418;
            m.spec.rules[0].backendRefs = [{ name: "order-api", port: 8080 }];
        },
        error:
            "gateway.networking.k8s.io/v1 HTTPRoute order-api-https-redirect: data/spec/rules/0 RequestRedirect filter must not be used together with backendRefs, " +
            "data/spec/rules/0/filters/0/requestRedirect/statusCode must be equal to one of the allowed values (301, 302, 303, 307, 308)",
    },
    Gateway: {
        valid: gateway(),
        mistake: "a listener without its protocol, and TLS on the HTTP listener",
        breakIt: (m) => {
            delete m.spec.listeners[0].protocol;
            m.spec.listeners[1].tls = m.spec.listeners[0].tls;
        },
        error:
            "gateway.networking.k8s.io/v1 Gateway hft: data/spec/listeners tls must not be specified for protocols ['HTTP', 'TCP', 'UDP'], " +
            "data/spec/listeners/0 must have required property 'protocol'",
    },
    GatewayClass: {
        valid: { apiVersion: "gateway.networking.k8s.io/v1", kind: "GatewayClass", metadata: { name: "envoy" }, spec: { controllerName: "gateway.envoyproxy.io/gatewayclass-controller" } },
        mistake: "a controller name that is not a domain-prefixed path",
        breakIt: (m) => (m.spec.controllerName = "envoy"),
        error: 'gateway.networking.k8s.io/v1 GatewayClass envoy: data/spec/controllerName must match pattern "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\\/[A-Za-z0-9\\/\\-._~%!$&\'()*+,;=:]+$"',
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

    it("HTTPRoute: a hostname with an uppercase letter or a port, a backendRef port as a string, an unknown filter type", () => {
        const broken = httpRoute() as any;
        broken.spec.hostnames = ["Orders.hft.example.com", "orders.hft.example.com:443"];
        broken.spec.rules[0].backendRefs[0].port = "8080";
        broken.spec.rules[0].filters[0].type = "ResponseHeaders";
        const hostname = 'must match pattern "^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"';
        assert.throws(() => validateManifest(broken), {
            message:
                `gateway.networking.k8s.io/v1 HTTPRoute order-api: data/spec/hostnames/0 ${hostname}, data/spec/hostnames/1 ${hostname}, ` +
                "data/spec/rules/0/backendRefs/0/port must be integer, " +
                "data/spec/rules/0/filters/0 filter.responseHeaderModifier must be nil if the filter.type is not ResponseHeaderModifier, " +
                "data/spec/rules/0/filters/0/type must be equal to one of the allowed values (RequestHeaderModifier, ResponseHeaderModifier, RequestMirror, RequestRedirect, URLRewrite, ExtensionRef, CORS)",
        });
    });

    it("HTTPRoute: a backend timeout longer than the request timeout, and a sectionName-less second reference to the same Gateway (CEL rules carried over)", () => {
        const broken = httpRoute() as any;
        broken.spec.rules[0].timeouts = { request: "10s", backendRequest: "1m" };
        broken.spec.parentRefs.push({ ...GATEWAY });
        assert.throws(() => validateManifest(broken), {
            message:
                "gateway.networking.k8s.io/v1 HTTPRoute order-api: data/spec/parentRefs sectionName must be specified when parentRefs includes 2 or more references to the same parent, " +
                "data/spec/rules/0/timeouts backendRequest timeout cannot be longer than request timeout",
        });
    });

    it("the Gateway API CEL rules ajv skips (no JavaScript equivalent in tests/celRules.ts): none about the fields the program writes", () => {
        assert.deepEqual(SKIPPED_CEL_RULES["gateway.networking.k8s.io/v1/HTTPRoute"], [
            "While 16 rules and 64 matches per rule are allowed, the total number of matches across all rules in a route must be less than 128",
            "When using RequestRedirect filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified",
            "When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified",
            "Within backendRefs, when using RequestRedirect filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified",
            "Within backendRefs, When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified",
            "Only one of percent or fraction may be specified in HTTPRequestMirrorFilter",
            "numerator must be less than or equal to denominator",
        ]);
        assert.deepEqual(SKIPPED_CEL_RULES["gateway.networking.k8s.io/v1/Gateway"], [
            "IPAddress values must be unique",
            "Hostname values must be unique",
            "Hostname value must be empty or contain only valid characters (matching ^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$)",
            "Annotation keys must be in the form of an optional DNS subdomain prefix followed by a required name segment of up to 63 characters.",
            "If specified, the annotation key's prefix must be a DNS subdomain not longer than 253 characters in total.",
            "Label keys must be in the form of an optional DNS subdomain prefix followed by a required name segment of up to 63 characters.",
            "If specified, the label key's prefix must be a DNS subdomain not longer than 253 characters in total.",
            "Port for TLS configuration must be unique within the Gateway",
            "Hostname value must only contain valid characters (matching ^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$)",
        ]);
        // A transition rule (oldSelf): it judges updates, never a new object.
        assert.deepEqual(SKIPPED_CEL_RULES["gateway.networking.k8s.io/v1/GatewayClass"], ["Value is immutable"]);
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
            "argoproj.io/v1alpha1/AnalysisTemplate",
            "argoproj.io/v1alpha1/Rollout",
            "autoscaling/v2/HorizontalPodAutoscaler",
            "batch/v1/CronJob",
            "batch/v1/Job",
            "external-secrets.io/v1/ExternalSecret",
            "gateway.networking.k8s.io/v1/Gateway",
            "gateway.networking.k8s.io/v1/GatewayClass",
            "gateway.networking.k8s.io/v1/HTTPRoute",
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
