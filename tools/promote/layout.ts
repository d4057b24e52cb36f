import { isDeepStrictEqual } from "util";
import YAML, { Document } from "yaml";

/**
 * The `yaml` package keeps comments and key order, but prints every flow collection one way
 * (`{ a: 1 }` and `[ a ]`, or `{a: 1}` and `[a]`) and folds long lines, where a hand-written file
 * mixes them: written whole, an edit of two digests would also restyle a dozen untouched lines,
 * and the pull request would show more than what changes.
 */
const printed = (doc: Document, padding: boolean) => doc.toString({ lineWidth: 0, flowCollectionPadding: padding }).split("\n");

/**
 * The text of `after` (an edit of `before`, which was parsed from `original`) with the original
 * layout kept on every line the edit did not change: the lines are matched through the package's
 * own printing of both documents, and a changed line is printed in the style of the line it
 * replaces. `relaidOut` is true when that was not possible and the text is the package's printing.
 */
export function keepLayout(original: string, before: Document, after: Document): { text: string; relaidOut: boolean } {
    const source = original.split("\n");
    const was = { padded: printed(before, true), tight: printed(before, false) };
    const now = { padded: printed(after, true), tight: printed(after, false) };
    const whole = { text: now.padded.join("\n"), relaidOut: true };
    if (was.padded.length !== source.length || now.tight.length !== now.padded.length) return whole;

    const styleOf = (i: number) => (was.tight[i] === source[i] && was.padded[i] !== source[i] ? now.tight : now.padded);
    const lines: string[] = [];
    let style = now.padded;
    for (const step of diffLines(was.padded, now.padded)) {
        if (step.kind === "same") {
            lines.push(source[step.from]);
            style = styleOf(step.from);
        } else if (step.kind === "changed") {
            lines.push(styleOf(step.from)[step.to]);
        } else if (step.kind === "added") {
            lines.push(style[step.to]);
        }
    }
    const text = lines.join("\n");
    // Only a text that reads back as exactly the edited document is kept.
    const back = YAML.parseDocument(text);
    return back.errors.length === 0 && isDeepStrictEqual(back.toJS(), after.toJS()) ? { text, relaidOut: false } : whole;
}

type Step = { kind: "same" | "changed"; from: number; to: number } | { kind: "added"; to: number } | { kind: "removed"; from: number };

/**
 * The steps from `a` to `b`, line by line (a longest common subsequence); within a run of
 * differences, removed and added lines are paired in order as changed lines.
 */
export function diffLines(a: readonly string[], b: readonly string[]): Step[] {
    const n = a.length;
    const m = b.length;
    // common[i][j]: the longest common subsequence of a[i..] and b[j..].
    const common = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--) {
        for (let j = m - 1; j >= 0; j--) {
            common[i][j] = a[i] === b[j] ? common[i + 1][j + 1] + 1 : Math.max(common[i + 1][j], common[i][j + 1]);
        }
    }
    const steps: Step[] = [];
    let removed: number[] = [];
    let added: number[] = [];
    const flush = () => {
        const paired = Math.min(removed.length, added.length);
        for (let k = 0; k < paired; k++) steps.push({ kind: "changed", from: removed[k], to: added[k] });
        for (const from of removed.slice(paired)) steps.push({ kind: "removed", from });
        for (const to of added.slice(paired)) steps.push({ kind: "added", to });
        removed = [];
        added = [];
    };
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && a[i] === b[j]) {
            flush();
            steps.push({ kind: "same", from: i++, to: j++ });
        } else if (j < m && (i === n || common[i][j + 1] >= common[i + 1][j])) {
            added.push(j++);
        } else {
            removed.push(i++);
        }
    }
    flush();
    return steps;
}
