/**
 * The `--message` of each update a release runs, `canary release <id>: <what>`, which the stack's
 * history keeps: the rollback reads the id back (tools/rollback/history.ts) to count every update
 * of one release (its steps, promotion, or abort) as one release.
 */

/** A release's id: the commit's first 7 characters (`nogit` outside a checkout) and the start time, `abc1234-20261130T120000Z`. */
export function releaseId(commit: string | undefined, start: Date): string {
    const time = start.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
    return `${commit ? commit.slice(0, 7) : "nogit"}-${time}`;
}

/** The message of one update of release `id`: `canary release abc1234-20261130T120000Z: step 2/3, 50% to the canary`. */
export function releaseMessage(id: string, what: string): string {
    return `canary release ${id}: ${what}`;
}

const RELEASE_MESSAGE = /^canary release ([0-9a-z]{5,7}-[0-9]{8}T[0-9]{6}Z): /;

/** The release an update's message says it belongs to, or undefined for any other update. */
export function releaseIdOf(message: string | undefined): string | undefined {
    return RELEASE_MESSAGE.exec(message ?? "")?.[1];
}
