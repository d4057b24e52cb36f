import { appendToGithubFile } from "./summary";

/**
 * How a release ended, for the CI step that ran it (docs/delivery.md): `outcome=<value>` and
 * `reason=<one line>` appended to `$GITHUB_OUTPUT` when it is set, once per release.
 * - `promoted`: every step passed; the stable Deployments run the new version (exit 0).
 * - `first-deploy`: no service with a canary ran anything yet; one plain update deployed them (exit 0).
 * - `aborted`: a check, an update or a signal stopped the release, and the abort update succeeded:
 *   the stable version serves, no canary is left (exit 4, 3, or a signal's code); the reason is
 *   why it aborted.
 * - `abort-failed`: the abort update failed too; traffic may still reach the canary (exit 3).
 * - `stopped`: a second signal stopped it at once, or a signal stopped the first deploy part-way;
 *   what traffic is in is the reason (a signal's code).
 * - `failed`: the first deploy's update failed (exit 3).
 * A refusal, a usage error or `--dry-run` updates nothing and writes no outcome.
 */
export const RELEASE_OUTCOMES = ["promoted", "first-deploy", "aborted", "abort-failed", "stopped", "failed"] as const;
export type ReleaseOutcome = (typeof RELEASE_OUTCOMES)[number];

/** The lines for `$GITHUB_OUTPUT`: the reason on one line, so that it cannot start another output. */
export function outcomeLines(outcome: ReleaseOutcome, reason: string): string {
    return `outcome=${outcome}\nreason=${reason.replace(/\s*[\r\n]+\s*/g, " ").trim()}\n`;
}

/** Appends the outcome to `$GITHUB_OUTPUT` when `env` names one; a file that cannot be written is said on `err`. */
export function appendOutcome(env: NodeJS.ProcessEnv, outcome: ReleaseOutcome, reason: string, err: (line: string) => void): void {
    appendToGithubFile(env, "GITHUB_OUTPUT", outcomeLines(outcome, reason), err);
}
