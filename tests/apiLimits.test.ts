import { strict as assert } from "assert";
import { show } from "../config/errors";
import { Evaluation } from "../tools/harness/evaluate";
import { Manifest, toManifests } from "../tools/harness/manifests";
import { configOf, orderSystem, singleApi } from "./fixtures/catalogs";
import { validateManifest } from "./kubernetesModels";
import { refusedFixture, renderFixture } from "./fixtureRuns";
import { refused } from "./refused";
import { warningsDuring } from "./warnings";
import { editedConfig, PROJECT, run, unwrap } from "./support";

/**
 * Issue 18, class 10: limits the API server (or the controller behind it) enforces, checked by
 * the configuration check before any resource, with the key path: names that controllers extend,
 * ConfigMaps over 1 MiB, annotations over 256 KiB, Ingress and route paths that are refused. A
 * port below 1024 is only a warning: it works on containerd 2 and Docker, not on CRI-O.
 */

const P = `${PROJECT}:`;
const S = "platform-test:catalog.services";
const MiB = 1024 * 1024;
const ANNOTATIONS_LIMIT = 256 * 1024;
const bytes = (s: string) => Buffer.byteLength(s, "utf8");

type Values = { catalog: any; environment: any };

/** A fixture's values, copied so that a test can edit them. */
const copy = <T>(v: T): T & Values => structuredClone(v) as T & Values;

const problems = (values: Values, stack = "production") => refusedFixture(values, stack);

async function render(values: Values, stack = "production"): Promise<Evaluation> {
    const ev = await renderFixture(values, stack);
    assert.equal(ev.error, undefined, String(ev.error));
    return ev;
}

function manifest(ev: Evaluation, kind: string, where: (m: Manifest) => boolean = () => true): Manifest {
    const found = toManifests(ev.resources).filter((m) => m.kind === kind && where(m));
    assert.equal(found.length, 1, `one ${kind}`);
    return unwrap(found[0]);
}

/** What the API server counts of a ConfigMap: the bytes of its values. */
const dataBytes = (m: Manifest) => Object.values(m.data as Record<string, string>).reduce((n, v) => n + bytes(v), 0);
/** What the API server counts of an object's annotations: the bytes of their keys and values. */
const annotationBytes = (m: Manifest) => Object.entries((m.metadata.annotations ?? {}) as Record<string, string>).reduce((n, [k, v]) => n + bytes(k) + bytes(v), 0);

const SIZE_ADVICE = "keep large content out of the configuration: in the image, or in a ConfigMap the platform does not own, mounted with 'volumes.<name>.configMap'";

