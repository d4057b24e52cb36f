import { strict as assert } from "assert";
import { Microservice } from "../components/service/microservice";
import { atMost, canaryQuery } from "../components/service/canary/analysis";
import { rolloutTimeoutSeconds } from "../components/service/canary/steps";
import { inClusterCanary } from "../config/inCluster";
import type { CanaryConfig, CanarySettings, PlatformConfig } from "../config/types";
import { declaredNames } from "../config/names/declared";
import { deployPlatform } from "../program";
import { underMocks, Evaluation, RecordedResource } from "../tools/harness/evaluate";
import { summarize } from "../tools/harness/summary";
import { toManifests } from "../tools/harness/manifests";
import { policyResources } from "../tools/harness/policy";
import { validateManifest } from "./kubernetesModels";
import { apiAndWeb, configOf, singleApi } from "./fixtures/catalogs";
import { runPack } from "./policyRunner";

const SECRETS = { databaseUrl: "postgres://db" };
const STACK = { project: "platform-test", stack: "production", config: {}, secretKeys: [] };
const PROMETHEUS = "http://prometheus-operated.monitoring.svc:9090";
const ERROR_RATIO = 'sum(rate(http_requests_total{namespace="{{namespace}}", pod=~"{{canaryPods}}", code=~"5.."}[1m])) / sum(rate(http_requests_total{namespace="{{namespace}}", pod=~"{{canaryPods}}"}[1m]))';

/** The production canary of issue 21: 10% for 5 minutes, 50% for 5 minutes, 100% for 2, and the 5xx ratio at most 1%. */
const CANARY: CanaryConfig = {
    steps: [10, 50, 100].map((weight) => ({ weight, windowSeconds: weight < 100 ? 300 : 120 })),
    replicas: 1,
    maxRestarts: 0,
    prometheus: { query: ERROR_RATIO, max: 0.01 },
};
const IN_CLUSTER: CanarySettings = { mode: "in-cluster", prometheusUrl: PROMETHEUS, intervalSeconds: 60, statusImage: { repository: "quay.io/argoproj/kubectl-argo-rollouts", tag: "v1.9.1" } };

type Edit = { readonly canary: CanaryConfig; readonly settings: CanarySettings; readonly service?: string; readonly values?: Record<string, any> };

/**
 * A fixture's configuration with a canary on one service (the first by default), written as a
 * stack writes it (`canary` on the service, `environment.canary`) and read by the configuration
 * reader. A driven stack needs Gateway API exposure, which these fixtures do not use: it is read
 * in-cluster, then given the driven mode it would resolve to (config/canary.ts).
 */
function withCanary(edit: Edit): PlatformConfig {
    const values = edit.values ?? singleApi;
    const name = edit.service ?? Object.keys(values.catalog.services)[0];
    const c = edit.canary;
    const canary = {
        enabled: true,
        steps: c.steps.map((st) => ({ weight: st.weight, window: `${st.windowSeconds}s` })),
        ...(c.maxRestarts !== 0 ? { maxRestarts: c.maxRestarts } : {}),
        ...(c.prometheus ? { prometheus: c.prometheus } : {}),
    };
    const { mode, prometheusUrl, intervalSeconds } = edit.settings;
    const environment = { ...values.environment, canary: { mode: "in-cluster", ...(prometheusUrl ? { prometheus: prometheusUrl } : {}), interval: `${intervalSeconds}s` } };
    const catalog = { ...values.catalog, services: { ...values.catalog.services, [name]: { ...values.catalog.services[name], canary } } };
    const config = configOf({ ...values, catalog, environment }, SECRETS);
    return mode === "in-cluster" ? config : { ...config, environment: { ...config.environment, canary: edit.settings } };
}

/** Every service of a configuration built directly as a Microservice, every resource recorded. */
async function build(config: PlatformConfig): Promise<Evaluation> {
    const ev = await underMocks(STACK, false, () =>
        config.services.map((svc) => new Microservice(svc.name, { service: svc, environment: config.environment, namespace: config.environment.namespace, commonConfigMapName: "common" })),
    );
    assert.equal(ev.error, undefined, String(ev.error));
    return ev;
}

const inputsOf = (ev: Evaluation, type: string): any[] => ev.resources.filter((r) => r.type === `kubernetes:${type}`).map((r) => r.inputs);
const ROLLOUT = "argoproj.io/v1alpha1:Rollout";
const TEMPLATE = "argoproj.io/v1alpha1:AnalysisTemplate";

