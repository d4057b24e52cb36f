import { strict as assert } from "assert";
import { PolicyResource, ResourceRule } from "../policy/rules";
import { configMapSecretsRule } from "../policy/rules/configMaps";
import { gatewayRoutesRule } from "../policy/rules/gateway";
import { ingressTlsRule, serviceTypeRule } from "../policy/rules/exposure";
import { resourcesAndProbesRule, securityContextRule } from "../policy/rules/workloads";
import { container, deployment, DIGEST, gateway, GATEWAY_REF, httpRoute, initContainer, Props, resource, sidecar, worker, workload } from "./policyFixtures";
import { compiledPack, runPack } from "./policyRunner";
import { providerPodBearingTypes, providerTypesOfKind } from "./providerTypes";

/**
 * Issue 18, class 5: what got past the policy pack without a mandatory finding, each in more than
 * one spelling. Host namespaces, hostPath and privileged containers in every pod-bearing type the
 * installed @pulumi/kubernetes offers (older API versions and the `...Patch` resources included,
 * the list read from the provider itself), empty probes, an HTTPS redirect switched off in other
 * spellings than "false", a Service with externalIPs, and secrets in ConfigMaps under key names and
 * value shapes the pack did not know.
 */

const check = (rule: ResourceRule, r: PolicyResource, config: Props = {}) => rule.check(r, config);
const RESTRICTED_SC = container().securityContext as Props;
const RESTRICTED_POD_SC = { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } };
const META = { name: "api", namespace: "hft-production" };

/** An object of this type token (`kubernetes:...`) named 'api' in hft-production, with these properties besides its metadata; in production unless told. */
function typed(type: string, props: Props, stack = "production"): PolicyResource {
    const metadata = { ...META, labels: { environment: stack } };
    return resource(type.slice("kubernetes:".length), `api-${type.slice(type.lastIndexOf(":") + 1).toLowerCase()}`, { metadata, ...props }, stack);
}

/** The properties that put a pod spec at `path` (["spec", "template", "spec"] -> {spec: {template: {spec}}}). */
function nested(path: readonly string[], value: Props): Props {
    return path.reduceRight<Props>((inner, key) => ({ [key]: inner }), value);
}

/** A restricted pod spec as this program writes one, a worker's (no port, so no probes asked), with overrides. */
function podSpec(overrides: Props = {}): Props {
    return { securityContext: RESTRICTED_POD_SC, containers: [worker()], ...overrides };
}

const POD_TYPES = providerPodBearingTypes();
const pathOf = (type: string) => POD_TYPES.find((p) => p.type === type)?.podSpecPath ?? assert.fail(`${type} is not a pod-bearing type of the provider`);
/** An object of a pod-bearing type with its pod spec where the provider's declarations put it. */
const podBearing = (type: string, spec: Props = podSpec(), stack?: string) => typed(type, nested(pathOf(type), spec), stack);

const POD_FIX = /Fix: unset the settings named and keep the pod's securityContext at/;
const mandatory = (r: PolicyResource) => runPack({ inputs: [r], outputs: [r] }).filter((f) => f.level === "mandatory");