describe("names the API server refuses (issue 18, class 10)", () => {
    it("a variable's name over 253 characters (the example): a key of the service's ConfigMap", async () => {
        const name = `FEED_${"X".repeat(295)}`;
        const config = editedConfig("staging", (v) => (v.catalog.services.ingestion.env = { ...v.catalog.services.ingestion.env, [name]: "on" }));
        assert.deepEqual(await refused(config), [`${P}catalog.services.ingestion.env.${name}: ${show(name)} is not an environment variable name: 300 characters; a key of a ConfigMap or Secret is at most 253`]);
    });

    it("a secret's name and a commonEnv name of 254 characters are refused; 253 are accepted", () => {
        const long = "S".repeat(254);
        const values = copy(singleApi);
        values.catalog.services.api.secrets = { [long]: { generate: { length: 32 } } };
        values.environment.commonEnv = { [long]: "x" };
        assert.deepEqual(problems(values), [
            `${S}.api.secrets.${long}: ${show(long)} is not an environment variable name: 254 characters; a key of a ConfigMap or Secret is at most 253`,
            `platform-test:environment.commonEnv.${long}: ${show(long)} is not an environment variable name: 254 characters; a key of a ConfigMap or Secret is at most 253`,
        ]);
        const fits = copy(singleApi);
        fits.catalog.services.api.secrets = { ["S".repeat(253)]: { generate: { length: 32 } } };
        fits.catalog.services.api.env = { ["E".repeat(253)]: "x" };
        assert.equal(configOf(fits).services[0].env["E".repeat(253)], "x");
    });

    it("a cronjob named with more than 52 characters: each run's Job is named after it with 11 more", () => {
        const long = `backup-${"x".repeat(46)}`;
        const values = orderSystem("staging");
        values.catalog.services[long] = values.catalog.services.backup;
        delete values.catalog.services.backup;
        values.catalog.services.mongo.allowFrom = ["api", "order-worker", long];
        values.environment.services[long] = values.environment.services.backup;
        delete values.environment.services.backup;
        assert.deepEqual(problems(values, "staging"), [
            `${S}.${long}: a CronJob's name is at most 52 characters, and "${long}" has 53: the CronJob controller names each run's Job after it with 11 more, and a Job's name is at most 63; set a shorter 'objectName'`,
        ]);
    });

    it("a cronjob's and a stateful service's objectName over 52 characters", () => {
        const values = orderSystem("staging");
        values.catalog.services.backup.objectName = `nightly-${"b".repeat(47)}`;
        values.environment.services.mongo.objectName = `mongo-${"m".repeat(50)}`;
        assert.deepEqual(problems(values, "staging"), [
            `${S}.backup.objectName: a CronJob's name is at most 52 characters, and "nightly-${"b".repeat(47)}" has 55: the CronJob controller names each run's Job after it with 11 more, and a Job's name is at most 63; set a shorter 'objectName'`,
            `platform-test:environment.services.mongo.objectName: a StatefulSet's name is at most 52 characters, and "mongo-${"m".repeat(50)}" has 56: the StatefulSet controller labels each pod 'controller-revision-hash: <name>-<10 characters>', and a label value is at most 63; set a shorter 'objectName'`,
        ]);
    });

    it("52 characters are accepted, and the CronJob and StatefulSet are valid objects", async () => {
        const values = orderSystem("staging");
        values.catalog.services.backup.objectName = `b${"x".repeat(51)}`;
        values.catalog.services.mongo.objectName = `m${"x".repeat(51)}`;
        const ev = await render(values, "staging");
        for (const kind of ["CronJob", "StatefulSet"]) {
            const m = manifest(ev, kind);
            assert.equal(m.metadata.name.length, 52);
            validateManifest(m);
        }
    });
});

describe("ConfigMaps over the API server's 1 MiB", () => {
    it("a service's plain settings over 1 MiB (the example), refused at the largest value", async () => {
        const base = dataBytes(manifest(await run("staging"), "ConfigMap", (m) => m.metadata.name.startsWith("ingestion-config")));
        const config = editedConfig("staging", (v) => Object.assign(v.catalog.services.ingestion.env, { CATALOG_A: "a".repeat(600_000), CATALOG_B: "b".repeat(500_000) }));
        assert.deepEqual(await refused(config), [
            `${P}catalog.services.ingestion.env.CATALOG_A: the service's ConfigMap would hold ${base + 1_100_000} bytes, over the 1048576 (1 MiB) the API server accepts in one ConfigMap; this value is the largest (600000 bytes): ${SIZE_ADVICE}`,
        ]);
    });

    it("exactly 1 MiB as the service's ConfigMap holds it is written; one byte more is refused", async () => {
        const values = copy(singleApi);
        values.catalog.services.api.env = { FILL: "x".repeat(MiB - "api".length - "8080".length) };
        const written = manifest(await render(values), "ConfigMap", (m) => m.metadata.name.startsWith("api-config"));
        assert.equal(dataBytes(written), MiB);
        validateManifest(written);
        values.catalog.services.api.env.FILL += "x";
        assert.deepEqual(problems(values), [
            `${S}.api.env.FILL: the service's ConfigMap would hold ${MiB + 1} bytes, over the 1048576 (1 MiB) the API server accepts in one ConfigMap; this value is the largest (${MiB - 6} bytes): ${SIZE_ADVICE}`,
        ]);
    });

    it("the environment's shared ConfigMap, from the catalog's and the stack's commonEnv", () => {
        const values = copy(singleApi);
        values.catalog.commonEnv = { SHARED_TABLE: "t".repeat(600_000) };
        values.environment.commonEnv = { STACK_TABLE: "s".repeat(700_000) };
        assert.deepEqual(problems(values), [
            `platform-test:environment.commonEnv.STACK_TABLE: the environment's shared ConfigMap would hold ${1_300_000 + "production".length + "INFO".length} bytes, over the 1048576 (1 MiB) the API server accepts in one ConfigMap; this value is the largest (700000 bytes): ${SIZE_ADVICE}`,
        ]);
    });

    it("a volume's files, counted in UTF-8 bytes as the API server counts them", () => {
        const values = copy(singleApi);
        values.catalog.services.api.volumes = { big: { mountPath: "/app/big", files: { "a.txt": "é".repeat(300_000), "b.txt": "x".repeat(500_000) } } };
        assert.deepEqual(problems(values), [
            `${S}.api.volumes.big.files.a.txt: the ConfigMap of the volume 'big' would hold 1100000 bytes, over the 1048576 (1 MiB) the API server accepts in one ConfigMap; this value is the largest (600000 bytes): ${SIZE_ADVICE}`,
        ]);
    });
});

