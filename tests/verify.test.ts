import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { HTTP_CHECK_SCRIPT } from "../components/service/verification";
import * as failure from "../tools/ci/deployFailure";
import { Evaluation, RecordedResource } from "../tools/harness/evaluate";
import { toManifests } from "../tools/harness/manifests";
import { REPO_STACKS, StackFacts, servicesOf, stackFacts } from "./facts-resources";
import { validateManifest } from "./kubernetesModels";
import { PackConfig, policyResources, runPack } from "./policyRunner";
import { refused } from "./refused";
import { editedConfig, ofKind, PROJECT, REPO, run, SERVICES, stackConfig } from "./support";

/**
 * Release verification (docs/verification.md, issue 19 item 1): each service's checks run in a
 * Job after the rollouts they reach, which `pulumi up` waits for. What is expected is read from
 * the stacks' configuration by tests/facts-resources.ts, not from the program's resolver.
 */

const P = `${PROJECT}:`;
const CATALOG = `${P}catalog.services`;
/** The verification Jobs (an in-cluster canary's wait Job aside: tests/canaryWait.test.ts). */
const jobs = (ev: Evaluation) => [...ofKind(ev, "batch/v1:Job").values()].filter((j) => j.name.endsWith("-verify"));
const jobOf = (ev: Evaluation, svc: string) => ofKind(ev, "batch/v1:Job").get(`${svc}-verify`)?.inputs as any;
const jobNames = (ev: Evaluation) => Object.fromEntries(jobs(ev).map((j) => [j.name, (j.inputs as any).metadata.name as string]));
const urnOf = (ev: Evaluation, type: string, name: string) => ev.urns.find((u) => u.endsWith(`${type}::${name}`))!;
const workloadResource = (x: StackFacts, svc: string) => `${svc}-${x.services[svc].workload.slice(x.services[svc].workload.indexOf(":") + 1).toLowerCase()}`;
const verifierLabels = (svc: string) => ({ "app.kubernetes.io/component": "verification", "app.kubernetes.io/instance": svc, "app.kubernetes.io/part-of": "hft" });

/**
 * The services a service's checks verify, by the documented rule: itself, each service an HTTP
 * check calls, and every service those may call (whose allowFrom names them), transitively.
 */
function covered(x: StackFacts, svc: string): string[] {
    const reached = new Set<string>();
    const queue = x.services[svc].checks.flatMap((c) => (c.http ? [c.http.service] : []));
    while (queue.length > 0) {
        const next = queue.shift()!;
        if (reached.has(next)) continue;
        reached.add(next);
        queue.push(...servicesOf(x, (f) => f.allowFrom.includes(next)));
    }
    return [...new Set([svc, ...reached])].sort();
}

/** The verification rules of a NetworkPolicy: the instance each admits, with its ports. */
function verificationRules(np: any): Record<string, number[]> {
    const rules = (np?.spec.ingress ?? []).filter((r: any) => r.from.some((p: any) => p.podSelector?.matchLabels?.["app.kubernetes.io/component"] === "verification"));
    return Object.fromEntries(rules.map((r: any) => [r.from[0].podSelector.matchLabels["app.kubernetes.io/instance"], r.ports.map((p: any) => p.port)]));
}

