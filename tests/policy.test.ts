import { strict as assert } from "assert";
import { disruptionBudgetRule, productionReplicasRule } from "../policy/rules/availability";
import { configMapSecretsRule } from "../policy/rules/configMaps";
import { ingressTlsRule, serviceTypeRule } from "../policy/rules/exposure";
import { gatewayRoutesRule } from "../policy/rules/gateway";
import { githubEnvironmentReviewersRule } from "../policy/rules/github";
import { immutableImagesOutsideProductionRule, immutableImagesRule, resourcesAndProbesRule, securityContextRule } from "../policy/rules/workloads";
import { PolicyResource, ResourceRule, RULES, stackOf, StackRule } from "../policy/rules";
import { container, deployment, DIGEST, gateway, GATEWAY_REF, httpRoute, initContainer, redirectRoute, LONG_RUNNING_KINDS, pdb, Props, resource, sidecar, worker, workload, WORKLOAD_KINDS, WorkloadKind, WorkloadOptions } from "./policyFixtures";
import { PackConfig, policyResources, runPack, urnOf } from "./policyRunner";
import { servicesOf, stackFacts } from "./facts-resources";
import { editedConfig, run } from "./support";

/**
 * The CrossGuard policy pack (policy/): every rule against a passing and a failing resource,
 * the pack config (levels and settings), and both repo stacks through the whole pack. The
 * compiled pack (policy-pack/) is compiledPack.test.ts; both served the way `pulumi preview
 * --policy-pack <folder>` starts them, e2e/policyPack.test.ts.
 */

function hpa(min: number, max: number, kind: "Deployment" | "StatefulSet" = "Deployment"): PolicyResource {
    return resource("autoscaling/v2:HorizontalPodAutoscaler", "api-hpa", {
        metadata: { name: "api", namespace: "hft-production" },
        spec: { scaleTargetRef: { apiVersion: "apps/v1", kind, name: "api" }, minReplicas: min, maxReplicas: max },
    });
}

const check = (rule: ResourceRule, r: PolicyResource, config: Props = {}) => rule.check(r, config);
const checkStack = (rule: StackRule, rs: PolicyResource[], config: Props = {}) => rule.check(rs, config).map((v) => v.message);

/** What Pod Security restricted allows, as https://kubernetes.io/docs/concepts/security/pod-security-standards/ lists it (Kubernetes 1.34). */
const RESTRICTED_VOLUME_TYPES = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];
const SAFE_SYSCTLS = [
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];

