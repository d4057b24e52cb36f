import { z } from "zod";
import { catalog } from "../../config/schema/catalog";
import { environment } from "../../config/schema/environment";
import { github } from "../../config/schema/github";
import { SHORTHAND, SHORTHANDS } from "../../config/schema/fields";

/**
 * The configuration schema as JSON Schema (draft 2020-12), for editors: one document each for
 * Pulumi.yaml, a stack file and a `catalogFile`. Written to schemas/ by `npm run generate`.
 */

type JsonSchema = Record<string, unknown>;

export const SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema";

/** A section's schema as an editor sees it: the values a user writes (before defaults). */
export function sectionSchema(schema: z.ZodType): JsonSchema {
    const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any", override: keepExamples }) as JsonSchema;
    void _dialect;
    return shorthands(rest) as JsonSchema;
}

/**
 * zod leaves a key's `examples` out of the input JSON Schema when its value is transformed (a
 * list of strings from YAML numbers, a value with a short form): they are put back.
 */
function keepExamples(ctx: { zodSchema: unknown; jsonSchema: JsonSchema }): void {
    const examples = z.globalRegistry.get(ctx.zodSchema as z.ZodType)?.examples;
    if (examples !== undefined && ctx.jsonSchema.examples === undefined) ctx.jsonSchema.examples = examples;
}

/**
 * A value with a short form is described by the `anyOf` of its two forms only (zod writes the
 * full form's keywords for the preprocessing step; config/schema/fields.ts keeps both forms).
 */
function shorthands(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(shorthands);
    if (v === null || typeof v !== "object") return v;
    const o = v as JsonSchema;
    if (typeof o[SHORTHAND] === "number") {
        const { description, examples } = o;
        const { short, full } = SHORTHANDS[o[SHORTHAND]];
        return { ...(description !== undefined ? { description } : {}), ...(examples !== undefined ? { examples } : {}), anyOf: [sectionSchema(short), sectionSchema(full)] };
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, shorthands(x)]));
}

/** A value Pulumi holds encrypted in a stack file. */
const secure: JsonSchema = {
    type: "object",
    properties: { secure: { type: "string", description: "An encrypted value, written by `pulumi config set --secret`." } },
    required: ["secure"],
    additionalProperties: false,
};

/** Pulumi's own keys of a project file (Pulumi.yaml), which this program does not define. */
const PROJECT_KEYS = ["name", "runtime", "description", "main", "stackConfigDir", "backend", "options", "template", "plugins", "author", "license", "website", "packages"];

export function jsonSchemas(project: string): Record<string, JsonSchema> {
    const ns = project.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const defs = { catalog: sectionSchema(catalog), environment: sectionSchema(environment), github: sectionSchema(github) };
    const catalogFileKey = { type: "string", description: "A YAML file inside the project holding the catalog (instead of `catalog`); schemas/catalog.schema.json describes it." };
    // A key of the project's namespace may be written with or without `<project>:`.
    const keyed = (schemas: Record<string, JsonSchema>) => Object.fromEntries(Object.entries(schemas).flatMap(([k, v]) => [[`${project}:${k}`, v], [k, v]]));
    const programKeys = "environment|github|catalog|catalogFile";
    const otherPackage = { [`^(?!${ns}:)[^:]+:.+$`]: { description: "Another package's config (`kubernetes:context`, ...)." } };
    // The project's other keys are the secret config keys the configuration names.
    const stackConfig = {
        type: "object",
        description: "Config keys: `<project>:<key>` (or `<key>`), or another package's `<package>:<key>`.",
        properties: keyed({
            environment: { $ref: "#/$defs/environment" },
            github: { $ref: "#/$defs/github" },
            catalog: { $ref: "#/$defs/catalog" },
            catalogFile: catalogFileKey,
        }),
        patternProperties: {
            [`^(${ns}:)?(?!(${programKeys})$)[A-Za-z][A-Za-z0-9_-]*$`]: { ...secure, description: "A secret config key the configuration names (set with `pulumi config set --secret`)." },
            ...otherPackage,
        },
        additionalProperties: false,
    };
    // Pulumi.yaml declares a config value as `{value: ...}` or writes it directly.
    const declared = (value: JsonSchema) => ({
        anyOf: [{ type: "object", properties: { value, description: { type: "string" } }, required: ["value"], additionalProperties: false }, value],
    });
    return {
        "catalog.schema.json": { $schema: SCHEMA_DIALECT, title: `${project} catalog (a catalogFile)`, ...defs.catalog },
        "stack.schema.json": {
            $schema: SCHEMA_DIALECT,
            title: `${project} stack file (Pulumi.<stack>.yaml)`,
            type: "object",
            properties: {
                secretsprovider: { type: "string" },
                encryptedkey: { type: "string" },
                encryptionsalt: { type: "string" },
                environment: { type: "array", items: { type: "string" }, description: "Pulumi ESC environments imported by the stack." },
                config: stackConfig,
            },
            additionalProperties: false,
            $defs: defs,
        },
        "project.schema.json": {
            $schema: SCHEMA_DIALECT,
            title: `${project} project file (Pulumi.yaml)`,
            type: "object",
            properties: {
                ...Object.fromEntries(PROJECT_KEYS.map((k) => [k, {}])),
                name: { const: project },
                config: {
                    type: "object",
                    description: "Project-wide config: the catalog, shared by every stack.",
                    properties: keyed({ catalog: declared({ $ref: "#/$defs/catalog" }), catalogFile: declared(catalogFileKey) }),
                    patternProperties: otherPackage,
                    additionalProperties: false,
                },
            },
            required: ["name", "runtime"],
            additionalProperties: false,
            $defs: { catalog: defs.catalog },
        },
    };
}
