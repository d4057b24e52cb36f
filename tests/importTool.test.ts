import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { findOnPath } from "../bench/which";
import { importOverlays, ImportResult, parseArgs, projectName } from "../tools/import";
import { parseImage } from "../tools/import/container";
import { buildOverlay } from "../tools/import/kustomize";
import { parseManifests, showPath } from "../tools/import/manifests";
import { configKey, detectAffixes } from "../tools/import/names";
import { importOverlay } from "../tools/import/overlay";
import { secretCommand } from "../tools/import/report";
import { splitProject } from "../tools/import/split";
import { REPORT_FILE } from "../tools/import/write";
import { REPO } from "./support";

/**
 * `npm run import` in-process, on the shop fixture (tests/fixtures/kustomize/shop: a base with an
 * API, a worker, a database and a report job, and staging and production overlays): what each
 * kind and field maps to, what is shared and what each stack says, that no secret value is
 * written, and that the report names every field nothing mapped.
 */
const SHOP = path.join(REPO, "tests", "fixtures", "kustomize", "shop");
const OVERLAYS = ["staging", "production"].map((s) => path.join(SHOP, "overlays", s));
/** The fixture's fake secret values, as written and as a Secret holds them. */
const SECRET_VALUES = ["not-a-real-password", "not-a-real-token"].flatMap((v) => [v, Buffer.from(v).toString("base64")]);

type Doc = Record<string, any>;

