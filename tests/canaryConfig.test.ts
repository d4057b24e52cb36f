import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { canaryDuration, durationSeconds, soakDuration } from "../config/formats";
import { stepsProblem, unknownPlaceholders } from "../config/schema/canary";
import { CanaryStep, PlatformConfig } from "../config/types";
import { CANARY_POD_LABEL_KEYS } from "../config/resolve/canary";
import { canaryPodLabels } from "../components/labels";
import { configOf } from "./fixtures/catalogs";
import { refusedFixture } from "./fixtureRuns";
import { refused } from "./refused";

/** The wait Jobs' image an in-cluster stack that names none runs (environment.canary.statusImage's default), looked up by its tag. */
const STATUS_IMAGE = { repository: "quay.io/argoproj/kubectl-argo-rollouts", tag: "v1.9.1" };
import { editedConfig, PROJECT, REPO, stackConfig } from "./support";

/**
 * Canary releases' configuration (issue 21, docs/canary.md): a service's `canary`, layered like
 * every service setting, and the stack's `environment.canary`, resolved into config/canary.ts's
 * shapes; what a canary needs of its stack and service is refused with the key path, before any
 * resource.
 */

const E = "platform-test:environment";
const C = "platform-test:catalog.services";

type Values = { catalog: any; environment: any };

/** A web service behind a route, a worker and a database, on a Gateway. */
function shop(environment: Record<string, unknown> = {}, services: Record<string, Record<string, unknown>> = {}): Values {
    const probes = { liveness: "/healthz", readiness: "/ready" };
    const resources = { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } };
    const image = (name: string) => ({ repository: `registry.example.com/shop/${name}`, tag: "2.4.1" });
    const values: Values = {
        catalog: {
            system: "shop",
            defaults: { probes, resources },
            services: {
                api: { port: 8080, image: image("api"), replicas: 3, ingress: { hostPrefix: "api" } },
                internal: { port: 8081, image: image("internal") },
                mailer: { kind: "worker", image: image("mailer") },
                db: { kind: "stateful", port: 5432, image: image("db"), probes: { liveness: { tcp: true }, readiness: { tcp: true } } },
            },
        },
        environment: {
            namespace: "shop",
            domain: "example.com",
            cluster: { context: "prod" },
            exposure: "gateway",
            gateway: { name: "public", namespace: "gateway-system" },
            canary: { mode: "in-cluster" },
            ...environment,
        },
    };
    for (const [name, settings] of Object.entries(services)) values.catalog.services[name] = { ...values.catalog.services[name], ...settings };
    return values;
}

const canaryOf = (config: PlatformConfig, name: string) => config.services.find((s) => s.name === name)!.canary;
const on = { canary: { enabled: true } };
/** Each step as [weight, window in seconds]. */
const stepsOf = (steps: readonly CanaryStep[] | undefined) => steps?.map((s) => [s.weight, s.windowSeconds]);