describe("issue 18, class 5: every pod-bearing type of the installed provider is judged", () => {
    it("reads the pod-bearing types from the installed @pulumi/kubernetes: every API version of each kind, and its Patch", () => {
        const types = POD_TYPES.map((p) => p.type);
        for (const t of [
            "kubernetes:apps/v1:Deployment",
            "kubernetes:apps/v1:DeploymentPatch",
            "kubernetes:apps/v1beta1:Deployment",
            "kubernetes:apps/v1beta2:DaemonSet",
            "kubernetes:extensions/v1beta1:ReplicaSet",
            "kubernetes:batch/v1beta1:CronJob",
            "kubernetes:batch/v2alpha1:CronJobPatch",
            "kubernetes:core/v1:PodPatch",
            "kubernetes:core/v1:PodTemplate",
            "kubernetes:core/v1:ReplicationController",
        ]) {
            assert.ok(types.includes(t), t);
        }
        assert.ok(types.length >= 40, `${types.length} types`);
        assert.deepEqual(pathOf("kubernetes:batch/v1beta1:CronJob"), ["spec", "jobTemplate", "spec", "template", "spec"]);
        assert.deepEqual(pathOf("kubernetes:core/v1:PodTemplatePatch"), ["template", "spec"]);
        assert.deepEqual(pathOf("kubernetes:core/v1:Pod"), ["spec"]);
    });

    it("finds a host namespace and a privileged container in the pod of every one of them, at the mandatory level", () => {
        for (const { type } of POD_TYPES) {
            const privileged = worker({ name: "c", securityContext: { ...RESTRICTED_SC, privileged: true } });
            const messages = check(securityContextRule, podBearing(type, podSpec({ hostNetwork: true, containers: [privileged] })));
            assert.equal(messages.length, 2, `${type}: ${messages.join(" | ")}`);
            assert.match(messages[0], /Pod Security restricted: hostNetwork is true \(must be unset or false\)\./, type);
            assert.match(messages[1], / container 'c' is not restricted\. Pod Security restricted: privileged is true\./, type);
            // In staging, where one replica is enough and no other rule has anything to say.
            const findings = mandatory(podBearing(type, podSpec({ hostPID: true }), "staging"));
            assert.deepEqual(findings.map((f) => f.policy), ["pod-security-context"], type);
        }
    });

    it("passes the restricted pod this program writes in every one of them", () => {
        for (const { type } of POD_TYPES) {
            assert.deepEqual(check(securityContextRule, podBearing(type)), [], type);
            assert.deepEqual(mandatory(podBearing(type, podSpec(), "staging")), [], type);
        }
    });
});

