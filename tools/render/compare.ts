import { RenderedFile } from "./folder";
import { unifiedDiff } from "./lineDiff";

/** How one file of a render differs between two renders. */
export interface FileChange {
    readonly status: "added" | "removed" | "changed" | "replaced";
    readonly path: string;
    /** For a replaced object: its file before, under its old name. */
    readonly from?: string;
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
 * (fileNames.ts), so a file is the same object on both sides. An auto-named object whose content
 * changed has a new name (its hash suffix): one removed and one added file that differ only by
 * that suffix are shown as one replaced object, diffed, as Pulumi replaces it.
 */
export function compareRenders(before: readonly RenderedFile[], after: readonly RenderedFile[]): Comparison {
    const old = new Map(before.map((f) => [f.path, f]));
    const now = new Map(after.map((f) => [f.path, f]));
    const removed = before.filter((f) => !now.has(f.path));
    const added = after.filter((f) => !old.has(f.path));
    // An added file takes the place of the one removed file with its stem, when each is alone with it.
    const replaces = new Map<string, RenderedFile>();
    for (const a of added) {
        const stem = autoNameStem(a.path);
        const alike = (f: RenderedFile) => stem !== undefined && autoNameStem(f.path) === stem;
        const [gone, come] = [removed.filter(alike), added.filter(alike)];
        if (gone.length === 1 && come.length === 1) replaces.set(a.path, gone[0]);
    }
    const replacedOld = new Set([...replaces.values()].map((f) => f.path));

    const changes: FileChange[] = [];
    let unchanged = 0;
    for (const p of [...new Set([...old.keys(), ...now.keys()])].sort()) {
        const [b, a] = [now.get(p), replaces.get(p) ?? old.get(p)];
        if (replacedOld.has(p) && !b) continue;
        if (a && b && a.text === b.text) {
            unchanged++;
            continue;
        }
        const status = replaces.has(p) ? "replaced" : !a ? "added" : !b ? "removed" : "changed";
        const from = status === "replaced" && a ? { from: a.path } : {};
        changes.push({ status, path: p, ...from, what: (b ?? a)?.what ?? p, hunks: unifiedDiff(a?.text ?? "", b?.text ?? "") });
    }
    return { changes, unchanged };
}

/** An auto-named object's file name without its 8-hex-digit suffix (evaluate.ts names it so). */
function autoNameStem(p: string): string | undefined {
    return /^(.+)-[0-9a-f]{8}\.yaml$/.exec(p)?.[1];
}

/** Each change as a header line, `--- a/` and `+++ b/` lines and its hunks, like `git diff`. */
export function formatChanges(changes: readonly FileChange[]): string {
    return changes
        .map((c) => {
            const [from, to] = [c.status === "added" ? "/dev/null" : `a/${c.from ?? c.path}`, c.status === "removed" ? "/dev/null" : `b/${c.path}`];
            const title = c.from !== undefined ? `${c.from} -> ${c.path}` : c.path;
            return `${c.status} ${title} (${c.what})\n--- ${from}\n+++ ${to}\n${c.hunks}\n`;
        })
        .join("");
}

/** `3 added, 1 changed, 0 replaced, 0 removed (47 unchanged)`. */
export function summaryLine(c: Comparison): string {
    const count = (status: FileChange["status"]) => c.changes.filter((x) => x.status === status).length;
    return `${count("added")} added, ${count("changed")} changed, ${count("replaced")} replaced, ${count("removed")} removed (${c.unchanged} unchanged)`;
}