describe("canary configuration: what it resolves to", () => {
    it("an enabled canary without steps takes 10%, 50% and 100% of traffic, each watched 300 s", () => {
        const config = configOf(shop({}, { api: on }));
        assert.deepEqual(canaryOf(config, "api"), {
            steps: [
                { weight: 10, windowSeconds: 300 },
                { weight: 50, windowSeconds: 300 },
                { weight: 100, windowSeconds: 300 },
            ],
            replicas: 1,
            maxRestarts: 0,
        });
        assert.deepEqual(config.environment.canary, { mode: "in-cluster", intervalSeconds: 30, statusImage: STATUS_IMAGE });
        assert.equal(canaryOf(config, "internal"), undefined, "a service that does not enable one has none");
    });

    it("windows are read in hours, minutes and seconds; a query, its threshold and the replicas come through", () => {
        const query = 'sum(rate(http_requests_total{namespace="{{namespace}}",service="{{service}}",pod=~"{{canaryPods}}",code=~"5.."}[1m]))';
        const config = configOf(
            shop({ canary: { mode: "in-cluster", prometheus: "http://prometheus.monitoring:9090", interval: "1s" } }, {
                api: { canary: { enabled: true, steps: [{ weight: 1, window: "1s" }, { weight: 25, window: "1h30m" }, { weight: 100 }], replicas: 2, maxRestarts: 3, prometheus: { query, max: 0.5 } } },
            }),
        );
        const { steps, ...rest } = canaryOf(config, "api")!;
        assert.deepEqual(stepsOf(steps), [[1, 1], [25, 5400], [100, 300]], "a step without a window is watched 5m");
        assert.deepEqual(rest, { replicas: 2, maxRestarts: 3, prometheus: { query, max: 0.5 } });
        assert.deepEqual(config.environment.canary, { mode: "in-cluster", prometheusUrl: "http://prometheus.monitoring:9090", intervalSeconds: 1, statusImage: STATUS_IMAGE });
    });

    it("layers: the catalog's default enables it, a stack service turns it off, a stack replaces the steps whole", () => {
        const values = shop({
            canary: { mode: "in-cluster", prometheus: "http://prometheus.monitoring:9090" },
            services: { internal: { canary: { enabled: false } }, api: { canary: { steps: [{ weight: 100, window: "2m" }] } } },
        });
        values.catalog.defaults.canary = { enabled: true, steps: [{ weight: 20 }, { weight: 40 }, { weight: 100 }], maxRestarts: 2 };
        const config = configOf(values);
        assert.deepEqual(canaryOf(config, "api"), { steps: [{ weight: 100, windowSeconds: 120 }], replicas: 1, maxRestarts: 2 }, "the stack's list replaces the catalog's; maxRestarts stays");
        assert.equal(canaryOf(config, "internal"), undefined, "turned off by the stack's own entry");
        assert.deepEqual(canaryOf(config, "mailer")?.steps.map((s) => s.weight), [20, 40, 100], "a worker takes the shared default in-cluster");
        assert.equal(canaryOf(config, "db"), undefined, "a shared default does not apply to a stateful service");
    });

    it("the stack's serviceDefaults enable canaries; a driven stack gives them to the routed web services only", () => {
        const config = configOf(shop({ canary: { mode: "driven", prometheus: "https://prometheus.example.com" }, serviceDefaults: on }));
        assert.deepEqual(
            config.services.filter((s) => s.canary).map((s) => s.name),
            ["api"],
        );
        assert.deepEqual(config.environment.canary, { mode: "driven", prometheusUrl: "https://prometheus.example.com", intervalSeconds: 30 });
    });

    it("environment.canary alone, with no service enabling one, sets nothing", () => {
        const config = configOf(shop());
        assert.equal(config.environment.canary, undefined);
        assert.ok(config.services.every((s) => s.canary === undefined));
    });
});

