import { strict as assert } from "assert";
import { Evaluation } from "../tools/harness/evaluate";
import { toManifests } from "../tools/harness/manifests";
import { configOf, singleApi } from "./fixtures/catalogs";
import { refusedFixture, renderFixture } from "./fixtureRuns";
import { validateManifest } from "./kubernetesModels";
import { unwrap } from "./support";

/**
 * Exposure per stack (environment.exposure): Ingresses in the dialect of the controller that
 * runs (ingress-nginx, HAProxy), Gateway API HTTPRoutes on a named Gateway, or both. The same
 * service settings must mean the same behaviour in every mode: read back from what each mode
 * renders (annotations, route rules and filters), it compares equal.
 */

type Values = { catalog: any; environment: any };

/** One service exposed with every setting both modes can express. */
function shop(environment: Record<string, unknown> = {}, ingress: Record<string, unknown> = {}): Values {
    const values: Values = structuredClone(singleApi);
    Object.assign(values.catalog.services.api.ingress, {
        paths: { health: { path: "/health", pathType: "Exact" } },
        timeoutSeconds: 30,
        cors: { allowOrigins: ["https://shop.example.com"], allowCredentials: true },
        ...ingress,
    });
    Object.assign(values.environment, environment);
    return values;
}

const GATEWAY = { exposure: "gateway", gateway: { name: "public", namespace: "gateway-system", httpListener: "http" } };

async function render(values: Values): Promise<Evaluation> {
    const ev = await renderFixture(values);
    assert.equal(ev.error, undefined, String(ev.error));
    return ev;
}

const of = (ev: Evaluation, kind: string) => ev.resources.filter((r) => r.type.endsWith(`:${kind}`)).map((r) => unwrap(r.inputs));

const problems = (values: Values) => refusedFixture(values);

/** What a client sees, read from an Ingress in its controller's dialect. */
function fromIngress(ing: any) {
    const a = ing.metadata.annotations as Record<string, string>;
    const rule = ing.spec.rules[0];
    const list = (v: string | undefined) => (v === undefined ? [] : v.split(", "));
    const nginx = a["nginx.ingress.kubernetes.io/enable-cors"] === "true";
    const haproxy = a["haproxy.org/cors-enable"] === "true";
    const origin = nginx ? a["nginx.ingress.kubernetes.io/cors-allow-origin"] : a["haproxy.org/cors-allow-origin"];
    const p = nginx ? "nginx.ingress.kubernetes.io/" : "haproxy.org/";
    return {
        host: rule.host,
        tls: ing.spec.tls[0].hosts[0] === rule.host,
        paths: rule.http.paths.map((x: any) => [x.path, x.pathType]),
        backend: [rule.http.paths[0].backend.service.name, rule.http.paths[0].backend.service.port.name],
        cors:
            nginx || haproxy
                ? {
                      origins: origin.startsWith("^(") ? origin.slice(2, -2).split("|").map((o) => o.replace(/\\\./g, ".")) : list(origin),
                      methods: list(a[`${p}cors-allow-methods`]),
                      headers: list(a[`${p}cors-allow-headers`]),
                      credentials: a[`${p}cors-allow-credentials`] === "true",
                  }
                : undefined,
        timeoutSeconds: Number(a["nginx.ingress.kubernetes.io/proxy-read-timeout"] ?? a["haproxy.org/timeout-server"]?.replace(/s$/, "")),
        // ingress-nginx redirects once an Ingress has TLS unless told not to; HAProxy is told.
        httpsRedirect: a["nginx.ingress.kubernetes.io/ssl-redirect"] !== "false" && a["haproxy.org/ssl-redirect"] !== "false",
    };
}