/** Origins `https://<label>.example.com`, unique, that add exactly `total` bytes to a list joined by ", ". */
function originsAdding(total: number): string[] {
    const origin = (i: number, cost: number) => {
        const length = cost - 2 - "https://.example.com".length;
        const label = `t${i}`.length <= length ? `${"x".repeat(length - `t${i}`.length)}t${i}` : "x".repeat(length);
        return `https://${label}.example.com`;
    };
    const out: string[] = [];
    let left = total;
    while (left > 85) {
        const cost = left - 85 >= 23 ? 85 : left - 23;
        out.push(origin(out.length, cost));
        left -= cost;
    }
    out.push(origin(out.length, left));
    assert.equal(out.reduce((n, o) => n + 2 + o.length, 0), total);
    return out;
}

describe("annotations over the API server's 256 KiB", () => {
    const advice = (total: number, key: string, size: number, what: string) =>
        `the Ingress's annotations would hold ${total} bytes, over the 262144 (256 KiB) the API server accepts on one object; '${key}' alone holds ${size}: allow fewer ${what}`;

    it("thousands of CORS origins on ingress-nginx (the example)", async () => {
        const ingress = manifest(await run("production"), "Ingress", (m) => m.metadata.name === "orchestrator");
        const base = annotationBytes(ingress);
        const first = "https://dashboard.acme-trading.example";
        const more = Array.from({ length: 8000 }, (_, i) => `https://tenant-${i}.customers.acme-trading.example`);
        const config = editedConfig("production", (v) => (v.catalog.services.orchestrator.ingress.cors.allowOrigins = [first, ...more]));
        const value = [first, ...more].join(", ");
        assert.deepEqual(await refused(config), [
            `${P}catalog.services.orchestrator.ingress.cors.allowOrigins: ${advice(base + value.length - first.length, "nginx.ingress.kubernetes.io/cors-allow-origin", value.length, "origins")}`,
        ]);
    });

    it("exactly 256 KiB of annotations as the Ingress holds them is written; one byte more is refused", async () => {
        const values = copy(singleApi);
        const base = annotationBytes(manifest(await render(values), "Ingress"));
        const origins = ["https://shop.example.com", ...originsAdding(ANNOTATIONS_LIMIT - base)];
        values.catalog.services.api.ingress.cors.allowOrigins = origins;
        const ingress = manifest(await render(values), "Ingress");
        assert.equal(annotationBytes(ingress), ANNOTATIONS_LIMIT);
        validateManifest(ingress);
        const longer = ["https://shopx.example.com", ...origins.slice(1)];
        values.catalog.services.api.ingress.cors.allowOrigins = longer;
        assert.deepEqual(problems(values), [`${S}.api.ingress.cors.allowOrigins: ${advice(ANNOTATIONS_LIMIT + 1, "nginx.ingress.kubernetes.io/cors-allow-origin", longer.join(", ").length, "origins")}`]);
    });

    it("HAProxy's one regular expression of every origin, and a long list of allowed headers", async () => {
        const values = copy(singleApi);
        values.environment.ingress = { controller: "haproxy" };
        const base = annotationBytes(manifest(await render(values), "Ingress"));
        const origins = Array.from({ length: 10_000 }, (_, i) => `https://shop-${i}.example.com`);
        values.catalog.services.api.ingress.cors.allowOrigins = origins;
        const regex = `^(${origins.map((o) => o.replace(/\./g, "\\.")).join("|")})$`;
        assert.deepEqual(problems(values), [
            `${S}.api.ingress.cors.allowOrigins: ${advice(base - "https://shop.example.com".length + regex.length, "haproxy.org/cors-allow-origin", regex.length, "origins")}`,
        ]);
        const headers = Array.from({ length: 20_000 }, (_, i) => `X-Custom-${i}`);
        const withHeaders = copy(singleApi);
        withHeaders.catalog.services.api.ingress.cors.allowHeaders = headers;
        const nginxBase = annotationBytes(manifest(await render(copy(singleApi)), "Ingress"));
        const joined = headers.join(", ");
        assert.deepEqual(problems(withHeaders), [
            `${S}.api.ingress.cors.allowHeaders: ${advice(nginxBase - "Authorization, Content-Type".length + joined.length, "nginx.ingress.kubernetes.io/cors-allow-headers", joined.length, "headers")}`,
        ]);
    });
});

