import { z } from "zod";
import { show } from "../errors";

/**
 * Building blocks of the configuration schema. Each one carries the wording of its problems
 * ("expected <what is allowed>, got <the bad value>"), so every key the schema defines reports
 * mistakes the same way, and its documentation (`doc`) for the generated reference and the
 * JSON Schema files.
 */

/** Documentation of one key: shown by editors (JSON Schema) and in docs/configuration.md. */
export interface Doc {
    readonly description: string;
    readonly examples?: readonly unknown[];
}

/** A check beyond the type: `undefined` when the value is valid, else a short reason. */
export type Check = (s: string) => string | undefined;

/** Zod's error option: the message for a value of the wrong type, or a missing required key. */
export function expecting(expected: string, required?: string) {
    return {
        // YAML null (`key:` with nothing after it) counts as missing where a key is required.
        error: (issue: { input?: unknown }) =>
            issue.input === undefined || (issue.input === null && required !== undefined)
                ? `required; expected ${required ?? expected}`
                : `expected ${expected}, got ${show(issue.input)}`,
        abort: true,
    };
}

/** The most replicas any workload (or a canary) may be given. */
export const MAX_REPLICAS = 1000;

export function integer(min: number, max: number, required?: string) {
    const e = expecting(`an integer from ${min} to ${max}`, required);
    // `port: "8080"` is text in YAML: say what to change, not only what is wrong.
    const quoted = {
        ...e,
        error: (issue: { input?: unknown }) =>
            typeof issue.input === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(issue.input) ? `${e.error(issue)} (${QUOTED_NUMBER})` : e.error(issue),
    };
    return z.number(quoted).int(e).min(min, e).max(max, e);
}

/** The hint for a number written in quotes. */
export const QUOTED_NUMBER = "remove the quotes: YAML reads a quoted number as text";

export function boolean() {
    return z.boolean(expecting("true or false"));
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
    return z.enum(values, expecting(`one of ${values.join(", ")}`));
}

/** The example an `expected` text gives: `such as 'staging'`, `such as "250m"`. */
const SUCH_AS = /such as (?:'([^']+)'|"([^"]+)")/;

/**
 * A non-empty string, checked by `check`. `pattern` (a regular expression equivalent to the
 * check, or looser) goes into the JSON Schema so editors flag a bad value while typing.
 * `example` (default: the first quoted value after "such as" in `expected`) is the key's
 * example in the reference and for editors.
 */
export function text(opts: { expected?: string; required?: string; check?: Check; pattern?: RegExp; example?: string } = {}) {
    const expected = opts.expected ?? "a string";
    const e = expecting(expected === "a string" ? "a non-empty string" : expected, opts.required);
    const base = z.string(e).min(1, e);
    const checked = opts.check
        ? base.superRefine((s, ctx) => {
              const problem = opts.check!(s);
              if (problem !== undefined) ctx.addIssue({ code: "custom", message: `expected ${expected}, got ${show(s)} (${problem})`, input: s });
          })
        : base;
    // What is allowed, in words, for the generated reference (editors ignore `x-` keywords).
    const suchAs = SUCH_AS.exec(expected);
    const example = opts.example ?? suchAs?.[1] ?? suchAs?.[2];
    if (example !== undefined) OWN_EXAMPLES.push({ example, check: opts.check, pattern: opts.pattern, expected });
    return checked.meta({
        ...(opts.pattern ? { pattern: opts.pattern.source } : {}),
        ...(expected !== "a string" ? { [ALLOWED]: expected } : {}),
        ...(example !== undefined ? { examples: [example] } : {}),
    });
}

/** An example a schema gives for a text value or a map's names, with what the key checks it by. */
export interface OwnExample {
    readonly example: string;
    readonly check?: Check;
    readonly pattern?: RegExp;
    readonly expected: string;
}

/**
 * Every example `text()` and `map()` were given, recorded as the schema loads and checked by a
 * test (tests/configReference.test.ts), not at each start of the program.
 */
export const OWN_EXAMPLES: OwnExample[] = [];

/** What the key's own check, pattern or reservation says against its example; undefined when it accepts it. */
export function exampleProblem(e: OwnExample): string | undefined {
    const problem = e.check?.(e.example) ?? (e.pattern && !e.pattern.test(e.example) ? `does not match ${e.pattern.source}` : undefined);
    return problem === undefined ? undefined : `the example ${show(e.example)} of ${e.expected} is refused by its own check (${problem})`;
}

