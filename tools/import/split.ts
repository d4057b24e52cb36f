import { isDeepStrictEqual } from "util";
import { isRecord } from "./manifests";
import { Layer } from "./context";
import type { ImportedOverlay } from "./overlay";

/**
 * What the overlays share goes into the catalog, what differs into each stack: a setting is
 * shared when every stack that has the service sets it to the same value. Objects are compared
 * key by key, as the layers merge (config/merge.ts); lists and each secret are compared whole.
 * A stack without a service gets `enabled: false`. A setting every service of a stack (or of
 * the catalog) has, with one value, moves into `serviceDefaults` (or `defaults`).
 */
export interface ProjectSplit {
    readonly catalog: Layer;
    readonly stacks: Readonly<Record<string, Layer>>;
}

/** Settings that name one service's own objects: never moved into defaults. */
const OWN = new Set(["objectName", "selector", "image", "kind", "allowFrom", "ingress", "port", "servicePort", "command", "args"]);

/** Where a tier is needed (a service without resources), the one the import defines. */
export const IMPORTED_TIER = "imported";

export function splitProject(system: string, overlays: readonly ImportedOverlay[]): ProjectSplit {
    const names = [...new Set(overlays.flatMap((o) => Object.keys(o.services)))].sort();
    const services: Record<string, Layer> = {};
    const overrides: Record<string, Record<string, Layer>> = Object.fromEntries(overlays.map((o) => [o.stack, {}]));
    for (const name of names) {
        const having = overlays.filter((o) => o.services[name] !== undefined);
        const [shared, own] = common(having.map((o) => o.services[name]), []);
        services[name] = (shared as Layer | undefined) ?? {};
        having.forEach((o, i) => {
            if (own[i] !== undefined && Object.keys(own[i] as Layer).length > 0) overrides[o.stack][name] = own[i] as Layer;
        });
        for (const o of overlays) if (o.services[name] === undefined) overrides[o.stack][name] = { enabled: false };
    }
    const catalog: Layer = { system };
    if (overlays.some((o) => o.withoutResources.length > 0)) {
        // Kubernetes ran these pods with no amounts; the platform needs some. Small ones, to review.
        catalog.tiers = { [IMPORTED_TIER]: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } } };
    }
    const defaults = hoist(Object.values(services));
    if (Object.keys(defaults).length > 0) catalog.defaults = defaults;
    catalog.services = services;
    const stacks: Record<string, Layer> = {};
    for (const o of overlays) {
        const env: Layer = { ...o.environment };
        const own = overrides[o.stack];
        for (const name of o.withoutResources) own[name] = { ...(own[name] ?? {}), tier: IMPORTED_TIER };
        // serviceDefaults reach every service of the stack: only what every one of them has moves there.
        const present = names.map((n) => own[n]).filter((s) => s !== undefined && s.enabled !== false);
        const serviceDefaults = present.length === names.length ? hoist(present) : {};
        if (Object.keys(serviceDefaults).length > 0) env.serviceDefaults = serviceDefaults;
        const kept = Object.fromEntries(Object.entries(own).filter(([, s]) => Object.keys(s).length > 0));
        if (Object.keys(kept).length > 0) env.services = kept;
        stacks[o.stack] = env;
    }
    return { catalog, stacks };
}

/**
 * The part of `values` they all share, and what each has besides. A value missing from one
 * of them is not shared. Objects merge key by key, except under `secrets.<name>` (atomic).
 */
function common(values: readonly unknown[], at: readonly string[]): [unknown, unknown[]] {
    const atomic = at.length === 2 && at[0] === "secrets";
    if (values.every((v) => isRecord(v)) && !atomic) {
        const shared: Layer = {};
        const own: Layer[] = values.map(() => ({}));
        const keys = [...new Set(values.flatMap((v) => Object.keys(v as Layer)))];
        for (const k of keys) {
            const here = values.map((v) => (v as Layer)[k]);
            if (here.some((v) => v === undefined)) {
                here.forEach((v, i) => v !== undefined && (own[i][k] = v));
                continue;
            }
            const [s, o] = common(here, [...at, k]);
            if (s !== undefined && !(isRecord(s) && Object.keys(s).length === 0 && here.some((v) => isRecord(v) && Object.keys(v).length > 0))) shared[k] = s;
            o.forEach((v, i) => v !== undefined && !(isRecord(v) && Object.keys(v).length === 0) && (own[i][k] = v));
        }
        return [shared, own];
    }
    return values.every((v) => isDeepStrictEqual(v, values[0])) ? [values[0], values.map(() => undefined)] : [undefined, [...values]];
}

/** Top-level settings every layer has with one value (not those naming a service's own objects): removed from each, returned. */
function hoist(layers: Layer[]): Layer {
    if (layers.length < 2) return {};
    const out: Layer = {};
    for (const k of Object.keys(layers[0])) {
        if (OWN.has(k)) continue;
        if (layers.every((l) => isDeepStrictEqual(l[k], layers[0][k]))) {
            out[k] = layers[0][k];
            for (const l of layers) delete l[k];
        }
    }
    return out;
}