for (const stack of REPO_STACKS) {
    describe(`release verification in stack ${stack}`, () => {
        let ev: Evaluation;
        const x = stackFacts(stack);
        const checked = servicesOf(x, (f) => f.checks.length > 0);
        before(async () => {
            ev = await run(stack);
        });

        it("checks each service with a Service, and one path end to end through the orchestrator; a worker and a cronjob have none", () => {
            assert.ok(x.verify, "verification is on");
            assert.deepEqual(servicesOf(x, (f) => f.hasService), checked, "every service with a Service is checked");
            assert.deepEqual(
                jobs(ev).map((j) => j.name).sort(),
                checked.map((s) => `${s}-verify`),
            );
            const orchestrator = x.services.orchestrator.checks.find((c) => c.name === "pipeline")!;
            assert.equal(orchestrator.http?.url, `http://orchestrator.${x.namespace}.svc.cluster.local/readyz`);
            // The path through the orchestrator waits for everything it calls, and what those call.
            const callees = servicesOf(x, (f) => f.allowFrom.includes("orchestrator"));
            assert.ok(callees.length >= 4, callees.join(", "));
            for (const s of callees) assert.ok(covered(x, "orchestrator").includes(s), s);
        });

        it("declares each Job after the workloads of the services it verifies (an in-cluster canary's: after its wait Job): it depends on them, and on no other workload", () => {
            // What a Job waits for: a service's workload, or an in-cluster canary's wait Job, which waits for the Rollout's outcome.
            const awaited = (s: string) => (x.services[s].rollout ? urnOf(ev, "kubernetes:batch/v1:Job", `${s}-canary-wait`) : urnOf(ev, `kubernetes:${x.services[s].workload}`, workloadResource(x, s)));
            for (const svc of checked) {
                const job = urnOf(ev, "kubernetes:batch/v1:Job", `${svc}-verify`);
                const workloads = (ev.dependencies.get(job) ?? []).filter((u) => /\$kubernetes:((apps\/v1:(Deployment|StatefulSet)|batch\/v1:CronJob|argoproj\.io\/v1alpha1:Rollout)::|batch\/v1:Job::.*-canary-wait$)/.test(u)).sort();
                const expected = covered(x, svc).map(awaited);
                assert.deepEqual(workloads, expected.sort(), svc);
                assert.ok(expected.includes(awaited(svc)), `${svc}'s Job waits for its own rollout`);
                // And it is registered after them.
                const at = (name: string) => ev.resources.findIndex((r) => r.name === name);
                for (const s of covered(x, svc)) assert.ok(at(`${svc}-verify`) > at(x.services[s].rollout ? `${s}-canary-wait` : workloadResource(x, s)), `${svc}-verify after ${s}`);
            }
        });

        it("runs each check with its inputs: the URL and status in the checker image, or the command in the service's image with its environment", () => {
            for (const svc of checked) {
                const f = x.services[svc];
                const pod = jobOf(ev, svc).spec.template.spec;
                assert.deepEqual(
                    pod.containers.map((c: any) => c.name),
                    f.checks.map((c) => c.name),
                );
                for (const check of f.checks) {
                    const c = pod.containers.find((k: any) => k.name === check.name);
                    if (check.http) {
                        assert.equal(c.image, x.verify!.image, "the checker runs by digest");
                        assert.deepEqual(c.command, ["sh", "-c", HTTP_CHECK_SCRIPT]);
                        assert.deepEqual(c.env, [
                            { name: "CHECK_URL", value: check.http.url },
                            { name: "CHECK_STATUS", value: String(check.http.status) },
                        ]);
                    } else {
                        assert.equal(c.image, f.image, "a command runs in the service's own image, by digest");
                        assert.deepEqual(c.command, check.command);
                        const workload = ofKind(ev, f.workload).get(workloadResource(x, svc))!.inputs as any;
                        assert.deepEqual(c.envFrom, workload.spec.template.spec.containers[0].envFrom, "with the service's environment");
                        assert.deepEqual(c.resources, f.resources);
                    }
                    assert.equal(c.terminationMessagePolicy, "FallbackToLogsOnError", "a failed check's output is what `pulumi up` prints");
                }
            }
            if (stack === "staging") {
                assert.deepEqual(x.services.redis.checks, [{ name: "ping", command: ["redis-cli", "-h", "redis", "ping"] }]);
                assert.equal(jobOf(ev, "ingestion").spec.template.spec.containers[0].env[0].value, "http://ingestion.hft-staging.svc.cluster.local/healthz");
            }
        });

        it("a failing check fails the update: a retry limit and a deadline, no time-to-live, and the provider's Job await left on", () => {
            for (const svc of checked) {
                const job = jobOf(ev, svc);
                assert.equal(job.spec.backoffLimit, x.verify!.backoffLimit);
                assert.equal(job.spec.activeDeadlineSeconds, x.verify!.timeoutSeconds);
                assert.equal(job.spec.template.spec.restartPolicy, "Never");
                assert.equal(job.spec.ttlSecondsAfterFinished, undefined, "kept until the next release replaces it");
                assert.deepEqual(job.metadata.annotations, {
                    // Waited for a minute past the deadline, so Kubernetes fails the Job first.
                    "pulumi.com/timeoutSeconds": String(x.verify!.timeoutSeconds + 60),
                    // A Job that failed is replaced (run again) on the next update of the same release.
                    "pulumi.com/replaceUnready": "true",
                });
            }
        });

        it("runs restricted: non-root, read-only root, no capabilities, RuntimeDefault seccomp, no token, resources set", () => {
            for (const svc of checked) {
                const pod = jobOf(ev, svc).spec.template.spec;
                assert.equal(pod.automountServiceAccountToken, false);
                assert.equal(pod.enableServiceLinks, false);
                assert.equal(pod.serviceAccountName, svc);
                assert.deepEqual(pod.securityContext, { runAsNonRoot: true, runAsUser: x.services[svc].runAsUser, runAsGroup: x.services[svc].runAsUser, fsGroup: x.services[svc].runAsUser, seccompProfile: { type: "RuntimeDefault" } });
                for (const c of pod.containers) {
                    const sc = c.securityContext;
                    assert.deepEqual([sc.allowPrivilegeEscalation, sc.readOnlyRootFilesystem, sc.runAsNonRoot, sc.capabilities, sc.seccompProfile], [false, true, true, { drop: ["ALL"] }, { type: "RuntimeDefault" }]);
                    assert.notEqual(sc.runAsUser ?? pod.securityContext.runAsUser, 0);
                    for (const kind of ["requests", "limits"]) for (const r of ["cpu", "memory"]) assert.ok(c.resources[kind][r], `${svc}/${c.name} ${kind}.${r}`);
                    assert.deepEqual(c.volumeMounts, [{ name: "tmp", mountPath: "/tmp" }]);
                }
            }
        });

        it("each checked service's NetworkPolicy admits exactly the Jobs that call it, on the ports they call; no Service selects their pods", () => {
            const policies = ofKind(ev, "networking.k8s.io/v1:NetworkPolicy");
            for (const svc of servicesOf(x)) {
                const expected = Object.fromEntries(x.services[svc].verifiedBy.map((v) => [v.service, v.ports]));
                assert.deepEqual(verificationRules(policies.get(`${svc}-netpol`)?.inputs), expected, svc);
            }
            assert.deepEqual(x.services.orchestrator.verifiedBy, [{ service: "orchestrator", ports: [x.services.orchestrator.port!] }]);
            for (const svc of checked) {
                const labels = jobOf(ev, svc).spec.template.metadata.labels as Record<string, string>;
                for (const s of ofKind(ev, "core/v1:Service").values()) {
                    const selector = (s.inputs as any).spec.selector as Record<string, string>;
                    assert.ok(!Object.entries(selector).every(([k, v]) => labels[k] === v), `Service ${s.name} would route to ${svc}'s verification pods`);
                }
                assert.deepEqual(labels, { ...verifierLabels(svc), "app.kubernetes.io/managed-by": "pulumi", environment: x.stack });
            }
        });

        it("validates with kubernetes-models, and the policy pack finds nothing", () => {
            for (const m of toManifests(ev.resources).filter((o) => o.kind === "Job" || o.kind === "NetworkPolicy")) validateManifest(m);
            // The stack's own pack config, as CI passes it (environment.ci.policyPackConfig).
            const file = JSON.parse(stackConfig(stack).config[`${P}environment`]).ci?.policyPackConfig as string | undefined;
            const config = file ? (JSON.parse(fs.readFileSync(path.join(REPO, file), "utf8")) as PackConfig) : {};
            assert.deepEqual(runPack(policyResources(ev, stack), config), []);
        });
    });
}

