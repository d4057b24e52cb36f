import { configKey, DNS_LABEL } from "./names";
import { isRecord, K8sObject, Segment, Tracker } from "./manifests";
import { PROBE_DEFAULTS, PROBE_TIMEOUT_SECONDS } from "../../config/resolve/pod";
import { Layer, Overlay, put } from "./context";
import type { EnvFromShape, EnvVarShape, ProbeShape, VolumeMountShape } from "./shapes";

/**
 * One container of a pod template, mapped into a service's settings: image, command, ports,
 * probes, resources and environment. `at` is the container's path in its object.
 */

/** Variables the platform sets for the whole environment, and the environment setting each comes from. */
export const ENVIRONMENT_VARIABLES: Readonly<Record<string, string>> = {
    ENVIRONMENT: "name",
    LOG_LEVEL: "logLevel",
    OTEL_EXPORTER_OTLP_ENDPOINT: "telemetryEndpoint",
};

export interface ImageParts {
    readonly repository: string;
    readonly tag?: string;
    readonly digest?: string;
}

/** `ghcr.io/acme/api:1.4.2@sha256:...` -> repository, tag and digest. */
export function parseImage(image: string): ImageParts {
    const [name, digest] = image.split("@");
    const colon = name.lastIndexOf(":");
    const hasTag = colon > name.lastIndexOf("/");
    return { repository: hasTag ? name.slice(0, colon) : name, ...(hasTag ? { tag: name.slice(colon + 1) } : {}), ...(digest ? { digest } : {}) };
}

/** The main container's ports by name, for Services and probes that name one. */
export type NamedPorts = Map<string, number>;

export function mapMainContainer(ov: Overlay, o: K8sObject, at: Segment[], service: Layer, name: string): NamedPorts {
    const t = ov.tracker(o);
    const container = t.take<string>(...at, "name");
    // Kept (containerName), so `kubectl logs -c <name>` and anything naming it keep working.
    if (container !== undefined && container !== name) service.containerName = container;
    const image = t.take<string>(...at, "image");
    if (image !== undefined) {
        const parts = parseImage(image);
        if (parts.tag === "latest" || (parts.tag === undefined && parts.digest === undefined)) {
            ov.note(o, [...at, "image"], `'${image}' names no version; set image.tag (or the environment's imageTag)`);
            put(service, ["image"], { repository: parts.repository });
        } else {
            put(service, ["image"], parts);
        }
    }
    for (const k of ["command", "args"] as const) {
        const v = t.take<string[]>(...at, k);
        if (v !== undefined) service[k] = v;
    }
    const ports: NamedPorts = new Map();
    const list = t.peek<{ name?: string; containerPort: number; protocol?: string }[]>(...at, "ports") ?? [];
    list.forEach((p, i) => {
        if (p.name) ports.set(p.name, p.containerPort);
        if (i === 0) {
            service.port = p.containerPort;
            t.mark([...at, "ports", 0]);
        }
    });
    mapProbes(ov, t, at, service, ports);
    mapResources(t, [...at, "resources"], service, ["resources"]);
    const runAsUser = t.take<number>(...at, "securityContext", "runAsUser");
    if (runAsUser !== undefined && runAsUser > 0) service.runAsUser = runAsUser;
    mapEnvironment(ov, o, at, service, name);
    return ports;
}

const PROBES = [
    ["livenessProbe", "liveness"],
    ["readinessProbe", "readiness"],
    ["startupProbe", "startup"],
] as const;
const TIMINGS = ["initialDelaySeconds", "periodSeconds", "timeoutSeconds", "failureThreshold"] as const;
/** Kubernetes' probe timings, written where the overlay leaves one out and the platform's default differs. */
const KUBERNETES_TIMINGS = { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3 } as const;

function mapProbes(ov: Overlay, t: Tracker, at: Segment[], service: Layer, ports: NamedPorts): void {
    for (const [field, setting] of PROBES) {
        const p = t.peek<ProbeShape>(...at, field);
        if (!isRecord(p)) continue;
        const probe: Layer = {};
        const port = (v: unknown, where: Segment[]) => {
            const n = typeof v === "number" ? v : ports.get(String(v));
            if (n === undefined) ov.note(t.object, where, `port ${JSON.stringify(v)} is not a port of the container`);
            else if (n !== service.port) probe.port = n;
            t.mark(where);
        };
        const here = [...at, field];
        if (isRecord(p.httpGet)) {
            probe.http = t.take(...here, "httpGet", "path") ?? "/";
            port(p.httpGet.port, [...here, "httpGet", "port"]);
            if (p.httpGet.scheme === "HTTP") t.mark([...here, "httpGet", "scheme"]);
        } else if (isRecord(p.tcpSocket)) {
            probe.tcp = true;
            port(p.tcpSocket.port, [...here, "tcpSocket", "port"]);
        } else if (isRecord(p.grpc)) {
            probe.grpc = t.take<string>(...here, "grpc", "service") ?? true;
            port(p.grpc.port, [...here, "grpc", "port"]);
        } else if (isRecord(p.exec)) {
            probe.exec = t.take(...here, "exec", "command");
        }
        const platform: Record<(typeof TIMINGS)[number], number> = { initialDelaySeconds: 0, timeoutSeconds: PROBE_TIMEOUT_SECONDS, ...PROBE_DEFAULTS[setting] };
        for (const k of TIMINGS) {
            const v = t.take<number>(...here, k) ?? (platform[k] !== KUBERNETES_TIMINGS[k] ? KUBERNETES_TIMINGS[k] : undefined);
            if (v !== undefined) probe[k] = v;
        }
        if (p.successThreshold === 1) t.mark([...here, "successThreshold"]);
        put(service, ["probes", setting], probe);
    }
}

