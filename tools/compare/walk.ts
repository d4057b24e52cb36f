import { Pattern } from "./path";

type Node = Record<string, unknown>;

const isMap = (v: unknown): v is Node => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Calls `visit(parent, key)` for every place in `root` a pattern names: each element for `[*]`,
 * each key with the prefix for `"prefix*"`. The pattern's last segment must be a key.
 */
export function visitPattern(root: unknown, pattern: Pattern, visit: (parent: Node, key: string) => void): void {
    const [head, ...rest] = pattern;
    if (head === undefined) return;
    if ("any" in head || "field" in head) {
        if (!Array.isArray(root)) return;
        for (const element of root) {
            if ("field" in head && (!isMap(element) || element[head.field] !== head.id)) continue;
            visitPattern(element, rest, visit);
        }
        return;
    }
    if (!isMap(root)) return;
    const keys = head.prefix ? Object.keys(root).filter((k) => k.startsWith(head.key)) : Object.hasOwn(root, head.key) ? [head.key] : [];
    for (const key of keys) {
        if (rest.length === 0) visit(root, key);
        else visitPattern(root[key], rest, visit);
    }
}

/** A deep copy without empty maps, empty lists and nulls, which Kubernetes treats as absent. */
export function pruneEmpty(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(pruneEmpty);
    if (!isMap(v) || v.constructor !== Object) return v;
    const out: Node = {};
    for (const [k, x] of Object.entries(v)) {
        const y = pruneEmpty(x);
        if (y === null || y === undefined || (Array.isArray(y) && y.length === 0) || (isMap(y) && y.constructor === Object && Object.keys(y).length === 0)) continue;
        out[k] = y;
    }
    return out;
}

/** A copy of plain maps and lists; anything else (a redacted secret value) is shared, not cloned. */
export function deepCopy<T>(v: T): T {
    if (Array.isArray(v)) return v.map(deepCopy) as T;
    if (isMap(v) && v.constructor === Object) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deepCopy(x)])) as T;
    return v;
}

export { isMap };
