/**
 * A unified diff of two texts, line by line, as `diff -u` prints its hunks. Small on purpose (no
 * dependency): the common head and tail are set aside, and the rest is compared by longest common
 * subsequence, which is exact for the few hundred lines of a rendered object.
 */

/** One line of an edit script: kept (" "), removed ("-") or added ("+"). */
interface Edit {
    readonly op: " " | "-" | "+";
    readonly line: string;
}

/** Above this many cells the middle is shown as removed then added: still a correct diff, only not minimal. */
const MAX_CELLS = 16_000_000;

/** The lines of a text; a final newline ends the last line rather than starting an empty one. */
export function lines(text: string): string[] {
    if (text === "") return [];
    const all = text.split("\n");
    return text.endsWith("\n") ? all.slice(0, -1) : all;
}

/** The edits that turn `a` into `b`, kept lines included. */
export function editScript(a: readonly string[], b: readonly string[]): Edit[] {
    let head = 0;
    while (head < a.length && head < b.length && a[head] === b[head]) head++;
    let tail = 0;
    while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
    const [x, y] = [a.slice(head, a.length - tail), b.slice(head, b.length - tail)];
    const kept = (line: string): Edit => ({ op: " ", line });
    return [...a.slice(0, head).map(kept), ...middle(x, y), ...a.slice(a.length - tail).map(kept)];
}

function middle(x: readonly string[], y: readonly string[]): Edit[] {
    const removed = (line: string): Edit => ({ op: "-", line });
    const added = (line: string): Edit => ({ op: "+", line });
    if (x.length === 0 || y.length === 0 || (x.length + 1) * (y.length + 1) > MAX_CELLS) {
        return [...x.map(removed), ...y.map(added)];
    }
    // lcs[i][j]: the length of the longest common subsequence of x[i..] and y[j..].
    const width = y.length + 1;
    const lcs = new Uint32Array((x.length + 1) * width);
    for (let i = x.length - 1; i >= 0; i--) {
        for (let j = y.length - 1; j >= 0; j--) {
            lcs[i * width + j] = x[i] === y[j] ? lcs[(i + 1) * width + j + 1] + 1 : Math.max(lcs[(i + 1) * width + j], lcs[i * width + j + 1]);
        }
    }
    const edits: Edit[] = [];
    let [i, j] = [0, 0];
    while (i < x.length && j < y.length) {
        if (x[i] === y[j]) {
            edits.push({ op: " ", line: x[i++] });
            j++;
        } else if (lcs[(i + 1) * width + j] >= lcs[i * width + j + 1]) {
            edits.push(removed(x[i++]));
        } else {
            edits.push(added(y[j++]));
        }
    }
    return [...edits, ...x.slice(i).map(removed), ...y.slice(j).map(added)];
}

/**
 * The hunks of a unified diff from `before` to `after` (`@@ -1,3 +1,4 @@` and the lines), with
 * `context` unchanged lines around each change; empty when the texts are equal.
 */
export function unifiedDiff(before: string, after: string, context = 3): string {
    const edits = editScript(lines(before), lines(after));
    const changed = edits.flatMap((e, k) => (e.op === " " ? [] : [k]));
    if (changed.length === 0) return "";
    // Changes closer than twice the context share a hunk, as diff -u does.
    const hunks: [number, number][] = [];
    for (const k of changed) {
        const last = hunks[hunks.length - 1];
        if (last && k - last[1] <= 2 * context + 1) last[1] = k;
        else hunks.push([k, k]);
    }
    // Where each edit starts on either side (0-based line numbers).
    const start: [number, number][] = [];
    let [oldLine, newLine] = [0, 0];
    for (const e of edits) {
        start.push([oldLine, newLine]);
        if (e.op !== "+") oldLine++;
        if (e.op !== "-") newLine++;
    }
    const text: string[] = [];
    for (const [first, last] of hunks) {
        const [from, to] = [Math.max(0, first - context), Math.min(edits.length - 1, last + context)];
        const part = edits.slice(from, to + 1);
        const oldCount = part.filter((e) => e.op !== "+").length;
        const newCount = part.filter((e) => e.op !== "-").length;
        // An empty range is numbered by the line before it, as diff -u does (`-0,0` for a new file).
        const range = (line: number, count: number) => `${count === 0 ? line : line + 1},${count}`;
        text.push(`@@ -${range(start[from][0], oldCount)} +${range(start[from][1], newCount)} @@`);
        text.push(...part.map((e) => `${e.op}${e.line}`));
    }
    return text.join("\n") + "\n";
}
