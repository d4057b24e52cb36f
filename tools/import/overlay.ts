import { isRecord, K8sObject, objectId, Segment, showPath, valueAt } from "./manifests";
import { Layer, Overlay } from "./context";
import { mapAccess } from "./access";
import { mapIngresses, mapServices } from "./exposure";
import { detectAffixes, DNS_LABEL } from "./names";
import { mapAutoscalers, mapBudgets } from "./scaling";
import { ImportedService, mapWorkload, WORKLOAD_KINDS } from "./workloads";

/** One overlay in this program's terms: its services, its environment, and what did not map. */
export interface ImportedOverlay {
    readonly stack: string;
    readonly services: Readonly<Record<string, Layer>>;
    readonly environment: Layer;
    readonly overlay: Overlay;
    /** Services whose pods set no cpu or memory amount: they need a tier. */
    readonly withoutResources: readonly string[];
}

const LOG_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"];

/** Kinds the mapping reads as part of a service; any other kind is reported as not imported. */
const READ_KINDS = new Set([...WORKLOAD_KINDS, "Service", "Ingress", "HorizontalPodAutoscaler", "PodDisruptionBudget", "ConfigMap", "Secret", "ServiceAccount", "Role", "RoleBinding", "Namespace"]);

export function importOverlay(stack: string, objects: readonly K8sObject[]): ImportedOverlay {
    const ov = new Overlay(stack, objects, detectAffixes(objects));
    const services: ImportedService[] = [];
    for (const o of ov.ofKind(...WORKLOAD_KINDS)) {
        const s = mapWorkload(ov, o);
        if (!DNS_LABEL.test(s.name) || services.some((x) => x.name === s.name)) {
            ov.note(o, undefined, `'${s.name}' is ${DNS_LABEL.test(s.name) ? "the name of another workload too" : "not a DNS-1123 label"}: not imported`);
            continue;
        }
        services.push(s);
    }
    const byServiceObject = mapServices(ov, services);
    const exposure = mapIngresses(ov, byServiceObject);
    mapAutoscalers(ov, services);
    mapBudgets(ov, services);
    mapAccess(ov, services);
    inferCallers(ov, services);

    const environment: Layer = { namespace: namespaceOf(ov, stack) };
    environment.domain = exposure.domain ?? `${stack}.example.invalid`;
    if (!exposure.domain) ov.note("overlay", undefined, `no Ingress host: environment.domain is a placeholder (${stack}.example.invalid); set the real one`);
    environment.cluster = { context: stack };
    const namespaceObject = ov.ofKind("Namespace")[0];
    if (namespaceObject) ov.used.add(namespaceObject);
    else environment.sharedNamespace = true;
    environment.adopt = true;
    environmentFromVariables(ov, environment);
    if (exposure.className || exposure.clusterIssuer) {
        environment.ingress = { ...(exposure.className ? { className: exposure.className } : {}), ...(exposure.clusterIssuer ? { clusterIssuer: exposure.clusterIssuer } : {}) };
    }

    const withoutResources: string[] = [];
    for (const s of services) {
        const r = s.settings.resources as { requests?: Layer; limits?: Layer } | undefined;
        if (!["requests", "limits"].every((k) => ["cpu", "memory"].every((a) => r?.[k as "requests"]?.[a] !== undefined))) withoutResources.push(s.name);
        const probes = (s.settings.probes as Layer | undefined) ?? {};
        if (["web", "stateful"].includes(s.settings.kind as string) && (probes.liveness === undefined || probes.readiness === undefined)) {
            ov.note(s.workload, undefined, "no liveness or readiness probe: the platform requires both for web and stateful services; add them (probes.liveness, probes.readiness)");
        }
    }
    reportLeftovers(ov);
    return { stack, services: Object.fromEntries(services.map((s) => [s.name, s.settings])), environment, overlay: ov, withoutResources };
}

/** The namespace the overlay's objects are in (Kustomize's `namespace:`), or one made up from the stack's name. */
function namespaceOf(ov: Overlay, stack: string): string {
    const found = new Set(ov.objects.map((o) => o.metadata.namespace).filter((n): n is string => n !== undefined));
    const ns = ov.ofKind("Namespace")[0]?.metadata.name ?? [...found][0];
    if (found.size > 1) ov.note("overlay", undefined, `objects in several namespaces (${[...found].join(", ")}): imported into ${ns}`);
    if (ns === undefined) {
        ov.note("overlay", undefined, `no namespace in the overlay: environment.namespace is ${stack}; set the real one`);
        return stack;
    }
    return ns;
}

