/**
 * Orders strings by Unicode code point, the same on every machine. `localeCompare` follows the
 * process's locale (with LANG=et_EE, "ZONE" sorts before "TZ"), so anything that sorts names
 * for output, resource names or digests uses this instead.
 */
export function byCodePoint(a: string, b: string): number {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
        const x = a.codePointAt(i)!;
        const y = b.codePointAt(i)!;
        if (x !== y) return x - y;
        if (x > 0xffff) i++; // both strings hold the same surrogate pair here
    }
    return a.length - b.length;
}

/** The same entries, keys in code-point order: maps written to objects, digests and output read the same everywhere. */
export function byKey<T>(o: Readonly<Record<string, T>>): Record<string, T> {
    return Object.fromEntries(Object.entries(o).sort(([a], [b]) => byCodePoint(a, b)));
}
