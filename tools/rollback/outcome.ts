import * as fs from "fs";

/**
 * What a rollback did, for CI (issue 17: the report says what the rollback step actually did). The
 * version is the one rolled back to, or asked for or chosen when it was refused or failed; the
 * reason is the line the tool printed, when it did not roll back.
 */
export interface Outcome {
    readonly outcome: "rolled-back" | "nothing-to-roll-back" | "refused" | "failed";
    readonly version?: number;
    readonly reason?: string;
}

/** A text on one line: line breaks and the spaces around them become one space. */
export function oneLine(text: string): string {
    return text
        .split(/\r\n|\r|\n/)
        .map((l) => l.trim())
        .filter(Boolean)
        .join(" ");
}

/** The outcome as GitHub's step-output lines, `key=value`, the reason kept on one line. */
export function outputLines(o: Outcome): string {
    const lines = [`outcome=${o.outcome}`, ...(o.version !== undefined ? [`version=${o.version}`] : []), ...(o.reason !== undefined ? [`reason=${oneLine(o.reason)}`] : [])];
    return lines.map((l) => `${l}\n`).join("");
}

/**
 * Appends the outcome to the file `GITHUB_OUTPUT` names (a step's outputs in GitHub Actions), when
 * it names one; a file that cannot be written is said on `err` and does not change the exit code.
 */
export function appendOutcome(env: NodeJS.ProcessEnv, o: Outcome, err: (line: string) => void): void {
    const file = env.GITHUB_OUTPUT;
    if (!file) return;
    try {
        fs.appendFileSync(file, outputLines(o));
    } catch (e) {
        err(`rollback: could not append the outcome (${o.outcome}) to $GITHUB_OUTPUT, ${file}: ${(e as Error).message}`);
    }
}