describe("policy pod-security-context", () => {
    const RESTRICTED_SC = container().securityContext as Props;
    const FIX =
        "Fix: set the container's securityContext to {runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}} and unset the other settings named (this program does it in components/service/podTemplate.ts).";
    const POD_FIX =
        "Fix: unset the settings named and keep the pod's securityContext at {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}} (this program does it in components/service/podTemplate.ts); for storage use an allowed volume type: an emptyDir for scratch, a persistentVolumeClaim or a StatefulSet's volumeClaimTemplates for data that outlives the pod.";
    /** The same container placed in each role a pod has, with how a message names it. */
    const ROLES: readonly [string, (c: Props) => WorkloadOptions][] = [
        ["container", (c) => ({ containers: [c] })],
        ["init container", (c) => ({ initContainers: [c] })],
        ["sidecar", (c) => ({ initContainers: [{ ...c, restartPolicy: "Always" }] })],
        ["ephemeral container", (c) => ({ ephemeralContainers: [c] })],
    ];
    const withSc = (sc: Props, extra: Props = {}) => container({ name: "c", securityContext: { ...RESTRICTED_SC, ...sc }, ...extra });

    it("passes a restricted pod of every kind, with an init container, a native sidecar, an ephemeral container and every allowed volume type", () => {
        // A volume without a type is an emptyDir once the API server defaults it.
        const volumes = [...RESTRICTED_VOLUME_TYPES.map((t) => ({ name: t.toLowerCase(), [t]: {} })), { name: "scratch" }];
        for (const kind of WORKLOAD_KINDS) {
            const w = workload(kind, { initContainers: [initContainer(), sidecar()], ephemeralContainers: [initContainer({ name: "debug" })], volumes });
            assert.deepEqual(check(securityContextRule, w), [], kind);
        }
        const claims = [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } } } }];
        assert.deepEqual(check(securityContextRule, workload("StatefulSet", { volumeClaimTemplates: claims })), []);
    });

    it("passes runAsNonRoot and seccomp set for the pod only, and what restricted allows besides the defaults", () => {
        const sc = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } };
        assert.deepEqual(check(securityContextRule, deployment({ containers: [container({ securityContext: sc })] })), []);
        const allowed = withSc(
            {
                capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] },
                seccompProfile: { type: "Localhost", localhostProfile: "hft.json" },
                procMount: "Default",
                seLinuxOptions: { type: "container_t", level: "s0:c123,c456" },
                appArmorProfile: { type: "Localhost", localhostProfile: "hft" },
                windowsOptions: { hostProcess: false },
                runAsUser: 10001,
            },
            { ports: [{ name: "http", containerPort: 8080, hostPort: 0 }], livenessProbe: { httpGet: { path: "/healthz", port: "http", host: "" } } },
        );
        const pod = {
            hostNetwork: false,
            hostPID: false,
            hostIPC: false,
        };
        const podSecurity = {
            runAsNonRoot: true,
            seccompProfile: { type: "RuntimeDefault" },
            sysctls: SAFE_SYSCTLS.map((name) => ({ name, value: "1" })),
            seLinuxOptions: { type: "container_engine_t" },
            appArmorProfile: { type: "RuntimeDefault" },
        };
        const annotations = { "container.apparmor.security.beta.kubernetes.io/c": "localhost/hft", "container.apparmor.security.beta.kubernetes.io/d": "runtime/default" };
        for (const kind of WORKLOAD_KINDS) {
            assert.deepEqual(check(securityContextRule, workload(kind, { containers: [allowed], pod, podSecurity, annotations })), [], kind);
        }
    });

    it("names the container, each setting Pod Security restricted refuses, this project's own rule apart, and the fix", () => {
        const bad = container({ name: "api", securityContext: { runAsNonRoot: false, capabilities: { add: ["SYS_ADMIN"] }, seccompProfile: { type: "Unconfined" } } });
        assert.deepEqual(check(securityContextRule, deployment({ containers: [bad] })), [
            `Deployment 'hft-production/api' container 'api' is not restricted. Pod Security restricted: runAsNonRoot is not true; allowPrivilegeEscalation is not false; capabilities.drop does not include ALL; capabilities.add has SYS_ADMIN (only NET_BIND_SERVICE may be added); seccompProfile.type is Unconfined (allowed: RuntimeDefault, Localhost). This project's rule: readOnlyRootFilesystem is not true. ${FIX}`,
        ]);
        // Restricted but for this project's rule: the message says it is the project's, not Pod Security's.
        assert.deepEqual(check(securityContextRule, deployment({ containers: [withSc({ readOnlyRootFilesystem: false })] })), [
            `Deployment 'hft-production/api' container 'c' is not restricted. This project's rule: readOnlyRootFilesystem is not true. ${FIX}`,
        ]);
        assert.deepEqual(check(securityContextRule, deployment({ containers: [withSc({ privileged: true })] })), [
            `Deployment 'hft-production/api' container 'c' is not restricted. Pod Security restricted: privileged is true. ${FIX}`,
        ]);
    });

    it("judges every container of every role in every kind, and names the role", () => {
        for (const kind of WORKLOAD_KINDS) {
            for (const [role, place] of ROLES) {
                const messages = check(securityContextRule, workload(kind, place(withSc({ runAsUser: 0 }))));
                assert.deepEqual(messages, [`${kind} 'hft-production/api' ${role} 'c' is not restricted. Pod Security restricted: runAsUser is 0 (root). ${FIX}`], `${kind} ${role}`);
            }
        }
    });

    it("refuses each container setting outside restricted, in each role", () => {
        const cases: readonly [Props, Props, string][] = [
            [{ runAsNonRoot: false }, {}, "runAsNonRoot is not true"],
            [{ runAsUser: 0 }, {}, "runAsUser is 0 (root)"],
            [{ allowPrivilegeEscalation: true }, {}, "allowPrivilegeEscalation is not false"],
            [{ allowPrivilegeEscalation: undefined }, {}, "allowPrivilegeEscalation is not false"],
            [{ privileged: true }, {}, "privileged is true"],
            [{ capabilities: { drop: ["NET_RAW"] } }, {}, "capabilities.drop does not include ALL"],
            [{ capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE", "NET_ADMIN", "SYS_PTRACE"] } }, {}, "capabilities.add has NET_ADMIN, SYS_PTRACE (only NET_BIND_SERVICE may be added)"],
            [{ seccompProfile: { type: "Unconfined" } }, {}, "seccompProfile.type is Unconfined (allowed: RuntimeDefault, Localhost)"],
            [{ procMount: "Unmasked" }, {}, "procMount is Unmasked (must be unset or Default)"],
            [{ seLinuxOptions: { type: "spc_t" } }, {}, "seLinuxOptions.type is spc_t (allowed: container_t, container_init_t, container_kvm_t, container_engine_t)"],
            [{ seLinuxOptions: { user: "system_u" } }, {}, "seLinuxOptions.user is system_u (must be unset)"],
            [{ seLinuxOptions: { role: "sysadm_r" } }, {}, "seLinuxOptions.role is sysadm_r (must be unset)"],
            [{ appArmorProfile: { type: "Unconfined" } }, {}, "appArmorProfile.type is Unconfined (allowed: RuntimeDefault, Localhost)"],
            [{ windowsOptions: { hostProcess: true } }, {}, "windowsOptions.hostProcess is true (must be unset or false)"],
            [{}, { ports: [{ name: "http", containerPort: 8080, hostPort: 8080 }] }, "port http has hostPort 8080 (must be unset or 0)"],
            [{}, { readinessProbe: { tcpSocket: { port: 8080, host: "10.0.0.1" } } }, "readinessProbe.tcpSocket.host is 10.0.0.1 (must be unset)"],
            [{}, { lifecycle: { preStop: { httpGet: { path: "/drain", port: 80, host: "node.local" } } } }, "lifecycle.preStop.httpGet.host is node.local (must be unset)"],
        ];
        for (const [sc, extra, phrase] of cases) {
            for (const [role, place] of ROLES) {
                const messages = check(securityContextRule, deployment(place(withSc(sc, extra))));
                assert.deepEqual(messages, [`Deployment 'hft-production/api' ${role} 'c' is not restricted. Pod Security restricted: ${phrase}. ${FIX}`], `${role}: ${phrase}`);
            }
        }
    });

    it("refuses host namespaces, hostPath and every other volume type restricted does not allow, for the pod of every kind", () => {
        for (const kind of WORKLOAD_KINDS) {
            assert.deepEqual(check(securityContextRule, workload(kind, { volumes: [{ name: "node-logs", hostPath: { path: "/var/log" } }] })), [
                `${kind === "Pod" ? "Pod 'hft-production/api'" : `${kind} 'hft-production/api' pod template`} is not restricted. Pod Security restricted: volume 'node-logs' is hostPath (allowed: configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret). ${POD_FIX}`,
            ]);
            assert.deepEqual(check(securityContextRule, workload(kind, { pod: { hostNetwork: true } })), [
                `${kind === "Pod" ? "Pod 'hft-production/api'" : `${kind} 'hft-production/api' pod template`} is not restricted. Pod Security restricted: hostNetwork is true (must be unset or false). ${POD_FIX}`,
            ]);
        }
        for (const type of ["gitRepo", "nfs", "iscsi", "awsElasticBlockStore", "gcePersistentDisk", "azureDisk", "cephfs", "rbd", "flexVolume", "cinder", "glusterfs", "fc", "portworxVolume"]) {
            const messages = check(securityContextRule, workload("StatefulSet", { volumes: [{ name: "v", [type]: {} }] }));
            assert.equal(messages.length, 1, type);
            assert.match(messages[0], new RegExp(`Pod Security restricted: volume 'v' is ${type} \\(allowed: `), type);
        }
    });

    it("refuses each pod setting outside restricted, and reports the pod's own root or Unconfined even when containers set theirs", () => {
        const cases: readonly [WorkloadOptions, string][] = [
            [{ pod: { hostPID: true } }, "hostPID is true (must be unset or false)"],
            [{ pod: { hostIPC: true } }, "hostIPC is true (must be unset or false)"],
            [{ podSecurity: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" }, sysctls: [{ name: "kernel.msgmax", value: "65536" }, { name: "net.ipv4.tcp_syncookies", value: "1" }] } }, "securityContext.sysctls has kernel.msgmax (allowed: " + SAFE_SYSCTLS.join(", ") + ")"],
            [{ podSecurity: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" }, windowsOptions: { hostProcess: true } } }, "securityContext.windowsOptions.hostProcess is true (must be unset or false)"],
            [{ podSecurity: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" }, seLinuxOptions: { type: "unconfined_t" } } }, "securityContext.seLinuxOptions.type is unconfined_t (allowed: container_t, container_init_t, container_kvm_t, container_engine_t)"],
            [{ podSecurity: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" }, appArmorProfile: { type: "Unconfined" } } }, "securityContext.appArmorProfile.type is Unconfined (allowed: RuntimeDefault, Localhost)"],
            [{ annotations: { "container.apparmor.security.beta.kubernetes.io/api": "unconfined" } }, "annotation container.apparmor.security.beta.kubernetes.io/api is unconfined (allowed: runtime/default, localhost/<profile>)"],
            [{ podSecurity: { runAsNonRoot: false, seccompProfile: { type: "RuntimeDefault" } } }, "securityContext.runAsNonRoot is false"],
            [{ podSecurity: { runAsNonRoot: true, runAsUser: 0, seccompProfile: { type: "RuntimeDefault" } } }, "securityContext.runAsUser is 0 (root)"],
            [{ podSecurity: { runAsNonRoot: true, seccompProfile: { type: "Unconfined" } } }, "securityContext.seccompProfile.type is Unconfined (allowed: RuntimeDefault, Localhost)"],
        ];
        for (const kind of WORKLOAD_KINDS) {
            for (const [opts, phrase] of cases) {
                // The container sets runAsNonRoot and seccomp itself, so only the pod is at fault.
                const messages = check(securityContextRule, workload(kind, { containers: [withSc({})], ...opts }));
                assert.deepEqual(messages, [`${kind === "Pod" ? "Pod 'hft-production/api'" : `${kind} 'hft-production/api' pod template`} is not restricted. Pod Security restricted: ${phrase}. ${POD_FIX}`], `${kind}: ${phrase}`);
            }
        }
    });

    it("a container inherits runAsNonRoot and seccomp from the pod, but its own value wins, and neither set fails", () => {
        const bare = container({ securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } } });
        const messages = check(securityContextRule, deployment({ containers: [bare], podSecurity: {} }));
        assert.match(messages[0], /Pod Security restricted: runAsNonRoot is not true; seccompProfile\.type is unset \(on the container and the pod\) \(allowed: RuntimeDefault, Localhost\)\./);
        const overrides = withSc({ runAsNonRoot: false, seccompProfile: { type: "Unconfined" } });
        assert.match(check(securityContextRule, deployment({ containers: [overrides] }))[0], /Pod Security restricted: runAsNonRoot is not true; seccompProfile\.type is Unconfined/);
    });

    it("a Windows pod skips the Linux-only controls (privilege escalation, seccomp, capabilities) but not hostProcess", () => {
        const windows = container({ securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true } });
        assert.deepEqual(check(securityContextRule, deployment({ containers: [windows], pod: { os: { name: "windows" } }, podSecurity: { runAsNonRoot: true } })), []);
        assert.equal(check(securityContextRule, deployment({ containers: [windows], podSecurity: { runAsNonRoot: true } })).length, 1);
        const hostProcess = container({ securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true, windowsOptions: { hostProcess: true } } });
        assert.match(check(securityContextRule, deployment({ containers: [hostProcess], pod: { os: { name: "windows" } } }))[0], /Pod Security restricted: windowsOptions\.hostProcess is true/);
    });

    it("reports the pod and each failing container apart, and ignores resources that run no pods", () => {
        const messages = check(securityContextRule, deployment({ pod: { hostNetwork: true }, containers: [container(), withSc({ privileged: true })], initContainers: [sidecar({ securityContext: {} })] }));
        assert.deepEqual(
            messages.map((m) => m.slice(0, m.indexOf(" is not restricted"))),
            ["Deployment 'hft-production/api' pod template", "Deployment 'hft-production/api' container 'c'", "Deployment 'hft-production/api' sidecar 'proxy'"],
        );
        assert.deepEqual(check(securityContextRule, resource("core/v1:Service", "s", {})), []);
        assert.deepEqual(check(securityContextRule, resource("core/v1:PersistentVolumeClaim", "data", { spec: { volumeName: "x" } })), []);
    });
});

describe("policy container-resources-and-probes", () => {
    const RESOURCES_AND_PROBES_FIX = "Fix: give the service a 'tier' or 'resources.{requests,limits}.{cpu,memory}', and 'probes.liveness' and 'probes.readiness' (catalog or stack config).";
    const noProbes = { livenessProbe: undefined, readinessProbe: undefined };

    it("passes a container with requests, limits and both probes, and a worker, a Job, a CronJob and a Pod without probes", () => {
        assert.deepEqual(check(resourcesAndProbesRule, deployment()), []);
        assert.deepEqual(check(resourcesAndProbesRule, deployment({ containers: [worker()] })), []);
        for (const kind of ["Job", "CronJob", "Pod"] as const) {
            // Even a container that declares a port: it runs to completion, nothing routes to it by readiness.
            assert.deepEqual(check(resourcesAndProbesRule, workload(kind, { containers: [container(noProbes)] })), [], kind);
        }
    });

    it("lists what is missing, with the fix", () => {
        const bad = container({ resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "500m" } }, readinessProbe: undefined });
        assert.deepEqual(check(resourcesAndProbesRule, deployment({ containers: [bad] })), [
            `Deployment 'hft-production/api' container 'api' has no resources.limits.memory, readinessProbe (probes are required of a Deployment container that declares a port). ${RESOURCES_AND_PROBES_FIX}`,
        ]);
        assert.deepEqual(check(resourcesAndProbesRule, deployment({ containers: [container({ resources: {} })] })), [
            "Deployment 'hft-production/api' container 'api' has no resources.requests.cpu, resources.requests.memory, resources.limits.cpu, resources.limits.memory. Fix: give the service a 'tier' or 'resources.{requests,limits}.{cpu,memory}' (catalog or stack config).",
        ]);
    });

    it("counts an amount that means nothing as missing: 0 in any spelling, memory in thousandths (issue 18, class 3)", () => {
        const withLimits = (limits: Props) => deployment({ containers: [container({ resources: { requests: { cpu: "250m", memory: "256Mi" }, limits } })] });
        for (const [limits, missing] of [
            [{ cpu: "0", memory: "512Mi" }, 'resources.limits.cpu ("0": no limit at all)'],
            [{ cpu: 0, memory: "512Mi" }, 'resources.limits.cpu ("0": no limit at all)'],
            [{ cpu: "0m", memory: "512Mi" }, 'resources.limits.cpu ("0m": no limit at all)'],
            [{ cpu: "500m", memory: "256m" }, 'resources.limits.memory ("256m": 0.256 bytes; "256Mi" was meant)'],
            [{ cpu: "500m", memory: "0.0Gi" }, 'resources.limits.memory ("0.0Gi": no limit at all)'],
        ] as const) {
            assert.deepEqual(check(resourcesAndProbesRule, withLimits(limits)), [
                `Deployment 'hft-production/api' container 'api' has no ${missing}. Fix: give the service a 'tier' or 'resources.{requests,limits}.{cpu,memory}' (catalog or stack config).`,
            ], JSON.stringify(limits));
        }
    });

    it("asks probes of a container that declares a port in every long-running kind, and of no worker without one", () => {
        for (const kind of LONG_RUNNING_KINDS) {
            assert.deepEqual(check(resourcesAndProbesRule, workload(kind, { containers: [container(noProbes)] })), [
                `${kind} 'hft-production/api' container 'api' has no livenessProbe, readinessProbe (probes are required of a ${kind} container that declares a port). Fix: give the service 'probes.liveness' and 'probes.readiness' (catalog or stack config).`,
            ]);
            assert.deepEqual(check(resourcesAndProbesRule, workload(kind, { containers: [worker()] })), [], kind);
            assert.deepEqual(check(resourcesAndProbesRule, workload(kind, { containers: [worker({ ports: [] })] })), [], kind);
        }
    });

    it("asks every container, init container and sidecar of every kind for resources, but none of them but the regular ones for probes", () => {
        const roles: readonly [string, (c: Props) => WorkloadOptions][] = [
            ["container", (c) => ({ containers: [c] })],
            ["init container", (c) => ({ initContainers: [c] })],
            ["sidecar", (c) => ({ initContainers: [{ ...c, restartPolicy: "Always" }] })],
        ];
        for (const kind of WORKLOAD_KINDS) {
            for (const [role, place] of roles) {
                // A port on an init container or a sidecar does not make it need probes.
                const unprobed = worker({ name: "x", ports: role === "container" ? undefined : [{ name: "admin", containerPort: 9901 }] });
                assert.deepEqual(check(resourcesAndProbesRule, workload(kind, place(unprobed))), [], `${kind} ${role}`);
                const fix = role === "container" ? "give the service a 'tier' or 'resources.{requests,limits}.{cpu,memory}'" : `give the ${role} resources.{requests,limits}.{cpu,memory}`;
                assert.deepEqual(check(resourcesAndProbesRule, workload(kind, place({ ...unprobed, resources: { requests: { cpu: "100m", memory: "64Mi" } } }))), [
                    `${kind} 'hft-production/api' ${role} 'x' has no resources.limits.cpu, resources.limits.memory. Fix: ${fix} (catalog or stack config).`,
                ]);
            }
        }
    });

    it("asks nothing of an ephemeral container: Kubernetes refuses resources and probes on one", () => {
        assert.deepEqual(check(resourcesAndProbesRule, deployment({ ephemeralContainers: [{ name: "debug", image: `busybox@${DIGEST}` }] })), []);
    });
});

describe("policies no-mutable-image-tags (production) and no-mutable-image-tags-nonproduction (advisory elsewhere)", () => {
    const withImage = (image: string, stack = "production", environment?: string) => deployment({ containers: [container({ image })], stack, environment });

    it("passes an image pinned by digest, in production and elsewhere", () => {
        assert.deepEqual(check(immutableImagesRule, withImage(`ghcr.io/acme/api@${DIGEST}`)), []);
        assert.deepEqual(check(immutableImagesRule, withImage(`ghcr.io/acme/api:1.4.2@${DIGEST}`)), []);
        assert.deepEqual(check(immutableImagesOutsideProductionRule, withImage(`ghcr.io/acme/api@${DIGEST}`, "staging")), []);
    });

    it("fails a release tag without a digest in production, naming the fix", () => {
        assert.deepEqual(check(immutableImagesRule, withImage("ghcr.io/acme/api:1.4.2")), [
            "Deployment 'hft-production/api' container 'api' image 'ghcr.io/acme/api:1.4.2' uses the tag '1.4.2' without a digest (a tag can be moved to other bits). Fix: pin it by digest (repo@sha256:...): this program runs a service's image by digest (looked up for its tag, or pushed by its build); a sidecar's or init container's image must name its digest itself.",
        ]);
    });

    it("fails 'latest' and a missing tag, also on a registry with a port", () => {
        assert.match(check(immutableImagesRule, withImage("registry.example.com:5000/acme/api:latest"))[0], /uses the tag 'latest'\./);
        assert.match(check(immutableImagesRule, withImage("registry.example.com:5000/acme/api"))[0], /has no tag, which means 'latest'\./);
    });

    it("outside production, only the advisory policy reports, and says it is advice", () => {
        const staging = withImage("ghcr.io/acme/api:main-3f9c2ab", "staging");
        assert.deepEqual(check(immutableImagesRule, staging), []);
        assert.match(check(immutableImagesOutsideProductionRule, staging)[0], /uses the tag 'main-3f9c2ab' without a digest .*; outside production this is advisory\.$/);
        assert.deepEqual(check(immutableImagesOutsideProductionRule, withImage("ghcr.io/acme/api:1.4.2")), []);
    });

    it("treats a resource labelled production as production in any stack, and production stacks are configurable", () => {
        assert.equal(check(immutableImagesRule, withImage("ghcr.io/acme/api:1.4.2", "prod-eu", "production")).length, 1);
        assert.deepEqual(check(immutableImagesRule, withImage("ghcr.io/acme/api:1.4.2", "prod-eu", "prod-eu")), []);
        assert.equal(check(immutableImagesRule, withImage("ghcr.io/acme/api:1.4.2", "prod-eu", "prod-eu"), { productionEnvironments: ["prod-eu"] }).length, 1);
    });
});

describe("policy pod-disruption-budget", () => {
    it("passes a single replica without a budget, and a scaled Deployment with one that allows a drain", () => {
        assert.deepEqual(checkStack(disruptionBudgetRule, [deployment({ replicas: 1 })]), []);
        assert.deepEqual(checkStack(disruptionBudgetRule, [deployment(), hpa(3, 6), pdb({ maxUnavailable: 1 })]), []);
        assert.deepEqual(checkStack(disruptionBudgetRule, [deployment({ replicas: 3 }), pdb({ minAvailable: 2 })]), []);
        assert.deepEqual(checkStack(disruptionBudgetRule, [deployment({ replicas: 4 }), pdb({ minAvailable: "50%" })]), []);
    });

    it("fails a Deployment that can run several replicas without a budget", () => {
        assert.deepEqual(checkStack(disruptionBudgetRule, [deployment(), hpa(3, 6)]), [
            "Deployment 'hft-production/api' can run 6 replicas (its HorizontalPodAutoscaler 'hft-production/api' scales it from 3 to 6) but no PodDisruptionBudget covers its pods. Fix: set the service's 'pdb' (maxUnavailable 1, or minAvailable below its minimum replica count); this program adds one when more than one replica can run unless 'pdb.enabled' is false.",
        ]);
        // A budget in another namespace, or selecting other pods, does not count.
        assert.equal(checkStack(disruptionBudgetRule, [deployment({ replicas: 2 }), pdb({ maxUnavailable: 1 }, "api", "other")]).length, 1);
        assert.equal(checkStack(disruptionBudgetRule, [deployment({ replicas: 2 }), pdb({ maxUnavailable: 1, selector: { matchLabels: { "app.kubernetes.io/name": "web" } } })]).length, 1);
    });

    it("fails a budget that blocks every drain", () => {
        assert.deepEqual(checkStack(disruptionBudgetRule, [deployment(), hpa(3, 6), pdb({ minAvailable: 3 })]), [
            "PodDisruptionBudget 'hft-production/api' blocks every node drain of Deployment 'hft-production/api': its minAvailable 3 keeps all of the 3 replicas it may run with (its HorizontalPodAutoscaler 'hft-production/api' scales it from 3 to 6). Fix: set the service's 'pdb' (maxUnavailable 1, or minAvailable below its minimum replica count); this program adds one when more than one replica can run unless 'pdb.enabled' is false.",
        ]);
        assert.match(checkStack(disruptionBudgetRule, [deployment({ replicas: 2 }), pdb({ maxUnavailable: 0 })])[0], /its maxUnavailable 0 lets no pod be evicted/);
        assert.match(checkStack(disruptionBudgetRule, [deployment({ replicas: 2 }), pdb({ minAvailable: "100%" })])[0], /its minAvailable "100%" keeps all of the 2 replicas/);
        assert.match(checkStack(disruptionBudgetRule, [deployment({ replicas: 2 }), pdb({})])[0], /it sets neither maxUnavailable nor minAvailable/);
    });

    it("fails a Deployment covered by two budgets, and matches selectors with expressions", () => {
        assert.match(checkStack(disruptionBudgetRule, [deployment({ replicas: 2 }), pdb({ maxUnavailable: 1 }), pdb({ maxUnavailable: 1 }, "api-2")])[0], /is covered by 2 PodDisruptionBudgets/);
        const byExpression = pdb({ maxUnavailable: 1, selector: { matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: ["api", "web"] }] } });
        assert.deepEqual(checkStack(disruptionBudgetRule, [deployment({ replicas: 2 }), byExpression]), []);
    });

    it("judges a StatefulSet as a Deployment: several replicas need one budget that lets a drain evict a pod", () => {
        const statefulSet = (replicas?: number) => workload("StatefulSet", { replicas });
        assert.deepEqual(checkStack(disruptionBudgetRule, [statefulSet(3)]), [
            "StatefulSet 'hft-production/api' can run 3 replicas (it runs 3 replicas) but no PodDisruptionBudget covers its pods. Fix: set the service's 'pdb' (maxUnavailable 1, or minAvailable below its minimum replica count); this program adds one when more than one replica can run unless 'pdb.enabled' is false.",
        ]);
        assert.deepEqual(checkStack(disruptionBudgetRule, [statefulSet(3), pdb({ maxUnavailable: 1 })]), []);
        assert.deepEqual(checkStack(disruptionBudgetRule, [statefulSet(1)]), []);
        assert.match(checkStack(disruptionBudgetRule, [statefulSet(3), pdb({ minAvailable: 3 })])[0], /^PodDisruptionBudget 'hft-production\/api' blocks every node drain of StatefulSet 'hft-production\/api': its minAvailable 3 keeps all of the 3 replicas/);
        assert.match(checkStack(disruptionBudgetRule, [statefulSet(3), pdb({ maxUnavailable: 1 }), pdb({ maxUnavailable: 1 }, "api-2")])[0], /^StatefulSet 'hft-production\/api' is covered by 2 PodDisruptionBudgets/);
        // Its autoscaler counts; one aimed at a Deployment of the same name does not.
        assert.match(checkStack(disruptionBudgetRule, [statefulSet(1), hpa(2, 5, "StatefulSet")])[0], /can run 5 replicas \(its HorizontalPodAutoscaler 'hft-production\/api' scales it from 2 to 5\)/);
        assert.deepEqual(checkStack(disruptionBudgetRule, [statefulSet(1), hpa(2, 5, "Deployment")]), []);
    });

    it("asks no budget of a Job, a CronJob, a DaemonSet or a Pod, however many pods they run", () => {
        // Even with a replica count and parallelism in their spec: the kind, not the count, exempts them.
        const parallel = (kind: WorkloadKind) => {
            const w = workload(kind);
            return { ...w, props: { ...w.props, spec: { ...(w.props.spec as Props), replicas: 4, parallelism: 4 } } };
        };
        for (const kind of ["Job", "CronJob", "DaemonSet", "Pod"] as const) {
            assert.deepEqual(checkStack(disruptionBudgetRule, [parallel(kind)]), [], kind);
        }
    });
});