describe("a verification Job is named per release", () => {
    it("from what it verifies: two runs give the same names, which end with a digest and hold to 63 characters", async () => {
        const [a, b] = [await run("staging"), await run("staging")];
        assert.deepEqual(jobNames(a), jobNames(b));
        for (const [resource, name] of Object.entries(jobNames(a))) {
            assert.match(name, new RegExp(`^${resource}-[0-9a-f]{10}$`));
        }
    });

    it("a new image of a service is a new Job for every check that reaches it, and the same Job for the others", async () => {
        const x = stackFacts("staging");
        const before = jobNames(await run("staging"));
        const after = jobNames(await run("staging", { registry: { "ghcr.io/acme-trading/hft-execution:main-3f9c2ab": `sha256:${"ee".repeat(32)}` } }));
        const reaching = servicesOf(x, (f) => f.checks.length > 0).filter((s) => covered(x, s).includes("execution"));
        assert.ok(["execution", "orchestrator"].every((s) => reaching.includes(s)) && !reaching.includes("ingestion"), reaching.join(", "));
        for (const svc of Object.keys(before).map((r) => r.replace(/-verify$/, ""))) {
            if (reaching.includes(svc)) assert.notEqual(after[`${svc}-verify`], before[`${svc}-verify`], svc);
            else assert.equal(after[`${svc}-verify`], before[`${svc}-verify`], svc);
        }
    });

    it("a changed check is a new Job; a longer deadline or more retries keep it (they change in place)", async () => {
        const before = jobNames(await run("staging"));
        const path = jobNames(await run(editedConfig("staging", (v) => (v.catalog.services.orchestrator.verify.pipeline.http = "/livez"))));
        assert.notEqual(path["orchestrator-verify"], before["orchestrator-verify"]);
        assert.equal(path["ingestion-verify"], before["ingestion-verify"]);
        const settings = await run(editedConfig("staging", (v) => (v.environment.verify = { timeoutSeconds: 300, backoffLimit: 0 })));
        assert.deepEqual(jobNames(settings), before);
        const job = jobOf(settings, "orchestrator");
        assert.deepEqual([job.spec.activeDeadlineSeconds, job.spec.backoffLimit, job.metadata.annotations["pulumi.com/timeoutSeconds"]], [300, 0, "360"]);
    });

    it("a long objectName is shortened so the name stays a label value", async () => {
        const long = `ingestion-${"x".repeat(50)}`;
        const ev = await run(editedConfig("staging", (v) => (v.catalog.services.ingestion.objectName = long)));
        const name = jobOf(ev, "ingestion").metadata.name as string;
        assert.equal(name.length, 63);
        assert.match(name, new RegExp(`^${long.slice(0, 45)}-verify-[0-9a-f]{10}$`));
    });
});

