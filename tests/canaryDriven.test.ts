import { strict as assert } from "assert";
import { CanaryConfig, CanaryRelease } from "../config/canary";
import { readCanaryRelease } from "../config/canaryRelease";
import { Problems } from "../config/errors";
import { ConfigError } from "../config/errors";
import { checkCanaryName } from "../config/limits/names";
import { refuseCollisions } from "../config/names/collisions";
import { readPlatformConfig, resolvePlatformConfig } from "../config/platform";
import { PlatformConfig, ServiceConfig } from "../config/types";
import { deployPlatform } from "../program";
import { Evaluation, RecordedResource, underMocks, unwrapSecrets } from "../tools/harness/evaluate";
import { toManifests } from "../tools/harness/manifests";
import { predictedNames, recordedNames } from "./declaredNames";
import { secretsOf } from "./fixtures/catalogs";
import { validateManifest } from "./kubernetesModels";

/**
 * Driven canary releases (config/canary.ts, docs/canary-driven.md), the program's side: what
 * `PLATFORM_CANARY` makes the program declare, on a fixture where the web front end has a driven
 * canary and calls the API. The configuration keys are another part's: the fixture's resolved
 * config gets `canary` set directly.
 */

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const STABLE = `ghcr.io/notes/web@${digest("a")}`;
const CONFIGURED = `ghcr.io/notes/web@${digest("b")}`;
const probes = { liveness: "/healthz", readiness: "/ready" };
const small = { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } };

/** An API and a web front end on a shared Gateway in production; only the web front end calls the API. */
function values(extra: Record<string, unknown> = {}) {
    return {
        catalog: {
            system: "notes",
            tiers: { small },
            defaults: { probes, tier: "small", replicas: 3 },
            services: {
                api: { port: 3000, image: { repository: "ghcr.io/notes/api", digest: digest("c") }, allowFrom: ["web"], metrics: { path: "/metrics" } },
                web: { port: 3001, image: { repository: "ghcr.io/notes/web", tag: "2.0.0", digest: digest("b") }, ingress: { hostPrefix: "notes" }, metrics: { path: "/metrics" } },
                ...extra,
            },
        },
        environment: {
            namespace: "notes",
            domain: "notes.dev",
            cluster: { context: "prod" },
            exposure: "gateway",
            gateway: { name: "public", namespace: "gateway-system", httpListener: "http" },
        },
    };
}

const CANARY: CanaryConfig = { steps: [{ weight: 10, windowSeconds: 300 }, { weight: 50, windowSeconds: 300 }, { weight: 100, windowSeconds: 300 }], replicas: 1, maxRestarts: 0 };

/** The fixture's configuration with web's driven canary on (what the configuration keys will give), and a release when given. */
function driven(config: PlatformConfig, release?: CanaryRelease): PlatformConfig {
    return {
        ...config,
        environment: { ...config.environment, canary: { mode: "driven", prometheusUrl: "http://prometheus.example:9090", intervalSeconds: 30 } },
        services: config.services.map((s): ServiceConfig => (s.name === "web" ? { ...s, canary: CANARY } : s)),
        ...(release ? { release } : {}),
    };
}

const base = () => readPlatformConfig({ project: "platform-test", stack: "production", values: values(), dryRun: false, ciEnv: {} }, secretsOf({}));

async function deploy(config: PlatformConfig, previousOutputs?: Record<string, unknown>): Promise<Evaluation> {
    const ev = await underMocks({ project: "platform-test", stack: "production", config: {}, secretKeys: [] }, false, () => deployPlatform(config), { previousOutputs });
    assert.equal(ev.error, undefined, String(ev.error));
    return ev;
}

function named(ev: Evaluation, name: string): any {
    const found = ev.resources.filter((r) => r.name === name);
    assert.equal(found.length, 1, `one resource ${name}: ${ev.resources.map((r) => r.name).join(", ")}`);
    return found[0].inputs;
}

const has = (ev: Evaluation, name: string) => ev.resources.some((r) => r.name === name);

/** Whether `selector` (a Service's map, or matchLabels) selects pods labelled `labels`: every pair present. */
function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
    return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

const imageOf = (deployment: any): string => deployment.spec.template.spec.containers[0].image;

