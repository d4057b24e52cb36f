/**
 * What a workload's pods get, rather than how each side writes it: every container's effective
 * environment (env values, ConfigMap and Secret keys, envFrom, resolved against the ConfigMaps
 * and Secrets of the same render), the content a ConfigMap or Secret volume mounts, probe and
 * Service ports by number, and an Ingress backend's port by the Service port's name. Each side
 * is resolved on its own, before the diff; the ConfigMaps and Secrets read this way are compared
 * through the workloads that read them, not as objects.
 */
import { byCodePoint } from "../../config/order";
import { Manifest } from "../harness/manifests";
import { POD_TEMPLATE } from "./scopes";
import { redactSecret } from "./secrets";
import { isMap } from "./walk";

type Node = Record<string, unknown>;

/** The side's objects as compared, and the ConfigMaps and Secrets its workloads read (by kind/namespace/name). */
export interface Resolved {
    readonly objects: readonly Manifest[];
    readonly read: ReadonlySet<string>;
}

export const objectKey = (kind: string, namespace: string | undefined, name: string) => `${kind}/${namespace ?? ""}/${name}`;

const at = (root: unknown, dotted: string): unknown => dotted.split(".").reduce<unknown>((v, k) => (isMap(v) ? v[k] : undefined), root);
const list = (v: unknown): Node[] => (Array.isArray(v) ? v.filter(isMap) : []);

/** A workload's pod spec, if the object is a workload. */
export function podSpec(m: Manifest): Node | undefined {
    const template = POD_TEMPLATE[m.kind];
    const spec = template === undefined ? undefined : at(m, `${template}.spec`);
    return isMap(spec) ? spec : undefined;
}

/** Resolves one side (its generated names already written with `<hash>`): copies, with Secret values redacted. */
export function resolveSide(objects: readonly Manifest[]): Resolved {
    const copies = objects.map((m) => redactSecret(structuredClone(m)));
    const byName = (kind: string, ns: string | undefined, name: unknown) =>
        typeof name === "string" ? copies.find((m) => m.kind === kind && m.metadata.name === name && (m.metadata.namespace) === ns) : undefined;
    const read = new Set<string>();
    for (const m of copies) {
        const spec = podSpec(m);
        const ns = m.metadata.namespace;
        if (spec) resolvePod(spec, (kind, name) => {
            const found = byName(kind, ns, name);
            if (found) read.add(objectKey(kind, ns, found.metadata.name));
            return found;
        });
    }
    for (const m of copies) {
        // An autoscaler sets the replicas of what it scales; the field as written does not last.
        const scaled = copies.some((h) => h.kind === "HorizontalPodAutoscaler" && h.metadata.namespace === m.metadata.namespace && at(h, "spec.scaleTargetRef.kind") === m.kind && at(h, "spec.scaleTargetRef.name") === m.metadata.name);
        if (scaled && isMap(m.spec)) delete m.spec.replicas;
        if (m.kind === "Service") serviceTargetPorts(m, copies);
        if (m.kind === "Ingress") ingressPorts(m, (name) => byName("Service", m.metadata.namespace, name));
    }
    return { objects: copies, read };
}

type Lookup = (kind: "ConfigMap" | "Secret", name: unknown) => Manifest | undefined;

function dataOf(m: Manifest): Node {
    const data = isMap(m.data) ? m.data : {};
    return m.kind === "ConfigMap" && isMap(m.binaryData) ? { ...data, ...m.binaryData } : data;
}

function resolvePod(spec: Node, lookup: Lookup): void {
    const volumes = list(spec.volumes);
    const readOnlyKinds = new Set(volumes.filter((v) => ["configMap", "secret", "projected", "downwardAPI"].some((k) => k in v)).map((v) => v.name));
    for (const v of volumes) {
        if (isMap(v.configMap)) v.configMap = volumeContent(v.configMap, "name", lookup("ConfigMap", v.configMap.name));
        if (isMap(v.secret)) v.secret = volumeContent(v.secret, "secretName", lookup("Secret", v.secret.secretName));
    }
    for (const c of [...list(spec.containers), ...list(spec.initContainers)]) {
        // With a digest, the kubelet pulls the digest: a tag beside it changes nothing.
        if (typeof c.image === "string" && c.image.includes("@")) c.image = c.image.replace(/^([^@]*\/)?([^@/:]+)(:[^@/]+)?@/, "$1$2@");
        effectiveEnvironment(c, lookup);
        // Kubernetes mounts ConfigMap, Secret, projected and downward API volumes read-only whatever the mount says.
        for (const mount of list(c.volumeMounts)) if (mount.readOnly === true && readOnlyKinds.has(mount.name)) delete mount.readOnly;
        const ports = new Map(list(c.ports).filter((p) => typeof p.name === "string").map((p) => [p.name as string, p.containerPort]));
        for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"]) {
            for (const action of ["httpGet", "tcpSocket", "grpc"]) {
                const a = at(c, `${probe}.${action}`);
                if (isMap(a) && typeof a.port === "string" && ports.has(a.port)) a.port = ports.get(a.port);
            }
        }
    }
}

