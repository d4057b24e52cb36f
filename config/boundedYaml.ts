import YAML, { Document, isAlias, isMap, isScalar, isSeq, LineCounter, Node, Pair } from "yaml";

/**
 * Limits on one YAML document, checked on the parsed tree before any value is built, so that
 * neither a bomb nor a cycle reaches a reader (docs/limits.md):
 *
 * - aliases (`*name`) and anchors (`&name`): each alias is looked up among the anchors before it,
 *   and a catalog needs a handful (one shared block per kind of service), not thousands;
 * - size with every alias expanded, measured as JSON (what Pulumi config and the validation
 *   see): aliases share one value in memory, but every reader that walks or prints the value
 *   (JSON.stringify, the validation, an error message) expands it; eight times the file limit,
 *   so a document without aliases never reaches it;
 * - nesting: a catalog nests about eight levels and a Kubernetes object fewer than thirty; every
 *   reader recurses, and aliases can nest without bound.
 */
export const YAML_LIMITS = {
    aliases: 1000,
    anchors: 1000,
    expandedBytes: 16 * 1024 * 1024,
    depth: 100,
} as const;

/** A key path inside a document: keys and list positions. */
export type Segment = string | number;

/** What is wrong with a YAML document, and where: the key path (empty for the whole document). */
export class YamlProblem extends Error {
    constructor(
        readonly path: readonly Segment[],
        readonly detail: string,
    ) {
        super(path.length > 0 ? `${showKeyPath(path)}: ${detail}` : detail);
    }
}

/** A word of the file (a tag, an anchor's name) as a message quotes it: at most 64 characters. */
function clipWords(text: string): string {
    return text.replace(/\S{65,}/g, (word) => `${word.slice(0, 61)}...`);
}

/** Characters that would break a message's line or reorder what a terminal shows. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/**
 * `services.execution.env[0]`; a very deep path or a very long key is shortened, and a key
 * holding a line break, a tab or a bidirectional control is quoted with it escaped.
 */
export function showKeyPath(path: readonly Segment[]): string {
    const key = (s: string) => {
        const short = s.length > 64 ? `${s.slice(0, 61)}...` : s;
        return UNPRINTABLE.test(short) ? `"${short.replace(new RegExp(UNPRINTABLE, "g"), (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}"` : short;
    };
    const shown = path
        .slice(0, path.length > 12 ? 10 : path.length)
        .map((s, i) => (typeof s === "number" ? `[${s}]` : `${i === 0 ? "" : "."}${key(s)}`))
        .join("");
    return path.length > 12 ? `${shown}...` : shown;
}

/**
 * One YAML document as a plain value, read the way Pulumi reads Pulumi.yaml: the YAML 1.2 core
 * schema (no `<<` merge keys), a key at most once, a tag the schema does not know refused (a
 * warning in the package, which would read the value as text), within YAML_LIMITS. Throws a
 * `YamlProblem` whose message is one line and quotes no line of the text.
 */
export function parseYaml(text: string): unknown {
    const lineCounter = new LineCounter();
    return checkedValue(YAML.parseDocument(text, { ...PARSE_OPTIONS, lineCounter }), lineCounter);
}

/** Every document of a multi-document stream (`---`), each within the limits; a problem says which document (from 1). */
export function parseYamlDocuments(text: string): unknown[] {
    const lineCounter = new LineCounter();
    return YAML.parseAllDocuments(text, { ...PARSE_OPTIONS, lineCounter }).map((doc, i, all) => {
        try {
            return checkedValue(doc, lineCounter);
        } catch (e) {
            if (e instanceof YamlProblem && all.length > 1) throw new YamlProblem(e.path, `${e.detail} (document ${i + 1})`);
            throw e;
        }
    });
}

/** Keys are compared by this module (as the text JavaScript keys them), so the package's own check is off. */
const PARSE_OPTIONS = { schema: "core", uniqueKeys: false, merge: false } as const;

function checkedValue(doc: Document.Parsed, lines: LineCounter): unknown {
    const problem = doc.errors[0] ?? doc.warnings[0];
    if (problem?.code === "MULTIPLE_DOCS") {
        const at = problem.linePos?.[0];
        throw new YamlProblem([], `not valid YAML: more than one document${at ? ` (the second starts at line ${at.line})` : ""}; one is expected`);
    }
    if (problem) {
        // The package's recursion ran out of stack: a nesting far past the limit.
        if (problem.message.startsWith("Maximum call stack size exceeded")) throw new YamlProblem([], `nested more than ${YAML_LIMITS.depth} levels deep; docs/limits.md`);
        throw new YamlProblem([], `not valid YAML: ${clipWords(problem.message.split("\n")[0].replace(/:$/, ""))}`);
    }
    new Walk(lines).node(doc.contents, []);
    return doc.toJS({ maxAliasCount: -1 });
}

/**
 * One pass over the parsed tree in document order, as the package resolves aliases: an alias
 * names the last anchor of that name before it. Each anchored node's expanded size and depth is
 * kept, so an alias costs one lookup, however far it would expand.
 */