describe("canary configuration: refused with the key path, before any resource", () => {
    it("a service with a canary needs environment.canary.mode", () => {
        assert.deepEqual(refusedFixture(shop({ canary: undefined }, { api: on })), [
            `${E}.canary.mode: required when a service has a canary (api at ${C}.api.canary.enabled); expected one of in-cluster, driven`,
        ]);
        assert.deepEqual(refusedFixture(shop({ canary: { interval: "1m" } }, { api: on })), [
            `${E}.canary.mode: required when a service has a canary (api at ${C}.api.canary.enabled); expected one of in-cluster, driven`,
        ]);
    });

    it("a query needs environment.canary.prometheus, and both its query and its threshold", () => {
        assert.deepEqual(refusedFixture(shop({}, { api: { canary: { enabled: true, prometheus: { query: "up", max: 1 } } } })), [
            `${C}.api.canary.prometheus.query: a query needs Prometheus, and ${E}.canary.prometheus is not set; set it to the URL Prometheus answers at (in-cluster: an address Argo Rollouts' controller reaches, such as 'http://prometheus-operated.monitoring.svc:9090')`,
        ]);
        assert.deepEqual(refusedFixture(shop({ canary: { mode: "in-cluster", prometheus: "http://p:9090" } }, { api: { canary: { enabled: true, prometheus: { max: 1 } } } })), [
            `${C}.api.canary.prometheus.query: required with 'prometheus'; expected a PromQL query such as the canary's 5xx ratio`,
        ]);
        assert.deepEqual(refusedFixture(shop({ canary: { mode: "in-cluster", prometheus: "http://p:9090" } }, { api: { canary: { enabled: true, prometheus: { query: "up" } } } })), [
            `${C}.api.canary.prometheus.max: required with 'prometheus'; expected the highest value of the query that passes, such as 0.01`,
        ]);
    });

    it("driven mode needs Prometheus and a Gateway-only exposure, and says why", () => {
        assert.deepEqual(refusedFixture(shop({ canary: { mode: "driven" } })), [
            `${E}.canary.prometheus: required with mode 'driven': the release driver's checks are Prometheus queries (pods not restarting is a kube-state-metrics query); expected an http:// or https:// URL the release driver reaches, such as 'http://prometheus.example.com:9090'`,
        ]);
        const driven = { mode: "driven", prometheus: "http://p:9090" };
        assert.deepEqual(refusedFixture(shop({ canary: driven, exposure: "both" })), [
            `${E}.canary.mode: 'driven' steps the weights of a Gateway API HTTPRoute's backends, and ${E}.exposure is 'both': the Ingress beside the route would keep sending its share of requests to the stable pods alone, outside the weights; set exposure: gateway, or mode: in-cluster`,
        ]);
        assert.deepEqual(refusedFixture(shop({ canary: driven, exposure: "ingress", gateway: undefined })), [
            `${E}.canary.mode: 'driven' steps the weights of a Gateway API HTTPRoute's backends, and ${E}.exposure is 'ingress': an Ingress has no weighted backends (ingress-nginx's canary annotations are not used: ingress-nginx is retired); set exposure: gateway, or mode: in-cluster`,
        ]);
    });

    it("in-cluster without Prometheus, a written maxRestarts is refused: nothing would count the restarts", () => {
        assert.deepEqual(refusedFixture(shop({}, { api: { canary: { enabled: true, maxRestarts: 2 } } })), [
            `${C}.api.canary.maxRestarts: restarts are counted through Prometheus (kube-state-metrics), and ${E}.canary.prometheus is not set, so nothing would count them; set it (such as 'http://prometheus-operated.monitoring.svc:9090'), or remove maxRestarts`,
        ]);
    });

    it("driven mode on a stack that exposes nothing is refused once, for the stack, not again for each service", () => {
        assert.deepEqual(refusedFixture(shop({ canary: { mode: "driven", prometheus: "http://p:9090" }, exposure: "none", gateway: undefined }, { api: on, internal: on })), [
            `${E}.canary.mode: 'driven' steps the weights of a Gateway API HTTPRoute's backends, and ${E}.exposure is 'none': no service is exposed, so there is no route to weight; set exposure: gateway, or mode: in-cluster`,
        ]);
    });

    it("a driven canary written for a service without a route, or an in-cluster one for a stateful service or a cronjob, names the kind", () => {
        const driven = { mode: "driven", prometheus: "http://p:9090" };
        assert.deepEqual(refusedFixture(shop({ canary: driven }, { internal: on, mailer: on })), [
            `${C}.internal.canary.enabled: a driven canary (${E}.canary.mode) weights the service's HTTPRoute, and it has no route (no 'ingress' settings with a 'hostPrefix'); expose it (ingress.hostPrefix) or use mode: in-cluster`,
            `${C}.mailer.canary.enabled: a driven canary (${E}.canary.mode) weights the service's HTTPRoute, and a 'worker' service has no Service or route; expose it (ingress.hostPrefix) or use mode: in-cluster`,
        ]);
        const problems = refusedFixture(shop({}, { db: on }));
        assert.equal(problems.length, 1);
        assert.match(problems[0], new RegExp(`^${C}\\.db\\.canary: does not apply to a 'stateful' service \\(.*\\): a StatefulSet's pods keep their identities and claims`));
    });

    it("driven canaries step together: their weights must agree (windows may differ)", () => {
        const driven = { mode: "driven", prometheus: "http://p:9090" };
        const shop2 = shop({ canary: driven, publicService: "api" }, { api: on, web: { port: 8082, image: { repository: "registry.example.com/shop/web", tag: "2.4.1" }, ingress: { hostPrefix: "www" }, canary: { enabled: true, steps: [{ weight: 20 }, { weight: 100 }] } } });
        assert.deepEqual(refusedFixture(shop2), [
            `${C}.web.canary.steps: the release driver steps every driven canary of the stack together, so their weights must agree: api has 10, 50, 100 (${C}.api.canary.enabled), web has 20, 100; give both the same weights (their windows may differ: each step lasts the longest)`,
        ]);
        const sameWeights = shop({ canary: driven, publicService: "api" }, { api: { canary: { enabled: true, steps: [{ weight: 10, window: "1m" }, { weight: 50, window: "10m" }, { weight: 100 }] } }, web: { port: 8082, image: { repository: "registry.example.com/shop/web", tag: "2.4.1" }, ingress: { hostPrefix: "www" }, canary: { enabled: true } } });
        assert.deepEqual(stepsOf(canaryOf(configOf(sameWeights), "api")?.steps), [[10, 60], [50, 600], [100, 300]]);
    });

    it("a driven canary on a service whose selector only holds labels the canary's pods carry is refused (its Service would route to the canary)", () => {
        const driven = { mode: "driven", prometheus: "http://p:9090" };
        const problems = refusedFixture(shop({ canary: driven }, { api: { canary: { enabled: true }, selector: { "app.kubernetes.io/instance": "api" } } }));
        assert.equal(problems.length, 1);
        assert.match(problems[0], new RegExp(`^${C}\\.api\\.canary\\.enabled: a driven canary's pods carry .*api's selector \\{"app.kubernetes.io/instance":"api"\\} holds only such labels`));
        // In-cluster, the Rollout's pods are the service's own: any selector does.
        assert.equal(canaryOf(configOf(shop({}, { api: { canary: { enabled: true }, selector: { "app.kubernetes.io/instance": "api" } } })), "api")?.steps.length, 3);
    });

    it("judges selectors by exactly the label keys the components put on a canary's pods", () => {
        const keys = Object.keys(canaryPodLabels({ system: "shop", environment: "production" }, "api", "2.4.1")).sort();
        assert.deepEqual([...CANARY_POD_LABEL_KEYS].sort(), keys);
    });

    it("no canary while the stack adopts running objects", () => {
        assert.deepEqual(refusedFixture(shop({ adopt: true }, { api: on })), [
            `${E}.adopt: true while api has a canary (at ${C}.api.canary.enabled): a canary replaces the adopted Deployment (a Rollout, or a stable and a canary Deployment), which adoption protects; finish the adoption first (an update with adopt: true, then adopt: false), then enable the canaries`,
        ]);
    });

    it("a window shorter than the interval, naming both", () => {
        assert.deepEqual(refusedFixture(shop({ canary: { mode: "in-cluster", interval: "1m" } }, { api: { canary: { enabled: true, steps: [{ weight: 50, window: "30s" }, { weight: 100 }] } } })), [
            `${C}.api.canary.steps[0].window: the window "30s" (30 s) is shorter than ${E}.canary.interval ("1m", 60 s): nothing would be checked during the step; make each window at least the interval`,
        ]);
        assert.deepEqual(refusedFixture(shop({ canary: { mode: "in-cluster", interval: "10m" } }, { api: on })), [
            `${E}.canary.interval: the default window "5m" (300 s) of api's steps is shorter than ${E}.canary.interval ("10m", 600 s): nothing would be checked during the step; make each window at least the interval`,
        ]);
    });

    it("the schema: weights, windows, placeholders and the mode", () => {
        const steps = (s: unknown) => refusedFixture(shop({}, { api: { canary: { enabled: true, steps: s } } }));
        assert.deepEqual(steps([{ weight: 10 }, { weight: 10 }, { weight: 100 }]), [
            `${C}.api.canary.steps: expected weights strictly increasing, the last one 100, got [{"weight":10},{"weight":10},{"weight":100}] (step 2's weight 10 is not above step 1's 10)`,
        ]);
        assert.deepEqual(steps([{ weight: 10 }, { weight: 50 }]), [`${C}.api.canary.steps: expected weights strictly increasing, the last one 100, got [{"weight":10},{"weight":50}] (the last weight is 50; the last step sends all traffic to the new version (100))`]);
        assert.deepEqual(steps([]), [`${C}.api.canary.steps: expected a non-empty list, got []`]);
        assert.deepEqual(steps([{ weight: 0 }, { weight: 100, window: "25h" }]), [
            `${C}.api.canary.steps[0].weight: expected an integer from 1 to 100, got 0`,
            `${C}.api.canary.steps[1].window: expected a duration from 1s to 24h such as '30s', '5m' or '1h30m', got "25h" (from 1s to 24h)`,
        ]);
        assert.deepEqual(steps([{ window: "5m" }, { weight: 100, window: "5 minutes" }]), [
            `${C}.api.canary.steps[0].weight: required; expected an integer from 1 to 100, the share of traffic the new version takes`,
            `${C}.api.canary.steps[1].window: expected a duration from 1s to 24h such as '30s', '5m' or '1h30m', got "5 minutes" (a number and a unit, h, m or s, such as '30s', '5m', '1h' or '1h30m')`,
        ]);
        assert.deepEqual(refusedFixture(shop({ canary: { mode: "flagger", prometheus: "prometheus:9090" } })), [
            `${E}.canary.mode: expected one of in-cluster, driven, got "flagger"`,
            `${E}.canary.prometheus: expected an http:// or https:// URL such as 'http://prometheus-operated.monitoring.svc:9090', got "prometheus:9090" (must be http:// or https://)`,
        ]);
        assert.deepEqual(refusedFixture(shop({ canary: { mode: "flagger", interval: "1 minute" } }, { api: { canary: { enabled: true, maxRestarts: 1, prometheus: { query: "up", max: 1 }, steps: [{ weight: 100, window: "1s" }] } } })), [
            `${E}.canary.mode: expected one of in-cluster, driven, got "flagger"`,
            `${E}.canary.interval: expected a duration from 1s to 24h such as '30s', '5m' or '1h30m', got "1 minute" (a number and a unit, h, m or s, such as '30s', '5m', '1h' or '1h30m')`,
            `${C}.api.canary.prometheus.query: a query needs Prometheus, and ${E}.canary.prometheus is not set; set it to the URL Prometheus answers at (in-cluster: an address Argo Rollouts' controller reaches, such as 'http://prometheus-operated.monitoring.svc:9090')`,
        ], "a bad mode or interval is reported once: neither the missing mode, the restarts a mode would count, nor the window against the default interval is judged");
        assert.deepEqual(refusedFixture(shop({}, { api: { canary: { enabled: true, replicas: 0, maxRestarts: 1001 } } })), [
            `${C}.api.canary.replicas: expected an integer from 1 to 1000, got 0`,
            `${C}.api.canary.maxRestarts: expected an integer from 0 to 1000, got 1001`,
        ]);
    });

    it("a query's placeholders are {{namespace}}, {{service}} and {{canaryPods}}; any other is named", () => {
        const problems = refusedFixture(shop({ canary: { mode: "in-cluster", prometheus: "http://p:9090" } }, { api: { canary: { enabled: true, prometheus: { query: 'rate(x{pod=~"{{pod}}",ns="{{ namespace }}"}[1m])', max: 1 } } } }));
        assert.deepEqual(problems, [
            `${C}.api.canary.prometheus.query: expected a PromQL query, with no placeholders but {{namespace}}, {{service}}, {{canaryPods}}, got "rate(x{pod=~\\"{{pod}}\\",ns=\\"{{ namespace }}\\"}[1m])" (unknown placeholders {{pod}}, {{ namespace }}; the placeholders are {{namespace}}, {{service}}, {{canaryPods}})`,
        ]);
        assert.deepEqual(unknownPlaceholders("{{namespace}} {{service}} {{canaryPods}} {job=\"x\"}"), []);
    });

    it("end to end: the production stack's canary without a mode is refused and declares nothing", async () => {
        const problems = await refused(editedConfig("production", (v) => delete v.environment.canary));
        assert.deepEqual(problems, [
            `${PROJECT}:environment.canary.mode: required when a service has a canary (orchestrator at ${PROJECT}:environment.services.orchestrator.canary.enabled); expected one of in-cluster, driven`,
        ]);
    });
});

