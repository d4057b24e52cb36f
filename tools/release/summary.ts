import * as fs from "fs";
import { CheckResult, describeResult } from "./checks";

/** One row of the job summary: a step, the promotion, or the abort. */
export interface SummaryRow {
    /** `1/3`, `promote`, `abort`. */
    readonly step: string;
    /** The canary's share of traffic, as a percentage; undefined for an update without a canary. */
    readonly weight?: number;
    readonly windowSeconds?: number;
    readonly results: readonly CheckResult[];
    readonly outcome: string;
}

/** A table cell: pipes escaped and lines joined, so that a message cannot break the table. */
function cell(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");
}

/** The table's heading, written once at the start of a release. */
export function summaryHeading(stack: string, id: string): string {
    return [`### Canary release of ${cell(stack)} (${cell(id)})`, "", "| step | weight | window | checks | outcome |", "| ---- | ------ | ------ | ------ | ------- |", ""].join("\n");
}

/** One step as a markdown table row. */
export function summaryRow(row: SummaryRow): string {
    const checks = row.results.length > 0 ? row.results.map((r) => `${r.passed ? "ok" : "FAILED"} ${describeResult(r)}`).join("<br>") : "-";
    const weight = row.weight !== undefined ? `${row.weight}%` : "-";
    const window = row.windowSeconds !== undefined ? `${row.windowSeconds}s` : "-";
    return `| ${cell(row.step)} | ${weight} | ${window} | ${cell(checks)} | ${cell(row.outcome)} |\n`;
}

/** The line after the table: how the release ended. */
export function summaryOutcome(text: string): string {
    return `\n**Outcome:** ${cell(text)}\n\n`;
}

/**
 * Appends to the job summary, the file `GITHUB_STEP_SUMMARY` names in GitHub Actions, when it names
 * one; a file that cannot be written is said on `err` and changes nothing else.
 */
export function appendSummary(env: NodeJS.ProcessEnv, text: string, err: (line: string) => void): void {
    appendToGithubFile(env, "GITHUB_STEP_SUMMARY", text, err);
}

/** Appends `text` to the file the variable `name` names (GitHub Actions' `GITHUB_STEP_SUMMARY`, `GITHUB_OUTPUT`), when set. */
export function appendToGithubFile(env: NodeJS.ProcessEnv, name: "GITHUB_STEP_SUMMARY" | "GITHUB_OUTPUT", text: string, err: (line: string) => void): void {
    const file = env[name];
    if (!file) return;
    try {
        fs.appendFileSync(file, text);
    } catch (e) {
        err(`release: could not append to $${name}, ${file}: ${(e as Error).message}`);
    }
}
