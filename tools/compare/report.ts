/**
 * The compare report: one section per object (`= equal`, `~ changed`, `+ only in the stack`,
 * `- only in the overlay`) with its real differences, then the hardening the platform adds
 * (expected), the leftovers to delete after the switch with their commands, and a summary line.
 * Secret values print as "<redacted>" (secrets.ts).
 */
import { ObjectComparison, Comparison, differs, Leftover } from "./compareObjects";
import { formatPath } from "./path";
import { FieldChange } from "./semanticDiff";

const MAX_VALUE = 160;

/** A value on one line: JSON, cut short. */
export function formatValue(v: unknown): string {
    const text = JSON.stringify(v) ?? String(v);
    return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 3)}...` : text;
}

function title(o: Pick<ObjectComparison, "kind" | "namespace" | "overlayName" | "stackName">): string {
    const where = (name: string | undefined) => `${o.namespace ? `${o.namespace}/` : ""}${name}`;
    if (o.overlayName && o.stackName && o.overlayName !== o.stackName) return `${o.kind} ${where(o.stackName)} (the overlay's ${o.overlayName})`;
    return `${o.kind} ${where(o.stackName ?? o.overlayName)}`;
}

const MARK = { added: "+", removed: "-", changed: "~" } as const;

/**
 * Real differences, one line each; the leaves of a field only one side has are folded into one
 * line for that field, when every leaf under it is a real difference.
 */
function realLines(changes: readonly FieldChange[]): string[] {
    const lines: string[] = [];
    for (let i = 0; i < changes.length; i++) {
        const c = changes[i];
        if (c.op === "changed") {
            lines.push(`~ ${formatPath(c.path)}: ${formatValue(c.before)} -> ${formatValue(c.after)}`);
            continue;
        }
        const root = formatPath(c.root);
        let j = i;
        while (j + 1 < changes.length && changes[j + 1].op === c.op && changes[j + 1].root.length > 0 && formatPath(changes[j + 1].root) === root) j++;
        const side = c.op === "added" ? "only in the stack" : "only in the overlay";
        const folded = j > i || c.root.length < c.path.length;
        lines.push(`${MARK[c.op]} ${folded ? root : formatPath(c.path)}: ${formatValue(folded ? c.whole : (c.after ?? c.before))} (${side})`);
        i = j;
    }
    return lines;
}

function immutableLines(o: ObjectComparison): string[] {
    return o.immutable.map((hit) => {
        const under = hit.paths.map(formatPath).filter((p) => p !== hit.row.field);
        return `! IMMUTABLE ${hit.row.field}${under.length > 0 ? ` (${under.join(", ")})` : ""}: an update in place would fail; Pulumi would replace the ${o.kind} (delete, then create)${hit.row.note ? `: ${hit.row.note}` : ""}`;
    });
}

/** The hardening of one object: one line per row and field the stack adds. */
function hardeningLines(o: ObjectComparison): string[] {
    const seen = new Map<string, { count: number; what: string; op: string }>();
    for (const { change, row, at } of o.hardening) {
        const key = `${MARK[change.op]} ${formatPath(at)}`;
        const entry = seen.get(key) ?? { count: 0, what: row.what, op: change.op };
        entry.count++;
        seen.set(key, entry);
    }
    return [...seen].map(([key, e]) => `${key}${e.count > 1 ? ` (${e.count} fields)` : ""}: ${e.what}`);
}

function deleteCommand(l: Leftover): string {
    return `kubectl ${l.namespace ? `-n ${l.namespace} ` : ""}delete ${l.kind.toLowerCase()} ${l.name}`;
}

export interface ReportHeader {
    readonly overlay: string;
    readonly overlayHow: string;
    readonly stack: string;
    readonly project: string;
    readonly namespace: string;
}

