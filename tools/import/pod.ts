import { isRecord, K8sObject, Segment } from "./manifests";
import { Layer, Overlay, put } from "./context";
import { mapMainContainer, mapResources, mounts, NamedPorts } from "./container";
import { DNS_LABEL } from "./names";
import type { VolumeMountShape, VolumeShape } from "./shapes";

/**
 * A pod template mapped into a service's settings: its first container is the service's own;
 * its volumes, init containers and further containers (as native sidecars) follow.
 */
export interface PodResult {
    readonly ports: NamedPorts;
    readonly serviceAccount?: string;
}

/** `at`: the pod template's path (`spec.template`); `claims`: the StatefulSet's claim templates, by name. */
export function mapPodTemplate(ov: Overlay, o: K8sObject, at: Segment[], service: Layer, name: string, claims: ReadonlyMap<string, Layer> = new Map()): PodResult {
    const t = ov.tracker(o);
    const spec = [...at, "spec"];
    const containers = t.peek<Record<string, unknown>[]>(...spec, "containers") ?? [];
    const ports = mapMainContainer(ov, o, [...spec, "containers", 0], service, name);
    const volumeNames = mapVolumes(ov, o, spec, service, claims);
    const runAsUser = t.take<number>(...spec, "securityContext", "runAsUser");
    if (runAsUser !== undefined && runAsUser > 0 && service.runAsUser === undefined) service.runAsUser = runAsUser;
    const serviceAccount = t.take<string>(...spec, "serviceAccountName");
    t.mark([...spec, "serviceAccount"]);
    const inits = t.peek<Record<string, unknown>[]>(...spec, "initContainers") ?? [];
    inits.forEach((c, i) => {
        const native = c.restartPolicy === "Always";
        if (native) t.mark([...spec, "initContainers", i, "restartPolicy"]);
        extraContainer(ov, o, [...spec, "initContainers", i], service, native ? "sidecars" : "initContainers", i, volumeNames);
    });
    containers.slice(1).forEach((_, i) => {
        const here = [...spec, "containers", i + 1];
        ov.note(o, here, "a second container becomes a native sidecar (an init container with restartPolicy Always), which starts before the service's container");
        extraContainer(ov, o, here, service, "sidecars", 100 + i, volumeNames);
    });
    return { ports, ...(serviceAccount ? { serviceAccount } : {}) };
}

function extraContainer(ov: Overlay, o: K8sObject, at: Segment[], service: Layer, to: "initContainers" | "sidecars", order: number, volumes: ReadonlySet<string>): void {
    const t = ov.tracker(o);
    const name = t.take<string>(...at, "name") ?? `container-${order}`;
    const c: Layer = { order };
    const image = t.take<string>(...at, "image");
    if (image !== undefined) c.image = image;
    for (const k of ["command", "args"] as const) {
        const v = t.take(...at, k);
        if (v !== undefined) c[k] = v;
    }
    const env: Record<string, string> = {};
    (t.peek<{ name: string; value?: string }[]>(...at, "env") ?? []).forEach((v, i) => {
        if (typeof v.value === "string" && Object.keys(v).length === 2) {
            env[v.name] = v.value;
            t.mark([...at, "env", i]);
        }
    });
    if (Object.keys(env).length > 0) c.env = env;
    mapResources(t, [...at, "resources"], c, ["resources"]);
    const m = mounts(t, at, volumes);
    if (m) c.mounts = m;
    if (!DNS_LABEL.test(name)) ov.note(o, [...at, "name"], `'${name}' is not a DNS-1123 label`);
    put(service, [to, name], c);
}

/** The pod's volumes the main container mounts (and claim templates), as the service's `volumes`; returns their names. */
function mapVolumes(ov: Overlay, o: K8sObject, spec: Segment[], service: Layer, claims: ReadonlyMap<string, Layer>): Set<string> {
    const t = ov.tracker(o);
    const main = [...spec, "containers", 0];
    const volumes = t.peek<VolumeShape[]>(...spec, "volumes") ?? [];
    const mapped = new Set<string>();
    const mountOf = new Map<string, { mountPath: string; readOnly?: boolean; index: number }>();
    (t.peek<VolumeMountShape[]>(...main, "volumeMounts") ?? []).forEach((m, index) => {
        if (!mountOf.has(m.name)) mountOf.set(m.name, { mountPath: m.mountPath, readOnly: m.readOnly, index });
    });
    const source = (v: VolumeShape, i: number): Layer | undefined => {
        const here = [...spec, "volumes", i];
        if (isRecord(v.emptyDir)) {
            t.mark([...here, "emptyDir"]);
            const e: Layer = {};
            if (v.emptyDir.sizeLimit !== undefined) e.sizeLimit = v.emptyDir.sizeLimit;
            if (v.emptyDir.medium === "Memory") e.medium = "Memory";
            return { emptyDir: e };
        }
        if (typeof v.configMap?.name === "string") {
            const cm = ov.find("ConfigMap", v.configMap.name);
            if (v.configMap.items !== undefined || v.configMap.defaultMode !== undefined) return undefined;
            t.mark([...here, "configMap"]);
            if (!cm) return { configMap: v.configMap.name };
            ov.used.add(cm);
            const files = ov.tracker(cm).take<Record<string, string>>("data") ?? {};
            return { files };
        }
        if (typeof v.secret?.secretName === "string") {
            if (v.secret.items !== undefined || v.secret.defaultMode !== undefined) return undefined;
            t.mark([...here, "secret"]);
            const secret = ov.find("Secret", v.secret.secretName);
            if (secret) {
                ov.note(secret, undefined, "mounted as files: kept as an existing Secret the platform does not own (volumes.<name>.secret); create it outside the platform");
            }
            return { secret: v.secret.secretName };
        }
        if (isRecord(v.persistentVolumeClaim)) {
            t.mark([...here, "persistentVolumeClaim", "claimName"]);
            return { existingClaim: v.persistentVolumeClaim.claimName };
        }
        return undefined;
    };
    volumes.forEach((v, i) => {
        const mount = mountOf.get(v.name);
        const src = source(v, i);
        if (!src) return;
        t.mark([...spec, "volumes", i, "name"]);
        mapped.add(v.name);
        if (mount) markMount(ov, o, main, mount.index);
        put(service, ["volumes", v.name], { ...(mount ? { mountPath: mount.mountPath } : {}), ...(mount?.readOnly !== undefined ? { readOnly: mount.readOnly } : {}), ...src });
        if (!mount) ov.note(o, [...spec, "volumes", i], `volume '${v.name}' is not mounted by the main container; the platform needs a mountPath for it`);
    });
    for (const [name, claim] of claims) {
        const mount = mountOf.get(name);
        mapped.add(name);
        if (mount) markMount(ov, o, main, mount.index);
        put(service, ["volumes", name], { ...(mount ? { mountPath: mount.mountPath } : {}), claim });
    }
    return mapped;
}

function markMount(ov: Overlay, o: K8sObject, main: Segment[], index: number): void {
    const t = ov.tracker(o);
    for (const k of ["name", "mountPath", "readOnly"]) t.mark([...main, "volumeMounts", index, k]);
}