describe("in-cluster canary: an Argo Rollout in place of the Deployment", () => {
    it("declares a Rollout with the Deployment's metadata, pod template, replicas and deadline, and no Deployment", async () => {
        const plain = await build(configOf(singleApi));
        const ev = await build(withCanary({ canary: CANARY, settings: IN_CLUSTER }));
        assert.deepEqual(inputsOf(ev, "apps/v1:Deployment"), []);
        const [deployment] = inputsOf(plain, "apps/v1:Deployment");
        const [rollout] = inputsOf(ev, ROLLOUT);
        assert.equal(rollout.apiVersion, "argoproj.io/v1alpha1");
        assert.equal(rollout.kind, "Rollout");
        assert.deepEqual({ ...rollout.metadata, annotations: undefined }, { ...deployment.metadata, annotations: undefined });
        assert.deepEqual(rollout.spec.template, deployment.spec.template, "the same pod: image, security context, probes, labels");
        assert.equal(rollout.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem, true);
        assert.equal(rollout.spec.replicas, 3);
        assert.equal(rollout.spec.revisionHistoryLimit, 10);
        assert.equal(rollout.spec.progressDeadlineSeconds, deployment.spec.progressDeadlineSeconds);
        assert.equal(rollout.spec.progressDeadlineAbort, true);
        assert.deepEqual(rollout.spec.selector, deployment.spec.selector);
        assert.deepEqual(Object.keys(rollout.spec.strategy), ["canary"]);
        assert.equal(rollout.spec.strategy.canary.maxSurge, 1);
        assert.equal(rollout.spec.strategy.canary.maxUnavailable, 0);
    });

    it("steps setWeight 10, analysis of 5m, setWeight 50, analysis of 5m, setWeight 100, analysis of 2m, against the service's templates", async () => {
        const ev = await build(withCanary({ canary: CANARY, settings: IN_CLUSTER }));
        const [rollout] = inputsOf(ev, ROLLOUT);
        const analysis = (templateName: string) => ({ analysis: { templates: [{ templateName }], args: [{ name: "canary-hash", valueFrom: { podTemplateHashValue: "Latest" } }] } });
        assert.deepEqual(rollout.spec.strategy.canary.steps, [
            { setWeight: 10 },
            analysis("api-canary-300s"),
            { setWeight: 50 },
            analysis("api-canary-300s"),
            { setWeight: 100 },
            analysis("api-canary-120s"),
        ]);
        assert.deepEqual(inputsOf(ev, TEMPLATE).map((t) => t.metadata.name), ["api-canary-300s", "api-canary-120s"]);
        // The templates exist before Argo starts a step that names them.
        const urn = (type: string, name: string) => ev.urns.find((u) => u.endsWith(`$kubernetes:${type}::${name}`))!;
        const waits = ev.dependencies.get(urn(ROLLOUT, "api-rollout")) ?? [];
        assert.deepEqual(waits.filter((u) => u.includes(":AnalysisTemplate::")).sort(), [urn(TEMPLATE, "api-analysis-120s"), urn(TEMPLATE, "api-analysis-300s")]);
    });

    it("measures restarts and the service's query every interval over the window, failing the step at the first bad measurement", async () => {
        const ev = await build(withCanary({ canary: CANARY, settings: IN_CLUSTER }));
        const [five, two] = inputsOf(ev, TEMPLATE);
        assert.deepEqual(five.spec.args, [{ name: "canary-hash" }]);
        const pods = "api-{{args.canary-hash}}-[a-z0-9]+";
        assert.deepEqual(five.spec.metrics, [
            {
                name: "restarts",
                interval: "60s",
                initialDelay: "60s",
                count: 5,
                failureLimit: 0,
                successCondition: "len(result) > 0 && result[0] <= 0",
                provider: { prometheus: { address: PROMETHEUS, query: `sum(kube_pod_container_status_restarts_total{namespace="shop", pod=~"${pods}"})` } },
            },
            {
                name: "query",
                interval: "60s",
                initialDelay: "60s",
                count: 5,
                failureLimit: 0,
                successCondition: "len(result) > 0 && result[0] <= 0.01",
                provider: {
                    prometheus: {
                        address: PROMETHEUS,
                        query: `sum(rate(http_requests_total{namespace="shop", pod=~"${pods}", code=~"5.."}[1m])) / sum(rate(http_requests_total{namespace="shop", pod=~"${pods}"}[1m]))`,
                    },
                },
            },
        ]);
        assert.deepEqual(two.spec.metrics.map((m: any) => m.count), [2, 2]);
    });

    it("validates the Rollout and its AnalysisTemplates with @kubernetes-models/argo-rollouts, and every other object as before", async () => {
        const ev = await build(withCanary({ canary: CANARY, settings: IN_CLUSTER }));
        const manifests = toManifests(ev.resources);
        const argo = manifests.filter((m) => m.apiVersion === "argoproj.io/v1alpha1");
        assert.deepEqual(argo.map((m) => m.kind).sort(), ["AnalysisTemplate", "AnalysisTemplate", "Rollout"]);
        for (const m of argo) validateManifest(m);
        for (const m of manifests.filter((x) => x.apiVersion !== "argoproj.io/v1alpha1")) validateManifest(m);
    });

    it("refuses a Rollout with a misspelt step field, a wrong type or a template with an unknown metric field", async () => {
        const ev = await build(withCanary({ canary: CANARY, settings: IN_CLUSTER }));
        const rollout = toManifests(ev.resources).find((m) => m.kind === "Rollout")!;
        const template = toManifests(ev.resources).find((m) => m.kind === "AnalysisTemplate")!;
        const edited = (m: typeof rollout, edit: (copy: any) => void) => {
            const copy = JSON.parse(JSON.stringify(m));
            edit(copy);
            return copy;
        };
        assert.throws(
            () => validateManifest(edited(rollout, (r) => (r.spec.strategy.canary.steps[0] = { setWieght: 10 }))),
            /^Error: argoproj.io\/v1alpha1 Rollout api: unknown field spec\.strategy\.canary\.steps\[0\]\.setWieght$/,
        );
        assert.throws(() => validateManifest(edited(rollout, (r) => (r.spec.progressDeadlineAbort = "true"))), /Rollout api: data\/spec\/progressDeadlineAbort must be boolean/);
        assert.throws(
            () => validateManifest(edited(rollout, (r) => (r.spec.template.spec.containers[0].securityContext.runAsNonRot = true))),
            /unknown field spec\.template\.spec\.containers\[0\]\.securityContext\.runAsNonRot$/,
        );
        assert.throws(() => validateManifest(edited(template, (t) => (t.spec.metrics[0].provider.prometheus.adress = PROMETHEUS))), /AnalysisTemplate api-canary-120s: unknown field spec\.metrics\[0\]\.provider\.prometheus\.adress$/);
    });

    it("without a Prometheus, pauses for each window and declares no AnalysisTemplate", async () => {
        // Without Prometheus nothing can be queried: readiness is the only check (the configuration refuses a query or maxRestarts there).
        const ev = await build(withCanary({ canary: { steps: CANARY.steps, replicas: 1, maxRestarts: 0 }, settings: { mode: "in-cluster", intervalSeconds: 60 } }));
        const [rollout] = inputsOf(ev, ROLLOUT);
        assert.deepEqual(rollout.spec.strategy.canary.steps, [{ setWeight: 10 }, { pause: { duration: "300s" } }, { setWeight: 50 }, { pause: { duration: "300s" } }, { setWeight: 100 }, { pause: { duration: "120s" } }]);
        assert.deepEqual(inputsOf(ev, TEMPLATE), []);
        validateManifest(toManifests(ev.resources).find((m) => m.kind === "Rollout")!);
    });

    it("puts no await on the Rollout (its wait Job waits: tests/canaryWait.test.ts), and times a release by every window and each step's progress deadline", async () => {
        const config = withCanary({ canary: CANARY, settings: IN_CLUSTER });
        const ev = await build(config);
        const [rollout] = inputsOf(ev, ROLLOUT);
        const { progressDeadlineSeconds, awaitTimeoutSeconds } = config.environment.rollout;
        assert.equal(rollout.metadata.annotations, undefined);
        // 5 + 5 + 2 measurements a minute apart; two more deadlines, then the environment's own await.
        assert.equal(rolloutTimeoutSeconds(inClusterCanary(config.services[0], config.environment)!, config.environment.rollout), 720 + 2 * progressDeadlineSeconds + awaitTimeoutSeconds);
        // A window that is not a whole number of intervals is measured to the next one.
        const odd = { canary: { ...CANARY, steps: [{ weight: 100, windowSeconds: 90 }] }, settings: IN_CLUSTER };
        assert.equal(rolloutTimeoutSeconds(odd, config.environment.rollout), 120 + awaitTimeoutSeconds);
        assert.equal(rolloutTimeoutSeconds({ ...odd, settings: { mode: "in-cluster", intervalSeconds: 60 } }, config.environment.rollout), 90 + awaitTimeoutSeconds);
    });

    it("points the autoscaler at the Rollout and leaves its replica count to it", async () => {
        const values = { ...singleApi, catalog: { ...singleApi.catalog, services: { api: { ...singleApi.catalog.services.api, autoscaling: { enabled: true, minReplicas: 3, maxReplicas: 9 } } } } };
        const ev = await build(withCanary({ values, canary: CANARY, settings: IN_CLUSTER }));
        const [rollout] = inputsOf(ev, ROLLOUT);
        assert.equal("replicas" in rollout.spec, false);
        const [hpa] = inputsOf(ev, "autoscaling/v2:HorizontalPodAutoscaler");
        assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", name: "api" });
        const [pdb] = inputsOf(ev, "policy/v1:PodDisruptionBudget");
        assert.deepEqual(pdb.spec.selector, rollout.spec.selector, "the budget covers stable and canary pods alike");
    });

    it("leaves a service without a canary exactly as before, and a driven stack without Argo objects", async () => {
        const strip = (rs: readonly RecordedResource[]) => rs.map((r) => ({ type: r.type, name: r.name, inputs: r.inputs }));
        const ofService = (ev: Evaluation, name: string) => strip(ev.resources.filter((r) => r.name === name || r.name.startsWith(`${name}-`)));
        const plain = await build(configOf(apiAndWeb, SECRETS));
        const canaried = await build(withCanary({ values: apiAndWeb, service: "api", canary: CANARY, settings: IN_CLUSTER }));
        assert.deepEqual(ofService(canaried, "web"), ofService(plain, "web"));
        assert.equal(inputsOf(canaried, ROLLOUT).length, 1);
        const driven = await build(withCanary({ values: apiAndWeb, service: "api", canary: CANARY, settings: { mode: "driven", prometheusUrl: PROMETHEUS, intervalSeconds: 60 } }));
        // Driven mode is helper "driven"'s: here only that it declares no Argo object and keeps the Deployments.
        assert.deepEqual(inputsOf(driven, ROLLOUT).concat(inputsOf(driven, TEMPLATE)), []);
        assert.deepEqual(inputsOf(driven, "apps/v1:Deployment"), inputsOf(plain, "apps/v1:Deployment"));
    });

    it("declares what config/names/declared.ts predicts: the Rollout and one AnalysisTemplate per window length", async () => {
        const config = withCanary({ canary: CANARY, settings: IN_CLUSTER });
        const ev = await build(config);
        // The wait Job and its access are the program's, declared beside the Microservice (tests/canaryWait.test.ts).
        const predicted = declaredNames(config).flatMap((d) => ("pulumi" in d.space && d.space.pulumi.parent === "platform:service:Microservice" && !d.name.startsWith("api-canary-wait") ? [`${d.space.pulumi.type}::${d.name}`] : []));
        const recorded = ev.resources.filter((r) => r.type.startsWith("kubernetes:")).map((r) => `${r.type}::${r.name}`);
        assert.deepEqual([...predicted].sort(), [...recorded].sort());
        assert.ok(recorded.includes("kubernetes:argoproj.io/v1alpha1:Rollout::api-rollout"));
        assert.ok(recorded.includes("kubernetes:argoproj.io/v1alpha1:AnalysisTemplate::api-analysis-120s"));
    });
});