describe("policy production-min-replicas", () => {
    it("passes two or more replicas in production (fixed or autoscaled), and one outside production", () => {
        assert.deepEqual(checkStack(productionReplicasRule, [deployment({ replicas: 2 })]), []);
        assert.deepEqual(checkStack(productionReplicasRule, [deployment(), hpa(3, 12)]), []);
        assert.deepEqual(checkStack(productionReplicasRule, [deployment({ replicas: 1, stack: "staging" })]), []);
    });

    it("fails one replica in production, naming the fix", () => {
        assert.deepEqual(checkStack(productionReplicasRule, [deployment({ replicas: 1 })]), [
            "Deployment 'hft-production/api' may run 1 replica in production (it runs 1 replica); at least 2 are required. Fix: set 'replicas: 2' or 'autoscaling.minReplicas: 2' for the service in the production stack's config.",
        ]);
        assert.match(checkStack(productionReplicasRule, [deployment()])[0], /may run 1 replica in production \(it sets no replica count \(Kubernetes runs 1\)\)/);
        assert.match(checkStack(productionReplicasRule, [deployment(), hpa(1, 4)])[0], /may run 1 replica in production \(its HorizontalPodAutoscaler 'hft-production\/api' scales it from 1 to 4\)/);
    });

    it("takes its minimum from the pack config", () => {
        assert.match(checkStack(productionReplicasRule, [deployment(), hpa(2, 4)], { minReplicas: 3 })[0], /at least 3 are required/);
    });

    it("asks the same of a production StatefulSet, and nothing of Jobs, CronJobs, DaemonSets or Pods", () => {
        assert.deepEqual(checkStack(productionReplicasRule, [workload("StatefulSet", { replicas: 1 })]), [
            "StatefulSet 'hft-production/api' may run 1 replica in production (it runs 1 replica); at least 2 are required. Fix: set 'replicas: 2' or 'autoscaling.minReplicas: 2' for the service in the production stack's config.",
        ]);
        assert.deepEqual(checkStack(productionReplicasRule, [workload("StatefulSet", { replicas: 3 })]), []);
        assert.deepEqual(checkStack(productionReplicasRule, [workload("StatefulSet", { replicas: 1, stack: "staging" })]), []);
        for (const kind of ["Job", "CronJob", "DaemonSet", "Pod"] as const) {
            assert.deepEqual(checkStack(productionReplicasRule, [workload(kind)]), [], kind);
        }
    });
});