describe("canary configuration: the repository's stacks", () => {
    const resolved = (stack: string) => {
        const base = stackConfig(stack);
        const values = Object.fromEntries(Object.entries(base.config).filter(([k]) => ["catalog", "environment", "github"].includes(k.slice(PROJECT.length + 1))).map(([k, v]) => [k.slice(PROJECT.length + 1), JSON.parse(v)]));
        const secrets = Object.fromEntries(base.placeholders.map((k) => [k, "placeholder"]));
        return configOf(values, secrets, stack);
    };

    it("production releases the orchestrator, the one service outside traffic reaches, through an in-cluster canary", () => {
        const config = resolved("production");
        assert.deepEqual(config.environment.canary, { mode: "in-cluster", prometheusUrl: "http://prometheus-operated.monitoring.svc:9090", intervalSeconds: 30, statusImage: STATUS_IMAGE });
        assert.deepEqual(
            config.services.filter((s) => s.canary).map((s) => s.name),
            ["orchestrator"],
        );
        assert.deepEqual(stepsOf(canaryOf(config, "orchestrator")?.steps), [[10, 300], [50, 300], [100, 300]]);
    });

    it("the other stacks run no canary", () => {
        for (const stack of ["staging", "local", "e2e"]) {
            const config = resolved(stack);
            assert.equal(config.environment.canary, undefined, stack);
            assert.deepEqual(config.services.filter((s) => s.canary).map((s) => s.name), [], stack);
        }
    });
});

