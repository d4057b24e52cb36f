/**
 * Paths into a Kubernetes object, as the compare report prints them
 * (`spec.template.spec.containers[name=api].resources.limits.cpu`), and the patterns the
 * tables (defaults.ts, hardening.ts, immutable.ts) are written in: the same notation, where
 * `[*]` is any element of a named list and a `*` at the end of a quoted key is any suffix
 * (`metadata.annotations["pulumi.com/*"]`). A pattern matches a path and everything under it.
 */

/** A map key, or an element of a named list (`[name=api]`) found by its key field. */
export type Segment = { readonly key: string } | { readonly field: string; readonly id: string };

export type Path = readonly Segment[];

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `spec.template.spec.containers[name=api].image`; a key that is not a plain word is quoted: `labels["app.kubernetes.io/name"]`. */
export function formatPath(p: Path): string {
    let text = "";
    for (const s of p) {
        if ("field" in s) text += `[${s.field}=${s.id}]`;
        else if (PLAIN_KEY.test(s.key)) text += text === "" ? s.key : `.${s.key}`;
        else text += `[${JSON.stringify(s.key)}]`;
    }
    return text;
}

/** A pattern's segment: a key (possibly ending in `*`), any element (`[*]`), or one element (`[name=tmp]`). */
type PatternSegment = { readonly key: string; readonly prefix: boolean } | { readonly any: true } | { readonly field: string; readonly id: string };

export type Pattern = readonly PatternSegment[];

/** Parses the notation `formatPath` prints, plus `[*]` and a trailing `*` in a quoted key. */
export function parsePattern(text: string): Pattern {
    const segments: PatternSegment[] = [];
    const re = /\[\*\]|\[("(?:[^"\\]|\\.)*")\]|\[([^=\]]+)=([^\]]*)\]|\.?([^.[\]]+)/gy;
    let m: RegExpExecArray | null;
    let at = 0;
    while (at < text.length && (m = re.exec(text)) !== null) {
        at = re.lastIndex;
        if (m[0] === "[*]") segments.push({ any: true });
        else if (m[1] !== undefined) {
            const key = JSON.parse(m[1]) as string;
            segments.push(key.endsWith("*") ? { key: key.slice(0, -1), prefix: true } : { key, prefix: false });
        } else if (m[2] !== undefined) segments.push({ field: m[2], id: m[3] });
        else segments.push({ key: m[4], prefix: false });
    }
    if (at !== text.length) throw new Error(`not a path pattern: ${text}`);
    return segments;
}

function segmentMatches(p: PatternSegment, s: Segment): boolean {
    if ("any" in p) return "field" in s;
    if ("field" in p) return "field" in s && s.field === p.field && s.id === p.id;
    if ("field" in s) return false;
    return p.prefix ? s.key.startsWith(p.key) : s.key === p.key;
}

/** Whether `path` is the pattern's place or under it. */
export function matches(pattern: Pattern, path: Path): boolean {
    return pattern.length <= path.length && pattern.every((p, i) => segmentMatches(p, path[i]));
}

/** The pattern as text, for the documentation tables. */
export function patternText(pattern: Pattern): string {
    return formatPath(pattern.map((p): Segment => ("any" in p ? { field: "*", id: "" } : "field" in p ? p : { key: p.prefix ? `${p.key}*` : p.key }))).replace(
        /\[\*=\]/g,
        "[*]",
    );
}