describe("import: Kustomize overlays to a project", function () {
    this.timeout(60000);
    let result: ImportResult;
    let catalog: Doc;
    let stacks: Record<string, Doc>;

    before(async function () {
        if (findOnPath("kubectl") === undefined) this.skip();
        result = await importOverlays({ overlays: OVERLAYS, out: path.join(os.tmpdir(), "shop"), stacks: {} });
        catalog = (YAML.parse(result.files["Pulumi.yaml"]) as Doc).config["shop:catalog"].value;
        stacks = Object.fromEntries(["staging", "production"].map((s) => [s, (YAML.parse(result.files[`Pulumi.${s}.yaml`]) as Doc).config["shop:environment"]]));
    });

    it("writes Pulumi.yaml named after the overlays' common folder, one stack file per overlay and the report", () => {
        assert.deepEqual(Object.keys(result.files).sort(), [REPORT_FILE, "Pulumi.production.yaml", "Pulumi.staging.yaml", "Pulumi.yaml"]);
        const project = YAML.parse(result.files["Pulumi.yaml"]) as Doc;
        assert.equal(project.name, "shop");
        assert.equal(project.runtime, "nodejs");
        assert.equal(catalog.system, "shop");
        assert.deepEqual(Object.keys(catalog.services).sort(), ["api", "db", "report", "worker"]);
    });

    it("a Deployment behind a Service is web: image, args, ports, probes, env from the generated ConfigMap, secrets, volumes", () => {
        const api = catalog.services.api;
        assert.equal(api.kind, "web");
        assert.deepEqual(api.image, { repository: "ghcr.io/acme-shop/api" });
        assert.deepEqual(api.args, ["--listen", ":8080"]);
        assert.equal(api.port, 8080);
        assert.equal(api.servicePort, 80);
        // Kubernetes' timings are written where the overlay leaves them out and the platform's default differs (timeout 2 s, readiness every 5 s).
        assert.deepEqual(api.probes, { liveness: { http: "/healthz", periodSeconds: 10, timeoutSeconds: 1 }, readiness: { http: "/ready", periodSeconds: 5, timeoutSeconds: 1, failureThreshold: 3 } });
        assert.deepEqual(api.env, { CACHE_TTL_SECONDS: "60", CATALOG_URL: "http://catalog.example.internal", DATABASE_HOST: "db" });
        assert.deepEqual(api.secrets, { API_TOKEN: { fromConfig: "apiSecretsApiToken" }, DATABASE_PASSWORD: { fromConfig: "dbCredentialsPostgresPassword" } });
        assert.deepEqual(api.volumes, { cache: { mountPath: "/app/cache", emptyDir: { sizeLimit: "512Mi" } } });
        assert.deepEqual(api.selector, { app: "api" });
        assert.deepEqual(api.rbac, { "read-config-1": { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] } });
    });

    it("an Ingress gives the host prefix, paths, path types and CORS; the domain goes to each stack", () => {
        assert.deepEqual(catalog.services.api.ingress, {
            hostPrefix: "api",
            path: "/",
            pathType: "Prefix",
            paths: { health: { path: "/health", pathType: "Exact" } },
            cors: { allowOrigins: ["https://www.shop.example"], allowMethods: ["GET", "POST", "OPTIONS"], allowHeaders: ["Authorization", "Content-Type"], allowCredentials: true },
        });
        assert.equal(stacks.staging.domain, "staging.shop.example");
        assert.equal(stacks.production.domain, "shop.example");
        assert.deepEqual(stacks.staging.ingress, { className: "nginx", clusterIssuer: "letsencrypt-staging" });
        assert.deepEqual(stacks.production.ingress, { className: "nginx", clusterIssuer: "letsencrypt-production" });
    });

    it("the autoscaler and budget map; replicas are left to the autoscaler; a service without a budget gets none", () => {
        assert.deepEqual(catalog.services.api.autoscaling, { enabled: true, targetCPUUtilization: 70, targetMemoryUtilization: 80 });
        assert.deepEqual(stacks.staging.services.api.autoscaling, { minReplicas: 1, maxReplicas: 3 });
        assert.deepEqual(stacks.production.services.api.autoscaling, { minReplicas: 3, maxReplicas: 10 });
        assert.equal(catalog.services.api.replicas, undefined);
        assert.deepEqual(catalog.services.api.pdb, { enabled: true, maxUnavailable: 1 });
        assert.deepEqual(catalog.services.worker.pdb, { enabled: false });
    });

    it("a Deployment no Service selects is a worker, with its init container and a value read from a ConfigMap key", () => {
        const worker = catalog.services.worker;
        assert.equal(worker.kind, "worker");
        assert.equal(worker.replicas, 1);
        assert.deepEqual(worker.env, { QUEUE: "orders", API_URL: "http://api", DATABASE_HOST: "db" });
        assert.deepEqual(worker.probes.liveness, { exec: ["/app/healthcheck"], periodSeconds: 30, timeoutSeconds: 1 });
        assert.deepEqual(worker.initContainers, { "wait-for-db": { order: 0, image: "docker.io/library/busybox:1.36", command: ["sh", "-c", "until nc -z db 5432; do sleep 2; done"] } });
    });

    it("a StatefulSet is stateful: claim volumes from its claim templates (size and class per stack), a mounted ConfigMap as files", () => {
        const db = catalog.services.db;
        assert.equal(db.kind, "stateful");
        assert.deepEqual(db.image, { repository: "docker.io/library/postgres", tag: "16.4" });
        assert.equal(db.servicePort, 5432);
        assert.equal(db.runAsUser, 999);
        assert.deepEqual(db.probes, { liveness: { exec: ["pg_isready", "-U", "shop"], initialDelaySeconds: 10, timeoutSeconds: 1 }, readiness: { tcp: true, periodSeconds: 10, timeoutSeconds: 1 } });
        assert.deepEqual(db.volumes.config, { mountPath: "/etc/postgresql", files: { "postgresql.conf": "max_connections = 100\nshared_buffers = 128MB\n" } });
        assert.deepEqual(db.volumes.data, { mountPath: "/var/lib/postgresql/data", claim: { accessMode: "ReadWriteOnce", labels: {} } });
        assert.deepEqual(stacks.staging.services.db.volumes.data.claim, { size: "5Gi" });
        assert.deepEqual(stacks.production.services.db.volumes.data.claim, { size: "50Gi", storageClass: "premium-rwo" });
        assert.deepEqual(db.secrets, { POSTGRES_PASSWORD: { fromConfig: "dbCredentialsPostgresPassword" }, POSTGRES_USER: { fromConfig: "dbCredentialsPostgresUser" } });
    });

    it("a CronJob is a cronjob with its job settings; Kubernetes' defaults are written where the platform's differ", () => {
        const report = catalog.services.report;
        assert.equal(report.kind, "cronjob");
        assert.deepEqual(report.job, {
            schedule: "0 3 * * *",
            timeZone: "Europe/London",
            concurrencyPolicy: "Forbid",
            successfulJobsHistoryLimit: 3,
            failedJobsHistoryLimit: 3,
            backoffLimit: 2,
            activeDeadlineSeconds: 1800,
            restartPolicy: "OnFailure",
        });
        assert.deepEqual(report.command, ["python", "-m", "shop.report"]);
    });

    it("each stack holds only what differs: namespace, cluster, images, resources, log level; identity settings", () => {
        assert.deepEqual(Object.keys(stacks.staging), ["namespace", "domain", "cluster", "adopt", "logLevel", "ingress", "services"]);
        assert.equal(stacks.staging.namespace, "shop-staging");
        assert.equal(stacks.production.namespace, "shop");
        assert.deepEqual(stacks.production.cluster, { context: "production" });
        assert.equal(stacks.staging.sharedNamespace, undefined, "staging's overlay holds its Namespace");
        assert.equal(stacks.production.sharedNamespace, true, "production's does not");
        assert.equal(stacks.staging.logLevel, "DEBUG");
        assert.equal(stacks.production.logLevel, "INFO");
        assert.equal(stacks.staging.name, undefined, "ENVIRONMENT equals the stack's name");
        assert.deepEqual(stacks.staging.services.api.image, { tag: "main-3f9c2ab" });
        assert.deepEqual(stacks.production.services.api.image, { tag: "1.4.2", digest: `sha256:${"4d".repeat(32)}` });
        assert.deepEqual(stacks.staging.services.api.resources, { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "250m", memory: "256Mi" } });
        assert.equal(stacks.production.services.api.objectName, "prod-api");
        assert.equal(stacks.staging.services.api.objectName, undefined, "no prefix in staging");
        assert.equal(catalog.services.api.env.LOG_LEVEL, undefined);
        assert.equal(catalog.services.api.env.ENVIRONMENT, undefined);
    });

    it("callers are inferred from variables naming a service (allowFrom)", () => {
        assert.deepEqual(catalog.services.api.allowFrom, ["report", "worker"]);
        assert.deepEqual(catalog.services.db.allowFrom, ["api", "worker"]);
    });

    it("writes no secret value anywhere, and prints the commands that copy each from the cluster through standard input", () => {
        for (const [file, text] of Object.entries(result.files)) {
            for (const v of SECRET_VALUES) assert.ok(!text.includes(v), `${file} holds a secret value`);
        }
        const report = result.files[REPORT_FILE];
        assert.ok(
            report.includes("kubectl get secret prod-db-credentials-gg45697g58 -n shop -o jsonpath='{.data.POSTGRES_PASSWORD}' | base64 -d | pulumi config set --secret dbCredentialsPostgresPassword --stack production"),
            report,
        );
        assert.match(result.files["Pulumi.staging.yaml"], /^# Secret config keys to set .*: apiSecretsApiToken, dbCredentialsPostgresPassword, dbCredentialsPostgresUser$/m);
        assert.equal(secretCommand({ configKey: "tlsCrt", secret: "tls", key: "tls.crt" }, "ns", "qa"), "kubectl get secret tls -n ns -o jsonpath='{.data.tls\\.crt}' | base64 -d | pulumi config set --secret tlsCrt --stack qa");
    });

    it("the report names every field and object nothing mapped", () => {
        const report = result.files[REPORT_FILE];
        const production = report.split("## Stack `production`")[1];
        for (const line of [
            "- `Deployment/prod-api` `spec.template.spec.affinity`: not imported",
            "- `Deployment/prod-worker` `spec.template.spec.nodeSelector`: not imported",
            "- `Deployment/prod-worker` `spec.template.spec.tolerations`: not imported",
            "- `Deployment/prod-worker` `spec.template.spec.containers[0].env[3]`: not imported",
            "- `Service/prod-api-external`: a second Service for api: not imported (the platform makes one Service per service)",
            "- `ServiceMonitor/prod-api`: kind ServiceMonitor is not something the platform makes: not imported",
            '- `annotations["team.acme-shop.example/owner"]=storefront` on `Deployment/prod-api`',
            '- `labels["app.kubernetes.io/part-of"]=shop` on 16 objects',
        ]) {
            assert.ok(production.includes(line), `${line}\n---\n${production}`);
        }
        assert.ok(!report.split("## Stack `staging`")[1].split("## Stack")[0].includes("affinity"), "staging has no affinity");
        // Every field left over is in the report: walk each object against its tracker.
        for (const o of result.overlays) {
            for (const [obj, t] of o.overlay.trackers) {
                if (!o.overlay.used.has(obj)) continue;
                for (const at of t.leftovers()) assert.ok(o.overlay.findings.some((f) => f.object === `${obj.kind}/${obj.metadata.name}` && f.path?.startsWith(showPath(at))), `${obj.kind}/${obj.metadata.name} ${showPath(at)}`);
            }
        }
    });
});