describe("in-cluster canary: the rest of the program with a Rollout", () => {
    it("starts the service's verification Job once the Rollout is Healthy: it depends on the wait Job, which depends on the Rollout", async () => {
        const api = { ...singleApi.catalog.services.api, verify: { health: { http: "/healthz" } } };
        const values = { ...singleApi, catalog: { ...singleApi.catalog, services: { api } } };
        const ev = await underMocks(STACK, false, () => deployPlatform(withCanary({ values, canary: CANARY, settings: IN_CLUSTER })));
        assert.equal(ev.error, undefined, String(ev.error));
        const urn = (type: string, name: string) => ev.urns.find((u) => u.endsWith(`$kubernetes:${type}::${name}`))!;
        const waits = ev.dependencies.get(urn("batch/v1:Job", "api-verify")) ?? [];
        assert.ok(waits.includes(urn("batch/v1:Job", "api-canary-wait")), waits.join("\n"));
        assert.ok((ev.dependencies.get(urn("batch/v1:Job", "api-canary-wait")) ?? []).includes(urn(ROLLOUT, "api-rollout")));
    });

    it("lists the Rollout in the render's table as the service's workload", async () => {
        const ev = await build(withCanary({ canary: CANARY, settings: IN_CLUSTER }));
        assert.deepEqual(
            summarize(toManifests(ev.resources)).map((r) => [r.service, r.kind, r.replicas]),
            [["api", "Rollout", "3"]],
        );
    });
});