/** What a client sees, read from the serving HTTPRoute and the redirect route. */
function fromRoutes(routes: any[]) {
    const serving = routes.find((r) => r.spec.rules[0].backendRefs);
    const redirect = routes.find((r) => !r.spec.rules[0].backendRefs);
    const rule = serving.spec.rules[0];
    const filter = rule.filters?.[0];
    const header = (name: string) => filter?.responseHeaderModifier?.set.find((h: any) => h.name === name)?.value as string | undefined;
    const cors =
        filter?.type === "CORS"
            ? { origins: filter.cors.allowOrigins, methods: filter.cors.allowMethods, headers: filter.cors.allowHeaders, credentials: filter.cors.allowCredentials }
            : filter?.type === "ResponseHeaderModifier"
              ? {
                    origins: [header("Access-Control-Allow-Origin")],
                    methods: header("Access-Control-Allow-Methods")!.split(", "),
                    headers: header("Access-Control-Allow-Headers")!.split(", "),
                    credentials: header("Access-Control-Allow-Credentials") === "true",
                }
              : undefined;
    return {
        host: serving.spec.hostnames[0],
        // TLS is the HTTPS listener's: a serving route attaches to it alone.
        tls: serving.spec.parentRefs.every((p: any) => p.sectionName?.startsWith("https")),
        paths: rule.matches.map((m: any) => [m.path.value, m.path.type === "PathPrefix" ? "Prefix" : m.path.type]),
        backend: [rule.backendRefs[0].name, rule.backendRefs[0].port === 80 ? "http" : rule.backendRefs[0].port],
        cors,
        timeoutSeconds: Number(rule.timeouts?.request.replace(/s$/, "")),
        httpsRedirect: redirect?.spec.rules[0].filters[0].requestRedirect.scheme === "https" && redirect.spec.rules[0].filters[0].requestRedirect.statusCode === 301,
    };
}

const EXPECTED = {
    host: "api.example.com",
    tls: true,
    paths: [
        ["/", "Prefix"],
        ["/health", "Exact"],
    ],
    backend: ["api", "http"],
    cors: { origins: ["https://shop.example.com"], methods: ["GET", "POST", "PUT", "DELETE", "OPTIONS"], headers: ["Authorization", "Content-Type"], credentials: true },
    timeoutSeconds: 30,
    httpsRedirect: true,
};