describe("policy ingress-tls", () => {
    const ingress = (spec: Props, annotations: Props = {}) =>
        resource("networking.k8s.io/v1:Ingress", "api-ingress", { metadata: { name: "api", namespace: "hft-production", annotations }, spec });
    const rules = (...hosts: string[]) => hosts.map((host) => ({ host, http: { paths: [{ path: "/", pathType: "Prefix" }] } }));

    it("passes an Ingress whose hosts all have TLS (also through a wildcard)", () => {
        assert.deepEqual(check(ingressTlsRule, ingress({ tls: [{ hosts: ["api.example.com"], secretName: "api-tls" }], rules: rules("api.example.com") })), []);
        assert.deepEqual(check(ingressTlsRule, ingress({ tls: [{ hosts: ["*.example.com"], secretName: "wild-tls" }], rules: rules("api.example.com", "web.example.com") })), []);
    });

    it("fails an Ingress without TLS, naming the fix", () => {
        assert.deepEqual(check(ingressTlsRule, ingress({ rules: rules("api.example.com") })), [
            "Ingress 'hft-production/api' has no TLS. Fix: give spec.tls an entry with the rule's host and a secretName (this program does so for every exposed service, with a cert-manager certificate from the environment's clusterIssuer).",
        ]);
    });

    it("fails a host without TLS, a rule without a host, a TLS entry without a secret and a disabled redirect", () => {
        const messages = check(
            ingressTlsRule,
            ingress({ tls: [{ hosts: ["api.example.com"] }], rules: [...rules("api.example.com", "a.b.example.com"), { http: {} }] }, { "nginx.ingress.kubernetes.io/ssl-redirect": "false" }),
        );
        assert.equal(messages.length, 4);
        assert.match(messages[0], /serves 'a\.b\.example\.com' without TLS \(its tls hosts: api\.example\.com\)/);
        assert.match(messages[1], /has a rule without a host/);
        assert.match(messages[2], /tls\[0\] names no secretName/);
        assert.match(messages[3], /sets nginx\.ingress\.kubernetes\.io\/ssl-redirect: "false"/);
    });
});