describe("the HTTP check's script (what runs in the checker image)", () => {
    let bin: string;
    before(() => {
        // A curl that answers with the status it is told to, or fails to connect as curl does.
        bin = fs.mkdtempSync(path.join(os.tmpdir(), "verify-"));
        fs.writeFileSync(path.join(bin, "curl"), '#!/bin/sh\nif [ "$FAKE_STATUS" = "000" ]; then printf 000; echo "curl: (7) Failed to connect" >&2; exit 7; fi\nprintf "%s" "$FAKE_STATUS"\n', { mode: 0o755 });
    });
    after(() => fs.rmSync(bin, { recursive: true, force: true }));
    const check = (answer: string, expected: string) => {
        const r = spawnSync("sh", ["-c", HTTP_CHECK_SCRIPT], { env: { PATH: `${bin}:${process.env.PATH}`, FAKE_STATUS: answer, CHECK_URL: "http://orchestrator.hft-staging.svc.cluster.local/readyz", CHECK_STATUS: expected }, encoding: "utf8" });
        return { status: r.status, out: `${r.stdout}${r.stderr}`.trim() };
    };

    it("passes on the expected status and fails on any other, saying what it got", () => {
        assert.deepEqual(check("200", "200"), { status: 0, out: "GET http://orchestrator.hft-staging.svc.cluster.local/readyz: 200" });
        assert.deepEqual(check("503", "200"), { status: 1, out: "GET http://orchestrator.hft-staging.svc.cluster.local/readyz: 503, expected 200" });
        assert.deepEqual(check("204", "204"), { status: 0, out: "GET http://orchestrator.hft-staging.svc.cluster.local/readyz: 204" });
    });

    it("fails when the service cannot be reached", () => {
        assert.deepEqual(check("000", "200"), { status: 1, out: "curl: (7) Failed to connect\nGET http://orchestrator.hft-staging.svc.cluster.local/readyz: 000, expected 200" });
    });
});

