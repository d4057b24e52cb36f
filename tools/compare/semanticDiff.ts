/**
 * What differs between two versions of one object, field by field: map keys in any order,
 * lists of named things (containers, env, ports, volumes, volumeMounts, any list whose elements
 * each have a distinct `name`; envFrom by the ConfigMap or Secret it names) matched element by
 * element in any order, other lists compared whole, as values. Quantities compare by amount,
 * Secret values by digest (secrets.ts). A field present on one side only is reported leaf by
 * leaf, each remembering the topmost absent field (`root`), so the report can fold them.
 */
import { byCodePoint } from "../../config/order";
import { Path, Segment } from "./path";
import { isQuantityPlace, sameQuantity } from "./quantity";
import { Redacted, sameSecret } from "./secrets";
import { isMap } from "./walk";

export interface FieldChange {
    readonly op: "added" | "removed" | "changed";
    readonly path: Path;
    /** The overlay's value (removed, changed). */
    readonly before?: unknown;
    /** The stack's value (added, changed). */
    readonly after?: unknown;
    /** For a field one side lacks: the topmost field it lacks (the path itself, or a parent). */
    readonly root: Path;
    /** The value at `root`, on the side that has it. */
    readonly whole?: unknown;
}

const isPlainMap = (v: unknown): v is Record<string, unknown> => isMap(v) && !(v instanceof Redacted);

/** How an element of a list is known: its `name`, or the ConfigMap or Secret an envFrom entry names. */
function elementKey(e: unknown): { field: string; id: string } | undefined {
    if (!isPlainMap(e)) return undefined;
    if (typeof e.name === "string") return { field: "name", id: e.name };
    for (const field of ["configMapRef", "secretRef"]) {
        const ref = e[field];
        if (isPlainMap(ref) && typeof ref.name === "string") return { field, id: ref.name };
    }
    return undefined;
}

/** The list's elements by key, when every element has one and no two share it. */
function keyed(list: readonly unknown[]): Map<string, { segment: Segment; value: unknown }> | undefined {
    const out = new Map<string, { segment: Segment; value: unknown }>();
    for (const e of list) {
        const k = elementKey(e);
        if (!k || out.has(`${k.field}=${k.id}`)) return undefined;
        out.set(`${k.field}=${k.id}`, { segment: k, value: e });
    }
    return out;
}

function lastKey(path: Path): string | undefined {
    const s = path[path.length - 1];
    return s && "key" in s ? s.key : undefined;
}

/** Whether two values are the same, as the diff sees it (quantities by amount, secrets by digest). */
export function same(a: unknown, b: unknown, path: Path = []): boolean {
    if (a instanceof Redacted || b instanceof Redacted) return a instanceof Redacted && b instanceof Redacted && sameSecret(a, b);
    if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i], path));
    if (isPlainMap(a) && isPlainMap(b)) {
        const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
        return [...keys].every((k) => same(a[k], b[k], [...path, { key: k }]));
    }
    if (a === b) return true;
    const key = lastKey(path);
    const parent = path.length > 1 ? lastKey(path.slice(0, -1)) : undefined;
    return key !== undefined && isQuantityPlace(parent, key) && sameQuantity(a, b);
}

/** Every field that differs from `before` (the overlay's object) to `after` (the stack's). */
export function semanticDiff(before: unknown, after: unknown, path: Path = []): FieldChange[] {
    if (before === undefined && after === undefined) return [];
    if (before === undefined) return leaves(after, path, path, "added", after);
    if (after === undefined) return leaves(before, path, path, "removed", before);
    if (isPlainMap(before) && isPlainMap(after)) {
        const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort(byCodePoint);
        return keys.flatMap((k) => semanticDiff(before[k], after[k], [...path, { key: k }]));
    }
    if (Array.isArray(before) && Array.isArray(after)) {
        const [b, a] = [keyed(before), keyed(after)];
        if (b && a) {
            const ids = [...new Set([...a.keys(), ...b.keys()])];
            return ids.flatMap((id) => {
                const segment = (a.get(id) ?? b.get(id))!.segment;
                return semanticDiff(b.get(id)?.value, a.get(id)?.value, [...path, segment]);
            });
        }
    }
    return same(before, after, path) ? [] : [{ op: "changed", path, before, after, root: path }];
}

/** A value one side lacks, leaf by leaf: into maps and named lists, not into other lists. */
function leaves(v: unknown, path: Path, root: Path, op: "added" | "removed", whole: unknown): FieldChange[] {
    const change = (x: unknown, p: Path): FieldChange => (op === "added" ? { op, path: p, after: x, root, whole } : { op, path: p, before: x, root, whole });
    if (isPlainMap(v)) {
        const keys = Object.keys(v).sort(byCodePoint);
        return keys.length === 0 ? [change(v, path)] : keys.flatMap((k) => leaves(v[k], [...path, { key: k }], root, op, whole));
    }
    const named = Array.isArray(v) && v.length > 0 ? keyed(v) : undefined;
    if (named) return [...named.values()].flatMap((e) => leaves(e.value, [...path, e.segment], root, op, whole));
    return [change(v, path)];
}