class Walk {
    private readonly anchors = new Map<string, Node>();
    private readonly measured = new Map<Node, { bytes: number; depth: number }>();
    private aliasCount = 0;
    private anchorCount = 0;
    private bytes = 0;

    constructor(private readonly lines: LineCounter) {}

    /** Walks a node at `path`; returns the depth of its value, aliases expanded. */
    node(node: unknown, path: readonly Segment[]): number {
        if (path.length > YAML_LIMITS.depth) throw new YamlProblem(path, `nested more than ${YAML_LIMITS.depth} levels deep; docs/limits.md`);
        if (isAlias(node)) return this.alias(node.source, path);
        if (!isScalar(node) && !isMap(node) && !isSeq(node)) {
            this.add(4, path); // an empty value: null
            return 0;
        }
        this.register(node, path);
        const start = this.bytes;
        let depth = 0;
        if (isScalar(node)) {
            this.add(typeof node.value === "string" ? node.value.length + 2 : String(node.value).length, path);
        } else if (isSeq(node)) {
            this.add(1 + Math.max(node.items.length, 1), path);
            node.items.forEach((item, i) => (depth = Math.max(depth, 1 + this.node(item, [...path, i]))));
        } else {
            this.add(1 + Math.max(node.items.length, 1), path);
            const seen = new Set<string>();
            for (const pair of node.items) depth = Math.max(depth, 1 + this.pair(pair, path, seen));
        }
        if (node.anchor) this.measured.set(node, { bytes: this.bytes - start, depth });
        return depth;
    }

    /** An anchor names its node from here on, also inside the node itself (where an alias of it is a cycle). */
    private register(node: Node, path: readonly Segment[]): void {
        if (!node.anchor) return;
        if (++this.anchorCount > YAML_LIMITS.anchors) throw new YamlProblem(path, `more than ${YAML_LIMITS.anchors} anchors (&name) in one document; docs/limits.md`);
        this.anchors.set(node.anchor, node);
    }

    private pair(pair: Pair, path: readonly Segment[], seen: Set<string>): number {
        const key = this.keyOf(pair.key, path);
        const at = [...path, key ?? ""];
        if (key === undefined) throw new YamlProblem(path, `a mapping or list used as a key${this.where(pair.key)}; a key must be text or a number`);
        if (seen.has(key)) throw new YamlProblem(at, `given twice${this.where(pair.key)}; a mapping holds each key once`);
        seen.add(key);
        this.add(key.length + 3, at);
        return this.node(pair.value, at);
    }

    /** A key as JavaScript keys it (`1` and `"1"` are the same key), or undefined for a mapping or list. */
    private keyOf(key: unknown, path: readonly Segment[]): string | undefined {
        if (isAlias(key)) {
            this.countAlias(path);
            const source = this.anchors.get(key.source);
            if (!source) throw new YamlProblem(path, `the alias *${clipWords(key.source)} names no anchor (&${clipWords(key.source)}) before it${this.where(key)}`);
            return isScalar(source) ? String(source.value) : undefined;
        }
        if (key === null || key === undefined) return "";
        if (!isScalar(key)) return undefined;
        this.register(key, path);
        return String(key.value);
    }

    private countAlias(path: readonly Segment[]): void {
        if (++this.aliasCount > YAML_LIMITS.aliases) throw new YamlProblem(path, `more than ${YAML_LIMITS.aliases} aliases (*name) in one document; docs/limits.md`);
    }

    private alias(source: string, path: readonly Segment[]): number {
        this.countAlias(path);
        const name = clipWords(source);
        const anchored = this.anchors.get(source);
        if (!anchored) throw new YamlProblem(path, `the alias *${name} names no anchor (&${name}) before it`);
        const measured = this.measured.get(anchored);
        if (!measured) throw new YamlProblem(path, `the alias *${name} is inside the value it names (&${name}), which would never end`);
        if (path.length + measured.depth > YAML_LIMITS.depth) {
            throw new YamlProblem(path, `nested more than ${YAML_LIMITS.depth} levels deep with the alias *${name} expanded; docs/limits.md`);
        }
        this.add(measured.bytes, path, name);
        return measured.depth;
    }

    private add(bytes: number, path: readonly Segment[], alias?: string): void {
        this.bytes += bytes;
        if (this.bytes > YAML_LIMITS.expandedBytes) {
            const what = alias === undefined ? "with its aliases expanded" : `with the alias *${alias} expanded`;
            throw new YamlProblem(path, `${what}, the document is larger than ${YAML_LIMITS.expandedBytes / (1024 * 1024)} MiB as JSON (the limit against alias bombs); docs/limits.md`);
        }
    }

    private where(node: unknown): string {
        const offset = (node as { range?: [number, number, number] } | null)?.range?.[0];
        if (offset === undefined) return "";
        const { line, col } = this.lines.linePos(offset);
        return ` (line ${line}, column ${col})`;
    }
}
