/**
 * Waiting on a process a test started (the rollback, the release): its exit within a limit, or a
 * condition on what it did so far.
 */
import { strict as assert } from "assert";

/** What `settled` gives, or "running" once `ms` have passed without it (the timer does not keep node alive). */
export function within<T>(settled: Promise<T>, ms: number): Promise<T | "running"> {
    return Promise.race([settled, new Promise<"running">((resolve) => setTimeout(() => resolve("running"), ms).unref())]);
}

/** Polls `condition` every 100 ms for up to `seconds`, then fails naming `what`. */
export async function until(condition: () => boolean, what: string, seconds = 30): Promise<void> {
    for (let i = 0; i < seconds * 10 && !condition(); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(condition(), what);
}
