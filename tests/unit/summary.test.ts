import { strict as assert } from "assert";
import { formatTable, summarize } from "../../tools/harness/summary";
import { Manifest } from "../../tools/harness/manifests";

/** The render's table: one row per workload, whatever its kind. */

const container = (image: string) => ({ name: "c", image, resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } } });
const pod = (image: string) => ({ spec: { containers: [container(image)] } });
const m = (kind: string, name: string, spec: unknown): Manifest => ({ apiVersion: "x", kind, metadata: { name }, spec });

describe("render's table of workloads", () => {
    const manifests = [
        m("Deployment", "api", { replicas: 2, template: pod("ghcr.io/acme/api:1.0") }),
        m("StatefulSet", "redis", { replicas: 1, template: pod("docker.io/library/redis:7.4.1") }),
        m("CronJob", "report", { schedule: "30 17 * * 1-5", suspend: true, jobTemplate: { spec: { template: pod(`ghcr.io/acme/report@sha256:${"0".repeat(64)}`) } } }),
        m("Deployment", "worker", { template: pod("ghcr.io/acme/worker:1.0") }),
        m("HorizontalPodAutoscaler", "worker", { minReplicas: 3, maxReplicas: 6 }),
        m("Ingress", "api", { rules: [{ host: "api.example.com", http: { paths: [{ path: "/", backend: { service: { name: "api" } } }, { path: "/health", backend: { service: { name: "api" } } }] } }] }),
        m("Service", "api", {}),
        m("HTTPRoute", "worker-route", { hostnames: ["worker.example.com"], rules: [{ matches: [{ path: { type: "PathPrefix", value: "/jobs" } }], backendRefs: [{ name: "worker", port: 80 }] }] }),
        m("HTTPRoute", "worker-redirect", { hostnames: ["other.example.com"], rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https" } }] }] }),
    ];

    it("lists Deployments, StatefulSets and CronJobs by name, with replicas, autoscaler bounds or the schedule, and the host of an Ingress or a serving HTTPRoute", () => {
        assert.deepEqual(
            summarize(manifests).map((r) => [r.service, r.kind, r.replicas, r.host, r.image]),
            [
                ["api", "Deployment", "2", "api.example.com/", "ghcr.io/acme/api:1.0"],
                ["redis", "StatefulSet", "1", "-", "docker.io/library/redis:7.4.1"],
                ["report", "CronJob", "cron 30 17 * * 1-5 (suspended)", "-", "ghcr.io/acme/report@sha256:000000000000…"],
                ["worker", "Deployment", "HPA 3-6", "worker.example.com/jobs", "ghcr.io/acme/worker:1.0"],
            ],
        );
    });

    it("aligns the columns under a header", () => {
        const lines = formatTable(summarize(manifests)).split("\n");
        assert.match(lines[0], /^SERVICE +KIND +REPLICAS +IMAGE +HOST +REQUESTS +LIMITS$/);
        assert.equal(lines[0].indexOf("KIND"), lines[2].indexOf("StatefulSet"));
        assert.equal(lines.length, 5);
    });
});
