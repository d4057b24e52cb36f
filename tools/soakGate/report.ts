import { columns } from "../columns";
import { Update } from "../rollback/history";
import { Judgement, passes, Row, Verdict } from "./judge";

/** What the soak gate prints, and the same as Markdown for the job's summary. */

/** The stacks a report names: the target, and the source as the backend knows it. */
export interface Names {
    readonly target: string;
    readonly source: string;
    /** The source as its stack file names it (`staging`), for the commands to run. */
    readonly sourceShort: string;
    /** `environment.promotion.soak` as written: `24h`. */
    readonly soak: string;
}

/** A duration in words, largest units first, zero parts left out: `1d 2h`, `23h 59m 59s`, `0s`. */
export function duration(total: number): string {
    const s = Math.max(0, Math.floor(total));
    const parts: [number, string][] = [
        [Math.floor(s / 86400), "d"],
        [Math.floor((s % 86400) / 3600), "h"],
        [Math.floor((s % 3600) / 60), "m"],
        [s % 60, "s"],
    ];
    return parts.filter(([n]) => n > 0).map(([n, unit]) => `${n}${unit}`).join(" ") || "0s";
}

/** A digest shortened to 12 hex digits: enough to tell images apart in a table. */
const short = (image: string) => image.replace(/@sha256:([0-9a-f]{12})[0-9a-f]{52}$/, "@sha256:$1");

function verdictText(v: Verdict, n: Names, now: number): string {
    const target = n.target.split("/").pop()!;
    switch (v.kind) {
        case "disabled":
            return `skipped: turned off in ${target}`;
        case "builds":
            return `skipped: built from source in ${target}`;
        case "unchanged":
            return `passes: ${target} runs it already`;
        case "exception":
            return `passes: promotion.exceptions: ${v.reason}`;
        case "soaked":
            return v.until ? `passes: ran ${duration(v.ran)} in ${n.sourceShort}, until ${v.until}` : "passes";
        case "fresh":
            return `blocked: deployable from ${v.at} (in ${duration(Date.parse(v.at) / 1000 - now / 1000)})`;
        case "stopped":
            return `blocked: ${n.sourceShort} ran it ${duration(v.ran)} only, until ${v.until}, and runs another image now: it cannot soak any more`;
        case "rolled-back":
            return `blocked: ${n.sourceShort} rolled back from it at ${v.until}`;
        case "end-unknown":
            return `blocked: ${n.sourceShort}'s record has no time for the release after it, so when it stopped running is not known`;
        case "no-since":
            return `blocked: ${n.sourceShort}'s record has no time for it (deployed without PLATFORM_RELEASE_TIME, such as from a laptop)`;
        case "never-ran":
            return `blocked: ${n.sourceShort} never ran it (no entry in its releases output)`;
    }
}

function cells(r: Row, n: Names, now: number): string[] {
    const v = r.verdict;
    const since = "since" in v ? v.since : "-";
    const ran = "ran" in v ? duration(v.ran) : "-";
    return [r.service, r.image ? short(r.image) : "-", since, ran, verdictText(v, n, now)];
}

const HEADINGS = ["SERVICE", "IMAGE", "SINCE", "RAN", "VERDICT"];

/** The source by its short name, and its full name when that says more. */
const sourceName = (n: Names) => (n.source === n.sourceShort ? n.source : `${n.sourceShort} (${n.source})`);

function health(latest: Update | undefined, n: Names): string {
    if (!latest) return `${sourceName(n)} has no update in its history`;
    const when = latest.startTime ? `, started ${latest.startTime}` : "";
    return `${n.sourceShort}'s latest update: version ${latest.version}, ${latest.kind} ${latest.result}${when}`;
}

/** What to do about a blocked deploy, one line each. */
function advice(j: Judgement, n: Names): string[] {
    const target = n.target.split("/").pop()!;
    const kinds = new Set(j.rows.filter((r) => !passes(r.verdict)).map((r) => r.verdict.kind));
    const lines: string[] = [];
    if (!j.healthy) lines.push(`${n.sourceShort} is not known to be healthy now: deploy it successfully first`);
    if (kinds.has("fresh")) lines.push("wait: run the release again once the time above has passed (or let its schedule run it)");
    if (kinds.size > (kinds.has("fresh") ? 1 : 0)) {
        lines.push(`promote what ${n.sourceShort} runs now ('npm run promote -- --from ${n.sourceShort} --to ${target}'), and let it soak`);
    }
    lines.push(`or, for one service that cannot wait, say why under environment.promotion.exceptions.<service> in Pulumi.${target}.yaml`);
    return lines;
}

/** The lines the gate prints. */
export function reportLines(j: Judgement, latest: Update | undefined, n: Names, now: number): string[] {
    const target = n.target.split("/").pop()!;
    const blocked = j.rows.filter((r) => !passes(r.verdict)).length;
    const lines = [
        `soak gate: ${target} deploys only images ${sourceName(n)} has run for ${n.soak} (environment.promotion.soak), its latest update successful`,
        health(latest, n),
        "",
        columns([HEADINGS, ...j.rows.map((r) => cells(r, n, now))]),
        "",
    ];
    if (j.passes) return [...lines, `soak gate: passed: ${target} may deploy`];
    const why = [blocked > 0 ? `${blocked} service${blocked === 1 ? "" : "s"} not soaked` : "", j.healthy ? "" : `${n.sourceShort} not healthy`].filter(Boolean).join(", ");
    return [...lines, `soak gate: blocked (${why}): ${target} is not deployed`, ...advice(j, n).map((l) => `  - ${l}`)];
}

/** The job summary: the verdict, the source's health and the table, as Markdown. */
export function summaryMarkdown(j: Judgement, latest: Update | undefined, n: Names, now: number): string {
    const target = n.target.split("/").pop()!;
    const cell = (c: string) => c.replace(/\|/g, "\\|");
    const rows = j.rows.map((r) => `| ${cells(r, n, now).map(cell).join(" | ")} |`);
    return [
        `### Soak gate: ${j.passes ? "passed" : "blocked"} (${target}, ${n.soak} in ${n.sourceShort})`,
        "",
        health(latest, n),
        "",
        `| ${HEADINGS.map((h) => h.toLowerCase()).join(" | ")} |`,
        `| ${HEADINGS.map(() => "---").join(" | ")} |`,
        ...rows,
        "",
    ].join("\n");
}
