import { RenderedFile } from "./folder";
import { unifiedDiff } from "./lineDiff";

/** How one file of a render differs between two renders. */
export interface FileChange {
    readonly status: "added" | "removed" | "changed";
    readonly path: string;
    /** What the file holds (`Deployment execution`, `the stack outputs`), from the side that has it. */
    readonly what: string;
    /** The unified diff's hunks. */
    readonly hunks: string;
}

export interface Comparison {
    /** Every file that differs, by path. */
    readonly changes: readonly FileChange[];
    /** How many files are the same on both sides. */
    readonly unchanged: number;
}

/**
 * What changes from one render to another, file by file. File names never depend on order
 * (fileNames.ts), so a file is the same object on both sides; an auto-named object whose content
 * changed has a new name, and shows as one removed and one added, as Pulumi replaces it.
 */
export function compareRenders(before: readonly RenderedFile[], after: readonly RenderedFile[]): Comparison {
    const old = new Map(before.map((f) => [f.path, f]));
    const now = new Map(after.map((f) => [f.path, f]));
    const paths = [...new Set([...old.keys(), ...now.keys()])].sort();
    const changes: FileChange[] = [];
    let unchanged = 0;
    for (const p of paths) {
        const [a, b] = [old.get(p), now.get(p)];
        if (a && b && a.text === b.text) {
            unchanged++;
            continue;
        }
        const status = !a ? "added" : !b ? "removed" : "changed";
        changes.push({ status, path: p, what: (b ?? a)?.what ?? p, hunks: unifiedDiff(a?.text ?? "", b?.text ?? "") });
    }
    return { changes, unchanged };
}

/** Each change as a header line, `--- a/` and `+++ b/` lines and its hunks, like `git diff`. */
export function formatChanges(changes: readonly FileChange[]): string {
    return changes
        .map((c) => {
            const [from, to] = [c.status === "added" ? "/dev/null" : `a/${c.path}`, c.status === "removed" ? "/dev/null" : `b/${c.path}`];
            return `${c.status} ${c.path} (${c.what})\n--- ${from}\n+++ ${to}\n${c.hunks}\n`;
        })
        .join("");
}

/** `3 added, 1 changed, 0 removed (47 unchanged)`. */
export function summaryLine(c: Comparison): string {
    const count = (status: FileChange["status"]) => c.changes.filter((x) => x.status === status).length;
    return `${count("added")} added, ${count("changed")} changed, ${count("removed")} removed (${c.unchanged} unchanged)`;
}