describe("import: the parts", () => {
    it("finds the overlay's name prefix and suffix at a '-', and none from one name", () => {
        const objects = (names: string[]) => names.map((name) => ({ kind: "Deployment", metadata: { name } }));
        assert.deepEqual(detectAffixes(objects(["prod-api", "prod-db", "prod-api-config"])), { prefix: "prod-", suffix: "" });
        assert.deepEqual(detectAffixes(objects(["api-eu", "db-eu"])), { prefix: "", suffix: "-eu" });
        assert.deepEqual(detectAffixes(objects(["api", "api-config"])), { prefix: "", suffix: "" });
        assert.deepEqual(detectAffixes(objects(["prod-api"])), { prefix: "", suffix: "" });
    });

    it("splits an image into repository, tag and digest", () => {
        assert.deepEqual(parseImage("ghcr.io/acme/api:1.4.2"), { repository: "ghcr.io/acme/api", tag: "1.4.2" });
        assert.deepEqual(parseImage("registry:5000/api@sha256:ab"), { repository: "registry:5000/api", digest: "sha256:ab" });
        assert.deepEqual(parseImage("redis"), { repository: "redis" });
    });

    it("names secret config keys after the Secret and its key", () => {
        assert.equal(configKey("db-credentials", "POSTGRES_PASSWORD"), "dbCredentialsPostgresPassword");
        assert.equal(configKey("registry", ".dockerconfigjson"), "registryDockerconfigjson");
    });

    it("names the project after the overlays' common folder, skipping generic ones", () => {
        assert.equal(projectName(["/x/shop/overlays/staging", "/x/shop/overlays/prod"], "/tmp/out"), "shop");
        assert.equal(projectName(["/x/Shop_App/staging"], "/tmp/out"), "shop-app");
        assert.equal(projectName(["/overlays/a", "/overlays/b"], "/tmp/my-project"), "my-project");
    });

    it("shares what every stack sets alike; a service one stack lacks is disabled there", () => {
        const overlay = (stack: string, replicas: number, withDb: boolean) =>
            importOverlay(
                stack,
                parseManifests(
                    [
                        `{kind: Deployment, metadata: {name: api, namespace: ${stack}}, spec: {replicas: ${replicas}, selector: {matchLabels: {app: api}}, template: {metadata: {labels: {app: api}}, spec: {containers: [{name: api, image: "api:1"}]}}}}`,
                        ...(withDb ? ["{kind: StatefulSet, metadata: {name: db}, spec: {selector: {matchLabels: {app: db}}, template: {metadata: {labels: {app: db}}, spec: {containers: [{name: db, image: 'db:1'}]}}}}"] : []),
                    ].join("\n---\n"),
                    stack,
                ),
            );
        const split = splitProject("x", [overlay("a", 1, true), overlay("b", 3, false)]);
        const services = split.catalog.services as Doc;
        assert.deepEqual(services.api.image, { repository: "api", tag: "1" });
        assert.equal(services.api.replicas, undefined);
        assert.deepEqual((split.stacks.a.services as Doc).api, { replicas: 1 });
        assert.deepEqual((split.stacks.b.services as Doc).db, { enabled: false });
        assert.deepEqual(split.catalog.tiers, { imported: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } } }, "pods without resources get a tier");
    });

    it("reads a folder of plain manifests without kubectl", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-import-"));
        try {
            fs.writeFileSync(path.join(dir, "b.yaml"), "kind: Service\nmetadata: {name: b}\n");
            fs.writeFileSync(path.join(dir, "a.yml"), "kind: Deployment\nmetadata: {name: a}\n");
            const build = await buildOverlay(dir, undefined);
            assert.equal(build.kustomized, false);
            assert.deepEqual(parseManifests(build.text, dir).map((o) => o.metadata.name), ["a", "b"]);
            await assert.rejects(buildOverlay(path.join(dir, "missing"), undefined), { message: `${path.join(dir, "missing")}: no such folder` });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("its command line takes overlays, --out and --stack pairs", () => {
        const run = (...argv: string[]) => {
            const p = parseArgs(argv);
            return p.kind === "run" ? p.options : p.kind === "usage" ? p.problem : "help";
        };
        assert.deepEqual(run("a/staging", "--out", "x"), { overlays: ["a/staging"], out: "x", stacks: {} });
        assert.deepEqual(run("a/prod", "--out", "x", "--stack", "a/prod=production"), { overlays: ["a/prod"], out: "x", stacks: { [path.resolve("a/prod")]: "production" } });
        assert.equal(run("--out", "x"), "name at least one overlay folder");
        assert.equal(run("a"), "--out <project-dir> is required");
        assert.equal(run("a", "--out", "x", "--stack", "b=prod"), '--stack names "b", which is not one of the overlays given');
        assert.equal(run("a", "--out", "x", "--stack", "a=Prod"), '--stack needs <overlay-dir>=<name> with a DNS-1123 label as the name, got "a=Prod"');
    });
});