describe("paths the API server or the controller refuses", () => {
    const expected = (example: string, got: string, why: string) => `expected an HTTP path such as '${example}', got ${show(got)} (${why})`;

    it("'//', '/../', '%2F' and a path ending in '/.' (the example): the API server refuses them in any Ingress", async () => {
        const config = editedConfig("production", (v) => {
            v.catalog.services.orchestrator.ingress.path = "/api//v1";
            v.catalog.services.orchestrator.ingress.paths = { parent: { path: "/a/../b" }, dot: { path: "/static/." }, escaped: { path: "/a%2Fb" } };
        });
        const at = `${P}catalog.services.orchestrator.ingress`;
        assert.deepEqual(await refused(config), [
            `${at}.path: ${expected("/", "/api//v1", "the API server refuses '//' in an Ingress or HTTPRoute path")}`,
            `${at}.paths.parent.path: ${expected("/health", "/a/../b", "the API server refuses '/../' in an Ingress or HTTPRoute path")}`,
            `${at}.paths.dot.path: ${expected("/health", "/static/.", "the API server refuses an Ingress or HTTPRoute path ending in '/.'")}`,
            `${at}.paths.escaped.path: ${expected("/health", "/a%2Fb", "the API server refuses '%2F' in an Ingress or HTTPRoute path")}`,
        ]);
    });

    it("ingress-nginx refuses '~' and '%' in an Exact or Prefix path, and paths its webhook takes for attacks; HAProxy takes them", () => {
        const values = copy(singleApi);
        values.catalog.services.api.ingress.path = "/~user";
        values.catalog.services.api.ingress.paths = { enc: { path: "/files/%41", pathType: "Exact" }, conf: { path: "/docs/etc/nginx/guide" }, lua: { path: "/content_by_lua" } };
        const at = `${S}.api.ingress`;
        const chars = (path: string, type: string) =>
            `ingress-nginx (environment.ingress.controller) refuses ${show(path)} as a ${type} path: its 'strict-validate-path-type' (on by default since v1.12) allows only letters, digits, '/', '_', '-' and '.'`;
        const webhook = (path: string, part: string) => `ingress-nginx (environment.ingress.controller) refuses ${show(path)}: its admission webhook blocks any path containing '${part}'`;
        assert.deepEqual(problems(values), [
            `${at}.path: ${chars("/~user", "Prefix")}`,
            `${at}.paths.conf.path: ${webhook("/docs/etc/nginx/guide", "/etc/nginx")}`,
            `${at}.paths.enc.path: ${chars("/files/%41", "Exact")}`,
            `${at}.paths.lua.path: ${webhook("/content_by_lua", "_by_lua")}`,
        ]);
        values.environment.ingress = { controller: "haproxy" };
        assert.deepEqual(configOf(values).services[0].ingress!.paths.map((p) => p.path), ["/~user", "/docs/etc/nginx/guide", "/files/%41", "/content_by_lua"]);
    });

    it("a Gateway API route: a '%' that starts no escape, a path over 1024 characters, more than 64 paths", () => {
        const values = copy(singleApi);
        values.environment.exposure = "gateway";
        values.environment.gateway = { name: "public", namespace: "gateway-system" };
        values.catalog.services.api.ingress.path = "/a%zz";
        values.catalog.services.api.ingress.paths = { long: { path: `/${"l".repeat(1024)}` } };
        assert.deepEqual(problems(values), [
            `${S}.api.ingress.paths.long.path: ${expected("/health", `/${"l".repeat(1024)}`, "1025 characters, at most 1024")}`,
        ]);
        values.catalog.services.api.ingress.paths = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`p${i}`, { path: `/p${i}` }]));
        assert.deepEqual(problems(values), [
            `${S}.api.ingress.path: Gateway API refuses "/a%zz" in an HTTPRoute (environment.exposure is 'gateway'): a '%' starts an escape of two hexadecimal digits, such as '%20'`,
            `${S}.api.ingress.paths: 65 paths with 'path', but an HTTPRoute rule matches at most 64 (Gateway API), and environment.exposure is 'gateway'; route fewer paths`,
        ]);
    });

    it("Gateway API's CORS filter takes at most 64 origins", async () => {
        const values = copy(singleApi);
        values.environment.exposure = "gateway";
        values.environment.gateway = { name: "public", namespace: "gateway-system", cors: "filter" };
        values.catalog.services.api.ingress.cors.allowOrigins = Array.from({ length: 65 }, (_, i) => `https://shop-${i}.example.com`);
        assert.deepEqual(problems(values), [
            `${S}.api.ingress.cors.allowOrigins: 65 origins, but Gateway API's CORS filter takes at most 64 (environment.gateway.cors is 'filter'); allow fewer origins`,
        ]);
        values.catalog.services.api.ingress.cors.allowOrigins.pop();
        const route = manifest(await render(values), "HTTPRoute");
        validateManifest(route);
    });

    it("a Gateway the stack creates has at most 64 listeners: the HTTP one and one per exposed service", () => {
        const exposed = (count: number) => {
            const services: Record<string, unknown> = {};
            for (let i = 0; i < count; i++) {
                services[`web-${i}`] = { port: 8080, image: { repository: `ghcr.io/many/web-${i}`, tag: "1.0.0" }, ingress: { hostPrefix: `web-${i}` } };
            }
            return {
                catalog: { system: "many", tiers: { small: singleApi.catalog.services.api.resources }, defaults: { tier: "small", probes: { liveness: "/healthz", readiness: "/ready" } }, services },
                environment: { namespace: "many", domain: "many.example.com", cluster: { context: "prod" }, exposure: "gateway", gateway: { name: "own", create: { className: "eg" } }, publicService: "web-0" },
            };
        };
        assert.deepEqual(problems(exposed(64)), [
            "platform-test:environment.gateway.create: the Gateway would have 65 listeners (the HTTP one and an HTTPS one for each of the 64 exposed services), and a Gateway has at most 64 (Gateway API); expose at most 63 services through a Gateway the stack creates, or attach them to a shared one (without 'create')",
        ]);
        assert.equal(configOf(exposed(63)).services.length, 63);
    });
});