describe("in-cluster canary: moving a service from its Deployment to a Rollout", () => {
    it("is a new resource beside the Deployment (created, then the Deployment deleted) selecting the same pods", async () => {
        const before = await build(configOf(singleApi));
        const after = await build(withCanary({ canary: CANARY, settings: IN_CLUSTER }));
        const urns = (ev: Evaluation) => new Set(ev.urns);
        const gone = [...urns(before)].filter((u) => !urns(after).has(u));
        const added = [...urns(after)].filter((u) => !urns(before).has(u));
        assert.deepEqual(gone.map((u) => u.split("::").slice(2).join("::")), ["platform:service:Microservice$kubernetes:apps/v1:Deployment::api-deployment"]);
        assert.deepEqual(added.map((u) => u.split("::").slice(2).join("::")).sort(), [
            "platform:service:Microservice$kubernetes:argoproj.io/v1alpha1:AnalysisTemplate::api-analysis-120s",
            "platform:service:Microservice$kubernetes:argoproj.io/v1alpha1:AnalysisTemplate::api-analysis-300s",
            "platform:service:Microservice$kubernetes:argoproj.io/v1alpha1:Rollout::api-rollout",
        ]);
        const [deployment] = inputsOf(before, "apps/v1:Deployment");
        const [rollout] = inputsOf(after, ROLLOUT);
        assert.deepEqual(rollout.spec.template.metadata.labels, deployment.spec.template.metadata.labels);
        assert.deepEqual(inputsOf(after, "core/v1:Service"), inputsOf(before, "core/v1:Service"), "the Service is not touched: it selects both while they overlap");
    });
});