describe("a stack without checks", () => {
    const without = (edit: (v: any) => void = () => undefined) =>
        editedConfig("staging", (v) => {
            delete v.catalog.defaults.verify;
            for (const svc of Object.values<any>(v.catalog.services)) delete svc.verify;
            edit(v);
        });
    /** What an evaluation declares, in order of type and name, Jobs and the rules that admit their pods aside. */
    const declared = (ev: Evaluation) =>
        [...ev.resources]
            .sort((a, b) => (`${a.type} ${a.name}` < `${b.type} ${b.name}` ? -1 : 1))
            .filter((r) => r.type !== "kubernetes:batch/v1:Job")
            .map((r: RecordedResource) => {
                if (r.type !== "kubernetes:networking.k8s.io/v1:NetworkPolicy") return [r.type, r.name, r.inputs];
                const spec = (r.inputs as any).spec;
                const ingress = (spec.ingress ?? []).filter((rule: any) => !rule.from.some((p: any) => p.podSelector?.matchLabels?.["app.kubernetes.io/component"] === "verification"));
                return [r.type, r.name, { ...r.inputs, spec: { ...spec, ...(spec.ingress ? { ingress } : {}) } }];
            });

    it("declares exactly what it declared before verification: no Job, no rule, no lookup of the checker", async () => {
        const ev = await run(without());
        assert.deepEqual(jobs(ev), []);
        assert.equal(ev.lookups.some((l) => l.name.startsWith("docker.io/curlimages/curl")), false);
        // The checks add their Jobs and the rules admitting them, and nothing else.
        assert.deepEqual(declared(await run("staging")), declared(ev));
    });

    it("nor does a stack that turns verification off (environment.verify.enabled: false)", async () => {
        const off = await run(editedConfig("staging", (v) => (v.environment.verify = { enabled: false })));
        assert.deepEqual(declared(off), declared(await run(without())));
        assert.deepEqual(jobs(off), []);
    });

    it("a stack turns one check of the catalog off", async () => {
        const ev = await run(editedConfig("staging", (v) => (v.environment.services.orchestrator = { ...v.environment.services.orchestrator, verify: { pipeline: { enabled: false } } })));
        assert.deepEqual(
            jobOf(ev, "orchestrator").spec.template.spec.containers.map((c: any) => c.name),
            ["health"],
        );
    });

    it("an HTTP check of a stateful service calls its pods' port, admitted there", async () => {
        const ev = await run(editedConfig("staging", (v) => (v.catalog.services.execution.verify = { cache: { http: { path: "/", service: "redis" } } })));
        const c = jobOf(ev, "execution").spec.template.spec.containers.find((k: any) => k.name === "cache");
        assert.equal(c.env[0].value, "http://redis.hft-staging.svc.cluster.local:6379/");
        assert.deepEqual(verificationRules(ofKind(ev, "networking.k8s.io/v1:NetworkPolicy").get("redis-netpol")!.inputs), { execution: [6379], redis: [6379] });
    });
});

describe("checks refused with the key path, before any resource", () => {
    const services = SERVICES.join(", ");
    const cases: [string, string, (v: any) => void, string[]][] = [
        [
            "an unknown service, with the nearest name",
            "staging",
            (v) => (v.catalog.services.ingestion.verify = { e2e: { http: { path: "/api", service: "orchestrater" } } }),
            [`${CATALOG}.ingestion.verify.e2e.http.service: unknown service "orchestrater" (did you mean 'orchestrator'?); expected one of the catalog's services: ${services}`],
        ],
        [
            "a service the stack turns off",
            "production",
            (v) => (v.catalog.services.execution.verify = { cache: { http: { path: "/", service: "redis" } } }),
            [`${CATALOG}.execution.verify.cache.http.service: "redis" is turned off in this stack (enabled: false), so it cannot be checked; turn this check off here (enabled: false) or call another service`],
        ],
        [
            "an HTTP check of a worker, which has no Service (its own, or another's)",
            "staging",
            (v) => {
                v.catalog.services["position-reconciler"].verify = { health: { http: "/healthz" } };
                v.catalog.services.execution.verify = { reconciler: { http: { path: "/healthz", service: "position-reconciler" } } };
            },
            [
                `${CATALOG}.execution.verify.reconciler.http.service: service "position-reconciler" is a 'worker' and has no Service to call; give it a command check in its own 'verify' instead`,
                `${CATALOG}.position-reconciler.verify.health.http: service "position-reconciler" is a 'worker' and has no Service to call; give it a command check in its own 'verify' instead`,
            ],
        ],
        [
            "a port the Service does not have",
            "staging",
            (v) => (v.catalog.services.ingestion.verify = { health: { http: { path: "/healthz", port: 8000 } } }),
            [`${CATALOG}.ingestion.verify.health.http.port: expected a port of service "ingestion"'s Service, 80 (or no 'port'), got 8000`],
        ],
        [
            "both actions, or none, or no path",
            "staging",
            (v) =>
                (v.catalog.services.ingestion.verify = {
                    both: { http: "/healthz", command: ["true"] },
                    none: { enabled: true },
                    pathless: { http: { service: "orchestrator" } },
                }),
            [
                `${CATALOG}.ingestion.verify.both: expected exactly one of 'http' or 'command', not both`,
                `${CATALOG}.ingestion.verify.none.http: required; expected 'http' (a path such as '/healthz', or {path, status, port, service}) or 'command' (a list such as [redis-cli, ping])`,
                `${CATALOG}.ingestion.verify.pathless.http.path: required; expected an HTTP path such as '/healthz'`,
            ],
        ],
        [
            "more checks than one pod should run",
            "staging",
            // Twenty of its own, and the catalog's health check.
            (v) => (v.catalog.services.ingestion.verify = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`path-${i}`, { http: `/p${i}` }]))),
            [`${CATALOG}.ingestion.verify: 21 checks, more than 20: each is a container of the one pod that runs them all at once; check fewer paths, or one path that covers several`],
        ],
        [
            "checks written for a cronjob",
            "staging",
            (v) => (v.catalog.services["risk-report"].verify = { report: { command: ["true"] } }),
            [`${CATALOG}.risk-report.verify: does not apply to a 'cronjob' service: it has no rollout to verify, and each of its runs succeeds or fails on its own`],
        ],
        [
            "a status, a check name and a checker image that are not what they must be",
            "staging",
            (v) => {
                v.catalog.services.ingestion.verify = { health: { http: { path: "/healthz", status: 999 } }, Bad_Name: { command: ["true"] } };
                v.environment.verify = { image: "docker.io/curlimages/curl", timeoutSeconds: 5 };
            },
            [
                `${P}catalog.services.ingestion.verify.health.http.status: expected an integer from 100 to 599, got 999`,
                `${P}catalog.services.ingestion.verify.Bad_Name: "Bad_Name" is not a check name (DNS-1123 label): lowercase letters, digits and '-' only, starting and ending with a letter or digit`,
                `${P}environment.verify.image: expected an image reference such as 'docker.io/curlimages/curl:8.11.1' or 'repo@sha256:...', got "docker.io/curlimages/curl" (no tag or digest, which means 'latest'; name a version)`,
                `${P}environment.verify.timeoutSeconds: expected an integer from 10 to 3600, got 5`,
            ],
        ],
    ];
    for (const [what, stack, edit, expected] of cases) {
        it(what, async () => {
            assert.deepEqual(await refused(editedConfig(stack, edit)), expected);
        });
    }
});

