/**
 * Which object of the overlay is which object of the stack: the same kind, namespace and name.
 * A ConfigMap or Secret whose name carries a generated suffix is matched by the name without
 * it: Kustomize's generators add `-<10 characters>` (a hash, in its own alphabet), and this
 * program's auto-named objects get `-<8 hex digits>` from Pulumi (tools/harness/evaluate.ts).
 */
import { Manifest } from "../harness/manifests";

/** Kinds that live outside any namespace. */
export const CLUSTER_SCOPED = new Set([
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "PersistentVolume",
    "StorageClass",
    "CustomResourceDefinition",
    "PriorityClass",
    "IngressClass",
    "GatewayClass",
    "RuntimeClass",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "APIService",
]);

const KUSTOMIZE_SUFFIX = /^(.+)-[2456789bcdfghkmt]{10}$/;
const PULUMI_SUFFIX = /^(.+)-[0-9a-f]{8}$/;

/** What a generated name is written as once its suffix is set aside. */
export const HASH = "<hash>";

/** The name without its generated suffix, for a ConfigMap or Secret whose name has one. */
export function generatedBase(m: Pick<Manifest, "kind" | "metadata">): string | undefined {
    if (m.kind !== "ConfigMap" && m.kind !== "Secret") return undefined;
    const name = m.metadata.name;
    return (KUSTOMIZE_SUFFIX.exec(name) ?? PULUMI_SUFFIX.exec(name))?.[1];
}

export function namespaceOf(m: Manifest): string | undefined {
    return typeof m.metadata.namespace === "string" ? m.metadata.namespace : undefined;
}

const keyOf = (m: Manifest, name: string) => `${m.kind}/${namespaceOf(m) ?? ""}/${name}`;

export interface Matching {
    readonly pairs: readonly { readonly overlay: Manifest; readonly stack: Manifest }[];
    readonly overlayOnly: readonly Manifest[];
    readonly stackOnly: readonly Manifest[];
}

/** Pairs objects by kind, namespace and name; then the rest by generated base name, where exactly one on each side has it. */
export function matchObjects(overlay: readonly Manifest[], stack: readonly Manifest[]): Matching {
    const byName = new Map(stack.map((m) => [keyOf(m, m.metadata.name), m]));
    const pairs: { overlay: Manifest; stack: Manifest }[] = [];
    const taken = new Set<Manifest>();
    const left: Manifest[] = [];
    for (const o of overlay) {
        const s = byName.get(keyOf(o, o.metadata.name));
        if (s && !taken.has(s)) {
            pairs.push({ overlay: o, stack: s });
            taken.add(s);
        } else left.push(o);
    }
    const byBase = (ms: readonly Manifest[]) => {
        const groups = new Map<string, Manifest[]>();
        for (const m of ms) {
            const base = generatedBase(m);
            if (base !== undefined) groups.set(keyOf(m, base), [...(groups.get(keyOf(m, base)) ?? []), m]);
        }
        return groups;
    };
    const stackLeft = stack.filter((m) => !taken.has(m));
    const [overlayGroups, stackGroups] = [byBase(left), byBase(stackLeft)];
    for (const [key, os] of overlayGroups) {
        const ss = stackGroups.get(key);
        if (os.length === 1 && ss?.length === 1) {
            pairs.push({ overlay: os[0], stack: ss[0] });
            taken.add(ss[0]);
            taken.add(os[0]);
        }
    }
    return { pairs, overlayOnly: left.filter((m) => !taken.has(m)), stackOnly: stackLeft.filter((m) => !taken.has(m)) };
}

/**
 * Every string equal to the name of one of the side's generated objects, written with `<hash>`
 * for its suffix, so that a reference (`envFrom`, a volume) to the generated ConfigMap compares
 * equal on both sides.
 */
export function withGeneratedNames(objects: readonly Manifest[]): Manifest[] {
    const names = new Map<string, string>();
    for (const m of objects) {
        const base = generatedBase(m);
        if (base !== undefined) names.set(m.metadata.name, `${base}-${HASH}`);
    }
    const rename = (v: unknown): unknown => {
        if (typeof v === "string") return names.get(v) ?? v;
        if (Array.isArray(v)) return v.map(rename);
        if (v !== null && typeof v === "object" && v.constructor === Object) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rename(x)]));
        return v;
    };
    return objects.map((m) => rename(m) as Manifest);
}
