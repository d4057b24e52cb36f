import { Plan, Row } from "./plan";
import { standInTag } from "./target";
import { columns } from "../columns";

/** `tag@sha256:<12 hex>`: enough to tell builds apart in a table; the stack file holds the whole digest. */
export function shortImage(image: { readonly tag?: string; readonly digest?: string }): string {
    const digest = image.digest ? `@${image.digest.slice(0, "sha256:".length + 12)}` : "";
    const tag = image.tag !== undefined && !standInTag(image.tag) ? image.tag : image.digest ? "" : "(tag from CI)";
    return `${tag}${digest}` || "-";
}

function now(row: Row): string {
    return row.current ? shortImage(row.current) : "-";
}

function becomes(row: Row, changed: ReadonlySet<string>, to: string): string {
    switch (row.action) {
        case "promote":
            return changed.has(row.service) && row.release ? shortImage(row.release) : "unchanged";
        case "disabled":
            return `not promoted: enabled: false in ${to}`;
        case "builds":
            return `not promoted: builds from source in ${to}`;
        case "kept":
            return "unchanged (--allow-missing: never ran there)";
    }
}

/** The last segment of a stack name, for column headings. */
const shortName = (stack: string) => stack.split("/").pop()!;

/**
 * One row per service of the target's catalog: the image the target names now, what it is to
 * name (or "unchanged", or why the service is not promoted), and since when the source runs it.
 */
export function summaryTable(plan: Plan, changed: readonly string[], stacks: { readonly from: string; readonly to: string }): string {
    const from = shortName(stacks.from);
    const to = shortName(stacks.to);
    const set = new Set(changed);
    const rows = plan.rows.map((r) => [r.service, now(r), becomes(r, set, to), r.release?.since ?? "-"]);
    const all = [["SERVICE", `${to.toUpperCase()} NOW`, `FROM ${from.toUpperCase()}`, `IN ${from.toUpperCase()} SINCE`], ...rows];
    return columns(all);
}