/** requests and limits of cpu and memory; any other resource is reported. */
export function mapResources(t: Tracker, at: Segment[], layer: Layer, to: string[]): void {
    for (const kind of ["requests", "limits"] as const) {
        for (const r of ["cpu", "memory"] as const) {
            const v = t.take<string | number>(...at, kind, r);
            if (v !== undefined) put(layer, [...to, kind, r], typeof v === "number" ? String(v) : v);
        }
    }
}

/**
 * env and envFrom, in Kubernetes' order (envFrom in turn, then env over it). A ConfigMap of the
 * overlay becomes plain values; one it does not hold stays a reference (`envFrom.configMaps`).
 * A Secret's key becomes a secret config key (its value is never read); a Secret the overlay
 * does not hold stays a reference too when read whole.
 */
function mapEnvironment(ov: Overlay, o: K8sObject, at: Segment[], service: Layer, name: string): void {
    const t = ov.tracker(o);
    const env: Record<string, string> = {};
    const secrets: Record<string, { fromConfig: string }> = {};
    const secretOf = (secretName: string, key: string) => {
        const k = configKey(ov.base(secretName), key);
        ov.secretKeys.set(k, { configKey: k, secret: secretName, key });
        return { fromConfig: k };
    };
    const from = t.peek<EnvFromShape[]>(...at, "envFrom") ?? [];
    from.forEach((f, i) => {
        const here = [...at, "envFrom", i];
        const prefix = f.prefix ?? "";
        if (prefix !== "") t.mark([...here, "prefix"]);
        if (typeof f.configMapRef?.name === "string") {
            const cm = ov.find("ConfigMap", f.configMapRef.name);
            t.mark([...here, "configMapRef"]);
            if (cm) {
                ov.used.add(cm);
                for (const [k, v] of Object.entries(ov.tracker(cm).take<Record<string, string>>("data") ?? {})) env[prefix + k] = v;
            } else {
                put(service, ["envFrom", "configMaps"], [...((service.envFrom as Layer | undefined)?.configMaps as string[] | undefined ?? []), f.configMapRef.name]);
            }
        } else if (typeof f.secretRef?.name === "string") {
            const secret = ov.find("Secret", f.secretRef.name);
            t.mark([...here, "secretRef"]);
            if (secret) {
                ov.used.add(secret);
                for (const k of Object.keys(ov.tracker(secret).take<Record<string, string>>("data") ?? {})) secrets[prefix + k] = secretOf(secret.metadata.name, k);
            } else {
                put(service, ["envFrom", "secrets"], [...((service.envFrom as Layer | undefined)?.secrets as string[] | undefined ?? []), f.secretRef.name]);
            }
        }
    });
    const vars = t.peek<EnvVarShape[]>(...at, "env") ?? [];
    vars.forEach((v, i) => {
        const here = [...at, "env", i];
        if (typeof v.value === "string" || (v.value === undefined && v.valueFrom === undefined)) {
            t.mark(here);
            env[v.name] = v.value ?? "";
            delete secrets[v.name];
        } else if (isRecord(v.valueFrom?.configMapKeyRef)) {
            const ref = v.valueFrom.configMapKeyRef;
            const cm = ov.find("ConfigMap", ref.name);
            const value = cm ? (cm.data as Record<string, string> | undefined)?.[ref.key] : undefined;
            if (cm && value !== undefined) {
                ov.used.add(cm);
                ov.tracker(cm).mark(["data", ref.key]);
                t.mark(here);
                env[v.name] = value;
                delete secrets[v.name];
            } else {
                ov.note(o, here, `${v.name} reads key '${ref.key}' of ConfigMap ${ref.name}, which the overlay does not hold; read the whole ConfigMap with envFrom.configMaps, or set the value in env`);
            }
        } else if (isRecord(v.valueFrom?.secretKeyRef)) {
            const ref = v.valueFrom.secretKeyRef;
            const secret = ov.find("Secret", ref.name);
            if (secret) {
                ov.used.add(secret);
                ov.tracker(secret).mark(["data", ref.key]);
            }
            t.mark(here);
            secrets[v.name] = secretOf(ref.name, ref.key);
            delete env[v.name];
        }
    });
    for (const [k, v] of Object.entries(env)) {
        if (Object.hasOwn(ENVIRONMENT_VARIABLES, k)) {
            ov.environmentValue(k, v, name);
            delete env[k];
        } else if ((k === "PORT" && v === String(service.port)) || (k === "SERVICE_NAME" && v === name)) {
            delete env[k];
        } else if (k === "PORT" || k === "SERVICE_NAME") {
            ov.note(o, [...at, "env"], `${k}=${v}: the platform sets ${k} itself (${k === "PORT" ? "the service's port" : "the service's name"}); not imported`);
            delete env[k];
        } else if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) {
            ov.note(o, [...at, "env"], `'${k}' is not an environment variable name the platform accepts; not imported`);
            delete env[k];
        }
    }
    if (Object.keys(env).length > 0) service.env = env;
    if (Object.keys(secrets).length > 0) service.secrets = secrets;
}

/** A container's mounts of the service's volumes, for init containers and sidecars: `{volume: path}`. */
export function mounts(t: Tracker, at: Segment[], volumes: ReadonlySet<string>): Record<string, string> | undefined {
    const out: Record<string, string> = {};
    (t.peek<VolumeMountShape[]>(...at, "volumeMounts") ?? []).forEach((m, i) => {
        if (volumes.has(m.name) && DNS_LABEL.test(m.name)) {
            out[m.name] = m.mountPath;
            t.mark([...at, "volumeMounts", i, "name"]);
            t.mark([...at, "volumeMounts", i, "mountPath"]);
        }
    });
    return Object.keys(out).length > 0 ? out : undefined;
}