describe("in-cluster canary: the policy pack judges a Rollout as it judges a Deployment", () => {
    const findings = async (config: PlatformConfig) => runPack(policyResources(await build(config), "platform-test", "production"));

    it("passes the production Rollout, its budget and templates through the whole pack", async () => {
        assert.deepEqual(await findings(withCanary({ canary: CANARY, settings: IN_CLUSTER })), []);
    });

    it("flags a production Rollout with one replica, and one with three replicas and no budget", async () => {
        const one = { ...singleApi, catalog: { ...singleApi.catalog, services: { api: { ...singleApi.catalog.services.api, replicas: 1 } } } };
        const lone = await findings(withCanary({ values: one, canary: CANARY, settings: IN_CLUSTER }));
        assert.deepEqual(lone.map((f) => f.policy), ["production-min-replicas"]);
        assert.match(lone[0].message, /^Rollout 'shop\/api' may run 1 replica in production \(it runs 1 replica\); at least 2 are required/);
        const unbudgeted = { ...singleApi, catalog: { ...singleApi.catalog, services: { api: { ...singleApi.catalog.services.api, pdb: { enabled: false } } } } };
        const open = await findings(withCanary({ values: unbudgeted, canary: CANARY, settings: IN_CLUSTER }));
        assert.deepEqual(open.map((f) => f.policy), ["pod-disruption-budget"]);
        assert.match(open[0].message, /^Rollout 'shop\/api' can run 3 replicas \(it runs 3 replicas\) but no PodDisruptionBudget covers its pods/);
    });
});

describe("in-cluster canary: the parts", () => {
    it("is in-cluster only for a web or worker service with a canary in a stack whose mode is in-cluster", () => {
        const config = withCanary({ canary: CANARY, settings: IN_CLUSTER });
        assert.deepEqual(inClusterCanary(config.services[0], config.environment), { canary: CANARY, settings: IN_CLUSTER });
        assert.equal(inClusterCanary(configOf(singleApi).services[0], config.environment), undefined);
        assert.equal(inClusterCanary(config.services[0], { ...config.environment, canary: { ...IN_CLUSTER, mode: "driven" } }), undefined);
    });

    it("replaces the query's placeholders, keeping Argo's own argument for the canary's pod hash", () => {
        assert.equal(
            canaryQuery('up{namespace="{{namespace}}", service="{{service}}", pod=~"{{canaryPods}}"} or up{pod=~"{{canaryPods}}"}', "ns", "api"),
            'up{namespace="ns", service="api", pod=~"api-{{args.canary-hash}}-[a-z0-9]+"} or up{pod=~"api-{{args.canary-hash}}-[a-z0-9]+"}',
        );
        assert.equal(atMost(0.05), "len(result) > 0 && result[0] <= 0.05");
    });
});