describe("a driven canary release (PLATFORM_CANARY)", () => {
    it("at weight 10: the stable Deployment runs the stable digest, the canary the configured one with its replicas, the route sends 90/10", async () => {
        const ev = await deploy(driven(base(), { weight: 10, stable: { web: STABLE }, promote: false }));
        const stable = named(ev, "web-deployment");
        const canary = named(ev, "web-canary-deployment");
        assert.equal(imageOf(stable), STABLE);
        assert.equal(stable.spec.replicas, 3);
        assert.equal(imageOf(canary), CONFIGURED);
        assert.equal(canary.metadata.name, "web-canary");
        assert.equal(canary.spec.replicas, 1);
        // The same pod otherwise: security, probes, environment, service account, volumes.
        const withoutImage = (d: any) => ({ ...d.spec.template.spec.containers[0], image: undefined });
        assert.deepEqual(withoutImage(canary), withoutImage(stable));
        const podSpec = (d: any) => ({ ...d.spec.template.spec, containers: undefined, topologySpreadConstraints: undefined });
        assert.deepEqual(podSpec(canary), podSpec(stable));
        assert.deepEqual(canary.spec.template.metadata.annotations, stable.spec.template.metadata.annotations);

        const route = named(ev, "web-route");
        assert.deepEqual(route.spec.rules[0].backendRefs, [
            { name: "web", port: 80, weight: 90 },
            { name: "web-canary", port: 80, weight: 10 },
        ]);
        assert.equal(has(ev, "web-canary-ingress") || ev.resources.some((r) => (r.inputs as any).kind === "Gateway" || (r.inputs as any).kind === "Certificate"), false, "no Ingress, Gateway or certificate for the canary");
        assert.deepEqual(
            ev.resources.filter((r) => (r.inputs as any).kind === "HTTPRoute").map((r) => r.name).sort(),
            ["web-route", "web-route-https-redirect"],
            "no route of its own",
        );
    });

    it("the canary's Service selects only the canary's pods, and the stable Service none of them", async () => {
        const ev = await deploy(driven(base(), { weight: 10, stable: { web: STABLE }, promote: false }));
        const stablePods: Record<string, string> = named(ev, "web-deployment").spec.template.metadata.labels;
        const canaryPods: Record<string, string> = named(ev, "web-canary-deployment").spec.template.metadata.labels;
        const stableService = named(ev, "web-service").spec.selector;
        const canaryService = named(ev, "web-canary-service");
        assert.equal(canaryService.metadata.name, "web-canary");
        assert.deepEqual(canaryService.spec.ports, named(ev, "web-service").spec.ports);
        assert.equal(matches(stableService, stablePods), true);
        assert.equal(matches(stableService, canaryPods), false, "the stable Service never routes to a canary pod");
        assert.equal(matches(canaryService.spec.selector, canaryPods), true);
        assert.equal(matches(canaryService.spec.selector, stablePods), false);
        assert.equal(matches(named(ev, "web-canary-deployment").spec.selector.matchLabels, stablePods), false);
        assert.equal(canaryPods["app.kubernetes.io/name"], undefined);
        // Scraped like the stable pods: annotations without the Prometheus Operator, its ServiceMonitor with it.
        assert.equal(named(ev, "web-canary-deployment").spec.template.metadata.annotations["prometheus.io/scrape"], "true");
        const operator = driven(base(), { weight: 10, stable: { web: STABLE }, promote: false });
        const withOperator = await deploy({ ...operator, environment: { ...operator.environment, monitoring: { ...operator.environment.monitoring, operator: true } } });
        const monitors = withOperator.resources.filter((r) => (r.inputs as any).kind === "ServiceMonitor").map((r) => r.name).sort();
        assert.deepEqual(monitors, ["api-servicemonitor", "web-servicemonitor"], "no monitor of its own");
        // Its Service carries the service's labels, so the service's ServiceMonitor selects it and scrapes the canary's pods (pod names web-canary-...).
        const monitor = named(withOperator, "web-servicemonitor").spec.selector.matchLabels;
        assert.equal(matches(monitor, named(withOperator, "web-canary-service").metadata.labels), true);
        assert.equal(matches(monitor, named(withOperator, "api-service").metadata.labels), false);
    });

    it("the canary's NetworkPolicy has the service's rules; the API admits web's canary pods, at rest too", async () => {
        const released = await deploy(driven(base(), { weight: 10, stable: { web: STABLE }, promote: false }));
        const policy = named(released, "web-canary-netpol");
        assert.equal(policy.metadata.name, "web-canary");
        assert.deepEqual(policy.spec.podSelector.matchLabels, named(released, "web-canary-service").spec.selector);
        assert.deepEqual(policy.spec.ingress, named(released, "web-netpol").spec.ingress);
        const api = named(released, "api-netpol").spec.ingress[0].from.map((p: any) => p.podSelector.matchLabels);
        assert.deepEqual(api, [
            { "app.kubernetes.io/name": "web", "app.kubernetes.io/part-of": "notes" },
            { "app.kubernetes.io/component": "canary", "app.kubernetes.io/instance": "web", "app.kubernetes.io/part-of": "notes" },
        ]);
        const atRest = await deploy(driven(base()));
        assert.deepEqual(named(atRest, "api-netpol"), named(released, "api-netpol"), "a release does not touch the API's policy");
    });

    it("at promotion the stable Deployment takes the configured image while the canary keeps all traffic", async () => {
        const ev = await deploy(driven(base(), { weight: 100, stable: { web: STABLE }, promote: true }));
        assert.equal(imageOf(named(ev, "web-deployment")), CONFIGURED);
        assert.equal(imageOf(named(ev, "web-canary-deployment")), CONFIGURED);
        assert.deepEqual(named(ev, "web-route").spec.rules[0].backendRefs, [
            { name: "web", port: 80, weight: 0 },
            { name: "web-canary", port: 80, weight: 100 },
        ]);
        const outputs = unwrapSecrets(ev.outputs) as any;
        assert.deepEqual(outputs.canary, { weight: 100, services: { web: CONFIGURED } });
        assert.equal(outputs.releases.web[0].image, CONFIGURED);
    });

    it("without the variable no canary object exists, and a service with a canary renders as without one but for its callees' policies", async () => {
        const plain = await deploy(base());
        const atRest = await deploy(driven(base()));
        assert.deepEqual(
            atRest.resources.filter((r) => r.name.includes("canary")).map((r) => r.name),
            [],
        );
        const byName = (ev: Evaluation) => new Map(ev.resources.map((r): [string, RecordedResource["inputs"]] => [r.name, r.inputs]));
        const before = byName(plain);
        const after = byName(atRest);
        assert.deepEqual([...after.keys()].sort(), [...before.keys()].sort());
        for (const [name, inputs] of before) {
            if (name !== "api-netpol" && name !== "web-deployment") assert.deepEqual(after.get(name), inputs, name);
        }
        // The stable pods carry no version (below); the rest of web's Deployment is as before.
        const template = (ev: Evaluation) => named(ev, "web-deployment").spec.template.metadata.labels;
        const { "app.kubernetes.io/version": version, ...unversioned } = template(plain);
        assert.equal(version, "2.0.0");
        assert.deepEqual(template(atRest), unversioned);
        assert.deepEqual({ ...named(atRest, "web-deployment"), spec: undefined }, { ...named(plain, "web-deployment"), spec: undefined });
        assert.deepEqual(named(atRest, "web-route").spec.rules[0].backendRefs, [{ name: "web", port: 80 }]);
        assert.equal((unwrapSecrets(atRest.outputs) as any).canary, undefined);
    });

    it("a release's first step leaves the stable pods as the last update left them, though the stack names a new image and tag", async () => {
        const at = (tag: string, c: string) => {
            const v = values();
            v.catalog.services.web.image = { repository: "ghcr.io/notes/web", tag, digest: digest(c) };
            return readPlatformConfig({ project: "platform-test", stack: "production", values: v, dryRun: false, ciEnv: {} }, secretsOf({}));
        };
        const before = await deploy(driven(at("1.9.0", "a")));
        const step = await deploy(driven(at("2.0.0", "b"), { weight: 10, stable: { web: STABLE }, promote: false }));
        // The service's ConfigMap keeps its data; only its labels (the version) change, which the provider updates in place under the
        // same name (pulumi-kubernetes provider/pkg/provider/diff.go forceNewProperties: a ConfigMap is replaced for .data/.binaryData only).
        // The mocks name it from all its inputs, so the name is set aside here.
        assert.deepEqual(named(step, "web-config").data, named(before, "web-config").data);
        const spec = (ev: Evaluation) => JSON.parse(JSON.stringify(named(ev, "web-deployment").spec).replace(/"web-config-[0-9a-f]{8}"/g, '"web-config"'));
        assert.deepEqual(spec(step), spec(before));
        assert.equal(named(step, "web-canary-deployment").spec.template.metadata.labels["app.kubernetes.io/version"], "2.0.0");
    });

    it("records the stable image as what web runs (its last entry kept) and says what is being released", async () => {
        const previous = { releases: { web: [{ image: STABLE, tag: "1.9.0", source: "stack file", since: "2026-11-01T10:00:00Z" }] } };
        const ev = await deploy(driven({ ...base(), releaseTime: "2026-11-30T12:00:00Z" }, { weight: 50, stable: { web: STABLE }, promote: false }), previous);
        const outputs = unwrapSecrets(ev.outputs) as any;
        assert.deepEqual(outputs.releases.web, previous.releases.web);
        assert.deepEqual(outputs.canary, { weight: 50, services: { web: CONFIGURED } });
        assert.equal(outputs.services.web.image, STABLE);
    });

    it("emits only objects that validate (kubernetes-models, the Gateway API CRD schema)", async () => {
        for (const release of [{ weight: 10, stable: { web: STABLE }, promote: false }, { weight: 100, stable: { web: STABLE }, promote: true }]) {
            const ev = await deploy(driven(base(), release));
            const manifests = toManifests(ev.resources);
            assert.ok(manifests.some((m) => m.kind === "HTTPRoute"));
            for (const m of manifests) assert.doesNotThrow(() => validateManifest(m), `${m.kind} ${m.metadata.name}`);
        }
    });

    it("declares exactly the names config/names/declared.ts predicts while a release runs", async () => {
        const config = driven(base(), { weight: 10, stable: { web: STABLE }, promote: false });
        const ev = await deploy(config);
        const predicted = predictedNames(config, "platform-test", "production");
        const recorded = recordedNames(ev);
        assert.deepEqual(predicted.urns, recorded.urns);
        assert.deepEqual(predicted.objects, recorded.objects);
        assert.ok(recorded.objects.includes("apps Deployment notes web-canary"));
    });
});

