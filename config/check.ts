import { z } from "zod";
import { Problems, show } from "./errors";
import { closest, isRecord } from "./suggest";
import { GOT, UNKNOWN_KEYS } from "./schema/fields";

/** A key path inside a section: object keys and list indexes. */
export type Segments = readonly PropertyKey[];

/** What checking one section of the configuration found. */
export interface Checked<S extends z.ZodType> {
    /** The section, typed and with the schema's defaults; undefined when it has problems. */
    readonly data?: z.output<S>;
    /** The value as written, without the parts that have problems (null keys dropped). */
    readonly valid: unknown;
    /** Where the problems are, relative to the section. */
    readonly invalid: readonly Segments[];
}

/** `hft-platform:catalog` + `services`, `x`, `allowFrom`, 0 -> `hft-platform:catalog.services.x.allowFrom[0]`. */
export function keyPath(base: string, segments: Segments): string {
    return segments.reduce<string>((p, s) => (typeof s === "number" ? `${p}[${s}]` : `${p}.${String(s)}`), base);
}

/**
 * Checks one section against its schema and records every problem under its full key path
 * (`base` is where the section is written). YAML null (`key:` with nothing after it) in an
 * object means the key is not set. The parts with problems are removed from `valid`, so that
 * later checks neither report them again nor cascade from them.
 */
export function checkSection<S extends z.ZodType>(schema: S, raw: unknown, base: string, problems: Problems): Checked<S> {
    const hidden: [Segments, string][] = [];
    let value = dropNulls(schema, raw, [], hidden);
    const invalid: Segments[] = [];
    // A later round reports only what lies outside every part already reported (not a whole
    // object again because a part of it was removed).
    const reported = (at: Segments) => invalid.some((p) => (p.length <= at.length ? p.every((k, i) => k === at[i]) : at.every((k, i) => k === p[i])));
    for (const [at, message] of hidden) {
        problems.add(keyPath(base, at), message);
        invalid.push(at);
    }
    const first = schema.safeParse(value, { reportInput: true });
    if (first.success && hidden.length === 0) {
        return { data: first.data, valid: value, invalid };
    }
    let issues = first.success ? [] : first.error.issues;
    // Removing a part can expose a check of the whole that did not run (zod runs an object's
    // refinements only when its keys are valid): repeat until nothing more is found.
    for (let round = 0; round < 4 && issues.length > 0; round++) {
        for (const issue of issues) {
            for (const [at, message] of describe(issue)) {
                if (round > 0 && reported(at)) {
                    // A part of an object was removed and the rest fails the object's own check
                    // (`{fromConfig: <bad>}` leaves `{}`): drop the object too, without a second report.
                    if (at.length > 1 && !isMissing(issue)) value = without(value, at);
                    continue;
                }
                problems.add(keyPath(base, at), message.replace(GOT, show(get(raw, at))));
                invalid.push(at);
                if (!isMissing(issue)) value = without(value, at);
            }
        }
        const again = schema.safeParse(value, { reportInput: true });
        issues = again.success ? [] : again.error.issues.filter((i) => !isMissing(i));
    }
    return { valid: value, invalid };
}

/**
 * The keys of a section that are valid on their own, typed, even when other keys of the section
 * have problems: what later checks can still use.
 */
export function validKeys<S extends z.ZodObject>(schema: S, checked: Checked<S>): Partial<z.output<S>> {
    if (checked.data !== undefined) {
        return checked.data;
    }
    const out: Record<string, unknown> = {};
    const valid = isRecord(checked.valid) ? checked.valid : {};
    const shape: Record<string, z.ZodType> = schema.shape;
    for (const [k, field] of Object.entries(shape)) {
        const r = field.safeParse(valid[k]);
        if (r.success && r.data !== undefined) out[k] = r.data;
    }
    return out as Partial<z.output<S>>;
}