describe("canary configuration: docs/canary.md", () => {
    it("the driven example resolves on a stack exposed through a Gateway", () => {
        const doc = fs.readFileSync(path.join(REPO, "docs/canary.md"), "utf8");
        const blocks = [...doc.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map(([, b]) => YAML.parse(b));
        const driven = blocks.find((b) => b.environment.canary.mode === "driven").environment;
        const values = shop({ ...driven, services: undefined }, { api: driven.services.orchestrator });
        const config = configOf(values);
        assert.deepEqual(config.environment.canary, { mode: "driven", prometheusUrl: "https://prometheus.example.com", intervalSeconds: 15 });
        assert.deepEqual(stepsOf(canaryOf(config, "api")?.steps), [[5, 600], [25, 600], [100, 300]]);
        assert.equal(canaryOf(config, "api")?.replicas, 2);
    });
});

describe("durations", () => {
    it("a canary's window is hours, minutes and seconds, from 1s to 24h", () => {
        assert.equal(durationSeconds("1h30m", "hms"), 5400);
        assert.equal(durationSeconds("90s", "hms"), 90);
        assert.equal(durationSeconds("1d", "hms"), undefined);
        assert.equal(canaryDuration("1s"), undefined);
        assert.equal(canaryDuration("24h"), undefined);
        assert.equal(canaryDuration("24h1s"), "from 1s to 24h");
        assert.equal(canaryDuration("0s"), "from 1s to 24h");
        assert.equal(canaryDuration("5"), "a number and a unit, h, m or s, such as '30s', '5m', '1h' or '1h30m'");
    });

    it("a soak is still days, hours and minutes: seconds are not one of its units", () => {
        assert.equal(durationSeconds("1d12h"), 129600);
        assert.equal(durationSeconds("90s"), undefined);
        assert.equal(soakDuration("3600s"), "a number and a unit, d, h or m, such as '24h', '90m', '2d' or '1d12h'");
    });

    it("steps: weights strictly increasing, the last 100", () => {
        assert.equal(stepsProblem([10, 50, 100]), undefined);
        assert.equal(stepsProblem([100]), undefined);
        assert.equal(stepsProblem([10, 60, 50, 100]), "step 3's weight 50 is not above step 2's 60");
        assert.equal(stepsProblem([10, 90]), "the last weight is 90; the last step sends all traffic to the new version (100)");
    });
});
