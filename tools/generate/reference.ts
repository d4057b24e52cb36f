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

function rows(s: Schema, key: string, out: Row[], stopAt: readonly string[]): void {
    const examples = s.examples as unknown[] | undefined;
    if (key !== "") {
        out.push({ key, type: typeOf(s), default: s.default, allowed: allowedOf(s), description: s.description as string | undefined, example: examples?.[0] });
    }
    if (stopAt.includes(key)) return;
    const properties = ((fullForm(s) ?? s).properties ?? {}) as Record<string, Schema>;
    for (const [k, child] of Object.entries(properties)) rows(child, key ? `${key}.${k}` : k, out, stopAt);
    if (s.type === "object" && s.additionalProperties && typeof s.additionalProperties === "object") {
        const value = s.additionalProperties as Schema;
        if (value.type === "object" && value.properties) rows({ ...value, description: undefined, examples: undefined }, `${key}.<name>`, out, stopAt);
    }
}

/**
 * The reference of one section as a Markdown table. Keys in `stopAt` hold service settings,
 * which have a section of their own.
 */
export function referenceOf(title: string, intro: string, schema: Schema, prefix: string, stopAt: readonly string[] = []): string {
    const out: Row[] = [];
    rows(schema, "", out, stopAt);
    const lines = [`## ${title}`, "", intro, "", "| key | type | default | allowed | description | example |", "| --- | --- | --- | --- | --- | --- |"];
    for (const r of out.filter((r) => r.key.split(".").at(-1) !== "<name>" || r.description)) {
        lines.push(
            `| ${code(prefix + r.key)} | ${r.type} | ${r.default === undefined ? "" : code(r.default)} | ${cell(r.allowed ?? "")} | ${cell(r.description ?? "")} | ${r.example === undefined ? "" : cell(code(r.example))} |`,
        );
    }
    return lines.join("\n") + "\n";
}
