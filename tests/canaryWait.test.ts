import { strict as assert } from "assert";
import { canaryWaitSeconds } from "../components/service/canary/steps";
import { inClusterCanary } from "../config/inCluster";
import type { PlatformConfig } from "../config/types";
import { deployPlatform } from "../program";
import * as failure from "../tools/ci/deployFailure";
import { listImages } from "../tools/ci/images";
import { Evaluation, underMocks } from "../tools/harness/evaluate";
import { toManifests } from "../tools/harness/manifests";
import { stackFacts } from "./facts-resources";
import { configOf, singleApi } from "./fixtures/catalogs";
import { validateManifest } from "./kubernetesModels";
import { policyResources, runPack } from "./policyRunner";
import { refused } from "./refused";
import { editedConfig, one, ofKind, run } from "./support";

/**
 * How `pulumi up` waits for an in-cluster canary (docs/canary-in-cluster.md "How `pulumi up`
 * waits"): a Job per release of the Rollout running `kubectl-argo-rollouts status`, which
 * cannot pass on the previous release's status, and fails the update at an abort.
 */

const JOB = "batch/v1:Job";
const ROLLOUT = "argoproj.io/v1alpha1:Rollout";
const WAIT_LABELS = (svc: string, system: string, env: string) => ({
    "app.kubernetes.io/component": "canary-wait",
    "app.kubernetes.io/instance": svc,
    "app.kubernetes.io/part-of": system,
    "app.kubernetes.io/managed-by": "pulumi",
    environment: env,
});
/** What the status command reads (argo-rollouts v1.9.1 viewcontroller.go): through informers, so list and watch only. */
const STATUS_RULES = [
    { apiGroups: ["argoproj.io"], resources: ["rollouts", "analysisruns", "experiments"], verbs: ["list", "watch"] },
    { apiGroups: ["apps"], resources: ["replicasets", "deployments"], verbs: ["list", "watch"] },
    { apiGroups: [""], resources: ["pods"], verbs: ["list", "watch"] },
];
const urnOf = (ev: Evaluation, type: string, name: string) => ev.urns.find((u) => u.endsWith(`$kubernetes:${type}::${name}`))!;
const jobName = (ev: Evaluation) => one(ev, JOB, "orchestrator-canary-wait").metadata.name as string;
const DIGEST = `sha256:${"c".repeat(64)}`;