describe("issue 18, class 5: host namespaces, hostPath and privileged containers in other spellings", () => {
    it("refuses hostNetwork on a DeploymentPatch, hostPID on an extensions/v1beta1 DaemonSet, hostIPC in a v1beta1 CronJob's job template", () => {
        assert.deepEqual(check(securityContextRule, podBearing("kubernetes:apps/v1:DeploymentPatch", { hostNetwork: true })).length, 1);
        assert.match(
            check(securityContextRule, podBearing("kubernetes:apps/v1:DeploymentPatch", { hostNetwork: true }))[0],
            /^DeploymentPatch 'hft-production\/api' pod template is not restricted\. Pod Security restricted: hostNetwork is true \(must be unset or false\)\. Fix: /,
        );
        assert.match(check(securityContextRule, podBearing("kubernetes:extensions/v1beta1:DaemonSet", podSpec({ hostPID: true })))[0], /^DaemonSet 'hft-production\/api' pod template is not restricted\. Pod Security restricted: hostPID is true/);
        assert.match(check(securityContextRule, podBearing("kubernetes:batch/v1beta1:CronJob", podSpec({ hostIPC: true })))[0], /^CronJob 'hft-production\/api' pod template is not restricted\. Pod Security restricted: hostIPC is true/);
    });

    it("refuses host namespaces spelled as text, in a PodTemplate, a ReplicationController, and a Pod declared as a CustomResource (type kubernetes:v1:Pod)", () => {
        assert.match(check(securityContextRule, podBearing("kubernetes:core/v1:PodTemplate", podSpec({ hostNetwork: "true" })))[0], /^PodTemplate 'hft-production\/api' pod template is not restricted\. Pod Security restricted: hostNetwork is true/);
        assert.match(check(securityContextRule, podBearing("kubernetes:core/v1:ReplicationController", podSpec({ hostPID: true })))[0], /hostPID is true/);
        // new k8s.apiextensions.CustomResource("x", {apiVersion: "v1", kind: "Pod", ...}) registers the type kubernetes:v1:Pod.
        const pod = typed("kubernetes:v1:Pod", { apiVersion: "v1", kind: "Pod", spec: podSpec({ hostIPC: true }) });
        assert.match(check(securityContextRule, pod)[0], /^Pod 'hft-production\/api' is not restricted\. Pod Security restricted: hostIPC is true/);
        assert.equal(mandatory(pod).length, 1);
    });

    it("refuses hostPath in an apps/v1beta2 StatefulSet, in a DeploymentPatch, and beside an emptyDir in one volume", () => {
        const hostPath = { name: "node", hostPath: { path: "/var/run" } };
        assert.match(check(securityContextRule, podBearing("kubernetes:apps/v1beta2:StatefulSet", podSpec({ volumes: [hostPath] })))[0], /Pod Security restricted: volume 'node' is hostPath \(allowed: /);
        assert.match(check(securityContextRule, podBearing("kubernetes:apps/v1:DeploymentPatch", { volumes: [hostPath] }))[0], /^DeploymentPatch 'hft-production\/api' pod template is not restricted\. Pod Security restricted: volume 'node' is hostPath/);
        const both = deployment({ volumes: [{ name: "scratch", emptyDir: {}, hostPath: { path: "/" } }] });
        assert.equal(check(securityContextRule, both).length, 1);
        assert.match(check(securityContextRule, both)[0], /volume 'scratch' is emptyDir, hostPath \(allowed: /);
        assert.match(check(securityContextRule, podBearing("kubernetes:core/v1:ReplicationController", podSpec({ volumes: [{ name: "share", nfs: { server: "nfs", path: "/" } }] })))[0], POD_FIX);
    });

    it("refuses a privileged ephemeral container added by a PodPatch, one adding SYS_ADMIN or allowing escalation, and one without a securityContext", () => {
        const debug = (sc: Props) => initContainer({ name: "debug", securityContext: { ...RESTRICTED_SC, ...sc } });
        const patch = (c: Props) => podBearing("kubernetes:core/v1:PodPatch", { ephemeralContainers: [c] });
        assert.deepEqual(check(securityContextRule, patch(debug({ privileged: true }))).map((m) => m.slice(0, m.indexOf(" Fix:"))), [
            "PodPatch 'hft-production/api' ephemeral container 'debug' is not restricted. Pod Security restricted: privileged is true.",
        ]);
        assert.match(check(securityContextRule, patch(debug({ capabilities: { drop: ["ALL"], add: ["SYS_ADMIN"] } })))[0], /capabilities\.add has SYS_ADMIN \(only NET_BIND_SERVICE may be added\)/);
        assert.match(check(securityContextRule, patch(debug({ allowPrivilegeEscalation: true })))[0], /allowPrivilegeEscalation is not false/);
        // An ephemeral container cannot be changed once added: whatever a patch names is new and whole, so what it leaves out is missing.
        assert.match(
            check(securityContextRule, patch({ name: "debug", image: `busybox@${DIGEST}` }))[0],
            /^PodPatch 'hft-production\/api' ephemeral container 'debug' is not restricted\. Pod Security restricted: runAsNonRoot is not true; allowPrivilegeEscalation is not false; capabilities\.drop does not include ALL; seccompProfile\.type is unset/,
        );
        assert.match(check(securityContextRule, workload("Pod", { ephemeralContainers: [debug({ capabilities: { drop: ["ALL"], add: ["SYS_ADMIN", "NET_ADMIN"] } })] }))[0], /ephemeral container 'debug' is not restricted\. Pod Security restricted: capabilities\.add has SYS_ADMIN, NET_ADMIN/);
    });

    it("judges a Patch by what it sets: a patch of an image or replicas asks for nothing it does not touch", () => {
        const imageOnly = typed("kubernetes:apps/v1:DeploymentPatch", { spec: { replicas: 3, template: { spec: { containers: [{ name: "api", image: `ghcr.io/acme/api@${DIGEST}` }] } } } });
        assert.deepEqual(runPack({ inputs: [imageOnly], outputs: [imageOnly] }), []);
        const annotations = typed("kubernetes:batch/v1:CronJobPatch", { spec: { suspend: true } });
        assert.deepEqual(runPack({ inputs: [annotations], outputs: [annotations] }), []);
        // What it sets is judged: root, an escalation, a tag in production, a limit of 0.
        const bad = typed("kubernetes:apps/v1:DeploymentPatch", {
            spec: { template: { spec: { containers: [{ name: "api", image: "ghcr.io/acme/api:1.2", securityContext: { runAsUser: 0, allowPrivilegeEscalation: true }, resources: { limits: { cpu: "0" } } }] } } },
        });
        assert.deepEqual(
            runPack({ inputs: [bad], outputs: [bad] }).map((f) => [f.policy, f.level]),
            [
                ["pod-security-context", "mandatory"],
                ["container-resources-and-probes", "mandatory"],
                ["no-mutable-image-tags", "mandatory"],
            ],
        );
        assert.match(check(securityContextRule, bad)[0], /^DeploymentPatch 'hft-production\/api' container 'api' is not restricted\. Pod Security restricted: runAsUser is 0 \(root\); allowPrivilegeEscalation is not false\. Fix:/);
    });
});

describe("issue 18, class 5: empty probes", () => {
    const FIX = "Fix: give the service 'probes.liveness' and 'probes.readiness' (catalog or stack config).";
    const serving = (probes: Props, kind: "Deployment" | "StatefulSet" = "Deployment") => workload(kind, { containers: [container(probes)] });

    it("counts a probe without a handler as no probe: {} on a Deployment, an apps/v1beta2 StatefulSet and a Rollout", () => {
        assert.deepEqual(check(resourcesAndProbesRule, serving({ livenessProbe: {} })), [
            `Deployment 'hft-production/api' container 'api' has no livenessProbe (it has no exec, httpGet, tcpSocket or grpc handler) (probes are required of a Deployment container that declares a port). ${FIX}`,
        ]);
        const statefulSet = podBearing("kubernetes:apps/v1beta2:StatefulSet", podSpec({ containers: [container({ readinessProbe: { periodSeconds: 5, failureThreshold: 3 } })] }));
        assert.match(check(resourcesAndProbesRule, statefulSet)[0], /^StatefulSet 'hft-production\/api' container 'api' has no readinessProbe \(it has no exec, httpGet, tcpSocket or grpc handler\)/);
        const rollout = typed("kubernetes:argoproj.io/v1alpha1:Rollout", { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", spec: { replicas: 2, template: { spec: podSpec({ containers: [container({ livenessProbe: {} })] }) } } });
        assert.match(check(resourcesAndProbesRule, rollout)[0], /^Rollout 'hft-production\/api' container 'api' has no livenessProbe \(it has no exec, httpGet, tcpSocket or grpc handler\)/);
    });

    it("counts a handler that checks nothing as no probe: no port, no command, a command that always succeeds", () => {
        const cases: readonly [Props, string][] = [
            [{ httpGet: { path: "/healthz" } }, "its httpGet has no port"],
            [{ tcpSocket: {} }, "its tcpSocket has no port"],
            [{ grpc: {} }, "its grpc has no port"],
            [{ exec: {} }, "its exec has no command"],
            [{ exec: { command: [] } }, "its exec has no command"],
            [{ exec: { command: ["true"] } }, "its exec command always succeeds"],
            [{ exec: { command: ["/bin/true"] } }, "its exec command always succeeds"],
            [{ exec: { command: ["/bin/sh", "-c", "exit 0"] } }, "its exec command always succeeds"],
            [{ exec: { command: ["sh", "-c", "curl -fs http://localhost:8080/healthz || true"] } }, "its exec command always succeeds"],
            [{ exec: { command: ["bash", "-c", "pg_isready; :"] } }, "its exec command always succeeds"],
        ];
        for (const [probe, why] of cases) {
            assert.deepEqual(check(resourcesAndProbesRule, serving({ readinessProbe: probe })), [
                `Deployment 'hft-production/api' container 'api' has no readinessProbe (${why}) (probes are required of a Deployment container that declares a port). ${FIX}`,
            ], JSON.stringify(probe));
        }
    });

    it("refuses an empty probe wherever it is set, on a sidecar or a Job's container, and passes probes that check something", () => {
        assert.deepEqual(check(resourcesAndProbesRule, deployment({ initContainers: [sidecar({ startupProbe: {} })] })), [
            "Deployment 'hft-production/api' sidecar 'proxy' has no startupProbe (it has no exec, httpGet, tcpSocket or grpc handler). Fix: give the sidecar a handler in each probe it sets (exec, httpGet, tcpSocket or grpc), or no probe (catalog or stack config).",
        ]);
        assert.match(check(resourcesAndProbesRule, workload("Job", { containers: [worker({ livenessProbe: { exec: { command: ["true"] } } })] }))[0], /^Job 'hft-production\/api' container 'worker' has no livenessProbe \(its exec command always succeeds\)\. Fix: give the service a handler in each probe it sets/);
        for (const probe of [
            { exec: { command: ["cat", "/tmp/healthy"] } },
            { exec: { command: ["sh", "-c", "pg_isready && true"] } },
            { grpc: { port: 9090 } },
            { tcpSocket: { port: "http" } },
            { httpGet: { path: "/healthz", port: 8080 } },
        ]) {
            assert.deepEqual(check(resourcesAndProbesRule, serving({ livenessProbe: probe, readinessProbe: probe })), [], JSON.stringify(probe));
        }
    });
});

describe("issue 18, class 5: the HTTPS redirect switched off in any spelling", () => {
    const ingress = (annotations: Props, type = "kubernetes:networking.k8s.io/v1:Ingress", spec: Props = { tls: [{ hosts: ["api.example.com"], secretName: "api-tls" }], rules: [{ host: "api.example.com" }] }) =>
        typed(type, { metadata: { ...META, annotations }, spec });
    const redirect = (value: unknown, key = "nginx.ingress.kubernetes.io/ssl-redirect") => check(ingressTlsRule, ingress({ [key]: value }));

    it("refuses every value that is not a spelling of true, naming the annotation and the value", () => {
        // ingress-nginx reads these annotations with Go's strconv.ParseBool: 0, f, F, false, FALSE and
        // False are false; a value it cannot parse is an error. Only its spellings of true pass.
        for (const value of ["False", "0", "f", "F", "FALSE", "false", "false ", "no", "off", ""]) {
            assert.deepEqual(redirect(value), [
                `Ingress 'hft-production/api' sets nginx.ingress.kubernetes.io/ssl-redirect: ${JSON.stringify(value)}, which is not a spelling of true (1, t, T, true, TRUE, True): the controller reads 0, f, F, false, FALSE and False as false and serves plain HTTP next to TLS, and refuses anything else. Fix: remove the annotation (the redirect is on by default) or set it to "true".`,
            ], value);
        }
        for (const value of ["1", "t", "T", "true", "TRUE", "True"]) assert.deepEqual(redirect(value), [], value);
    });

    it("refuses it under the other controllers' prefixes and as force-ssl-redirect, but not ssl-redirect-code", () => {
        assert.match(redirect("false", "haproxy.org/ssl-redirect")[0], /sets haproxy\.org\/ssl-redirect: "false", which is not a spelling of true/);
        assert.match(redirect("0", "ingress.kubernetes.io/ssl-redirect")[0], /sets ingress\.kubernetes\.io\/ssl-redirect: "0"/);
        assert.match(redirect("False", "nginx.ingress.kubernetes.io/force-ssl-redirect")[0], /sets nginx\.ingress\.kubernetes\.io\/force-ssl-redirect: "False"/);
        assert.deepEqual(check(ingressTlsRule, ingress({ "haproxy.org/ssl-redirect": "true", "haproxy.org/ssl-redirect-code": "301" })), []);
    });

    it("judges every Ingress type of the provider: older API versions in full, a Patch by the annotations it sets", () => {
        const types = providerTypesOfKind("Ingress", "IngressPatch");
        assert.ok(types.includes("kubernetes:extensions/v1beta1:Ingress") && types.includes("kubernetes:networking.k8s.io/v1:IngressPatch"), types.join(", "));
        for (const type of types) {
            const messages = check(ingressTlsRule, ingress({ "nginx.ingress.kubernetes.io/ssl-redirect": "0" }, type));
            assert.equal(messages.length, 1, type);
            assert.match(messages[0], /sets nginx\.ingress\.kubernetes\.io\/ssl-redirect: "0"/, type);
            if (type.endsWith("Patch")) {
                // A patch that sets no tls leaves the Ingress's own.
                assert.deepEqual(check(ingressTlsRule, ingress({}, type, {})), [], type);
            } else {
                assert.match(check(ingressTlsRule, ingress({}, type, { rules: [{ host: "api.example.com" }] }))[0], /has no TLS\. Fix:/, type);
            }
        }
    });
});

describe("issue 18, class 5: a Service with externalIPs", () => {
    const service = (spec: Props, type = "kubernetes:core/v1:Service") => typed(type, { spec: { ports: [{ port: 80 }], ...spec } });
    const EXTERNAL_IPS =
        "Service 'hft-production/api' sets spec.externalIPs (203.0.113.10), so every node sends traffic for those addresses to it, which can take traffic meant for those addresses elsewhere (CVE-2020-8554). Fix: remove spec.externalIPs and reach the service through the TLS Ingress ('ingress' in the catalog); 'allowedServices' does not allow externalIPs.";

    it("refuses externalIPs on a ClusterIP Service, whatever allowedServices says", () => {
        assert.deepEqual(check(serviceTypeRule, service({ type: "ClusterIP", externalIPs: ["203.0.113.10"] })), [EXTERNAL_IPS]);
        assert.deepEqual(check(serviceTypeRule, service({ externalIPs: ["203.0.113.10"] }), { allowedServices: ["hft-production/api"] }), [EXTERNAL_IPS]);
        assert.deepEqual(check(serviceTypeRule, service({ externalIPs: [] })), []);
    });

    it("refuses externalIPs and LoadBalancer on a ServicePatch, and on a Service declared as a CustomResource (type kubernetes:v1:Service)", () => {
        assert.deepEqual(providerTypesOfKind("Service", "ServicePatch"), ["kubernetes:core/v1:Service", "kubernetes:core/v1:ServicePatch"]);
        assert.match(check(serviceTypeRule, service({ externalIPs: ["198.51.100.7", "198.51.100.8"] }, "kubernetes:core/v1:ServicePatch"))[0], /^ServicePatch 'hft-production\/api' sets spec\.externalIPs \(198\.51\.100\.7, 198\.51\.100\.8\)/);
        assert.match(check(serviceTypeRule, service({ type: "LoadBalancer" }, "kubernetes:core/v1:ServicePatch"))[0], /^ServicePatch 'hft-production\/api' is of type LoadBalancer/);
        assert.match(check(serviceTypeRule, service({ type: "NodePort" }, "kubernetes:v1:Service"))[0], /^Service 'hft-production\/api' is of type NodePort/);
        assert.equal(mandatory(service({ externalIPs: ["203.0.113.10"] }, "kubernetes:core/v1:ServicePatch")).length, 1);
    });
});

describe("issue 18, class 5: secrets in ConfigMaps under names and shapes the pack did not know", () => {
    const configMap = (data: Props, binaryData?: Props, type = "kubernetes:core/v1:ConfigMap") =>
        typed(type, { metadata: { ...META, name: "api-config" }, data, ...(binaryData ? { binaryData } : {}) });
    const why = (data: Props, binaryData?: Props) =>
        check(configMapSecretsRule, configMap(data, binaryData)).map((m) => {
            const found = / looks like a secret: (.*)\. Fix: /.exec(m);
            return found ? found[1] : m;
        });
    const GITHUB_TOKEN = `ghp_${"a1B2c3D4e5".repeat(3)}abcdef`;
    const JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkhGVCJ9.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

    it("refuses key names that say secret in more spellings: DBPASS, GITHUBTOKEN, apitoken, htpasswd, privkey, kubeconfig, .dockerconfigjson", () => {
        for (const key of ["DBPASS", "PGPASS", "GITHUBTOKEN", "apitoken", "htpasswd", "privkey", "signingKey", "kubeconfig", ".dockerconfigjson", "JWT", "DB_PASSWD", "dbPassword", "aws_secret_access_key"]) {
            assert.equal(check(configMapSecretsRule, configMap({ [key]: "x" })).length, 1, key);
        }
        assert.deepEqual(check(configMapSecretsRule, configMap({ DBPASS: "x" })), [
            "ConfigMap 'hft-production/api-config' entry 'DBPASS' looks like a secret: its key names a secret ('DBPASS'). Fix: move it to the service's 'secrets' ({fromConfig: <key>} set with 'pulumi config set --secret', or {generate: {length: 32}}), which become a Kubernetes Secret; if it is not secret, list 'DBPASS' in this policy's 'allowKeys'.",
        ]);
        for (const key of ["KEYBOARD", "MONKEY_COUNT", "BYPASS_CACHE", "COMPASS_HEADING", "TOKENIZER_MODEL", "PASSENGER_LIMIT"]) {
            assert.deepEqual(check(configMapSecretsRule, configMap({ [key]: "x" })), [], key);
        }
    });

    it("refuses values shaped like credentials under any key, without showing them", () => {
        const cases: readonly [string, string][] = [
            ["-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOYBF...", "its value is a private key"],
            ["-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC...", "its value is a private key"],
            ["AKIAIOSFODNN7EXAMPLE", "its value holds an AWS access key ID"],
            [`token=${GITHUB_TOKEN}`, "its value holds a GitHub token"],
            [`github_pat_${"11ABCDEFG0".repeat(4)}_abcdefghij`, "its value holds a GitHub token"],
            [`Bearer ${JWT}`, "its value holds a JSON Web Token"],
            ["xoxb-2048-4096-abcdefABCDEF123456", "its value holds a Slack token"],
            ["--db=postgres://app:hunter2@db:5432/app", "its value is a URL with a password in it"],
            ["jdbc:postgresql://db:5432/app?user=app&password=hunter2", "its value sets 'password' (line 1)"],
            ["spring.datasource.url=jdbc:postgresql://db/app\nspring.datasource.password=hunter2\n", "its value sets 'spring.datasource.password' (line 2)"],
            ['{"db": {"host": "db", "password": "hunter2"}}', "its value sets 'password' (line 1)"],
            ["redis:\n  host: redis\n  auth_token: hunter2\n", "its value sets 'auth_token' (line 3)"],
        ];
        for (const [value, reason] of cases) {
            const messages = check(configMapSecretsRule, configMap({ SETTINGS: value }));
            assert.deepEqual(why({ SETTINGS: value }), [reason], value);
            assert.ok(!messages[0].includes("hunter2") && !messages[0].includes(GITHUB_TOKEN) && !messages[0].includes(JWT) && !messages[0].includes("AKIA"), messages[0]);
        }
    });

    it("passes placeholders, references and plain prose", () => {
        for (const value of [
            "spring.datasource.password=${DB_PASSWORD}",
            'password: ""',
            "password_file: /run/secrets/db",
            "postgres://app:${DB_PASSWORD}@db:5432/app",
            "postgres://db:5432/app",
            "Forgot your password? Reset it at https://example.com/reset",
            "secretName: api-tls",
            "token: {{ .Values.token }}",
        ]) {
            assert.deepEqual(check(configMapSecretsRule, configMap({ SETTINGS: value })), [], value);
        }
    });

    it("decodes binaryData, and judges a ConfigMapPatch", () => {
        const pem = Buffer.from("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE...\n-----END EC PRIVATE KEY-----\n").toString("base64");
        assert.deepEqual(why({}, { "client.bin": pem }), ["its value is a private key"]);
        assert.deepEqual(why({}, { "logo.png": Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString("base64") }), []);
        assert.deepEqual(providerTypesOfKind("ConfigMap", "ConfigMapPatch"), ["kubernetes:core/v1:ConfigMap", "kubernetes:core/v1:ConfigMapPatch"]);
        assert.match(check(configMapSecretsRule, configMap({ DB_PASSWORD: "x" }, undefined, "kubernetes:core/v1:ConfigMapPatch"))[0], /^ConfigMapPatch 'hft-production\/api-config' entry 'DB_PASSWORD' looks like a secret/);
        assert.equal(mandatory(configMap({ URL: "amqp://guest:guest@rabbit:5672" }, undefined, "kubernetes:v1:ConfigMap")).length, 1);
    });
});

describe("issue 18, class 5: Gateway API routes in an older version", () => {
    const inVersion = (r: PolicyResource, version: string): PolicyResource => ({ ...r, type: r.type.replace("/v1:", `/${version}:`), urn: r.urn.replace("/v1:", `/${version}:`) });

    it("judges a v1beta1 HTTPRoute that serves plain HTTP, with a v1 or a v1beta1 Gateway", () => {
        const onHttp = httpRoute({ parentRefs: [{ ...GATEWAY_REF, sectionName: "http" }] });
        for (const gw of [gateway(), inVersion(gateway(), "v1beta1")]) {
            const found = gatewayRoutesRule.check([inVersion(onHttp, "v1beta1"), gw], {}).map((v) => v.message);
            assert.equal(found.length, 1, gw.type);
            assert.match(found[0], /^HTTPRoute 'hft-production\/api' serves traffic through listener 'http' of Gateway 'hft-gateway\/hft' \(parentRefs\[0\]\), whose protocol is HTTP, not HTTPS\./);
        }
        assert.match(gatewayRoutesRule.check([inVersion(httpRoute({ hostnames: ["*.example.com"] }), "v1beta1")], {})[0]?.message ?? "", /has the wildcard hostname '\*\.example\.com' in production/);
    });
});

describe("issue 18, class 5: a hostile ConfigMap does not stall the pack", () => {
    it("judges a megabyte of text shaped to make a pattern backtrack in linear time", () => {
        const M = 1 << 20;
        const hostile = ["eyJ".repeat(M / 3), 'a:"'.repeat(M / 3), "a=".repeat(M / 2), "-----BEGIN ".repeat(M / 11), "a://".repeat(M / 4), "eyJaaaaa.".repeat(M / 9), "aB".repeat(M / 2), `k${" ".repeat(999)}`.repeat(M / 1000)];
        for (const value of hostile) {
            const started = Date.now();
            check(configMapSecretsRule, typed("kubernetes:core/v1:ConfigMap", { data: { [value.slice(0, 100_000)]: value } }));
            // Linear is well under a second on a loaded machine; a quadratic pattern would take minutes.
            assert.ok(Date.now() - started < 5000, `${value.slice(0, 12)}...: ${Date.now() - started} ms`);
        }
    });
});

describe("issue 18, class 5: the compiled pack", () => {
    it("finds what policy/ finds on these bypasses (policy-pack/ regenerated)", () => {
        const fixtures = [
            ...POD_TYPES.map(({ type }) => podBearing(type, podSpec({ hostNetwork: true, containers: [container({ livenessProbe: {}, securityContext: {} })] }))),
            typed("kubernetes:core/v1:ServicePatch", { spec: { externalIPs: ["203.0.113.10"] } }),
            typed("kubernetes:networking.k8s.io/v1beta1:Ingress", { metadata: { ...META, annotations: { "nginx.ingress.kubernetes.io/ssl-redirect": "False" } }, spec: { tls: [{ hosts: ["a.example.com"], secretName: "a" }], rules: [{ host: "a.example.com" }] } }),
            typed("kubernetes:core/v1:ConfigMapPatch", { data: { GH: `ghp_${"x".repeat(36)}` } }),
        ];
        const resources = { inputs: fixtures, outputs: fixtures };
        const expected = runPack(resources);
        assert.ok(expected.length > POD_TYPES.length * 2, `${expected.length} findings`);
        assert.deepEqual(runPack(resources, {}, compiledPack()), expected);
    });
});
