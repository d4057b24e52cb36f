/**
 * docs/configuration.md, written from the JSON Schema of each section: every key with its type,
 * default, allowed values, description and an example.
 */

import { ALLOWED } from "../../config/schema/fields";

type Schema = Record<string, unknown>;

interface Row {
    readonly key: string;
    readonly type: string;
    readonly default?: unknown;
    readonly allowed?: string;
    readonly description?: string;
    readonly example?: unknown;
}

const code = (v: unknown) => `\`${typeof v === "string" ? v : JSON.stringify(v)}\``;
const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The object form of a value with a short form (`anyOf` of a scalar and an object). */
function fullForm(s: Schema): Schema | undefined {
    return Array.isArray(s.anyOf) ? (s.anyOf as Schema[]).find((a) => a.type === "object") : undefined;
}

function typeOf(s: Schema): string {
    if (Array.isArray(s.anyOf)) return (s.anyOf as Schema[]).map(typeOf).join(" or ");
    if (Array.isArray(s.enum)) return "string";
    if (Array.isArray(s.type)) return (s.type as string[]).join(" or ");
    if (s.type === "array") return `list of ${typeOf((s.items ?? {}) as Schema)}`;
    if (s.type === "object" && s.additionalProperties && typeof s.additionalProperties === "object") return "map";
    return typeof s.type === "string" ? s.type : "any";
}

function allowedOf(s: Schema): string | undefined {
    const parts: string[] = [];
    if (Array.isArray(s.enum)) parts.push(`one of ${(s.enum as unknown[]).map(code).join(", ")}`);
    if (s.type === "integer" || s.type === "number") {
        if (s.minimum !== undefined) parts.push(`from ${s.minimum as number}`);
        if (s.maximum !== undefined) parts.push(`to ${s.maximum as number}`);
    }
    if (typeof s[ALLOWED] === "string") parts.push(s[ALLOWED]);
    else if (typeof s.pattern === "string") parts.push(`matches ${code(s.pattern)}`);
    if (s.type === "array") {
        const items = allowedOf((s.items ?? {}) as Schema);
        if (items) parts.push(`each ${items}`);
        if (s.minItems) parts.push("not empty");
    }
    return parts.length > 0 ? parts.join(", ") : undefined;
}

/**
 * An example of a value of this schema: its own (`examples`), else one put together from its
 * parts' (an object's required keys, or its first key with one; a map's example name and value; a list of
 * its item, the first form that has one), else the value a boolean, an enum or a number most
 * plausibly takes (not the default for a boolean or an enum; the default, else the smallest
 * allowed from 1, for a number). Undefined when a part it needs has none: a test wants one for
 * every key.
 */
export function exampleOf(s: Schema): unknown {
    const own = (s.examples as unknown[] | undefined)?.[0];
    if (own !== undefined) return own;
    if (Array.isArray(s.anyOf)) {
        for (const form of s.anyOf as Schema[]) {
            const e = exampleOf(form);
            if (e !== undefined) return e;
        }
        return undefined;
    }
    if (s.const !== undefined) return s.const;
    if (Array.isArray(s.enum)) return (s.enum as unknown[]).find((v) => v !== s.default) ?? (s.enum as unknown[])[0];
    if (s.type === "boolean") return s.default === undefined ? true : !s.default;
    if (s.type === "integer" || s.type === "number") return s.default ?? Math.min(Math.max(1, (s.minimum as number | undefined) ?? 1), (s.maximum as number | undefined) ?? Infinity);
    if (s.type === "array") {
        const item = exampleOf((s.items ?? {}) as Schema);
        return item === undefined ? undefined : [item];
    }
    if (s.type !== "object") return undefined;
    const properties = (s.properties ?? {}) as Record<string, Schema>;
    if (Object.keys(properties).length > 0) {
        // Required by the schema, or by a check its description names ("(required)", "(required with ...)").
        const required = Object.entries(properties)
            .filter(([k, p]) => ((s.required ?? []) as string[]).includes(k) || (typeof p.description === "string" && /\(required\b/.test(p.description)))
            .map(([k]) => k);
        const example: Record<string, unknown> = {};
        for (const k of required) {
            const e = exampleOf(properties[k]);
            if (e === undefined) return undefined;
            example[k] = e;
        }
        for (const [k, p] of Object.entries(properties)) {
            // One key beyond the required ones: two could be two a value may not hold together (`context` and `kubeconfigSecret`).
            if (Object.keys(example).length >= Math.max(required.length, 1)) break;
            const e = k in example ? undefined : exampleOf(p);
            if (e !== undefined) example[k] = e;
        }
        return Object.keys(example).length > 0 ? example : undefined;
    }
    const name = ((s.propertyNames as Schema | undefined)?.examples as unknown[] | undefined)?.[0];
    const value = s.additionalProperties !== null && typeof s.additionalProperties === "object" ? exampleOf(s.additionalProperties as Schema) : undefined;
    return typeof name !== "string" || value === undefined ? undefined : { [name]: value };
}

/** Every key of a section with its schema, in reference order (`<name>` for a map's entries). Keys in `stopAt` are listed, not entered. */
export function keysOf(s: Schema, stopAt: readonly string[] = [], key = ""): { readonly key: string; readonly schema: Schema }[] {
    const out = key === "" ? [] : [{ key, schema: s }];
    if (stopAt.includes(key)) return out;
    const properties = ((fullForm(s) ?? s).properties ?? {}) as Record<string, Schema>;
    for (const [k, child] of Object.entries(properties)) out.push(...keysOf(child, stopAt, key ? `${key}.${k}` : k));
    if (s.type === "object" && s.additionalProperties && typeof s.additionalProperties === "object") {
        const value = s.additionalProperties as Schema;
        // An entry's example: the first of the map's own example, else the value's own.
        const entry = Object.values(((s.examples as unknown[] | undefined)?.[0] ?? {}) as Record<string, unknown>)[0];
        if (value.type === "object" && value.properties) out.push(...keysOf({ ...value, description: undefined, examples: entry === undefined ? value.examples : [entry] }, stopAt, `${key}.<name>`));
    }
    return out;
}

/**
 * The reference of one section as a Markdown table. Keys in `stopAt` hold service settings,
 * which have a section of their own.
 */
export function referenceOf(title: string, intro: string, schema: Schema, prefix: string, stopAt: readonly string[] = []): string {
    const out: Row[] = keysOf(schema, stopAt).map(({ key, schema: s }) => ({
        key,
        type: typeOf(s),
        default: s.default,
        allowed: allowedOf(s),
        description: s.description as string | undefined,
        example: exampleOf(s),
    }));
    const lines = [`## ${title}`, "", intro, "", "| key | type | default | allowed | description | example |", "| --- | --- | --- | --- | --- | --- |"];
    for (const r of out.filter((r) => r.key.split(".").at(-1) !== "<name>" || r.description)) {
        lines.push(
            `| ${code(prefix + r.key)} | ${r.type} | ${r.default === undefined ? "" : code(r.default)} | ${cell(r.allowed ?? "")} | ${cell(r.description ?? "")} | ${r.example === undefined ? "" : cell(code(r.example))} |`,
        );
    }
    return lines.join("\n") + "\n";
}
