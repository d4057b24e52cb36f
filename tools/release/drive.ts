import { CANARY_VAR, CanaryRelease } from "../../config/canary";
import { EXIT, signalExit } from "../cli";
import { Interrupts } from "../interrupts";
import { CheckResult, checksOf, describeResult } from "./checks";
import { releaseMessage } from "./message";
import { ReleasePlan, stableImages } from "./plan";
import { Answer } from "./prometheus";
import { appendSummary, summaryHeading, summaryOutcome, summaryRow, SummaryRow } from "./summary";
import { appendOutcome, ReleaseOutcome } from "./outcome";
import { abortCommand, abortVariables, Traffic, trafficReport } from "./traffic";
import { watchWindow } from "./watch";
import { Show, StackUpdates, Stopper, updateFailure } from "./workspace";

export interface DriveIo {
    readonly env: NodeJS.ProcessEnv;
    readonly out: (line: string) => void;
    readonly err: (line: string) => void;
    /** Where pulumi's own output goes. */
    readonly show: Show;
}

export interface Release {
    readonly stack: string;
    readonly id: string;
    readonly plan: ReleasePlan;
    readonly updates: StackUpdates;
    readonly interrupts: Interrupts;
    readonly ask: (query: string) => Promise<Answer>;
}

/** How long a stopped update may take to end before the report is printed all the same. */
const STOP_GRACE_MS = 10000;

/**
 * Drives a release (docs/canary-release.md): one update per step with `PLATFORM_CANARY`, each
 * step watched for its window, then the promotion and the final update; a failed check, a failed
 * update or a signal aborts to the stable version with one update. A second signal stops at once:
 * the running update is terminated and what traffic is in is printed. Returns the exit code.
 */