/** The problems one zod issue stands for: where, and the message. */
function describe(issue: z.core.$ZodIssue): [Segments, string][] {
    const at = issue.path as Segments;
    if (issue.code === "unrecognized_keys") {
        const allowed = issue.message.startsWith(UNKNOWN_KEYS) ? issue.message.slice(UNKNOWN_KEYS.length).split(", ") : [];
        return issue.keys.map((key) => {
            const hint = closest(key, allowed);
            return [[...at, key], `unknown key${hint ? ` (did you mean '${hint}'?)` : ""}; allowed keys: ${allowed.join(", ")}`];
        });
    }
    if (issue.code === "invalid_key") {
        return [[at, issue.issues[0]?.message ?? issue.message]];
    }
    if (issue.input === null && typeof at[at.length - 1] === "number") {
        return [[at, "expected a value, got null"]];
    }
    return [[at, issue.message]];
}

/** A required key that is not set: reported by the first round, not again once its section is gone. */
function isMissing(issue: z.core.$ZodIssue): boolean {
    return issue.code === "invalid_type" && issue.input === undefined;
}

/**
 * The value without the part at `at`, removed in place (`value` is the section's own copy); a
 * bad list item takes its list (lists are replaced whole by a later layer).
 */
function without(value: unknown, at: Segments): unknown {
    if (at.length === 0) {
        return undefined;
    }
    // The outermost list the part is in, at any depth (a bad key of a list item's object too).
    const list = at.findIndex((_, i) => i > 0 && Array.isArray(get(value, at.slice(0, i))));
    if (list > 0) {
        return without(value, at.slice(0, list));
    }
    const container = get(value, at.slice(0, -1));
    if (isRecord(container) && Object.hasOwn(container, at[at.length - 1])) {
        delete container[at[at.length - 1] as string];
    }
    return value;
}

function get(value: unknown, at: Segments): unknown {
    return at.reduce<unknown>((v, k) => (isRecord(v) || Array.isArray(v) ? (v as Record<PropertyKey, unknown>)[k] : undefined), value);
}

/**
 * Drops `key: null` from the schema's objects (not from maps, where a name with no value is a
 * mistake). A key `__proto__`, which zod would silently drop, is reported into `hidden` here.
 */
function dropNulls(schema: z.ZodType, value: unknown, at: Segments, hidden: [Segments, string][]): unknown {
    const s = unwrap(schema);
    if (s instanceof z.ZodObject && isRecord(value)) {
        const out = Object.create(null) as Record<string, unknown>;
        const shape = s.shape as Record<string, z.ZodType>;
        for (const [k, v] of Object.entries(value)) {
            if (v === null) continue;
            if (!Object.hasOwn(shape, k)) {
                if (k === "__proto__") hidden.push([[...at, k], `unknown key; allowed keys: ${Object.keys(shape).join(", ")}`]);
                else out[k] = copy(v);
                continue;
            }
            out[k] = dropNulls(shape[k], v, [...at, k], hidden);
        }
        return out;
    }
    if (s instanceof z.ZodRecord && isRecord(value)) {
        const out = Object.create(null) as Record<string, unknown>;
        for (const [k, v] of Object.entries(value)) {
            const key = k === "__proto__" ? (s.keyType as z.ZodType).safeParse(k) : undefined;
            if (key && !key.success) hidden.push([[...at, k], key.error.issues[0].message]);
            else if (k !== "__proto__") out[k] = dropNulls(s.valueType as z.ZodType, v, [...at, k], hidden);
        }
        return out;
    }
    return copy(value);
}

/** A deep copy of plain data; objects keep an own `__proto__` key as data. */
function copy(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(copy);
    if (!isRecord(value)) return value;
    const out = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of Object.entries(value)) out[k] = copy(v);
    return out;
}

/** The schema under optional, default, prefault and preprocessing wrappers. */
function unwrap(schema: z.ZodType): z.ZodType {
    let s: z.ZodType = schema;
    for (;;) {
        if (s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodNullable) {
            s = s.def.innerType as z.ZodType;
        } else if (s instanceof z.ZodPipe) {
            // A preprocessed value (a shorthand) is checked by the schema after the step.
            s = (s.def.in instanceof z.ZodTransform ? s.def.out : s.def.in) as z.ZodType;
        } else {
            return s;
        }
    }
}
