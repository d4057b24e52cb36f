import { parseYamlDocuments, YamlProblem } from "../../config/boundedYaml";
import { Refusal } from "../cli";

/** One Kubernetes object of a build's output, as parsed. */
export interface K8sObject {
    readonly apiVersion?: string;
    readonly kind: string;
    readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
    readonly [field: string]: unknown;
}

export type Segment = string | number;

/**
 * The objects of a multi-document YAML stream; `List` objects are flattened, empty documents
 * skipped. YAML that is broken or over a limit (an alias bomb, a cycle; docs/limits.md) is a
 * `Refusal` naming the source and the key path.
 */
export function parseManifests(text: string, source: string): K8sObject[] {
    const out: K8sObject[] = [];
    for (const value of yamlDocuments(text, source)) {
        if (value === null || value === undefined) continue;
        const items = isRecord(value) && value.kind === "List" && Array.isArray(value.items) ? (value.items as unknown[]) : [value];
        for (const item of items) {
            if (!isRecord(item) || typeof item.kind !== "string" || !isRecord(item.metadata) || typeof item.metadata.name !== "string") {
                throw new Error(`${source}: a document without kind or metadata.name`);
            }
            out.push(item as unknown as K8sObject);
        }
    }
    return out;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
    return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** `Deployment/prod-api`: how the report names an object. */
export function objectId(o: K8sObject): string {
    return `${o.kind}/${o.metadata.name}`;
}

/** `spec.template.spec.containers[0].image`, with keys that are not plain words quoted. */
export function showPath(at: readonly Segment[]): string {
    return at
        .map((s, i) => (typeof s === "number" ? `[${s}]` : /^[A-Za-z_][A-Za-z0-9_-]*$/.test(s) ? `${i === 0 ? "" : "."}${s}` : `[${JSON.stringify(s)}]`))
        .join("");
}

/** Fields every object has that say nothing to import: they are never reported. */
const ALWAYS_READ: readonly (readonly Segment[])[] = [["apiVersion"], ["kind"], ["metadata", "name"], ["metadata", "namespace"], ["metadata", "creationTimestamp"], ["status"]];

/**
 * Reads one object and remembers every field the mapping used, so that what is left over (the
 * fields nothing maps) can be reported by path: nothing is dropped silently.
 */
export class Tracker {
    private readonly read = new Set<string>();

    constructor(readonly object: K8sObject) {
        for (const at of ALWAYS_READ) this.mark(at);
    }

    /** The value at `at`, marked as used. */
    take<T = unknown>(...at: Segment[]): T | undefined {
        this.mark(at);
        return valueAt(this.object, at) as T | undefined;
    }

    /** The value at `at`, without marking it. */
    peek<T = unknown>(...at: Segment[]): T | undefined {
        return valueAt(this.object, at) as T | undefined;
    }

    /** Marks `at` and everything under it as used. */
    mark(at: readonly Segment[]): void {
        this.read.add(key(at));
    }

    /** Whether anything at or under `at` was used. */
    private touched(at: readonly Segment[]): boolean {
        const k = key(at);
        for (const r of this.read) if (r === k || r.startsWith(k + SEP) || k === "") return true;
        return false;
    }

    /** The fields nothing used: whole subtrees where nothing inside was used. */
    leftovers(): Segment[][] {
        const out: Segment[][] = [];
        const walk = (v: unknown, at: Segment[]) => {
            if (at.length > 0 && this.covered(at)) return;
            if (at.length > 0 && !this.touched(at)) {
                out.push(at);
                return;
            }
            if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...at, i]));
            else if (isRecord(v)) for (const [k, x] of Object.entries(v)) walk(x, [...at, k]);
        };
        walk(this.object, []);
        return out;
    }

    /** Whether `at` or one of its parents was marked whole. */
    private covered(at: readonly Segment[]): boolean {
        for (let i = 1; i <= at.length; i++) if (this.read.has(key(at.slice(0, i)))) return true;
        return false;
    }
}

const SEP = "\u0000";
const key = (at: readonly Segment[]) => at.map(String).join(SEP);

export function valueAt(v: unknown, at: readonly Segment[]): unknown {
    let cur = v;
    for (const s of at) {
        if (Array.isArray(cur) && typeof s === "number") cur = cur[s];
        else if (isRecord(cur) && typeof s === "string") cur = cur[s];
        else return undefined;
    }
    return cur;
}

/** The documents of a YAML stream, parsed within limits; broken or over-limit YAML is a `Refusal` naming `source`. */
export function yamlDocuments(text: string, source: string): unknown[] {
    try {
        return parseYamlDocuments(text);
    } catch (e) {
        if (e instanceof YamlProblem) throw new Refusal(`${source}: ${e.message}`);
        throw e;
    }
}