export function formatReport(c: Comparison, header: ReportHeader): string {
    const out: string[] = [];
    const count = (f: (o: ObjectComparison) => boolean) => c.objects.filter(f).length;
    out.push(`overlay ${header.overlay} (${header.overlayHow}) against stack '${header.stack}' of ${header.project} (namespace ${header.namespace})`);
    if (c.namespaced > 0) {
        out.push(`${c.namespaced} of the overlay's objects ${c.namespaced === 1 ? "has" : "have"} no namespace; compared as if in ${header.namespace}`);
    }
    out.push("(a changed field reads: overlay's value -> stack's value)", "");

    const order = { changed: 0, "overlay-only": 1, "stack-only": 2, equal: 3 } as const;
    const shown = c.objects.filter((o) => !(o.status === "stack-only" && o.expected)).sort((a, b) => order[a.status] - order[b.status]);
    for (const o of shown) {
        if (o.status === "equal") out.push(`= equal              ${title(o)}`);
        else if (o.status === "stack-only") out.push(`+ only in the stack  ${title(o)}`);
        else if (o.status === "overlay-only") {
            const leftover = c.leftovers.some((l) => l.kind === o.kind && l.namespace === o.namespace && l.name === o.overlayName);
            out.push(`- only in the overlay ${title(o)}${leftover ? " (generated: a leftover, below)" : ": after the switch it stays in the cluster, unmanaged"}`);
        } else {
            out.push(`~ changed            ${title(o)}`);
            out.push(...[...immutableLines(o), ...realLines(o.real)].map((l) => `    ${l}`));
        }
        if (o.secretsUncompared) out.push("    (Secret values not compared: one side holds placeholders, as the offline render does; key names are)");
    }

    const expectedObjects = c.objects.filter((o) => o.status === "stack-only" && o.expected);
    const withHardening = c.objects.filter((o) => o.hardening.length > 0);
    if (expectedObjects.length + withHardening.length > 0) {
        out.push("", "hardening the platform adds (expected; docs/compare.md lists it):");
        for (const o of withHardening) {
            out.push(`  ${title(o)}`, ...hardeningLines(o).map((l) => `    ${l}`));
        }
        for (const o of expectedObjects) out.push(`  + ${title(o)}: ${o.expected!.what}`);
    }

    if (c.leftovers.length > 0) {
        out.push("", "leftovers to delete after the switch (the overlay's generated objects, and those the stack keeps under another name):");
        const width = Math.max(...c.leftovers.map((l) => deleteCommand(l).length));
        for (const l of c.leftovers) {
            out.push(`  ${deleteCommand(l).padEnd(width)}  # ${l.replacedBy ? `the stack's ${l.replacedBy} takes its place` : l.readByWorkloads ? "read by the workloads: compared as what their pods get" : "no counterpart in the stack"}`);
        }
    }

    if (c.read.overlay.length + c.read.stack.length > 0) {
        out.push("", "ConfigMaps and Secrets compared as the environment and files of the pods that read them, not as objects:");
        out.push(`  the overlay's: ${c.read.overlay.join(", ") || "none"}`, `  the stack's:   ${c.read.stack.join(", ") || "none"}`);
    }

    const immutable = count((o) => o.immutable.length > 0);
    const stackOnly = count((o) => o.status === "stack-only");
    const expected = expectedObjects.length;
    const summary = [
        `${count((o) => o.status === "equal")} equal`,
        `${count((o) => o.status === "changed")} changed${immutable > 0 ? ` (${immutable} with immutable fields)` : ""}`,
        `${stackOnly} only in the stack${expected > 0 ? ` (${expected} expected hardening)` : ""}`,
        `${count((o) => o.status === "overlay-only")} only in the overlay`,
        `${c.leftovers.length} leftover${c.leftovers.length === 1 ? "" : "s"}`,
    ].join(", ");
    out.push("", `summary: ${summary}: ${differs(c) ? "they differ; review the differences above" : "equal, apart from defaults and the documented hardening"}`);
    return out.join("\n") + "\n";
}
