import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Refusal } from "../tools/cli";
import { compareManifests, Comparison, differs, ObjectComparison } from "../tools/compare/compareObjects";
import { BEGIN, compareDocTables, END } from "../tools/compare/docTables";
import { kustomizeError, readOverlay } from "../tools/compare/kustomize";
import { generatedBase } from "../tools/compare/match";
import { formatPath, parsePattern, patternText } from "../tools/compare/path";
import { formatReport } from "../tools/compare/report";
import { Manifest } from "../tools/harness/manifests";
import { REPO } from "./support";

/**
 * `npm run compare`'s logic in-process, on hand-written manifests: matching, the field diff,
 * defaults, hardening, immutable fields, generated names, secrets and the report. The command
 * as a process, on a real Kustomize overlay: tests/e2e/compare.test.ts.
 */

const NS = "shop";
const HEADER = { overlay: "overlays/staging", overlayHow: "kubectl kustomize", stack: "staging", project: "project shop", namespace: NS };

function deployment(edit: (d: any) => void = () => undefined): Manifest {
    const d: any = {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "api", namespace: NS, labels: { "app.kubernetes.io/name": "api" } },
        spec: {
            selector: { matchLabels: { "app.kubernetes.io/name": "api" } },
            template: {
                metadata: { labels: { "app.kubernetes.io/name": "api" } },
                spec: {
                    containers: [
                        {
                            name: "api",
                            image: "registry.example.com/api:1.0.0",
                            env: [
                                { name: "LOG_LEVEL", value: "INFO" },
                                { name: "TZ", value: "UTC" },
                            ],
                            envFrom: [{ configMapRef: { name: "api-config-5g7h8k9m2t" } }],
                            resources: { limits: { cpu: "500m", memory: "256Mi" } },
                        },
                        { name: "proxy", image: "envoyproxy/envoy:v1.31.0" },
                    ],
                },
            },
        },
    };
    edit(d);
    return d as Manifest;
}

const configMap = (name: string, data: Record<string, string>, extra: Record<string, unknown> = {}): Manifest => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: NS }, data, ...extra });

const only = (c: Comparison, kind: string): ObjectComparison => {
    const found = c.objects.filter((o) => o.kind === kind);
    assert.equal(found.length, 1, `one ${kind}: ${JSON.stringify(c.objects.map((o) => o.kind))}`);
    return found[0];
};
const realPaths = (o: ObjectComparison) => o.real.map((c) => `${c.op} ${formatPath(c.path)}`);