describe("policy gateway-routes", () => {
    const HTTPS_FIX =
        "Fix: attach the route to the Gateway's HTTPS listener for its host (parentRefs[].sectionName); only a route whose every rule is a RequestRedirect filter with scheme https may attach to the HTTP listener.";
    const routes = (...rs: PolicyResource[]) => checkStack(gatewayRoutesRule, rs);

    it("passes a route on the HTTPS listener and the redirect route on the HTTP listener, with their Gateway in the stack or not", () => {
        assert.deepEqual(routes(httpRoute(), redirectRoute(), gateway()), []);
        assert.deepEqual(routes(httpRoute(), redirectRoute()), []);
        // A redirect route may also leave its listener unnamed: it serves nothing.
        assert.deepEqual(routes(redirectRoute({ parentRefs: [GATEWAY_REF] }), gateway()), []);
    });

    it("fails a serving route without a sectionName: it attaches to every listener, plain HTTP included", () => {
        assert.deepEqual(routes(httpRoute({ parentRefs: [GATEWAY_REF] })), [
            `HTTPRoute 'hft-production/api' serves traffic through Gateway 'hft-gateway/hft' (parentRefs[0]) without a sectionName, which attaches it to every listener of that Gateway, plain HTTP included. ${HTTPS_FIX}`,
        ]);
    });

    it("stack: fails a serving route on a listener whose protocol is HTTP, or on a listener the Gateway does not have", () => {
        assert.deepEqual(routes(httpRoute({ parentRefs: [{ ...GATEWAY_REF, sectionName: "http" }] }), gateway()), [
            `HTTPRoute 'hft-production/api' serves traffic through listener 'http' of Gateway 'hft-gateway/hft' (parentRefs[0]), whose protocol is HTTP, not HTTPS. ${HTTPS_FIX}`,
        ]);
        const httpOnly = gateway([{ name: "https-api", protocol: "HTTP", port: 80 }]);
        assert.match(routes(httpRoute(), httpOnly)[0], /listener 'https-api' of Gateway 'hft-gateway\/hft' \(parentRefs\[0\]\), whose protocol is HTTP, not HTTPS/);
        assert.deepEqual(routes(httpRoute({ parentRefs: [{ ...GATEWAY_REF, sectionName: "https-web" }] }), gateway()), [
            `HTTPRoute 'hft-production/api' names listener 'https-web' of Gateway 'hft-gateway/hft' (parentRefs[0]), which that Gateway does not have (its listeners: https-api (HTTPS), http (HTTP)). ${HTTPS_FIX}`,
        ]);
    });

    it("a route is the allowed HTTP route only when every rule is a single https redirect without backends", () => {
        const onHttp = { parentRefs: [{ ...GATEWAY_REF, sectionName: "http" }] };
        const redirect = (r: Props) => ({ type: "RequestRedirect", requestRedirect: { statusCode: 301, ...r } });
        const cases: Props[][] = [
            [{ filters: [redirect({ scheme: "http" })] }],
            [{ filters: [redirect({ scheme: "https" })], backendRefs: [{ name: "api", port: 8080 }] }],
            [{ filters: [redirect({ scheme: "https" }), { type: "ResponseHeaderModifier", responseHeaderModifier: { remove: ["Server"] } }] }],
            [{ filters: [redirect({ scheme: "https" })] }, { backendRefs: [{ name: "api", port: 8080 }] }],
            [],
        ];
        for (const rules of cases) {
            assert.match(routes(httpRoute({ ...onHttp, rules }), gateway())[0] ?? "", /serves traffic through listener 'http' .* whose protocol is HTTP/, JSON.stringify(rules));
        }
    });

    it("judges only Gateway parents: a route attached to a Service (mesh) is not asked for a listener", () => {
        assert.deepEqual(routes(httpRoute({ parentRefs: [{ group: "", kind: "Service", name: "api" }] })), []);
    });

    it("fails a wildcard hostname, and a route without hostnames, in production only", () => {
        const wildcard = httpRoute({ hostnames: ["*.hft.example.com", "api.hft.example.com"] });
        assert.deepEqual(routes(wildcard), [
            "HTTPRoute 'hft-production/api' has the wildcard hostname '*.hft.example.com' in production, which routes every subdomain to it. Fix: list each host the service answers for.",
        ]);
        const noHosts = "HTTPRoute 'hft-production/api' names no hostnames in production, so it answers for every host its listeners accept. Fix: set spec.hostnames to the service's public host ('<hostPrefix>.<domain>' in this program).";
        assert.deepEqual(routes(httpRoute({ hostnames: [] })), [noHosts]);
        assert.deepEqual(routes(httpRoute({ hostnames: undefined })), [noHosts]);
        assert.match(routes(redirectRoute({ hostnames: [] }))[0], /names no hostnames in production/);
        assert.deepEqual(routes(httpRoute({ hostnames: ["*.staging.example.com"] }, { stack: "staging" }), httpRoute({ hostnames: [] }, { stack: "staging" })), []);
        assert.equal(checkStack(gatewayRoutesRule, [httpRoute({ hostnames: [] }, { stack: "staging" })], { productionEnvironments: ["staging"] }).length, 1);
    });

    it("fails a Gateway outside allowedGateways, a namespace-less parentRef meaning the route's own namespace; an empty list allows any", () => {
        const config = { allowedGateways: ["hft-gateway/hft"] };
        assert.deepEqual(checkStack(gatewayRoutesRule, [httpRoute(), redirectRoute(), gateway()], config), []);
        assert.deepEqual(checkStack(gatewayRoutesRule, [httpRoute({ parentRefs: [{ name: "hft", sectionName: "https-api" }] })], config), [
            `HTTPRoute 'hft-production/api' attaches to Gateway 'hft-production/hft' (parentRefs[0]), which the pack config does not allow (allowed: hft-gateway/hft). Fix: attach it to an allowed Gateway, or allow this one: {"gateway-routes": {"allowedGateways": ["hft-gateway/hft", "hft-production/hft"]}}.`,
        ]);
        assert.match(checkStack(gatewayRoutesRule, [redirectRoute({ parentRefs: [{ name: "public", namespace: "edge", sectionName: "http" }] })], config)[0], /attaches to Gateway 'edge\/public'/);
        assert.deepEqual(checkStack(gatewayRoutesRule, [httpRoute({ parentRefs: [{ name: "other", namespace: "edge", sectionName: "https" }] })]), []);
    });

    it("reports each parentRef and each hostname apart, on the route's URN", () => {
        const route = httpRoute({ hostnames: ["*.a.example.com", "*.b.example.com"], parentRefs: [GATEWAY_REF, { ...GATEWAY_REF, sectionName: "http" }] });
        const found = gatewayRoutesRule.check([route, gateway()], {});
        assert.deepEqual(found.map((v) => v.urn), Array(4).fill(route.urn));
        assert.deepEqual(
            found.map((v) => /(without a sectionName|listener 'http'|wildcard hostname '[^']+')/.exec(v.message)?.[1]),
            ["without a sectionName", "listener 'http'", "wildcard hostname '*.a.example.com'", "wildcard hostname '*.b.example.com'"],
        );
    });
});

describe("policy no-external-service-types", () => {
    const service = (type: string, name = "api", namespace = "hft-production") =>
        resource("core/v1:Service", `${name}-service`, { metadata: { name, namespace }, spec: { type, ports: [{ port: 80 }] } });

    it("passes a ClusterIP Service", () => {
        assert.deepEqual(check(serviceTypeRule, service("ClusterIP")), []);
    });

    it("fails LoadBalancer and NodePort, showing the config that would allow it", () => {
        assert.deepEqual(check(serviceTypeRule, service("LoadBalancer")), [
            `Service 'hft-production/api' is of type LoadBalancer, which exposes it outside the cluster. Fix: use ClusterIP behind the TLS Ingress ('ingress' in the catalog), or, if it must be reachable directly, allow it in the pack config: {"no-external-service-types": {"allowedServices": ["hft-production/api"]}}.`,
        ]);
        assert.match(check(serviceTypeRule, service("NodePort"))[0], /is of type NodePort/);
    });

    it("passes a Service the pack config allows, by namespace/name or by name", () => {
        assert.deepEqual(check(serviceTypeRule, service("LoadBalancer"), { allowedServices: ["hft-production/api"] }), []);
        assert.deepEqual(check(serviceTypeRule, service("NodePort"), { allowedServices: ["api"] }), []);
        assert.equal(check(serviceTypeRule, service("LoadBalancer", "api", "other"), { allowedServices: ["hft-production/api"] }).length, 1);
    });
});

describe("policy no-secrets-in-configmaps", () => {
    const configMap = (data: Props, binaryData?: Props) => resource("core/v1:ConfigMap", "api-config", { metadata: { namespace: "hft-production" }, data, ...(binaryData ? { binaryData } : {}) });

    it("passes plain settings, including words that merely contain 'key'", () => {
        assert.deepEqual(check(configMapSecretsRule, configMap({ SERVICE_NAME: "api", INGESTION_URL: "http://ingestion", MONKEY_COUNT: "3", KEYBOARD: "us", LOG_LEVEL: "INFO" })), []);
    });

    it("fails secret-looking keys in any spelling, naming the key and the fix", () => {
        assert.deepEqual(check(configMapSecretsRule, configMap({ DB_PASSWORD: "hunter2" })), [
            "ConfigMap 'hft-production/api-config' entry 'DB_PASSWORD' looks like a secret: its key names a secret ('PASSWORD'). Fix: move it to the service's 'secrets' ({fromConfig: <key>} set with 'pulumi config set --secret', or {generate: {length: 32}}), which become a Kubernetes Secret; if it is not secret, list 'DB_PASSWORD' in this policy's 'allowKeys'.",
        ]);
        for (const key of ["apiKey", "AUTH_TOKEN", "client-secret", "broker.api.key", "AWS_SECRET_ACCESS_KEY", "GITHUB_CREDENTIALS", "SMTP_PASS", "dbPasswordFile"]) {
            assert.equal(check(configMapSecretsRule, configMap({ [key]: "x" })).length, 1, key);
        }
        assert.equal(check(configMapSecretsRule, configMap({}, { "tls.key": "AAAA" })).length, 1);
    });

    it("fails a private key or a URL with a password as a value", () => {
        assert.match(check(configMapSecretsRule, configMap({ CERT: "-----BEGIN RSA PRIVATE KEY-----\nMIIE..." }))[0], /entry 'CERT' looks like a secret: its value is a private key/);
        assert.match(check(configMapSecretsRule, configMap({ DATABASE_URL: "postgres://app:hunter2@db:5432/app" }))[0], /its value is a URL with a password in it/);
        assert.deepEqual(check(configMapSecretsRule, configMap({ DATABASE_URL: "postgres://db:5432/app" })), []);
    });

    it("passes keys the pack config allows", () => {
        assert.deepEqual(check(configMapSecretsRule, configMap({ PUBLIC_KEY_URL: "https://keys.example/jwks" }), { allowKeys: ["PUBLIC_KEY_URL"] }), []);
    });
});

describe("policy github-environment-reviewers", () => {
    const environment = (name: string, reviewers?: unknown) => ({
        type: "github:index/repositoryEnvironment:RepositoryEnvironment",
        name: `${name}-environment`,
        urn: urnOf(name, "github:index/repositoryEnvironment:RepositoryEnvironment", `${name}-environment`),
        props: { repository: "hft-platform", environment: name, ...(reviewers !== undefined ? { reviewers } : {}) },
    });

    it("passes a production environment with a team or a user as reviewer, and staging without", () => {
        assert.deepEqual(check(githubEnvironmentReviewersRule, environment("production", [{ teams: [4711] }])), []);
        assert.deepEqual(check(githubEnvironmentReviewersRule, environment("production", [{ users: [42], teams: [] }])), []);
        assert.deepEqual(check(githubEnvironmentReviewersRule, environment("staging")), []);
    });

    it("fails a production environment without reviewers, or with empty lists", () => {
        assert.deepEqual(check(githubEnvironmentReviewersRule, environment("production")), [
            "GitHub environment 'production' of repository 'hft-platform' (production-environment) has no required reviewers, so anyone who can run the workflow deploys to production. Fix: set reviewers: [{teams: [<team id>]}] or [{users: [<user id>]}] (numeric IDs) on the RepositoryEnvironment.",
        ]);
        assert.equal(check(githubEnvironmentReviewersRule, environment("production", [{ users: [], teams: [] }])).length, 1);
        assert.equal(check(githubEnvironmentReviewersRule, environment("production", [])).length, 1);
    });

    it("protects the environments the pack config names", () => {
        assert.equal(check(githubEnvironmentReviewersRule, environment("staging"), { protectedEnvironments: ["staging", "production"] }).length, 1);
    });
});

describe("the policy pack", () => {
    const failing = () => {
        const d = deployment({ containers: [container({ image: "ghcr.io/acme/api:1.4.2", securityContext: {} })], replicas: 1 });
        return { inputs: [d], outputs: [d] };
    };

    it("has one uniquely named policy per rule, each with a description and a level", () => {
        assert.equal(new Set(RULES.map((r) => r.name)).size, RULES.length);
        for (const r of RULES) {
            assert.ok(r.description.length > 20, r.name);
            assert.ok(["advisory", "mandatory"].includes(r.enforcementLevel), r.name);
        }
        assert.equal(stackOf(urnOf("production", "kubernetes:apps/v1:Deployment", "x")), "production");
    });

    it("reports violations at each policy's default level", () => {
        assert.deepEqual(
            runPack(failing()).map((f) => [f.policy, f.level]),
            [
                ["pod-security-context", "mandatory"],
                ["no-mutable-image-tags", "mandatory"],
                ["production-min-replicas", "mandatory"],
            ],
        );
    });

    it("lets the pack config make a policy advisory or disable it, one by one or all together", () => {
        const config: PackConfig = { "pod-security-context": "advisory", "no-mutable-image-tags": { enforcementLevel: "disabled" } };
        assert.deepEqual(
            runPack(failing(), config).map((f) => [f.policy, f.level]),
            [
                ["pod-security-context", "advisory"],
                ["production-min-replicas", "mandatory"],
            ],
        );
        assert.deepEqual(
            runPack(failing(), { all: "advisory", "production-min-replicas": "disabled" }).map((f) => [f.policy, f.level]),
            [
                ["pod-security-context", "advisory"],
                ["no-mutable-image-tags", "advisory"],
            ],
        );
    });

    it("judges the new kinds through the whole pack: a StatefulSet with a hostPath and no budget, a CronJob without resources, a worker without probes", () => {
        const statefulSet = workload("StatefulSet", { replicas: 3, volumes: [{ name: "data", hostPath: { path: "/mnt/data" } }] });
        const cronJob = workload("CronJob", { containers: [worker({ resources: {} })] });
        const workerDeployment = deployment({ replicas: 2, containers: [worker()] });
        const findings = runPack({ inputs: [statefulSet, cronJob, workerDeployment], outputs: [statefulSet, cronJob, workerDeployment, pdb({ maxUnavailable: 1 }, "other", "elsewhere")] });
        assert.deepEqual(
            findings.map((f) => [f.policy, f.urn.slice(f.urn.lastIndexOf("::") + 2)]),
            [
                ["pod-security-context", "api-statefulset"],
                ["container-resources-and-probes", "api-cronjob"],
                ["pod-disruption-budget", "api-statefulset"],
                ["pod-disruption-budget", "api-deployment"],
            ],
        );
        assert.match(findings[0].message, /^StatefulSet 'hft-production\/api' pod template is not restricted\. Pod Security restricted: volume 'data' is hostPath/);
        assert.match(findings[1].message, /^CronJob 'hft-production\/api' container 'worker' has no resources\.requests\.cpu/);
    });

    it("passes settings from the pack config to the policy", () => {
        assert.deepEqual(runPack(failing(), { "production-min-replicas": { minReplicas: 1 } }).map((f) => f.policy), ["pod-security-context", "no-mutable-image-tags"]);
    });
});

describe("the repo's stacks through the policy pack", () => {
    it("production: no violation at all, over every kind the pack judges", async () => {
        const resources = policyResources(await run("production"), "production");
        const kinds = (t: string) => resources.inputs.filter((r) => r.type === t).length;
        const names = (t: string) => resources.inputs.filter((r) => r.type === t).map((r) => (r.props.metadata as { name: string }).name).sort();
        // Every Deployment of the catalog (web services and workers), and the Rollout of an
        // in-cluster canary, runs with an autoscaler and a PDB (production's serviceDefaults); the
        // cronjob has neither, Redis is off in production.
        const x = stackFacts("production");
        const services = servicesOf(x, (s) => s.workload === "apps/v1:Deployment" || s.workload === "argoproj.io/v1alpha1:Rollout");
        assert.deepEqual(
            [
                [...names("kubernetes:apps/v1:Deployment"), ...names("kubernetes:argoproj.io/v1alpha1:Rollout")].sort(),
                names("kubernetes:autoscaling/v2:HorizontalPodAutoscaler"),
                names("kubernetes:policy/v1:PodDisruptionBudget"),
            ],
            [services, servicesOf(x, (s) => s.autoscaling !== undefined), servicesOf(x, (s) => s.pdb)],
        );
        assert.deepEqual(names("kubernetes:argoproj.io/v1alpha1:Rollout"), servicesOf(x, (s) => s.rollout !== undefined));
        assert.ok(servicesOf(x, (s) => s.rollout !== undefined).length > 0, "production releases a service through an in-cluster canary");
        assert.deepEqual(servicesOf(x, (s) => s.autoscaling !== undefined), services);
        assert.ok(services.length >= 6, `the example's six services, or more: ${services.join(", ")}`);
        assert.deepEqual(names("kubernetes:batch/v1:CronJob"), servicesOf(x, (s) => s.kind === "cronjob"));
        assert.ok(kinds("kubernetes:networking.k8s.io/v1:Ingress") > 0 && kinds("kubernetes:core/v1:Service") > 0 && kinds("kubernetes:core/v1:ConfigMap") > 0);
        assert.equal(resources.inputs.filter((r) => r.type === "github:index/repositoryEnvironment:RepositoryEnvironment" && r.props.environment === "production").length, 1);
        assert.deepEqual(runPack(resources), []);
    });

    it("staging: no violation either, its branch tags being looked up and run by digest", async () => {
        const findings = runPack(policyResources(await run("staging"), "staging"));
        assert.deepEqual(findings, []);
    });

    it("the production GitHub environment without its reviewers is caught", async () => {
        const resources = policyResources(await run("production"), "production");
        const strip = (r: PolicyResource): PolicyResource =>
            r.type === "github:index/repositoryEnvironment:RepositoryEnvironment" ? { ...r, props: { ...r.props, reviewers: [] } } : r;
        const findings = runPack({ inputs: resources.inputs.map(strip), outputs: resources.outputs });
        assert.deepEqual(findings.map((f) => [f.policy, f.level]), [["github-environment-reviewers", "mandatory"]]);
        assert.match(findings[0].message, /^GitHub environment 'production' of repository 'hft-platform' \(production-environment\) has no required reviewers/);
    });

    it("a stack that breaks a policy is caught: production with a sidecar image by tag (sidecars are not looked up)", async () => {
        const ev = await run(
            editedConfig("production", (v) => {
                v.catalog.services.execution.sidecars = { "log-shipper": { image: "docker.io/fluent/fluent-bit:3.1.9", resources: { limits: { memory: "96Mi" } } } };
            }),
        );
        assert.deepEqual(
            runPack(policyResources(ev, "production")).map((f) => [f.policy, f.level, /image '([^']+)'/.exec(f.message)?.[1]]),
            [["no-mutable-image-tags", "mandatory", "docker.io/fluent/fluent-bit:3.1.9"]],
        );
    });
});
