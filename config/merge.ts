import { isRecord } from "./suggest";
import type { Segments } from "./check";

/** One layer of settings as written (its problems removed), and the key path it is written at. */
export interface Layer {
    readonly value: unknown;
    readonly path: string;
    /** Where this layer had problems (already reported), relative to the layer. */
    readonly invalid: readonly Segments[];
}

/**
 * Where each merged value was written: a leaf's full key path, and for an object `$` (the path of
 * the layer that first wrote it) and its keys. Typed after the settings, so reads are checked.
 */
export type Origins<T> = { readonly $: string } & {
    readonly [K in keyof T]?: NonNullable<T[K]> extends readonly unknown[] ? string : NonNullable<T[K]> extends object ? Origins<NonNullable<T[K]>> : string;
};

/** The merged value, where each part came from, and which fields were left invalid by the last layer that wrote them. */
export interface Merged {
    readonly value: Record<string, unknown>;
    readonly origins: Origins<Record<string, unknown>>;
    /** Fields whose winning value had a problem (already reported), as key paths relative to the settings. */
    readonly invalid: ReadonlySet<string>;
}

/** How the settings' shape bends the leaf-by-leaf merge. */
export interface MergeRules {
    /** Values replaced whole by a later layer (a secret's source), besides lists and scalars. */
    readonly atomic: (at: Segments) => boolean;
    /** Keys of the object at `at` of which one is used (a probe's http, tcp, exec): writing one drops the others. */
    readonly exclusive?: (at: Segments) => readonly string[] | undefined;
    /** The object a short form at `at` stands for (`liveness: /healthz` is `{http: /healthz}`). */
    readonly expand?: (at: Segments, value: unknown) => Record<string, unknown> | undefined;
}

/**
 * Merges layers general to specific: a later layer replaces only the leaves it writes. Lists
 * and the values `atomic` names are leaves (replaced whole); other objects merge key by key.
 */
export function mergeLayers(layers: readonly Layer[], rules: MergeRules | ((at: Segments) => boolean)): Merged {
    const r: MergeRules = typeof rules === "function" ? { atomic: rules } : rules;
    const value = Object.create(null) as Record<string, unknown>;
    const origins: Record<string, unknown> = { $: layers[0]?.path ?? "" };
    const invalid = new Set<string>();
    for (const layer of layers) {
        // A problem in an earlier layer is overridden by a valid value here, and the other way round.
        const written = new Set<string>();
        walk(layer.value, [], (at) => written.add(join(at)), r.atomic);
        for (const w of written) invalid.delete(w);
        for (const at of layer.invalid) invalid.add(join(at));
        merge(value, origins, layer.value, layer.path, [], r);
    }
    return { value, origins: origins as Merged["origins"], invalid };
}

function merge(into: Record<string, unknown>, origins: Record<string, unknown>, from: unknown, path: string, at: Segments, rules: MergeRules, expandedAt?: string): void {
    if (!isRecord(from)) return;
    const group = rules.exclusive?.(at);
    for (const [k, v] of Object.entries(from)) {
        const here = [...at, k];
        const childPath = expandedAt ?? `${path}.${k}`;
        if (group?.includes(k)) {
            // Earlier layers' choice is replaced; several written in one layer stay, to be reported.
            for (const other of group.filter((g) => g !== k && !Object.hasOwn(from, g))) {
                delete into[other];
                delete origins[other];
            }
        }
        const expanded = isRecord(v) ? undefined : rules.expand?.(here, v);
        if ((isRecord(v) && !rules.atomic(here)) || expanded) {
            if (!isRecord(into[k])) {
                into[k] = Object.create(null);
                origins[k] = { $: childPath };
            }
            // The leaves of a short form were all written where the short form is.
            merge(into[k] as Record<string, unknown>, origins[k] as Record<string, unknown>, expanded ?? v, childPath, here, rules, expanded ? childPath : undefined);
        } else {
            into[k] = v;
            origins[k] = expandedAt ?? childPath;
        }
    }
}

function walk(value: unknown, at: Segments, leaf: (at: Segments) => void, atomic: (at: Segments) => boolean): void {
    if (isRecord(value) && (at.length === 0 || !atomic(at))) {
        for (const [k, v] of Object.entries(value)) walk(v, [...at, k], leaf, atomic);
    } else {
        leaf(at);
    }
}

/** Whether a merged object has any key written (`image: {}` writes nothing). */
export function written(origins: { readonly $: string } | undefined): boolean {
    return origins !== undefined && Object.keys(origins).some((k) => k !== "$");
}

/** An internal name for a field (`autoscaling.minReplicas`), for remembering which are invalid. */
function join(at: Segments): string {
    return at.map(String).join(".");
}