describe("exposure: the same service settings in every mode", () => {
    it("ingress-nginx (the default): hosts, paths, TLS, CORS, timeout and the HTTPS redirect as its annotations", async () => {
        const ev = await render(shop());
        const [ing] = of(ev, "Ingress");
        assert.deepEqual(fromIngress(ing), EXPECTED);
        assert.equal(ing.metadata.annotations["nginx.ingress.kubernetes.io/proxy-send-timeout"], "30");
        assert.deepEqual(of(ev, "HTTPRoute"), []);
    });

    it("HAProxy: the same behaviour in haproxy.org annotations, several origins as one anchored expression", async () => {
        const ev = await render(shop({ ingress: { controller: "haproxy", className: "haproxy", controllerNamespace: "haproxy-controller" } }));
        const [ing] = of(ev, "Ingress");
        assert.deepEqual(fromIngress(ing), EXPECTED);
        assert.equal(ing.spec.ingressClassName, "haproxy");
        assert.deepEqual(
            Object.keys(ing.metadata.annotations).filter((k) => k.startsWith("nginx.")),
            [],
            "no annotation of another controller",
        );
        assert.equal(ing.metadata.annotations["haproxy.org/ssl-redirect-code"], "301");
        const two = await render(shop({ ingress: { controller: "haproxy" } }, { cors: { allowOrigins: ["https://shop.example.com", "https://admin.example.com:8443"] } }));
        const annotation = of(two, "Ingress")[0].metadata.annotations["haproxy.org/cors-allow-origin"];
        assert.equal(annotation, "^(https://shop\\.example\\.com|https://admin\\.example\\.com:8443)$");
        const pattern = new RegExp(annotation);
        assert.ok(pattern.test("https://admin.example.com:8443") && !pattern.test("https://shopXexample.com") && !pattern.test("https://shop.example.com.evil.io"));
    });

    it("Gateway API: an HTTPRoute on the HTTPS listener and a redirect on the HTTP listener express the same behaviour", async () => {
        const ev = await render(shop(GATEWAY));
        const routes = of(ev, "HTTPRoute");
        assert.equal(routes.length, 2);
        assert.deepEqual(fromRoutes(routes), EXPECTED);
        assert.deepEqual(of(ev, "Ingress"), [], "no Ingress in gateway mode");
        assert.deepEqual(of(ev, "Gateway"), [], "the shared Gateway is the platform team's: never created unless asked");
        const serving = routes.find((r) => r.metadata.name === "api");
        assert.deepEqual(serving.spec.parentRefs, [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "public", namespace: "gateway-system", sectionName: "https" }]);
        assert.deepEqual(serving.spec.rules[0].backendRefs, [{ name: "api", port: 80 }]);
        assert.deepEqual(serving.spec.rules[0].timeouts, { request: "30s" });
    });

    it("Gateway API with the CORS filter: several origins, the same behaviour", async () => {
        const origins = ["https://shop.example.com", "https://admin.example.com"];
        const ev = await render(shop({ ...GATEWAY, gateway: { ...GATEWAY.gateway, cors: "filter" } }, { cors: { allowOrigins: origins, allowCredentials: true } }));
        assert.deepEqual(fromRoutes(of(ev, "HTTPRoute")), { ...EXPECTED, cors: { ...EXPECTED.cors, origins } });
        const nginx = await render(shop({}, { cors: { allowOrigins: origins, allowCredentials: true } }));
        assert.deepEqual(fromIngress(of(nginx, "Ingress")[0]), { ...EXPECTED, cors: { ...EXPECTED.cors, origins } });
    });

    it("both, for the update that moves a stack: the Ingress and the route together, the controller and the Gateway's proxies both admitted", async () => {
        const ev = await render(shop({ ...GATEWAY, exposure: "both", gateway: { ...GATEWAY.gateway, dataPlane: { podLabels: { "gateway.envoyproxy.io/owning-gateway-name": "public" } } } }));
        assert.deepEqual(fromIngress(of(ev, "Ingress")[0]), EXPECTED);
        assert.deepEqual(fromRoutes(of(ev, "HTTPRoute")), EXPECTED);
        const peers = [
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } },
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "gateway-system" } }, podSelector: { matchLabels: { "gateway.envoyproxy.io/owning-gateway-name": "public" } } },
        ];
        const policies = of(ev, "NetworkPolicy");
        assert.deepEqual(policies.find((p) => p.metadata.name === "api").spec.ingress[0].from, peers);
        assert.deepEqual(policies.find((p) => p.metadata.name === "allow-acme-http01-solver").spec.ingress[0].from, peers);
    });

    it("gateway mode admits only the Gateway's proxies, not the ingress controller", async () => {
        const ev = await render(shop(GATEWAY));
        const api = of(ev, "NetworkPolicy").find((p) => p.metadata.name === "api");
        assert.deepEqual(api.spec.ingress[0].from, [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "gateway-system" } } }]);
    });

    it("creates the stack's own Gateway only when asked: an HTTP listener and an HTTPS listener per host with cert-manager's certificate", async () => {
        const ev = await render(shop({ exposure: "gateway", gateway: { name: "shop", create: { className: "eg" } } }));
        const [gateway] = of(ev, "Gateway");
        assert.equal(gateway.metadata.namespace, "shop");
        assert.equal(gateway.metadata.annotations["cert-manager.io/cluster-issuer"], "letsencrypt-production");
        assert.deepEqual(gateway.spec, {
            gatewayClassName: "eg",
            listeners: [
                { name: "http", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "Same" } } },
                {
                    name: "https-api",
                    hostname: "api.example.com",
                    port: 443,
                    protocol: "HTTPS",
                    tls: { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: "api-tls" }] },
                    allowedRoutes: { namespaces: { from: "Same" } },
                },
            ],
        });
        const routes = of(ev, "HTTPRoute");
        assert.deepEqual(routes.map((r) => r.spec.parentRefs[0].sectionName).sort(), ["http", "https-api"]);
        assert.deepEqual(fromRoutes(routes), EXPECTED);
    });

    it("keeps a certificate Secret the stack names (an imported Ingress's), on the Ingress and a created Gateway's listener", async () => {
        const ingress = await render(shop({}, { tlsSecretName: "shop-wildcard-tls" }));
        assert.deepEqual(of(ingress, "Ingress")[0].spec.tls, [{ hosts: ["api.example.com"], secretName: "shop-wildcard-tls" }]);
        const gateway = await render(shop({ exposure: "gateway", gateway: { name: "shop", create: { className: "eg" } } }, { tlsSecretName: "shop-wildcard-tls" }));
        assert.deepEqual(of(gateway, "Gateway")[0].spec.listeners[1].tls.certificateRefs, [{ kind: "Secret", name: "shop-wildcard-tls" }]);
    });

    it("every object of every mode is valid Kubernetes and Gateway API", async () => {
        for (const values of [shop(), shop({ ingress: { controller: "haproxy" } }), shop(GATEWAY), shop({ ...GATEWAY, exposure: "both" }), shop({ exposure: "gateway", gateway: { name: "shop", create: { className: "eg" } } })]) {
            for (const m of toManifests((await render(values)).resources)) assert.doesNotThrow(() => validateManifest(m), `${m.kind} ${m.metadata.name}`);
        }
    });
});