describe("PLATFORM_CANARY refused", () => {
    const services = [
        { name: "web", kind: "web" as const, canary: CANARY, ingress: {} as ServiceConfig["ingress"] },
        { name: "api", kind: "web" as const },
    ];
    const ctx = { mode: "driven" as const, exposure: "gateway" as const, pinned: [] };
    const read = (text: string, pinned: string[] = []) => {
        const problems = new Problems();
        const release = readCanaryRelease(text, services, { ...ctx, pinned }, problems);
        return { release, problems: problems.count > 0 ? (() => { try { problems.throwIfAny(); } catch (e) { return (e as ConfigError).problems; } return []; })() : [] };
    };

    it("reads a release, promote false when absent", () => {
        assert.deepEqual(read(JSON.stringify({ weight: 10, stable: { web: STABLE } })), { release: { weight: 10, stable: { web: STABLE }, promote: false }, problems: [] });
        assert.deepEqual(read("").release, undefined);
    });

    it("names the key of each problem", () => {
        assert.deepEqual(read(JSON.stringify({ weight: 10.5, stable: { web: "ghcr.io/notes/web:2.0.0", api: STABLE, gateway: STABLE }, promote: "yes", speed: 1 })).problems, [
            "PLATFORM_CANARY.speed: unknown key; expected weight, stable, promote",
            "PLATFORM_CANARY.weight: expected a whole number from 0 to 100 (the canary's share of traffic, in percent), got 10.5",
            'PLATFORM_CANARY.promote: expected true or false, got "yes"',
            `PLATFORM_CANARY.stable.web: expected the image it runs now, pinned by digest, such as 'ghcr.io/acme/api@sha256:...', got "ghcr.io/notes/web:2.0.0"`,
            "PLATFORM_CANARY.stable.api: api has no driven canary (it needs canary enabled, environment.canary.mode 'driven', exposure 'gateway' and an exposed web service); the services with one are: web",
            "PLATFORM_CANARY.stable.gateway: unknown service; the services with a driven canary are: web",
        ]);
        assert.deepEqual(read(JSON.stringify({ weight: 101, stable: {} })).problems, [
            "PLATFORM_CANARY.weight: expected a whole number from 0 to 100 (the canary's share of traffic, in percent), got 101",
            "PLATFORM_CANARY.stable: expected an object naming at least one service and the image it runs now ({\"<service>\": \"<repository>@sha256:...\"}), got {}",
        ]);
        assert.deepEqual(read(JSON.stringify({ weight: 50, stable: { web: STABLE }, promote: true })).problems, [
            "PLATFORM_CANARY.promote: a release is promoted once the canary takes all traffic: expected weight 100, got 50",
        ]);
    });

    it("refuses a service PLATFORM_PINNED_IMAGES pins too", () => {
        assert.deepEqual(read(JSON.stringify({ weight: 10, stable: { web: STABLE } }), ["web"]).problems, [
            "PLATFORM_CANARY.stable.web: PLATFORM_PINNED_IMAGES pins web too; a rollback pins images without a release, and a release of web runs its stable image from PLATFORM_CANARY: set one of the two",
        ]);
    });

    it("never echoes a whole value, nor a credential", () => {
        const long = "x".repeat(500);
        const text = `{"weight": "${long}"`;
        assert.deepEqual(read(text).problems, [
            `PLATFORM_CANARY: expected JSON such as {"weight": 10, "stable": {"<service>": "<repository>@sha256:..."}, "promote": false}, got ${JSON.stringify(text).slice(0, 60)}... (519 characters)`,
        ]);
        const token = `ghp_${"A1b2C3d4E5".repeat(4).slice(0, 36)}`;
        const [problem] = read(JSON.stringify({ weight: 10, stable: { web: token } })).problems;
        assert.ok(!problem.includes(token), problem);
        assert.match(problem, /^PLATFORM_CANARY\.stable\.web: expected the image it runs now/);
    });

    it("through the configuration reader: a service without a driven canary cannot be released", () => {
        const raw = { project: "platform-test", stack: "production", values: values(), dryRun: false, ciEnv: { PLATFORM_CANARY: JSON.stringify({ weight: 10, stable: { web: STABLE } }) } };
        assert.throws(
            () => readPlatformConfig(raw, secretsOf({})),
            (e: unknown) => {
                assert.ok(e instanceof ConfigError, String(e));
                assert.deepEqual(e.problems, [
                    "PLATFORM_CANARY.stable.web: web has no driven canary (it needs canary enabled, environment.canary.mode 'driven', exposure 'gateway' and an exposed web service); the services with one are: none",
                ]);
                return true;
            },
        );
    });
});

