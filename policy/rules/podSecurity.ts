/**
 * The Pod Security Standards `restricted` profile (which includes `baseline`), control by control,
 * as https://kubernetes.io/docs/concepts/security/pod-security-standards/ states it (read for
 * Kubernetes 1.34, which added host probes and hooks). Each function returns what a pod or a
 * container breaks, one phrase per setting, saying what is allowed; no project rule is here.
 */
import { isSet, list, record } from "./common";
import { Container, PodContainer, PodTemplate } from "./pods";

type Props = Readonly<Record<string, unknown>>;

/** The volume types restricted allows; every other one (hostPath, nfs, gitRepo, ...) is refused. */
export const RESTRICTED_VOLUME_TYPES: readonly string[] = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

/** The "safe" sysctls baseline allows (namespaced, isolated from other pods). */
export const SAFE_SYSCTLS: readonly string[] = [
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

export const SELINUX_TYPES: readonly string[] = ["container_t", "container_init_t", "container_kvm_t", "container_engine_t"];
const PROFILE_TYPES = ["RuntimeDefault", "Localhost"];

/** Whether a string field is set to something other than the empty string. */
const nonEmpty = (v: unknown) => isSet(v) && v !== "";
const show = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

/** Seccomp, capabilities and privilege escalation are Linux-only controls: a pod for Windows skips them. */
function linux(pod: PodTemplate): boolean {
    return record(pod.spec.os).name !== "windows";
}

/** What a security context (pod or container) breaks of the controls both levels share. */
function sharedProblems(sc: Props): string[] {
    const problems: string[] = [];
    if (record(sc.windowsOptions).hostProcess === true) problems.push("windowsOptions.hostProcess is true (must be unset or false)");
    const seLinux = record(sc.seLinuxOptions);
    if (nonEmpty(seLinux.type) && !SELINUX_TYPES.includes(seLinux.type as string)) {
        problems.push(`seLinuxOptions.type is ${show(seLinux.type)} (allowed: ${SELINUX_TYPES.join(", ")})`);
    }
    for (const field of ["user", "role"] as const) {
        if (nonEmpty(seLinux[field])) problems.push(`seLinuxOptions.${field} is ${show(seLinux[field])} (must be unset)`);
    }
    const appArmor = record(sc.appArmorProfile).type;
    if (isSet(appArmor) && !PROFILE_TYPES.includes(appArmor as string)) problems.push(`appArmorProfile.type is ${show(appArmor)} (allowed: RuntimeDefault, Localhost)`);
    return problems;
}

/** What the pod breaks in its own fields: host namespaces, volumes, sysctls and the pod security context. */
export function restrictedPodProblems(pod: PodTemplate): string[] {
    const spec = pod.spec;
    const sc = record(spec.securityContext);
    const problems: string[] = [];
    for (const field of ["hostNetwork", "hostPID", "hostIPC"] as const) {
        if (isSet(spec[field]) && spec[field] !== false) problems.push(`${field} is ${show(spec[field])} (must be unset or false)`);
    }
    for (const v of list(spec.volumes).map(record)) {
        // A volume that names no type is an emptyDir: the API server defaults it so.
        const types = Object.keys(v).filter((k) => k !== "name" && isSet(v[k]));
        if (types.some((t) => !RESTRICTED_VOLUME_TYPES.includes(t))) {
            problems.push(`volume '${show(v.name)}' is ${types.join(", ")} (allowed: ${RESTRICTED_VOLUME_TYPES.join(", ")})`);
        }
    }
    const unsafe = list(sc.sysctls)
        .map((s) => record(s).name)
        .filter((n) => !SAFE_SYSCTLS.includes(n as string));
    if (unsafe.length > 0) problems.push(`securityContext.sysctls has ${unsafe.map(show).join(", ")} (allowed: ${SAFE_SYSCTLS.join(", ")})`);
    problems.push(...sharedProblems(sc).map((p) => `securityContext.${p}`));
    for (const [key, value] of Object.entries(pod.annotations)) {
        if (key.startsWith("container.apparmor.security.beta.kubernetes.io/") && value !== "runtime/default" && !(typeof value === "string" && value.startsWith("localhost/"))) {
            problems.push(`annotation ${key} is ${show(value)} (allowed: runtime/default, localhost/<profile>)`);
        }
    }
    if (sc.runAsNonRoot === false) problems.push("securityContext.runAsNonRoot is false");
    if (sc.runAsUser === 0) problems.push("securityContext.runAsUser is 0 (root)");
    const seccomp = record(sc.seccompProfile).type;
    if (linux(pod) && isSet(seccomp) && !PROFILE_TYPES.includes(seccomp as string)) problems.push(`securityContext.seccompProfile.type is ${show(seccomp)} (allowed: RuntimeDefault, Localhost)`);
    return problems;
}

/** Every `host` a probe or lifecycle hook of the container sets (it would reach past the pod). */
function hostTargets(c: Container): string[] {
    const handlers: [string, unknown][] = [
        ["livenessProbe", c.livenessProbe],
        ["readinessProbe", c.readinessProbe],
        ["startupProbe", c.startupProbe],
        ["lifecycle.postStart", record(c.lifecycle).postStart],
        ["lifecycle.preStop", record(c.lifecycle).preStop],
    ];
    return handlers.flatMap(([at, handler]) =>
        (["httpGet", "tcpSocket"] as const).filter((kind) => nonEmpty(record(record(handler)[kind]).host)).map((kind) => `${at}.${kind}.host is ${show(record(record(handler)[kind]).host)} (must be unset)`),
    );
}

/**
 * What a container (of any role) breaks, reading the pod's security context where the container
 * may inherit it. A partial container (a Patch's) is judged only by the settings it gives: one it
 * leaves out keeps the value the object has.
 */
export function restrictedContainerProblems({ c, partial }: PodContainer, pod: PodTemplate): string[] {
    const sc = record(c.securityContext);
    const podSc = record(pod.spec.securityContext);
    /** Whether a setting breaks its demand: unless it is right; in a partial container, only when set and wrong. */
    const breaks = (v: unknown, right: (v: unknown) => boolean) => (partial ? isSet(v) && !right(v) : !right(v));
    const problems: string[] = [];
    if (breaks(sc.runAsNonRoot ?? podSc.runAsNonRoot, (v) => v === true)) problems.push("runAsNonRoot is not true");
    if (sc.runAsUser === 0) problems.push("runAsUser is 0 (root)");
    if (linux(pod) && breaks(sc.allowPrivilegeEscalation, (v) => v === false)) problems.push("allowPrivilegeEscalation is not false");
    if (sc.privileged === true) problems.push("privileged is true");
    const caps = record(sc.capabilities);
    if (linux(pod) && breaks(caps.drop, (v) => list(v).includes("ALL"))) problems.push("capabilities.drop does not include ALL");
    const added = list(caps.add).filter((a) => a !== "NET_BIND_SERVICE");
    if (linux(pod) && added.length > 0) problems.push(`capabilities.add has ${added.map(show).join(", ")} (only NET_BIND_SERVICE may be added)`);
    const seccomp = record(sc.seccompProfile).type ?? record(podSc.seccompProfile).type;
    if (linux(pod) && breaks(seccomp, (v) => PROFILE_TYPES.includes(v as string))) {
        problems.push(`seccompProfile.type is ${isSet(seccomp) ? show(seccomp) : "unset (on the container and the pod)"} (allowed: RuntimeDefault, Localhost)`);
    }
    if (isSet(sc.procMount) && sc.procMount !== "Default") problems.push(`procMount is ${show(sc.procMount)} (must be unset or Default)`);
    problems.push(...sharedProblems(sc));
    for (const p of list(c.ports).map(record)) {
        if (isSet(p.hostPort) && p.hostPort !== 0) problems.push(`port ${show(p.name ?? p.containerPort)} has hostPort ${show(p.hostPort)} (must be unset or 0)`);
    }
    problems.push(...hostTargets(c));
    return problems;
}