/** ENVIRONMENT, LOG_LEVEL and OTEL_EXPORTER_OTLP_ENDPOINT, which the platform sets for the whole environment. */
function environmentFromVariables(ov: Overlay, environment: Layer): void {
    const settings: Record<string, string> = { ENVIRONMENT: "name", LOG_LEVEL: "logLevel", OTEL_EXPORTER_OTLP_ENDPOINT: "telemetryEndpoint" };
    for (const [variable, values] of ov.environmentValues) {
        const ranked = [...values.entries()].sort((a, b) => b[1].length - a[1].length);
        let [value] = ranked[0];
        if (ranked.length > 1) {
            ov.note("overlay", undefined, `${variable} differs between services (${ranked.map(([v, s]) => `${v}: ${s.join(", ")}`).join("; ")}): the platform sets one value per environment, imported as ${value}`);
        }
        if (variable === "LOG_LEVEL") {
            const upper = value.toUpperCase() === "WARN" ? "WARNING" : value.toUpperCase();
            if (!LOG_LEVELS.includes(upper)) {
                ov.note("overlay", undefined, `LOG_LEVEL=${value} is not one of ${LOG_LEVELS.join(", ")}: not imported`);
                continue;
            }
            if (upper !== value) ov.note("overlay", undefined, `LOG_LEVEL=${value} becomes ${upper} (the platform's spelling)`);
            value = upper;
        }
        if (variable === "ENVIRONMENT" && value === ov.stack) continue;
        if (variable === "ENVIRONMENT" && !DNS_LABEL.test(value)) {
            ov.note("overlay", undefined, `ENVIRONMENT=${value} is not a DNS-1123 label: not imported`);
            continue;
        }
        environment[settings[variable]] = value;
    }
}

/** A service whose variables hold another's URL calls it: the callee's `allowFrom` names the caller. */
function inferCallers(ov: Overlay, services: readonly ImportedService[]): void {
    for (const callee of services) {
        if (callee.settings.servicePort === undefined) continue;
        const names = [callee.name, callee.workload.metadata.name].map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
        const url = new RegExp(`(^|//|@)(${names.join("|")})(\\.[a-z0-9.-]*)?(:\\d+)?(/|$)`);
        const callers = services.filter((c) => c !== callee && Object.values((c.settings.env as Record<string, string> | undefined) ?? {}).some((v) => url.test(v) || v === callee.name));
        if (callers.length === 0) continue;
        callee.settings.allowFrom = callers.map((c) => c.name).sort();
        ov.note(callee.workload, undefined, `allowFrom ${callers.map((c) => c.name).join(", ")}: inferred from their variables naming it; the platform denies every other caller, so check the list`);
    }
}

/** A leftover map of labels or annotations, one path per entry (the report groups them by value). */
function eachLabel(o: K8sObject, at: Segment[]): Segment[][] {
    const value = valueAt(o, at);
    const last = at[at.length - 1];
    return (last === "labels" || last === "annotations") && isRecord(value) ? Object.keys(value).map((k) => [...at, k]) : [at];
}

/** Every field of a mapped object nothing used, and every object nothing used. */
function reportLeftovers(ov: Overlay): void {
    const noted = new Set(ov.findings.filter((f) => f.path === undefined).map((f) => f.object));
    for (const o of ov.objects) {
        if (o.kind === "Secret" && (o.type === undefined || o.type === "Opaque")) ov.tracker(o).mark(["type"]);
        if (!ov.used.has(o)) {
            if (noted.has(objectId(o))) continue;
            const why = READ_KINDS.has(o.kind) ? "not used by any imported service" : `kind ${o.kind} is not something the platform makes`;
            ov.note(o, undefined, `${why}: not imported`);
            continue;
        }
        for (const at of ov.tracker(o).leftovers().flatMap((at) => eachLabel(o, at))) {
            const value = valueAt(o, at);
            const isLabel = at.length >= 2 && (at[at.length - 2] === "labels" || at[at.length - 2] === "annotations");
            const shown = isLabel && typeof value === "string" ? `=${value}` : "";
            ov.findings.push({ object: objectId(o), path: showPath(at) + shown, note: "not imported" });
        }
    }
}
