/**
 * The tables of docs/compare.md, written from the tables in code (defaults.ts, hardening.ts,
 * immutable.ts) so the documentation cannot drift from them: tests/compareTool.test.ts checks
 * that the document holds exactly this text between its markers.
 */
import { DEFAULTS } from "./defaults";
import { HARDENING_FIELDS, HARDENING_OBJECTS } from "./hardening";
import { IMMUTABLE } from "./immutable";
import { kindsText, Scope } from "./scopes";

export const BEGIN = "<!-- The tables below are written from tools/compare/ (docTables.ts); a test checks them. -->";
export const END = "<!-- End of the generated tables. -->";

const cell = (s: string) => s.replace(/\|/g, "\\|");
const code = (s: string) => `\`${s}\``;

function where(scope: Scope, field: string): string {
    const at: Record<Scope, string> = { object: "", "pod template": "pod template: ", "pod spec": "pod spec: ", container: "each container: ", probe: "each probe: " };
    return `${at[scope]}${code(field)}`;
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
    return [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`)].join("\n");
}

export function compareDocTables(): string {
    return [
        BEGIN,
        "",
        "### Defaults and server-set fields (ignored)",
        "",
        table(
            ["kinds", "field", "ignored when it is"],
            DEFAULTS.map((r) => [kindsText(r.kinds), where(r.scope, r.field), r.value]),
        ),
        "",
        "### Hardening the platform adds (expected)",
        "",
        "Fields, when the stack adds them (or, where the table says so, changes the overlay's value):",
        "",
        table(
            ["kinds", "field", "counts when the stack", "what it is"],
            HARDENING_FIELDS.map((r) => [kindsText(r.kinds), where(r.scope, r.field), r.condition ? `${r.when}, and ${r.condition}` : r.when, r.what]),
        ),
        "",
        "Objects only the stack has:",
        "",
        table(
            ["kind", "condition", "what it is"],
            HARDENING_OBJECTS.map((r) => [r.kind, r.condition ?? "any", r.what]),
        ),
        "",
        "### Immutable fields",
        "",
        table(
            ["kinds", "field", "condition", "note"],
            IMMUTABLE.map((r) => [r.kinds.join(", "), code(r.field), r.condition ?? "always", r.note || "-"]),
        ),
        "",
        END,
    ].join("\n");
}