describe("compare: a Kustomize overlay against a stack (in-process)", () => {
    const overlayCm = configMap("api-config-5g7h8k9m2t", { A: "1" });
    const stackCm = configMap("api-config-0a1b2c3d", { A: "1" });

    it("an identical object is equal, whatever the order of keys and of named lists", () => {
        const swapped = deployment((d) => {
            d.spec.template.spec.containers.reverse();
            d.spec.template.spec.containers[1].env.reverse();
            // The stack's Deployment reads the stack's generated ConfigMap, under its own suffix.
            d.spec.template.spec.containers[1].envFrom[0].configMapRef.name = "api-config-0a1b2c3d";
        });
        const c = compareManifests([deployment(), overlayCm], [swapped, stackCm], NS);
        // The ConfigMaps the pods read are compared as the pods' environment, not as objects.
        assert.deepEqual(
            c.objects.map((o) => [o.kind, o.status]),
            [["Deployment", "equal"]],
        );
        assert.deepEqual(c.read, { overlay: ["ConfigMap api-config-5g7h8k9m2t"], stack: ["ConfigMap api-config-0a1b2c3d"] });
        assert.equal(differs(c), false);
    });

    it("ignores the fields Kubernetes defaults, but not a value other than the default", () => {
        const withDefaults = deployment((d) => {
            Object.assign(d.spec, { revisionHistoryLimit: 10, progressDeadlineSeconds: 600, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } } });
            Object.assign(d.spec.template.spec, { restartPolicy: "Always", dnsPolicy: "ClusterFirst", schedulerName: "default-scheduler", terminationGracePeriodSeconds: 30 });
            Object.assign(d.spec.template.spec.containers[0], {
                imagePullPolicy: "IfNotPresent",
                terminationMessagePath: "/dev/termination-log",
                readinessProbe: { httpGet: { path: "/ready", port: 8080 }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
            });
            d.spec.template.spec.containers[1].imagePullPolicy = "IfNotPresent";
        });
        const withProbe = deployment((d) => (d.spec.template.spec.containers[0].readinessProbe = { httpGet: { path: "/ready", port: 8080 } }));
        assert.equal(only(compareManifests([withProbe], [withDefaults], NS), "Deployment").status, "equal");

        const fewer = deployment((d) => (d.spec.revisionHistoryLimit = 5));
        const latest = deployment((d) => (d.spec.template.spec.containers[1].imagePullPolicy = "IfNotPresent"));
        assert.deepEqual(realPaths(only(compareManifests([fewer], [deployment()], NS), "Deployment")), ["removed spec.revisionHistoryLimit"]);
        // The default for a tagged image is IfNotPresent: saying so is no difference.
        assert.equal(only(compareManifests([deployment()], [latest], NS), "Deployment").status, "equal");
    });

    it("an overlay's tag the stack runs by the digest it looked up is the same image, pinned; another digest is a real difference", () => {
        const digest = `sha256:${"ab".repeat(32)}`;
        const overlay = deployment((d) => (d.spec.template.spec.containers[0].image = "registry.example.com/shop/api:1.2.3"));
        const pinned = deployment((d) => (d.spec.template.spec.containers[0].image = `registry.example.com/shop/api@${digest}`));
        const looked = only(compareManifests([overlay], [pinned], NS, new Map([["registry.example.com/shop/api:1.2.3", digest]])), "Deployment");
        assert.equal(looked.status, "equal");
        assert.deepEqual(looked.hardening.map((h) => h.row.field), ["image"]);
        assert.deepEqual(realPaths(only(compareManifests([overlay], [pinned], NS, new Map([["registry.example.com/shop/api:1.2.3", `sha256:${"cd".repeat(32)}`]])), "Deployment")), [
            "changed spec.template.spec.containers[name=api].image",
        ]);
        assert.deepEqual(realPaths(only(compareManifests([overlay], [pinned], NS), "Deployment")), ["changed spec.template.spec.containers[name=api].image"], "no lookup, no claim that it is the same");
    });

    it("names the path of a changed limit and env value; quantities compare by amount", () => {
        const stack = deployment((d) => {
            d.spec.template.spec.containers[0].resources.limits = { cpu: "1", memory: "0.25Gi" };
            d.spec.template.spec.containers[0].env[0].value = "DEBUG";
        });
        const o = only(compareManifests([deployment()], [stack], NS), "Deployment");
        assert.deepEqual(realPaths(o), ["changed spec.template.spec.containers[name=api].env[name=LOG_LEVEL].value", "changed spec.template.spec.containers[name=api].resources.limits.cpu"]);
        const report = formatReport(compareManifests([deployment()], [stack], NS), HEADER);
        assert.match(report, /^~ changed +Deployment shop\/api\n {4}~ spec\.template\.spec\.containers\[name=api\]\.env\[name=LOG_LEVEL\]\.value: "INFO" -> "DEBUG"\n {4}~ spec\.template\.spec\.containers\[name=api\]\.resources\.limits\.cpu: "500m" -> "1"$/m);
        assert.match(report, /^summary: 0 equal, 1 changed, 0 only in the stack, 0 only in the overlay, 0 leftovers: they differ; review the differences above$/m);
        const half = deployment((d) => (d.spec.template.spec.containers[0].resources.limits.cpu = 0.5));
        assert.equal(only(compareManifests([deployment()], [half], NS), "Deployment").status, "equal");
    });

    it("lists the hardening the platform adds apart from the real differences; a field the stack drops is real", () => {
        const hardened = deployment((d) => {
            d.metadata.labels["app.kubernetes.io/managed-by"] = "pulumi";
            d.metadata.annotations = { "pulumi.com/timeoutSeconds": "360" };
            d.spec.template.metadata.annotations = { "checksum/config": "abc", "kubectl.kubernetes.io/default-container": "api" };
            Object.assign(d.spec.template.spec, {
                automountServiceAccountToken: false,
                securityContext: { runAsNonRoot: true, runAsUser: 10001 },
                volumes: [{ name: "tmp", emptyDir: { sizeLimit: "256Mi" } }],
            });
            d.spec.template.spec.containers[0].volumeMounts = [{ name: "tmp", mountPath: "/tmp" }];
            d.spec.template.spec.containers[0].livenessProbe = { httpGet: { path: "/healthz", port: "http" } };
        });
        const o = only(compareManifests([deployment()], [hardened], NS), "Deployment");
        assert.equal(o.status, "equal");
        assert.deepEqual([...new Set(o.hardening.map((h) => formatPath(h.at)))], [
            'metadata.annotations["pulumi.com/timeoutSeconds"]',
            'metadata.labels["app.kubernetes.io/managed-by"]',
            'spec.template.metadata.annotations["checksum/config"]',
            'spec.template.metadata.annotations["kubectl.kubernetes.io/default-container"]',
            "spec.template.spec.automountServiceAccountToken",
            "spec.template.spec.containers[name=api].livenessProbe",
            "spec.template.spec.containers[name=api].volumeMounts[name=tmp]",
            "spec.template.spec.securityContext",
            "spec.template.spec.volumes[name=tmp]",
        ]);
        const report = formatReport(compareManifests([deployment()], [hardened], NS), HEADER);
        assert.match(report, /^hardening the platform adds \(expected; docs\/compare\.md lists it\):\n {2}Deployment shop\/api\n/m);
        assert.match(report, /^ {4}\+ spec\.template\.spec\.securityContext \(2 fields\): pod securityContext: restricted settings/m);

        // The overlay's probe, volume and label that the stack drops are real differences.
        const dropped = compareManifests([hardened], [deployment()], NS);
        assert.equal(only(dropped, "Deployment").hardening.length, 0);
        assert.ok(realPaths(only(dropped, "Deployment")).includes("removed spec.template.spec.containers[name=api].livenessProbe.httpGet.path"));
        // A managed-by label other than pulumi is not the platform's.
        const other = deployment((d) => (d.metadata.labels["app.kubernetes.io/managed-by"] = "helm"));
        assert.deepEqual(realPaths(only(compareManifests([deployment()], [other], NS), "Deployment")), ['added metadata.labels["app.kubernetes.io/managed-by"]']);
    });

    it("objects only the stack adds as hardening are expected; others are real, as are objects only in the overlay", () => {
        const ns: Manifest = { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } };
        const pdb: Manifest = { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "api", namespace: NS }, spec: { maxUnavailable: 1 } };
        const platform = configMap("staging-common-44d3f4f1", { ENVIRONMENT: "staging" });
        (platform.metadata as any).labels = { "app.kubernetes.io/name": "shop", "app.kubernetes.io/part-of": "shop" };
        const ingress: Manifest = { apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "api", namespace: NS } };
        const cron: Manifest = { apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "report", namespace: NS } };
        const withShared = deployment((d) => d.spec.template.spec.containers[0].envFrom.unshift({ configMapRef: { name: "staging-common-44d3f4f1" } }));
        const c = compareManifests([deployment(), cron], [withShared, ns, pdb, platform, ingress], NS);
        assert.deepEqual(
            c.objects.map((o) => `${o.status} ${o.kind} ${o.expected ? "expected" : ""}`.trim()),
            ["equal Deployment", "stack-only Namespace expected", "stack-only PodDisruptionBudget expected", "stack-only Ingress", "overlay-only CronJob"],
        );
        assert.deepEqual(
            only(c, "Deployment").hardening.map((h) => formatPath(h.at)),
            ["spec.template.spec.containers[name=api].env[name=ENVIRONMENT]", "spec.template.spec.containers[name=api].env[name=ENVIRONMENT]"],
            "the variable read from the platform's ConfigMap (its name and value)",
        );
        const report = formatReport(c, HEADER);
        assert.match(report, /^- only in the overlay CronJob shop\/report: after the switch it stays in the cluster, unmanaged$/m);
        assert.match(report, /^\+ only in the stack {2}Ingress shop\/api$/m);
        assert.match(report, /^ {2}\+ Namespace shop: the stack's namespace/m);
    });

    it("names an immutable field that differs, and says the update would fail or replace", () => {
        const relabelled = deployment((d) => (d.spec.selector.matchLabels.team = "payments"));
        const c = compareManifests([relabelled], [deployment()], NS);
        assert.deepEqual(only(c, "Deployment").immutable.map((h) => [h.row.field, h.paths.map(formatPath)]), [["spec.selector", ["spec.selector.matchLabels.team"]]]);
        assert.match(formatReport(c, HEADER), /^ {4}! IMMUTABLE spec\.selector \(spec\.selector\.matchLabels\.team\): an update in place would fail; Pulumi would replace the Deployment \(delete, then create\)/m);
        const service = (spec: Record<string, unknown>): Manifest => ({ apiVersion: "v1", kind: "Service", metadata: { name: "db", namespace: NS }, spec });
        const toExternal = compareManifests([service({ type: "ClusterIP", ports: [{ port: 5432 }] })], [service({ type: "ExternalName", externalName: "db.example.com" })], NS);
        assert.deepEqual(only(toExternal, "Service").immutable.map((h) => h.row.field), ["spec.type"]);
        const toNodePort = compareManifests([service({ type: "ClusterIP" })], [service({ type: "NodePort" })], NS);
        assert.deepEqual(only(toNodePort, "Service").immutable, [], "ClusterIP to NodePort is an update");
        const immutableCm = compareManifests([configMap("flags", { A: "1" }, { immutable: true })], [configMap("flags", { A: "2" }, { immutable: true })], NS);
        assert.deepEqual(only(immutableCm, "ConfigMap").immutable.map((h) => h.row.field), ["data"]);
        assert.equal(differs(immutableCm), true);
    });

    it("matches generated ConfigMaps by base name and lists the overlay's as leftovers with their delete command", () => {
        assert.equal(generatedBase(overlayCm), "api-config");
        assert.equal(generatedBase(stackCm), "api-config");
        assert.equal(generatedBase({ kind: "Deployment", metadata: { name: "api-config-0a1b2c3d" } }), undefined);
        const flags = configMap("feature-flags-6gmdc9k59c", { NEW_CHECKOUT: "false" });
        const unread = configMap("limits-5g7h8k9m2t", { A: "1" });
        const c = compareManifests([deployment(), overlayCm, flags, unread], [deployment((d) => (d.spec.template.spec.containers[0].envFrom[0].configMapRef.name = "api-config-0a1b2c3d")), stackCm, configMap("limits-0a1b2c3d", { A: "1" })], NS);
        assert.deepEqual(c.leftovers, [
            { kind: "ConfigMap", namespace: NS, name: "api-config-5g7h8k9m2t", readByWorkloads: true },
            { kind: "ConfigMap", namespace: NS, name: "feature-flags-6gmdc9k59c" },
            { kind: "ConfigMap", namespace: NS, name: "limits-5g7h8k9m2t", replacedBy: "limits-0a1b2c3d" },
        ]);
        assert.equal(differs(c), false, "leftovers alone are no difference");
        const report = formatReport(c, HEADER);
        assert.match(report, /^ {2}kubectl -n shop delete configmap feature-flags-6gmdc9k59c +# no counterpart in the stack$/m);
        assert.match(report, /^ {2}kubectl -n shop delete configmap limits-5g7h8k9m2t +# the stack's limits-0a1b2c3d takes its place$/m);
        assert.match(report, /^ {2}kubectl -n shop delete configmap api-config-5g7h8k9m2t +# read by the workloads: compared as what their pods get$/m);
        // Two objects on one side with the same base name are not guessed at.
        const twice = compareManifests([overlayCm, configMap("api-config-7k2m4b9t6h", {})], [stackCm], NS);
        assert.deepEqual(twice.objects.map((o) => o.status), ["stack-only", "overlay-only", "overlay-only"]);
    });

    it("never prints a Secret's values: compares keys and digests, and says when a placeholder hides them", () => {
        const secret = (data: Record<string, string>, kind: "data" | "stringData" = "data"): Manifest => ({ apiVersion: "v1", kind: "Secret", metadata: { name: "api-secrets", namespace: NS }, [kind]: data });
        const b64 = (s: string) => Buffer.from(s).toString("base64");
        const same = compareManifests([secret({ PASSWORD: b64("hunter2") })], [secret({ PASSWORD: "hunter2" }, "stringData")], NS);
        assert.equal(only(same, "Secret").status, "equal");
        const changed = compareManifests([secret({ PASSWORD: b64("hunter2"), OLD: b64("x") })], [secret({ PASSWORD: b64("correct horse") })], NS);
        const report = formatReport(changed, HEADER);
        assert.match(report, /^ {4}~ data\.PASSWORD: "<redacted>" -> "<redacted>"$/m);
        assert.match(report, /^ {4}- data\.OLD: "<redacted>" \(only in the overlay\)$/m);
        for (const value of ["hunter2", b64("hunter2"), "correct horse", b64("correct horse"), b64("x")]) assert.ok(!report.includes(value), value);
        const placeholder = compareManifests([secret({ PASSWORD: b64("hunter2") })], [secret({ PASSWORD: "<redacted>" }, "stringData")], NS);
        assert.equal(only(placeholder, "Secret").status, "equal");
        assert.match(formatReport(placeholder, HEADER), /Secret values not compared: one side holds placeholders/);
    });

    it("gives overlay objects without a namespace the stack's, and says how many", () => {
        const bare = deployment((d) => delete d.metadata.namespace);
        const c = compareManifests([bare], [deployment()], NS);
        assert.equal(only(c, "Deployment").status, "equal");
        assert.match(formatReport(c, HEADER), /^1 of the overlay's objects has no namespace; compared as if in shop$/m);
    });

    it("writes paths and patterns in one notation", () => {
        for (const text of ["spec.template.spec.containers[name=api].resources.limits.cpu", 'metadata.labels["app.kubernetes.io/name"]', "spec.volumes[*].configMap", 'metadata.annotations["pulumi.com/*"]']) {
            assert.equal(patternText(parsePattern(text)), text);
        }
        assert.throws(() => parsePattern("spec..x]"), /not a path pattern/);
    });

    it("docs/compare.md holds the tables of defaults, hardening and immutable fields as the code has them", () => {
        const doc = fs.readFileSync(path.join(REPO, "docs", "compare.md"), "utf8");
        const [from, to] = [doc.indexOf(BEGIN), doc.indexOf(END)];
        assert.ok(from >= 0 && to > from, "docs/compare.md has the markers");
        assert.equal(doc.slice(from, to + END.length), compareDocTables(), "regenerate the tables with: node -r ts-node/register -e 'console.log(require(\"./tools/compare/docTables\").compareDocTables())'");
        assert.match(doc, /\| any \| `metadata\.creationTimestamp` \|/);
        assert.match(doc, /\| workloads \(.*\) \| each probe: `timeoutSeconds` \| 1 \|/);
    });
});

describe("compare: reading the overlay (in-process)", () => {
    it("refuses a folder that does not exist, naming it", async () => {
        await assert.rejects(readOverlay("/no/such/overlay"), (e: Error) => e instanceof Refusal && e.message === "no such overlay folder: /no/such/overlay");
    });

    it("reads a folder without a kustomization file as plain manifests, a List's items included", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "compare-plain-"));
        try {
            fs.writeFileSync(path.join(dir, "a.yaml"), "kind: ConfigMap\napiVersion: v1\nmetadata: { name: a }\n---\nkind: List\napiVersion: v1\nitems:\n  - { kind: Service, apiVersion: v1, metadata: { name: b } }\n");
            fs.writeFileSync(path.join(dir, "notes.txt"), "not read");
            const r = await readOverlay(dir);
            assert.deepEqual(r.objects.map((m) => `${m.kind}/${m.metadata.name}`), ["ConfigMap/a", "Service/b"]);
            assert.equal(r.how, "a plain folder of manifests, 1 file");
            fs.writeFileSync(path.join(dir, "b.yaml"), "metadata: { name: x }\n");
            await assert.rejects(readOverlay(dir), (e: Error) => e instanceof Refusal && e.message === `${path.join(dir, "b.yaml")}: not a Kubernetes object (no kind)`);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("takes kustomize's message out of kubectl's log line", () => {
        const line = 'E1130 13:58:53.313528    5773 run.go:72] "command failed" err="accumulating resources: \\"nope.yaml\\" not found"';
        assert.equal(kustomizeError(line), 'accumulating resources: "nope.yaml" not found');
        assert.equal(kustomizeError("Error: something else"), "something else");
    });
});

describe("compare: what the pods get, rather than how each side writes it", () => {
    const secret = (name: string, data: Record<string, string>): Manifest => ({ apiVersion: "v1", kind: "Secret", metadata: { name, namespace: NS }, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString("base64")])) });
    const pod = (containers: unknown[], extra: Record<string, unknown> = {}) =>
        deployment((d) => {
            d.spec.template.spec = { containers, ...extra };
        });
    const overlayApi = (env: unknown[], envFrom: unknown[] = []) => pod([{ name: "api", image: "registry.example.com/api:1.0.0", env, envFrom }]);

    it("compares each container's effective environment: literal values, ConfigMap and Secret keys, envFrom (later wins, env wins over envFrom)", () => {
        const overlay = [
            overlayApi(
                [
                    { name: "QUEUE", value: "orders" },
                    { name: "DATABASE_HOST", valueFrom: { configMapKeyRef: { name: "api-config-5g7h8k9m2t", key: "HOST" } } },
                    { name: "API_TOKEN", valueFrom: { secretKeyRef: { name: "api-secrets-5g7h8k9m2t", key: "TOKEN" } } },
                ],
                [{ configMapRef: { name: "api-config-5g7h8k9m2t" } }, { configMapRef: { name: "late-5g7h8k9m2t" } }],
            ),
            configMap("api-config-5g7h8k9m2t", { HOST: "db", TZ: "CET" }),
            configMap("late-5g7h8k9m2t", { TZ: "UTC" }),
            secret("api-secrets-5g7h8k9m2t", { TOKEN: "not-a-real-token" }),
        ];
        const stack = [
            pod([{ name: "api", image: "registry.example.com/api:1.0.0", envFrom: [{ configMapRef: { name: "api-config-0a1b2c3d" } }, { secretRef: { name: "api-secrets-0a1b2c3d" } }] }]),
            configMap("api-config-0a1b2c3d", { QUEUE: "orders", DATABASE_HOST: "db", HOST: "db", TZ: "UTC", SERVICE_NAME: "api" }),
            secret("api-secrets-0a1b2c3d", { API_TOKEN: "not-a-real-token" }),
        ];
        const c = compareManifests(overlay, stack, NS);
        const d = only(c, "Deployment");
        assert.deepEqual(realPaths(d), []);
        assert.deepEqual([...new Set(d.hardening.map((h) => formatPath(h.at)))], ["spec.template.spec.containers[name=api].env[name=SERVICE_NAME]"]);
        assert.equal(c.objects.length, 1, "the ConfigMaps and Secrets read are not compared as objects");

        const changed = compareManifests(overlay, [stack[0], configMap("api-config-0a1b2c3d", { QUEUE: "payments", DATABASE_HOST: "db", HOST: "db", TZ: "CET" }), secret("api-secrets-0a1b2c3d", { API_TOKEN: "another-token" })], NS);
        assert.deepEqual(realPaths(only(changed, "Deployment")), [
            "changed spec.template.spec.containers[name=api].env[name=API_TOKEN].value",
            "changed spec.template.spec.containers[name=api].env[name=QUEUE].value",
            "changed spec.template.spec.containers[name=api].env[name=TZ].value",
        ]);
        const report = formatReport(changed, HEADER);
        assert.match(report, /^ {4}~ spec\.template\.spec\.containers\[name=api\]\.env\[name=API_TOKEN\]\.value: "<redacted>" -> "<redacted>"$/m);
        assert.ok(!report.includes("not-a-real-token") && !report.includes("another-token"), "no secret value in the report");
        assert.match(report, /^ {2}kubectl -n shop delete secret api-secrets-5g7h8k9m2t +# read by the workloads: compared as what their pods get$/m);
    });

    it("keeps what it cannot resolve (a fieldRef) as written, and names it", () => {
        const fieldRef = { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } };
        const c = compareManifests([overlayApi([fieldRef])], [overlayApi([])], NS);
        assert.deepEqual(realPaths(only(c, "Deployment")), ["removed spec.template.spec.containers[name=api].env[name=POD_NAME].name", "removed spec.template.spec.containers[name=api].env[name=POD_NAME].valueFrom.fieldRef.fieldPath"]);
    });

    it("compares a ConfigMap volume by the files it mounts, whatever the ConfigMap's name", () => {
        const withVolume = (cm: string) => pod([{ name: "db", image: "postgres:16.4", volumeMounts: [{ name: "config", mountPath: "/etc/postgresql", readOnly: true }] }], { volumes: [{ name: "config", configMap: { name: cm } }] });
        const conf = { "postgresql.conf": "max_connections = 100\n" };
        const equal = compareManifests([withVolume("db-config-89tbfbgt2d"), configMap("db-config-89tbfbgt2d", conf)], [withVolume("db-files-config-c52a38dd"), configMap("db-files-config-c52a38dd", conf)], NS);
        assert.deepEqual(
            equal.objects.map((o) => `${o.kind} ${o.status}`),
            ["Deployment equal"],
        );
        const other = compareManifests([withVolume("db-config-89tbfbgt2d"), configMap("db-config-89tbfbgt2d", conf)], [withVolume("db-files-config-c52a38dd"), configMap("db-files-config-c52a38dd", { "postgresql.conf": "max_connections = 200\n" })], NS);
        assert.deepEqual(realPaths(only(other, "Deployment")), ['changed spec.template.spec.volumes[name=config].configMap.files["postgresql.conf"]']);
    });

    it("pairs a pod's only container, and its only port, whatever their names: each rename is one changed field", () => {
        const db = (name: string, port: string) => pod([{ name, image: "postgres:16.4", ports: [{ name: port, containerPort: 5432 }], readinessProbe: { tcpSocket: { port } } }]);
        const c = compareManifests([db("postgres", "postgres")], [db("db", "main")], NS);
        assert.deepEqual(realPaths(only(c, "Deployment")), ["changed spec.template.spec.containers[name=postgres].name", "changed spec.template.spec.containers[name=postgres].ports[name=postgres].name"]);
        // Two containers are matched by name only: a renamed one is one removed and one added.
        const two = compareManifests([deployment()], [deployment((d) => (d.spec.template.spec.containers[1].name = "envoy"))], NS);
        assert.deepEqual(realPaths(only(two, "Deployment")).sort(), ["added spec.template.spec.containers[name=envoy].image", "added spec.template.spec.containers[name=envoy].name", "removed spec.template.spec.containers[name=proxy].image", "removed spec.template.spec.containers[name=proxy].name"]);
    });

    it("takes an Ingress backend's port by number as the Service port of that number and name; a Service's named targetPort as its number", () => {
        const service = (port: Record<string, unknown>): Manifest => ({ apiVersion: "v1", kind: "Service", metadata: { name: "api", namespace: NS }, spec: { selector: { "app.kubernetes.io/name": "api" }, ports: [port] } });
        const ingress = (port: Record<string, unknown>): Manifest => ({ apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "api", namespace: NS }, spec: { rules: [{ host: "api.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "api", port } } }] } }] } });
        const withPort = deployment((d) => (d.spec.template.spec.containers[0].ports = [{ name: "http", containerPort: 8080 }]));
        const c = compareManifests([withPort, service({ name: "http", port: 80, targetPort: 8080 }), ingress({ number: 80 })], [withPort, service({ name: "http", port: 80, targetPort: "http" }), ingress({ name: "http" })], NS);
        assert.deepEqual(c.objects.map((o) => `${o.kind} ${o.status}`), ["Deployment equal", "Service equal", "Ingress equal"]);
        const renamed = compareManifests([service({ name: "postgres", port: 5432 })], [service({ name: "main", port: 5432 })], NS);
        assert.deepEqual(realPaths(only(renamed, "Service")), ["changed spec.ports[name=postgres].name"]);
    });

    it("pairs a Role and its RoleBinding with the other side's that bind the same ServiceAccount, and lists the overlay's as leftovers", () => {
        const role = (name: string): Manifest => ({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name, namespace: NS }, rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }] });
        const binding = (name: string, roleName: string): Manifest => ({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name, namespace: NS }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: roleName }, subjects: [{ kind: "ServiceAccount", name: "api", namespace: NS }] });
        const c = compareManifests([role("api-read-config"), binding("api-read-config", "api-read-config")], [role("api"), binding("api", "api")], NS);
        assert.deepEqual(c.objects.map((o) => `${o.kind} ${o.status} ${o.overlayName}->${o.stackName}`), ["RoleBinding equal api-read-config->api", "Role equal api-read-config->api"]);
        assert.deepEqual(c.leftovers.map((l) => `${l.kind} ${l.name} ${l.replacedBy}`), ["Role api-read-config api", "RoleBinding api-read-config api"]);
        assert.equal(differs(c), false);
    });

    it("ignores automountServiceAccountToken: true (the default), an autoscaled workload's replicas and the tag beside a digest", () => {
        const hpa: Manifest = { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name: "api", namespace: NS }, spec: { maxReplicas: 3, scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "api" } } };
        const digest = "sha256:" + "4d".repeat(32);
        const overlay = deployment((d) => {
            d.spec.replicas = 3;
            d.spec.template.spec.containers[0].image = `registry.example.com/api:1.0.0@${digest}`;
        });
        const stack = deployment((d) => {
            d.spec.template.spec.automountServiceAccountToken = true;
            d.spec.template.spec.containers[0].image = `registry.example.com/api@${digest}`;
        });
        assert.equal(only(compareManifests([overlay, hpa], [stack, hpa], NS), "Deployment").status, "equal");
        assert.deepEqual(realPaths(only(compareManifests([overlay], [stack], NS), "Deployment")), ["removed spec.replicas"], "without an autoscaler the replicas count");
    });

    it("takes the platform's rollout settings and an init container's default resources as hardening", () => {
        const stack = deployment((d) => {
            d.spec.progressDeadlineSeconds = 300;
            d.spec.strategy = { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
            d.spec.template.spec.initContainers = [{ name: "wait", image: "busybox:1.36", resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "250m", memory: "128Mi" } } }];
        });
        const overlay = deployment((d) => (d.spec.template.spec.initContainers = [{ name: "wait", image: "busybox:1.36" }]));
        const o = only(compareManifests([overlay], [stack], NS), "Deployment");
        assert.deepEqual(realPaths(o), []);
        assert.deepEqual([...new Set(o.hardening.map((h) => formatPath(h.at)))], [
            "spec.progressDeadlineSeconds",
            "spec.strategy.rollingUpdate.maxSurge",
            "spec.strategy.rollingUpdate.maxUnavailable",
            "spec.template.spec.initContainers[name=wait].resources",
        ]);
        const bigger = deployment((d) => (d.spec.template.spec.initContainers = [{ name: "wait", image: "busybox:1.36", resources: { limits: { cpu: "1" } } }]));
        assert.deepEqual(realPaths(only(compareManifests([overlay], [bigger], NS), "Deployment")), ["added spec.template.spec.initContainers[name=wait].resources.limits.cpu"]);
    });

    it("takes a whole probe the overlay lacks as hardening, but a timing added to the overlay's own probe as real", () => {
        const probe = (extra: Record<string, unknown>) => deployment((d) => (d.spec.template.spec.containers[0].livenessProbe = { httpGet: { path: "/healthz", port: 8080 }, ...extra }));
        const added = only(compareManifests([deployment()], [probe({ timeoutSeconds: 2 })], NS), "Deployment");
        assert.deepEqual(realPaths(added), []);
        assert.deepEqual([...new Set(added.hardening.map((h) => formatPath(h.at)))], ["spec.template.spec.containers[name=api].livenessProbe"]);
        assert.deepEqual(realPaths(only(compareManifests([probe({})], [probe({ timeoutSeconds: 2 })], NS), "Deployment")), ["added spec.template.spec.containers[name=api].livenessProbe.timeoutSeconds"]);
    });
});
