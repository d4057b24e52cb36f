import { Check, CheckResult, evaluate } from "./checks";
import { Answer } from "./prometheus";

/** How a step's window ended: every evaluation passed, one failed, or a signal stopped the watch. */
export type Watched =
    | { readonly outcome: "passed"; readonly results: readonly CheckResult[] }
    | { readonly outcome: "failed"; readonly results: readonly CheckResult[]; readonly failed: CheckResult }
    | { readonly outcome: "interrupted"; readonly results: readonly CheckResult[] };

export interface Watch {
    readonly windowSeconds: number;
    readonly intervalSeconds: number;
    readonly checks: readonly Check[];
    readonly ask: (query: string) => Promise<Answer>;
    /** Called after each evaluation, with its results. */
    readonly evaluated?: (results: readonly CheckResult[]) => void;
}

/** Waits `ms`, or less when `aborted` fires; whether it waited the whole time. */
export function pause(ms: number, aborted: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
        if (aborted.aborted) return resolve(false);
        const done = (whole: boolean) => {
            clearTimeout(timer);
            aborted.removeEventListener("abort", stop);
            resolve(whole);
        };
        const stop = () => done(false);
        const timer = setTimeout(() => done(true), ms);
        aborted.addEventListener("abort", stop, { once: true });
    });
}

/**
 * Watches one step for its window: every `intervalSeconds` (and at the window's end) every check
 * is evaluated; the first failure ends the watch. The results returned are the last evaluation's.
 */
export async function watchWindow(w: Watch, aborted: AbortSignal): Promise<Watched> {
    let results: CheckResult[] = [];
    let elapsed = 0;
    const window = w.windowSeconds * 1000;
    do {
        const wait = Math.min(w.intervalSeconds * 1000, window - elapsed);
        if (!(await pause(wait, aborted))) return { outcome: "interrupted", results };
        elapsed += wait;
        results = await Promise.all(w.checks.map(async (check) => evaluate(check, await w.ask(check.query))));
        if (aborted.aborted) return { outcome: "interrupted", results };
        w.evaluated?.(results);
        const failed = results.find((r) => !r.passed);
        if (failed) return { outcome: "failed", results, failed };
    } while (elapsed < window);
    return { outcome: "passed", results };
}