export async function drive(r: Release, io: DriveIo): Promise<number> {
    const stable = stableImages(r.plan);
    const n = r.plan.steps.length;
    const traffic: Traffic = { weight: 0, abort: "not started" };
    const abortMessage = (why: string) => releaseMessage(r.id, `abort (${why}): the stable version takes all traffic, the canaries removed`);
    const summary = (text: string) => appendSummary(io.env, text, io.err);
    const row = (x: SummaryRow) => summary(summaryRow(x));
    /** How the release ended: the line after the summary's table, and the outcome for CI with its reason (by default the same words). */
    const finish = (outcome: ReleaseOutcome, text: string, reason = text) => {
        summary(summaryOutcome(text));
        appendOutcome(io.env, outcome, reason, io.err);
    };
    let current: { stopper: Stopper; label: string; ended: Promise<unknown> } | undefined;
    let stoppedBy: ((signal: NodeJS.Signals) => void) | undefined;
    const atOnce = new Promise<NodeJS.Signals>((resolve) => (stoppedBy = resolve));
    let stopped = false;

    r.interrupts.onSignal((signal, count) => {
        if (count === 1) {
            const what = traffic.abort === "running" ? "the abort is running already" : "aborting to the stable version once the running step ends";
            io.err(`release: ${signal}: ${what} (a second signal stops at once)`);
            // A terminal sent Ctrl-C and its hangup to pulumi too; a cancelled CI job's SIGTERM reached this process alone.
            if (signal === "SIGTERM" && current && traffic.abort !== "running") current.stopper.cancel();
            return;
        }
        stopped = true;
        current?.stopper.terminate();
        stoppedBy!(signal);
    });

    /** One update; whether it succeeded. Nothing starts once stopped at once. */
    const update = async (label: string, env: Record<string, string>, message: string): Promise<boolean> => {
        if (stopped) return false;
        io.out(`release ${r.stack}: ${message}`);
        const stopper = new Stopper();
        const ended = r.updates.up(env, message, stopper, io.show);
        current = { stopper, label, ended: ended.catch(() => undefined) };
        traffic.running = label;
        try {
            await ended;
            return true;
        } catch (e) {
            if (!stopped) io.err(`release: the update of ${label} failed: ${updateFailure(e)}`);
            return false;
        } finally {
            current = undefined;
            if (!stopped) traffic.running = undefined;
        }
    };

    /** The abort: one update without a canary, the stable images pinned; then `code`, or 3 when the abort itself failed. */
    const abort = async (why: string, code: number): Promise<number> => {
        if (stopped) return code;
        traffic.abort = "running";
        const message = abortMessage(why);
        const ok = await update("abort", abortVariables(stable), message);
        if (stopped) return code;
        traffic.abort = ok ? "done" : "failed";
        if (ok) traffic.weight = 0;
        row({ step: "abort", results: [], outcome: ok ? `aborted (${why}): the stable version serves` : "the abort update failed" });
        if (!ok) {
            const lines = trafficReport(traffic, abortCommand(r.stack, stable, message), r.stack);
            lines.forEach((l) => io.err(`release: ${l}`));
            finish("abort-failed", `the abort update failed after ${why}; ${lines[0]}`);
            return EXIT.failed;
        }
        io.err(`release: aborted (${why}): the stable version takes all traffic again, the canaries are removed`);
        finish("aborted", `aborted (${why}): the stable version serves`, why);
        return code;
    };
    const interrupted = () => {
        const signal = r.interrupts.signal()!;
        return abort(`interrupted by ${signal}`, signalExit(signal));
    };
    const failedUpdate = (label: string) => abort(`the update of ${label} failed`, EXIT.failed);

    const flow = async (): Promise<number> => {
        summary(summaryHeading(r.stack, r.id));
        io.out(`release ${r.stack} (${r.id}): ${r.plan.services.map((s) => s.name).join(", ")}, in ${n} steps: ${r.plan.steps.map((s) => `${s.weight}%`).join(", ")}`);
        const checks = r.plan.services.flatMap((s) => checksOf(s, r.plan.namespace));
        for (const [i, step] of r.plan.steps.entries()) {
            const label = `${i + 1}/${n}`;
            if (r.interrupts.signal()) return interrupted();
            const canary: CanaryRelease = { weight: step.weight, stable, promote: false };
            const ok = await update(`step ${label}, ${step.weight}%`, { [CANARY_VAR]: JSON.stringify(canary) }, releaseMessage(r.id, `step ${label}, ${step.weight}% to the canary`));
            if (!ok) {
                row({ step: label, weight: step.weight, windowSeconds: step.windowSeconds, results: [], outcome: "update failed" });
                return r.interrupts.signal() ? interrupted() : failedUpdate(`step ${label}`);
            }
            traffic.weight = step.weight;
            traffic.step = label;
            if (r.interrupts.signal()) return interrupted();
            io.out(`release ${r.stack}: step ${label}: watching for ${step.windowSeconds}s, checks every ${r.plan.intervalSeconds}s`);
            const watched = await watchWindow(
                { windowSeconds: step.windowSeconds, intervalSeconds: r.plan.intervalSeconds, checks, ask: r.ask, evaluated: (results) => io.out(`  ${results.map(resultLine).join("; ")}`) },
                r.interrupts.aborted,
            );
            const outcome = watched.outcome === "failed" ? `failed: ${describeResult(watched.failed)}` : watched.outcome;
            row({ step: label, weight: step.weight, windowSeconds: step.windowSeconds, results: watched.results, outcome });
            if (watched.outcome === "interrupted") return interrupted();
            if (watched.outcome === "failed") {
                const why = `a check failed at step ${label} (${step.weight}%): ${describeResult(watched.failed)}`;
                io.err(`release: ${why}`);
                return abort(why, EXIT.findings);
            }
        }
        if (r.interrupts.signal()) return interrupted();
        const promote: CanaryRelease = { weight: 100, stable, promote: true };
        if (!(await update("promote", { [CANARY_VAR]: JSON.stringify(promote) }, releaseMessage(r.id, "promote: the stable Deployments take the new version")))) {
            row({ step: "promote", weight: 100, results: [], outcome: "update failed" });
            return r.interrupts.signal() ? interrupted() : failedUpdate("the promotion");
        }
        traffic.step = "promote";
        row({ step: "promote", weight: 100, results: [], outcome: "the stable Deployments run the new version" });
        if (r.interrupts.signal()) return interrupted();
        if (!(await update("the final update", {}, releaseMessage(r.id, "done: the canaries removed")))) {
            row({ step: "done", results: [], outcome: "update failed" });
            return r.interrupts.signal() ? interrupted() : failedUpdate("the final update");
        }
        traffic.weight = 0;
        row({ step: "done", results: [], outcome: "the canaries removed" });
        // The release is complete: a signal now has nothing left to abort.
        io.out(`release ${r.stack}: released ${r.plan.services.map((s) => s.name).join(", ")}: every step passed, the stable Deployments run the new version`);
        finish("promoted", "released: every step passed and the new version was promoted");
        return EXIT.done;
    };

    const running = flow();
    const first = await Promise.race([running.then((code) => ({ code })), atOnce.then((signal) => ({ signal }))]);
    if ("code" in first) return first.code;
    // Stopped at once: the terminated update is given a moment to end, then the state is said.
    const ending = current?.ended;
    if (ending) await Promise.race([ending, new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS).unref())]);
    io.err(`release: stopped at once (${first.signal}, the second signal)`);
    const lines = trafficReport(traffic, abortCommand(r.stack, stable, abortMessage("finished by hand")), r.stack);
    lines.forEach((l) => io.err(`release: ${l}`));
    finish("stopped", `stopped at once by a second signal; ${lines[0]}`);
    return signalExit(first.signal);
}

function resultLine(r: CheckResult): string {
    return `${r.passed ? "ok" : "FAILED"} ${describeResult(r)}`;
}