describe("a driven canary's names", () => {
    it("a service named <x>-canary beside x with a driven canary is refused, naming both", () => {
        const raw = { project: "platform-test", stack: "production", values: values({ "web-canary": { port: 3002, image: { repository: "ghcr.io/notes/other", digest: digest("d") } } }), dryRun: false, ciEnv: {} };
        const { config, keyPaths } = resolvePlatformConfig(raw, secretsOf({}));
        assert.doesNotThrow(() => refuseCollisions(config, keyPaths), "without a canary the names are free");
        assert.throws(
            () => refuseCollisions(driven(config), keyPaths),
            (e: unknown) => {
                assert.ok(e instanceof ConfigError, String(e));
                assert.deepEqual(e.problems, [
                    "platform-test:catalog.services.web-canary: the Deployment of service web-canary and the canary Deployment of service web (platform-test:catalog.services.web) would both be the Pulumi resource 'web-canary-deployment' (kubernetes:apps/v1:Deployment); Pulumi refuses a second resource of one type and name (a duplicate URN); rename the service web-canary (or give it an objectName), or rename the service web (or give it an objectName)",
                ]);
                return true;
            },
        );
    });

    it("an objectName whose canary's name would pass 63 characters is refused", () => {
        const problems = new Problems();
        checkCanaryName("a".repeat(56), "at.ok", problems);
        checkCanaryName("a".repeat(57), "at.long", problems);
        assert.throws(
            () => problems.throwIfAny(),
            (e: unknown) => {
                assert.deepEqual((e as ConfigError).problems, [
                    `at.long: a driven canary's Deployment and Service are named "${"a".repeat(57)}-canary" (64 characters), and a Service's name is at most 63; set an 'objectName' of at most 56 characters`,
                ]);
                return true;
            },
        );
    });
});