describe("a port below 1024 is a warning, not a refusal", () => {
    const LOW = (port: number) =>
        `${port} is below 1024, and the container runs as a non-root user with every capability dropped: containerd 2 and Docker let it bind such a port, CRI-O does not (the container fails to start there); listen on 1024 or above (the Service's port, 'servicePort', may stay below 1024)`;

    it("port 80 (the example): the stack renders, and the warning names the key and CRI-O", async () => {
        let ev: Evaluation | undefined;
        const warned = await warningsDuring(async () => (ev = await run(editedConfig("staging", (v) => (v.catalog.services.ingestion.port = 80)))));
        const deployment = manifest(ev!, "Deployment", (m) => m.metadata.name === "ingestion") as any;
        assert.deepEqual(deployment.spec.template.spec.containers[0].ports, [{ name: "http", containerPort: 80, protocol: "TCP" }]);
        assert.deepEqual(warned, [`${P}catalog.services.ingestion.port: ${LOW(80)}`]);
    });

    it("a probe's and the metrics' own port below 1024 warn too; 1024 does not", () => {
        const values = copy(singleApi);
        values.catalog.services.api.probes = { liveness: { http: "/healthz", port: 81 }, readiness: { http: "/ready", port: 1024 } };
        values.catalog.services.api.metrics = { port: 443 };
        assert.deepEqual(configOf(values).warnings, [`${S}.api.probes.liveness.port: ${LOW(81)}`, `${S}.api.metrics.port: ${LOW(443)}`]);
        assert.deepEqual(configOf(copy(singleApi)).warnings, []);
    });
});
