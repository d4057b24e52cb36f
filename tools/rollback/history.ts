import { Refusal } from "../cli";
import { columns } from "../columns";
import { releaseIdOf } from "../release/message";

/** One entry of `pulumi stack history --json` (the fields the rollback reads). */
export interface Update {
    readonly version: number;
    readonly kind: string;
    readonly result: string;
    readonly startTime?: string;
    readonly message?: string;
    readonly environment?: Readonly<Record<string, string>>;
}

export function parseHistory(json: string): Update[] {
    let parsed: unknown;
    try {
        parsed = JSON.parse(json);
    } catch {
        throw new Refusal("'pulumi stack history --json' did not print JSON");
    }
    if (!Array.isArray(parsed)) {
        throw new Refusal("'pulumi stack history --json' did not print a list of updates");
    }
    return (parsed as Update[]).filter((u) => typeof u.version === "number").sort((a, b) => a.version - b.version);
}

/** The git commit an update was deployed from, when it was a clean checkout. */
export function commitOf(u: Update): string | undefined {
    return u.environment?.["git.head"];
}

/** The message a rollback gives its update, `rollback to v41 (abc1234)`, which `redeployOf` reads back. */
export function rollbackMessage(target: Update): string {
    return `rollback to v${target.version} (${(commitOf(target) ?? "").slice(0, 7)})`;
}

/** `rollbackMessage`'s text, exactly: nothing before or after, the commit's 7 characters. */
const ROLLBACK_MESSAGE = /^rollback to v([1-9][0-9]*) \(([0-9a-f]{7})\)$/;

/**
 * The update that `u` redeployed, when `u` is a rollback's: its message is exactly what
 * `rollbackMessage` writes, naming an earlier successful update by version and commit. Any other
 * message, however close, makes `u` a release of its own.
 */
export function redeployOf(u: Update, history: readonly Update[]): Update | undefined {
    const m = ROLLBACK_MESSAGE.exec(u.message ?? "");
    if (!m) return undefined;
    const target = history.find((x) => x.version === Number(m[1]));
    if (!target || target.version >= u.version || target.kind !== "update" || target.result !== "succeeded") return undefined;
    return commitOf(target)?.startsWith(m[2]) ? target : undefined;
}

/**
 * The last successful update of the canary release `u` is part of (`npm run release`: its steps,
 * promotion and final update, or its abort, each with the release's id in its message): what that
 * release left running. Undefined for an update of no release, or of one where none succeeded.
 */
function canaryReleaseEnd(u: Update, history: readonly Update[]): Update | undefined {
    const id = releaseIdOf(u.message);
    if (id === undefined) return undefined;
    return history.filter((x) => x.kind === "update" && x.result === "succeeded" && releaseIdOf(x.message) === id).at(-1);
}

/**
 * The release an update deployed: its own version; for a rollback's, the release it redeployed;
 * for an update of a canary release, the release's last successful update (all its updates count
 * as one release).
 */
export function releaseOf(u: Update, history: readonly Update[]): number {
    const of = redeployOf(u, history);
    if (of) return releaseOf(of, history);
    return canaryReleaseEnd(u, history)?.version ?? u.version;
}

/**
 * The releases that have run, oldest first, as a stack: each successful update puts its release
 * on top, and a rollback to release N first takes off every release from N on (they were rolled
 * back from). The top is the release running now, unless a newer update failed.
 */
function releasesRun(updates: readonly Update[], history: readonly Update[]): number[] {
    const stack: number[] = [];
    for (const u of updates.filter((x) => x.result === "succeeded")) {
        const release = releaseOf(u, history);
        while (stack.length > 0 && stack[stack.length - 1] >= release) stack.pop();
        stack.push(release);
    }
    return stack;
}

/**
 * The update to roll back to: `to` names a version; `previous` means the last successful
 * release before the one running now, where the newest update is the one running (partly, when
 * it failed), a rollback's update counts as the release it redeployed, and a release someone
 * rolled back from is skipped. Refuses versions that do not exist, did not succeed, or were not
 * deployed from a clean, recorded git commit.
 */
export function chooseTarget(history: readonly Update[], stack: string, choice: { to?: number; previous?: boolean }): Update {
    const updates = history.filter((u) => u.kind === "update");
    if (updates.length === 0) {
        throw new Refusal(`stack ${stack} has no updates to roll back to`);
    }
    let target: Update | undefined;
    if (choice.previous) {
        const newest = updates[updates.length - 1];
        const releases = releasesRun(updates, history);
        // A failed update of a canary release leaves that release running (its abort failed, say): the one before it is the previous.
        const partOf = newest.result === "succeeded" ? undefined : canaryReleaseEnd(newest, history)?.version;
        const before = newest.result === "succeeded" ? releases.slice(0, -1) : releases.filter((r) => partOf === undefined || r < partOf);
        target = history.find((u) => u.version === before[before.length - 1]);
        if (!target) {
            const now = newest.result === "succeeded" ? releaseOf(newest, history) : newest.version;
            const redeployed = now === newest.version ? "" : `, the release it runs now (version ${newest.version} redeployed it)`;
            throw new Refusal(`stack ${stack} has no successful update before version ${now}${redeployed}`);
        }
    } else {
        const version = choice.to!;
        const entry = history.find((u) => u.version === version);
        if (!entry) {
            const versions = history.map((u) => u.version);
            throw new Refusal(
                `stack ${stack} has no version ${version}; its versions are ${Math.min(...versions)} to ${Math.max(...versions)} (see --list)`,
            );
        }
        if (entry.kind !== "update") {
            throw new Refusal(`version ${version} of stack ${stack} was a ${entry.kind}, not an update; choose an update (see --list)`);
        }
        if (entry.result !== "succeeded") {
            throw new Refusal(`version ${version} of stack ${stack} did not succeed (result: ${entry.result}); choose a version whose update succeeded (see --list)`);
        }
        target = entry;
    }
    const head = commitOf(target);
    if (!head || !/^[0-9a-f]{7,64}$/.test(head)) {
        throw new Refusal(`version ${target.version} of stack ${stack} has no recorded git commit (git.head): it was not deployed from a git checkout, so its program cannot be recovered`);
    }
    if (target.environment?.["git.dirty"] !== "false") {
        throw new Refusal(
            `version ${target.version} of stack ${stack} was deployed from a checkout with uncommitted changes (git.dirty=${target.environment?.["git.dirty"] ?? "unknown"}): its exact program is not in git`,
        );
    }
    return target;
}

/** `--list`: version, time, result, git commit, message; newest first. */
export function formatHistory(history: readonly Update[]): string {
    const rows = [...history].reverse().map((u) => {
        const head = commitOf(u);
        const commit = head ? `${head.slice(0, 7)}${u.environment?.["git.dirty"] === "true" ? " (dirty)" : ""}` : "-";
        return [String(u.version), u.startTime ?? "-", `${u.kind} ${u.result}`, commit, (u.message ?? "").split("\n")[0]];
    });
    const all = [["VERSION", "TIME", "RESULT", "COMMIT", "MESSAGE"], ...rows];
    return columns(all);
}