/** A list; `nonEmpty` refuses `[]`. Lists are replaced whole by a later layer, never merged. */
export function list<T extends z.ZodType>(item: T, opts: { nonEmpty?: boolean } = {}) {
    const l = z.array(item, expecting("a list"));
    return opts.nonEmpty ? l.min(1, { error: () => "expected a non-empty list, got []" }) : l;
}

/**
 * An object with exactly these keys. A key it does not define is reported with the nearest
 * allowed key as a hint (config/check.ts reads the allowed keys from this error's message).
 */
export function object<S extends z.core.$ZodLooseShape>(shape: S, opts: { expected?: string; required?: string; short?: z.ZodType } = {}) {
    const keys = Object.keys(shape);
    const expected = opts.expected ?? `an object with keys ${keys.join(", ")}`;
    const wrongType = expecting(expected, opts.required);
    // A value that could only be meant as the short form is told what is wrong with it as one.
    const asShort = (input: unknown) => (opts.short && input !== undefined && input !== null && typeof input !== "object" ? opts.short.safeParse(input).error?.issues[0]?.message : undefined);
    return z.strictObject(shape, {
        error: (issue) => (issue.code === "unrecognized_keys" ? `${UNKNOWN_KEYS}${keys.join(", ")}` : (asShort(issue.input) ?? wrongType.error(issue))),
    });
}

/**
 * Stands for the value as written (before defaults) in the message of a check of a whole
 * object; config/check.ts puts the value in.
 */
export const GOT = "\u0000value\u0000";

/** Marks a value written in a short form or in full: its JSON Schema is the `anyOf` of the two alone. */
export const SHORTHAND = "x-shorthand";

/** The JSON Schema keyword that carries a value's allowed form in words. */
export const ALLOWED = "x-allowed";

/** Marks the message of an unknown-key problem; what follows is the list of allowed keys. */
export const UNKNOWN_KEYS = "allowed keys: ";

/**
 * A map of names the user chooses to values; each name is checked by `check`. `example` is a
 * name as a user would choose it, for the key's example in the reference and for editors.
 */
export function map<V extends z.ZodType>(value: V, key: { check: Check; expected: string; example: string; pattern?: RegExp; reserved?: Check }) {
    const name = z.string().superRefine((k, ctx) => {
        const problem = key.check(k);
        const reserved = problem === undefined ? key.reserved?.(k) : undefined;
        if (problem !== undefined) ctx.addIssue({ code: "custom", message: `${show(k)} is not ${key.expected}: ${problem}`, input: k });
        else if (reserved !== undefined) ctx.addIssue({ code: "custom", message: reserved, input: k });
    });
    OWN_EXAMPLES.push({ example: key.example, check: (k) => key.check(k) ?? key.reserved?.(k), pattern: key.pattern, expected: key.expected });
    return z.record(name.meta({ ...(key.pattern ? { pattern: key.pattern.source } : {}), examples: [key.example] }), value, expecting("an object (a map of names to settings)"));
}

/** An environment variable value: YAML reads `8080` and `true` as a number and a boolean; both are written as YAML reads them. */
export function envValue() {
    const e = expecting("a string, number or boolean");
    return z
        .union([z.string(), z.number().refine(Number.isFinite), z.boolean()], e)
        .meta({ examples: ["json"] })
        .transform((v) => String(v));
}

/**
 * An object that may also be written as a single value (`liveness: /healthz` for
 * `liveness: {http: /healthz}`). `expand` turns the short form into the object; the merge of
 * layers does the same (config/merge.ts), so a later layer can change one key of either form.
 */
export function shorthand<S extends z.ZodType, O extends z.ZodObject>(short: S, full: O, expand: (v: z.output<S>) => Record<string, unknown>) {
    const isShort = (v: unknown) => short.safeParse(v).success && typeof v !== "object";
    const schema = z.preprocess((v) => (v !== null && typeof v !== "object" && isShort(v) ? expand(v as z.output<S>) : v), full);
    // Editors see both forms; the preprocessing step itself is not representable, so the JSON
    // Schema generator (tools/generate/jsonSchema.ts) describes the two forms from here.
    SHORTHANDS.push({ short, full });
    return schema.meta({ [SHORTHAND]: SHORTHANDS.length - 1 });
}

/** The two forms of each value with a short form, by the index its `x-shorthand` keyword holds. */
export const SHORTHANDS: { readonly short: z.ZodType; readonly full: z.ZodType }[] = [];