/** A ConfigMap or Secret volume as the files it mounts (only `items`, under their paths, when it lists some). */
function volumeContent(source: Node, nameField: string, object: Manifest | undefined): Node {
    if (!object) return source;
    const data = dataOf(object);
    const items = list(source.items);
    const files: Node = {};
    if (items.length === 0) Object.assign(files, data);
    else for (const i of items) if (typeof i.key === "string" && typeof i.path === "string") files[i.path] = data[i.key];
    const rest: Node = { ...source };
    delete rest[nameField];
    delete rest.items;
    return { ...rest, files };
}

/**
 * The container's `env` replaced by its effective environment, as Kubernetes builds it: the
 * envFrom sources in order (a later one wins), then `env` (which wins over them). A ConfigMap
 * key becomes its value, a Secret key its redacted value (compared by digest, never printed).
 * What cannot be resolved here (a fieldRef, an object not in the render) stays as written.
 */
function effectiveEnvironment(c: Node, lookup: Lookup): void {
    const vars = new Map<string, Node>();
    const unresolved: Node[] = [];
    for (const from of list(c.envFrom)) {
        const ref = isMap(from.configMapRef) ? { kind: "ConfigMap" as const, r: from.configMapRef } : isMap(from.secretRef) ? { kind: "Secret" as const, r: from.secretRef } : undefined;
        const object = ref && lookup(ref.kind, ref.r.name);
        if (!object) {
            unresolved.push(from);
            continue;
        }
        const prefix = typeof from.prefix === "string" ? from.prefix : "";
        for (const [k, v] of Object.entries(dataOf(object))) vars.set(prefix + k, { name: prefix + k, value: v });
    }
    for (const e of list(c.env)) {
        if (typeof e.name !== "string") continue;
        const source = isMap(e.valueFrom) ? e.valueFrom : undefined;
        const ref = source && (isMap(source.configMapKeyRef) ? { kind: "ConfigMap" as const, r: source.configMapKeyRef } : isMap(source.secretKeyRef) ? { kind: "Secret" as const, r: source.secretKeyRef } : undefined);
        const object = ref && lookup(ref.kind, ref.r.name);
        if (ref && object && typeof ref.r.key === "string") {
            const value = dataOf(object)[ref.r.key];
            if (value !== undefined) vars.set(e.name, { name: e.name, value });
            else if (ref.r.optional !== true) vars.set(e.name, { name: e.name, missing: `no key ${ref.r.key} in the ${ref.kind}` });
            else vars.delete(e.name);
        } else vars.set(e.name, e);
    }
    delete c.env;
    delete c.envFrom;
    if (vars.size > 0) c.env = [...vars.keys()].sort(byCodePoint).map((k) => vars.get(k));
    if (unresolved.length > 0) c.envFrom = unresolved;
}

/** A Service's named targetPort as the number of the container port with that name, in the pods it selects. */
function serviceTargetPorts(service: Manifest, objects: readonly Manifest[]): void {
    const selector = at(service, "spec.selector");
    if (!isMap(selector) || Object.keys(selector).length === 0) return;
    const named = new Map<string, unknown>();
    for (const m of objects) {
        const template = POD_TEMPLATE[m.kind];
        const labels = template === undefined ? undefined : at(m, `${template}.metadata.labels`);
        if (m.metadata.namespace !== service.metadata.namespace || !isMap(labels) || !Object.entries(selector).every(([k, v]) => labels[k] === v)) continue;
        for (const c of list(podSpec(m)?.containers)) for (const p of list(c.ports)) if (typeof p.name === "string") named.set(p.name, p.containerPort);
    }
    for (const p of list(at(service, "spec.ports"))) if (typeof p.targetPort === "string" && named.has(p.targetPort)) p.targetPort = named.get(p.targetPort);
}

/** An Ingress backend's port by number as the Service port's name, when that port of the Service has one. */
function ingressPorts(ingress: Manifest, service: (name: unknown) => Manifest | undefined): void {
    const backends: Node[] = [];
    const def = at(ingress, "spec.defaultBackend.service");
    if (isMap(def)) backends.push(def);
    for (const rule of list(at(ingress, "spec.rules"))) for (const p of list(at(rule, "http.paths"))) if (isMap(at(p, "backend.service"))) backends.push(at(p, "backend.service") as Node);
    for (const b of backends) {
        if (!isMap(b.port) || typeof b.port.number !== "number") continue;
        const port = list(at(service(b.name), "spec.ports")).find((p) => p.port === (b.port as Node).number);
        if (port && typeof port.name === "string" && port.name !== "") b.port = { name: port.name };
    }
}