describe("in-cluster canary wait: production's orchestrator", () => {
    const x = stackFacts("production");
    const r = x.services.orchestrator.rollout!;
    let ev: Evaluation;
    before(async () => {
        ev = await run("production");
    });

    it("is a Job named by the release's digest, after the Rollout, running `kubectl-argo-rollouts status` on it", () => {
        assert.ok(r, "production's orchestrator has an in-cluster canary");
        const job = one(ev, JOB, "orchestrator-canary-wait");
        assert.match(job.metadata.name, /^orchestrator-canary-[0-9a-f]{10}$/);
        assert.equal(job.metadata.namespace, x.namespace);
        assert.deepEqual(job.metadata.labels, WAIT_LABELS("orchestrator", "hft", "production"));
        const [container] = job.spec.template.spec.containers;
        assert.equal(job.spec.template.spec.containers.length, 1);
        // The image's entrypoint is /bin/kubectl-argo-rollouts; 10 + 10 + 10 measurements of 30 s, two deadlines and the stack's wait.
        assert.equal(r.statusSeconds, 900 + 2 * x.progressDeadline + Number(x.wait));
        assert.deepEqual(container.args, ["status", "orchestrator", "--namespace", x.namespace, "--timeout", `${r.statusSeconds}s`]);
        assert.equal(container.command, undefined);
        assert.equal(container.image, x.statusImage);
        assert.match(container.image, /^quay\.io\/argoproj\/kubectl-argo-rollouts@sha256:[0-9a-f]{64}$/);
        assert.deepEqual(ev.dependencies.get(urnOf(ev, JOB, "orchestrator-canary-wait"))?.filter((u) => u.includes(ROLLOUT)), [urnOf(ev, ROLLOUT, "orchestrator-rollout")]);
    });

    it("fails `pulumi up` at the first failure: no retry, a deadline and an await covering the status command's timeout, kept until replaced", () => {
        const job = one(ev, JOB, "orchestrator-canary-wait");
        assert.equal(job.spec.backoffLimit, 0);
        assert.equal(job.spec.activeDeadlineSeconds, r.statusSeconds + 60);
        assert.deepEqual(job.metadata.annotations, { "pulumi.com/timeoutSeconds": String(r.statusSeconds + 120), "pulumi.com/replaceUnready": "true" });
        assert.equal(job.spec.ttlSecondsAfterFinished, undefined, "the provider reads the outcome; a refresh must not find it gone");
        assert.equal(job.spec.template.spec.restartPolicy, "Never");
        // The Rollout itself is not awaited: the provider would match the previous release's phase.
        assert.equal(one(ev, ROLLOUT, "orchestrator-rollout").metadata.annotations, undefined);
    });

    it("runs a restricted pod that alone mounts a token: its own ServiceAccount's, bound to list and watch what the command reads", () => {
        const pod = one(ev, JOB, "orchestrator-canary-wait").spec.template.spec;
        assert.deepEqual(pod.securityContext, { runAsNonRoot: true, runAsUser: 999, runAsGroup: 999, fsGroup: 999, seccompProfile: { type: "RuntimeDefault" } });
        assert.deepEqual(pod.containers[0].securityContext, {
            runAsNonRoot: true,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
            runAsUser: 999,
            runAsGroup: 999,
        });
        assert.deepEqual(pod.containers[0].resources, { requests: { cpu: "10m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } });
        assert.equal(pod.automountServiceAccountToken, true);
        assert.equal(pod.serviceAccountName, "orchestrator-canary-wait");
        const account = one(ev, "core/v1:ServiceAccount", "orchestrator-canary-wait-sa");
        assert.deepEqual(account.metadata, { name: "orchestrator-canary-wait", namespace: x.namespace, labels: WAIT_LABELS("orchestrator", "hft", "production") });
        assert.equal(account.automountServiceAccountToken, false, "no other pod of the account gets its token");
        const role = one(ev, "rbac.authorization.k8s.io/v1:Role", "orchestrator-canary-wait-role");
        assert.equal(role.metadata.name, "orchestrator-canary-wait");
        assert.deepEqual(role.rules, STATUS_RULES);
        const binding = one(ev, "rbac.authorization.k8s.io/v1:RoleBinding", "orchestrator-canary-wait-rolebinding");
        assert.deepEqual(binding.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "orchestrator-canary-wait" });
        assert.deepEqual(binding.subjects, [{ kind: "ServiceAccount", name: "orchestrator-canary-wait", namespace: x.namespace }]);
        // The pod starts once its binding exists.
        assert.ok(ev.dependencies.get(urnOf(ev, JOB, "orchestrator-canary-wait"))?.includes(urnOf(ev, "rbac.authorization.k8s.io/v1:RoleBinding", "orchestrator-canary-wait-rolebinding")));
        // Every other pod of the stack still mounts no token (no service of production has rbac rules).
        const others = toManifests(ev.resources).filter((m) => m.kind !== "Job" || !String(m.metadata?.name).startsWith("orchestrator-canary-"));
        for (const m of others) {
            const spec = (m as any).spec?.template?.spec ?? (m as any).spec?.jobTemplate?.spec?.template?.spec;
            if (spec) assert.equal(spec.automountServiceAccountToken, false, `${m.kind} ${m.metadata?.name}`);
        }
    });

    it("runs the orchestrator's checks after it: its verification Job depends on the wait", () => {
        const verifies = ev.dependencies.get(urnOf(ev, JOB, "orchestrator-verify")) ?? [];
        assert.ok(verifies.includes(urnOf(ev, JOB, "orchestrator-canary-wait")), verifies.join("\n"));
        assert.ok(!verifies.includes(urnOf(ev, ROLLOUT, "orchestrator-rollout")), "through the wait, not straight after the Rollout's apply");
    });

    it("validates every object of the wait with kubernetes-models, and a misspelt field is refused", () => {
        const wait = toManifests(ev.resources).filter((m) => m.metadata?.name === "orchestrator-canary-wait" || String(m.metadata?.name).startsWith("orchestrator-canary-") && m.kind === "Job");
        assert.deepEqual(wait.map((m) => m.kind).sort(), ["Job", "Role", "RoleBinding", "ServiceAccount"]);
        for (const m of wait) validateManifest(m);
        const job = structuredClone(wait.find((m) => m.kind === "Job")!) as any;
        job.spec.backoffLimit = "0";
        assert.throws(() => validateManifest(job), /backoffLimit must be integer/);
    });

    it("passes the whole policy pack: nothing mandatory in production", () => {
        const findings = runPack(policyResources(ev, "production"));
        assert.deepEqual(
            findings.filter((f) => f.level === "mandatory"),
            [],
        );
    });

    it("exempts nothing by its labels: a pod or a role shaped like the wait's that breaks a rule is still flagged", () => {
        const edited = (name: string, edit: (inputs: any) => void) =>
            ev.resources.map((res) => {
                if (res.name !== name) return res;
                const inputs = structuredClone(res.inputs) as any;
                edit(inputs);
                return { ...res, inputs };
            });
        const findingsOf = (resources: Evaluation["resources"]) => runPack(policyResources({ ...ev, resources }, "production")).map((f) => f.policy);
        // The same Job by tag, as root: the image rule and Pod Security still apply to it.
        const byTag = edited("orchestrator-canary-wait", (j) => (j.spec.template.spec.containers[0].image = "quay.io/argoproj/kubectl-argo-rollouts:v1.9.1"));
        assert.deepEqual(findingsOf(byTag), ["no-mutable-image-tags"]);
        const asRoot = edited("orchestrator-canary-wait", (j) => (j.spec.template.spec.securityContext = { runAsUser: 0 }));
        assert.deepEqual(findingsOf(asRoot), ["pod-security-context"]);
        // Its Role reading Secrets too is flagged like any other role.
        const secrets = edited("orchestrator-canary-wait-role", (role) => role.rules.push({ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }));
        assert.deepEqual(findingsOf(secrets), ["rbac-risky-permissions"]);
    });

    it("is named per release: a new image or configuration is a new Job; another service's release, new steps or a new status image are not", async () => {
        const name = jobName(ev);
        const newImage = await run(
            editedConfig("production", (v) => {
                v.environment.services.orchestrator.image = { ...v.environment.services.orchestrator.image, tag: "1.5.0" };
                // A tag staging never ran: let through by the promotion gate for this test.
                v.environment.promotion = { ...v.environment.promotion, exceptions: { ...v.environment.promotion?.exceptions, orchestrator: "a test of the wait's name" } };
            }),
        );
        assert.notEqual(jobName(newImage), name);
        const newEnv = await run(editedConfig("production", (v) => (v.environment.services.orchestrator.env = { ...v.environment.services.orchestrator.env, NEW_SETTING: "1" })));
        assert.notEqual(jobName(newEnv), name);
        const other = await run(editedConfig("production", (v) => (v.environment.services["risk-manager"].env = { ...v.environment.services["risk-manager"].env, NEW_SETTING: "1" })));
        assert.equal(jobName(other), name);
        const steps = await run(editedConfig("production", (v) => (v.environment.services.orchestrator.canary = { ...v.environment.services.orchestrator.canary, steps: [{ weight: 20, window: "1m" }, { weight: 100, window: "1m" }] })));
        assert.equal(jobName(steps), name, "new steps change the Rollout, not its pods: Argo starts no new release");
        assert.deepEqual(one(steps, JOB, "orchestrator-canary-wait").spec.template.spec.containers[0].args.slice(-1), [`${60 + 60 + x.progressDeadline + Number(x.wait)}s`]);
        const pinned = await run(editedConfig("production", (v) => (v.environment.canary.statusImage = `quay.io/argoproj/kubectl-argo-rollouts@${DIGEST}`)));
        assert.equal(jobName(pinned), name);
        assert.equal(one(pinned, JOB, "orchestrator-canary-wait").spec.template.spec.containers[0].image, `quay.io/argoproj/kubectl-argo-rollouts@${DIGEST}`);
    });
});

describe("in-cluster canary wait: what else it touches", () => {
    it("a failed wait Job is an aborted canary, which CI rolls back (npm run deploy-failure)", () => {
        const labels = WAIT_LABELS("orchestrator", "hft", "production");
        const job = {
            urn: "urn:pulumi:production::hft-platform::platform:service:Microservice$kubernetes:batch/v1:Job::orchestrator-canary-wait",
            type: "kubernetes:batch/v1:Job",
            outputs: { metadata: { name: "orchestrator-canary-2740b77eb0", namespace: "hft-production", labels } },
            initErrors: ["Job has reached the specified backoff limit\nThe rollout is in a degraded state with message: RolloutAborted: Rollout aborted update to revision 7"],
        };
        assert.deepEqual(failure.decide({ version: 3, deployment: { resources: [job] } }, false), {
            rollback: true,
            reason: "a canary of this commit was aborted or did not finish: Job hft-production/orchestrator-canary-2740b77eb0 (Job has reached the specified backoff limit)",
        });
    });

    it("lists the status image for CI's scan (`npm run images`), with the service whose wait runs it", () => {
        const lines = listImages({ stack: "production", format: "lines" }, {}).split("\n");
        assert.ok(lines.includes("quay.io/argoproj/kubectl-argo-rollouts:v1.9.1"), lines.join("\n"));
        assert.ok(!listImages({ stack: "staging", format: "lines" }, {}).includes("kubectl-argo-rollouts"), "staging has no in-cluster canary");
    });

    it("needs a Docker daemon to look the status image's tag up, and names it when none is reachable", async () => {
        const config = editedConfig("production", (v) => {
            for (const svc of Object.keys(v.catalog.services)) v.catalog.services[svc].image = { ...v.catalog.services[svc].image, digest: DIGEST };
            v.environment.verify = { ...v.environment.verify, image: `docker.io/curlimages/curl@${DIGEST}` };
        });
        const problems = await refused(config, { ciEnv: { DOCKER_HOST: "unix:///nonexistent/docker.sock" } });
        assert.equal(problems.length, 1);
        assert.match(problems[0], /^DOCKER_HOST: the canaries' wait Jobs \(environment\.canary\.statusImage\) names an image by tag \(quay\.io\/argoproj\/kubectl-argo-rollouts:v1\.9\.1\)/);
    });

    for (const stack of ["staging", "local", "e2e"]) {
        it(`${stack}: no in-cluster canary, no wait: no Job but the verification Jobs, no Role`, async () => {
            const ev = await run(stack);
            assert.deepEqual([...ofKind(ev, JOB).keys()].filter((n) => !n.endsWith("-verify")), []);
            assert.deepEqual([...ofKind(ev, "rbac.authorization.k8s.io/v1:Role").keys()].filter((n) => n.includes("canary")), []);
        });
    }
});

describe("in-cluster canary wait: a fixture", () => {
    const canary = { enabled: true, steps: [{ weight: 25, window: "2m" }, { weight: 100, window: "1m" }] };
    const values = (tag: string) => ({
        ...singleApi,
        catalog: { ...singleApi.catalog, services: { api: { ...singleApi.catalog.services.api, image: { ...singleApi.catalog.services.api.image, tag }, canary } } },
        environment: { ...singleApi.environment, canary: { mode: "in-cluster", statusImage: `quay.io/argoproj/kubectl-argo-rollouts@${DIGEST}` } },
    });
    const build = (config: PlatformConfig) => underMocks({ project: "platform-test", stack: "production", config: {}, secretKeys: [] }, false, () => deployPlatform(config));

    it("waits for the Rollout `api` in its namespace, with the steps' pauses, two deadlines' margins and the pinned image", async () => {
        const config = configOf(values("2.4.1"));
        const ev = await build(config);
        assert.equal(ev.error, undefined, String(ev.error));
        const seconds = canaryWaitSeconds(inClusterCanary(config.services[0], config.environment)!, config.environment.rollout);
        // Without a Prometheus the steps are pauses: 120 + 60 s, one progress deadline, the stack's own wait.
        assert.equal(seconds.status, 180 + config.environment.rollout.progressDeadlineSeconds + config.environment.rollout.awaitTimeoutSeconds);
        const job = one(ev, JOB, "api-canary-wait");
        assert.deepEqual(job.spec.template.spec.containers[0].args, ["status", "api", "--namespace", "shop", "--timeout", `${seconds.status}s`]);
        assert.equal(job.spec.activeDeadlineSeconds, seconds.deadline);
        assert.equal(job.metadata.annotations["pulumi.com/timeoutSeconds"], String(seconds.await));
        assert.equal(job.spec.template.spec.containers[0].image, `quay.io/argoproj/kubectl-argo-rollouts@${DIGEST}`);
        assert.deepEqual(job.metadata.labels, WAIT_LABELS("api", "shop", "production"));
        assert.ok(ev.dependencies.get(urnOf(ev, JOB, "api-canary-wait"))?.includes(urnOf(ev, ROLLOUT, "api-rollout")));
        for (const m of toManifests(ev.resources).filter((m) => String(m.metadata?.name).startsWith("api-canary-"))) validateManifest(m);
        assert.deepEqual(runPack(policyResources(ev, "production")).filter((f) => f.level === "mandatory"), []);
    });

    it("changes the Job's name with the image, and keeps it for the same release", async () => {
        const a = await build(configOf(values("2.4.1")));
        const again = await build(configOf(values("2.4.1")));
        const b = await build(configOf(values("2.5.0")));
        const name = (ev: Evaluation) => one(ev, JOB, "api-canary-wait").metadata.name;
        assert.equal(name(a), name(again));
        assert.notEqual(name(a), name(b));
        assert.match(name(b), /^api-canary-[0-9a-f]{10}$/);
    });

    it("declares nothing for a service without a canary", async () => {
        const ev = await build(configOf({ ...singleApi, environment: { ...singleApi.environment } }));
        assert.deepEqual([...ofKind(ev, JOB).keys()], []);
        assert.deepEqual([...ofKind(ev, "core/v1:ServiceAccount").keys()], ["api-sa"]);
    });
});