describe("exposure: what a mode cannot express is refused with the key path and the reason", () => {
    const S = "platform-test:catalog.services.api.ingress";
    const E = "platform-test:environment";

    it("plain HTTP on a Gateway, and several origins as static headers", () => {
        assert.deepEqual(problems(shop(GATEWAY, { httpsRedirect: false, cors: { allowOrigins: ["https://a.example.com", "https://b.example.com"] } })), [
            `${S}.httpsRedirect: a Gateway route serves HTTPS only (the HTTP listener only redirects), and ${E}.exposure is 'gateway'; remove httpsRedirect: false`,
            `${S}.cors.allowOrigins: 2 origins, but static response headers (${E}.gateway.cors 'headers') can name one; allow one origin, or set ${E}.gateway.cors: filter where the Gateway's implementation supports Gateway API's CORS filter`,
        ]);
        // The same settings are fine on an Ingress.
        assert.doesNotThrow(() => configOf(shop({}, { httpsRedirect: false, cors: { allowOrigins: ["https://a.example.com", "https://b.example.com"] } })));
    });

    it("a Gateway mode without a Gateway, a Gateway nothing uses, a created Gateway elsewhere or without a class", () => {
        assert.deepEqual(problems(shop({ exposure: "gateway" })), [`${E}.gateway.name: required with exposure 'gateway'; expected the name of the Gateway the services' routes attach to`]);
        assert.deepEqual(problems(shop({ gateway: { name: "public" } })), [`${E}.gateway: set, but ${E}.exposure is 'ingress', so no route would use it; set exposure: gateway (or both, to move over), or remove it`]);
        assert.deepEqual(problems(shop({ exposure: "both", gateway: { name: "public", namespace: "gateway-system", create: { className: "eg" } } })), [
            `${E}.gateway.namespace: a Gateway the stack creates lives in the stack's own namespace; remove 'namespace' or 'create', got "gateway-system"`,
        ]);
        assert.deepEqual(problems(shop({ exposure: "gateway", gateway: { name: "shop", create: {} } })), [`${E}.gateway.create.className: required to create a Gateway; expected a GatewayClass name such as 'eg'`]);
    });

    it("an unknown controller or mode names what is allowed", () => {
        assert.deepEqual(problems(shop({ exposure: "gateway-api", ingress: { controller: "traefik" } })), [
            `${E}.exposure: expected one of ingress, gateway, both, none, got "gateway-api"`,
            `${E}.ingress.controller: expected one of ingress-nginx, haproxy, got "traefik"`,
        ]);
    });
});