describe("a failed check rolls back like a failed rollout (tools/ci/deployFailure.ts)", () => {
    const exported = (resources: object[]) => ({ version: 3, deployment: { resources } });
    const BACKOFF = "[BackoffLimitExceeded] Job has reached the specified backoff limit";
    const job = (name: string, labels: Record<string, string>, initErrors?: string[]) => ({
        urn: `urn:pulumi:staging::hft-platform::platform:service:Microservice$kubernetes:batch/v1:Job::${name.replace(/-[0-9a-f]{10}$/, "")}`,
        type: "kubernetes:batch/v1:Job",
        outputs: { metadata: { name, namespace: "hft-staging", labels } },
        ...(initErrors ? { initErrors } : {}),
    });
    const deployment = (name: string, initErrors?: string[]) => ({
        urn: `urn:pulumi:staging::hft-platform::platform:service:Microservice$kubernetes:apps/v1:Deployment::${name}-deployment`,
        type: "kubernetes:apps/v1:Deployment",
        outputs: { metadata: { name, namespace: "hft-staging" } },
        ...(initErrors ? { initErrors } : {}),
    });
    const verifier = { ...verifierLabels("orchestrator"), "app.kubernetes.io/managed-by": "pulumi", environment: "staging" };

    it("a verification Job that never completed rolls the release back, named as a check", () => {
        assert.deepEqual(failure.decide(exported([deployment("orchestrator"), job("orchestrator-verify-aad8fecf2c", verifier, [BACKOFF])]), false), {
            rollback: true,
            reason: `a check of its release failed: Job hft-staging/orchestrator-verify-aad8fecf2c (${BACKOFF})`,
        });
        const deadline = "[DeadlineExceeded] Job was active longer than specified deadline";
        assert.equal(failure.decide(exported([job("orchestrator-verify-aad8fecf2c", verifier, [deadline])]), false).rollback, true);
    });

    it("with a rollout that failed too, both are named; a Job that verifies nothing is a rollout; a check that passed rolls nothing back", () => {
        assert.equal(
            failure.decide(exported([deployment("execution", ["not ready"]), job("orchestrator-verify-aad8fecf2c", verifier, [BACKOFF]), job("migrate", {}, ["failed"])]), false).reason,
            `a rollout of this commit failed: Deployment hft-staging/execution (not ready); Job hft-staging/migrate (failed); a check of its release failed: Job hft-staging/orchestrator-verify-aad8fecf2c (${BACKOFF})`,
        );
        assert.equal(failure.decide(exported([job("orchestrator-verify-aad8fecf2c", verifier)]), false).rollback, false);
    });
});
