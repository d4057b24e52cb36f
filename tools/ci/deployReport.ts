/**
 * The last step of a deploy job that failed, and of every rollback job: says what actually
 * happened, from the steps' outcomes and the outputs the rollback command appends to
 * $GITHUB_OUTPUT (`outcome=rolled-back|nothing-to-roll-back|refused|failed`, `version=<N>`,
 * `reason=<text>`): an annotation on the run, and the same words in the job's summary.
 *
 *   npm run --silent deploy-report -- --job deploy|rollback   (inputs in the environment, below)
 */
import * as fs from "fs";
import { CommandSpec, EXIT, parseCommandLine, Parsed, runCommand } from "../cli";
import { RELEASE_OUTCOMES, ReleaseOutcome } from "../release/outcome";

/** What GitHub reports for a step (`steps.<id>.outcome`); empty when the step does not exist. */
export type StepOutcome = "success" | "failure" | "cancelled" | "skipped" | "";

export const ROLLBACK_OUTCOMES = ["rolled-back", "nothing-to-roll-back", "refused", "failed"] as const;

/** What the job did, from its steps (the environment variables the workflow sets, in brackets). */
export interface ReportInput {
    /** [STACK] */
    readonly stack: string;
    /** The release's soak gate [SOAK]; absent from a deploy without one. */
    readonly soak: StepOutcome;
    /** The deploy's preview and update steps [PREVIEW, UPDATE]; a rollback job has neither. */
    readonly preview: StepOutcome;
    readonly update: StepOutcome;
    /** The deploy's update ran past its step's timeout and was cancelled [TIMED_OUT]. */
    readonly timedOut: boolean;
    /** deploy-failure's decision [DECISION: true/false, WHY]; undefined when it did not decide. */
    readonly decision?: { readonly rollback: boolean; readonly reason: string };
    /** The rollback step [ROLLBACK], and what it says it did [OUTCOME, VERSION, REASON]. */
    readonly rollbackStep: StepOutcome;
    /** The rollback step ran past its timeout; its update was cancelled [ROLLBACK_TIMED_OUT]. */
    readonly rollbackTimedOut: boolean;
    readonly outcome?: (typeof ROLLBACK_OUTCOMES)[number];
    readonly version?: string;
    readonly reason?: string;
    /**
     * Set when the update step was a driven canary release (`npm run release`) rather than
     * `pulumi up`: how it ended and why [RELEASE_OUTCOME, RELEASE_REASON, the outputs it wrote];
     * the workflow sets RELEASE_OUTCOME (even empty) in such a job only.
     */
    readonly release?: { readonly outcome?: ReleaseOutcome; readonly reason?: string };
}

export interface ReportOptions {
    readonly job: "deploy" | "rollback";
}

export const SPEC = {
    name: "deploy-report",
    usage: "npm run deploy-report -- --job deploy|rollback",
    summary:
        "Says what a deploy job that failed, or a rollback job, actually did: an annotation (::error or ::notice)\n" +
        "on stdout and the same words appended to $GITHUB_STEP_SUMMARY. Reads STACK, SOAK, PREVIEW and UPDATE (the\n" +
        "steps' outcomes), TIMED_OUT, DECISION and WHY (deploy-failure's outputs), ROLLBACK and ROLLBACK_TIMED_OUT\n" +
        "(the rollback step's outcome) and OUTCOME, VERSION and REASON (the outputs the rollback command writes);\n" +
        "in the job of a driven canary stack, RELEASE_OUTCOME and RELEASE_REASON (the outputs 'npm run release' writes).",
    options: {
        job: { type: "string", value: "<deploy|rollback>", help: "the job reported on: a push's deploy, or the rollback workflow" },
    },
    exits: [],
} as const satisfies CommandSpec;

export function parseArgs(argv: readonly string[]): Parsed<ReportOptions> {
    return parseCommandLine(SPEC, argv, (v) => {
        if (v.job !== "deploy" && v.job !== "rollback") return `--job: expected deploy or rollback, got ${JSON.stringify(v.job ?? "")}`;
        return { job: v.job };
    });
}

const OUTCOMES: readonly string[] = ["success", "failure", "cancelled", "skipped"];

/** The workflow's environment as a report's input; unknown values read as absent. */
export function inputFrom(env: NodeJS.ProcessEnv): ReportInput {
    const step = (v: string | undefined): StepOutcome => (OUTCOMES.includes(v ?? "") ? (v as StepOutcome) : "");
    const text = (v: string | undefined) => (v === undefined || v.trim() === "" ? undefined : v.trim());
    const outcome = text(env.OUTCOME);
    const decision = env.DECISION === "true" || env.DECISION === "false" ? { rollback: env.DECISION === "true", reason: text(env.WHY) ?? "" } : undefined;
    return {
        stack: text(env.STACK) ?? "the stack",
        soak: step(env.SOAK),
        preview: step(env.PREVIEW),
        update: step(env.UPDATE),
        timedOut: env.TIMED_OUT === "true",
        ...(decision ? { decision } : {}),
        rollbackStep: step(env.ROLLBACK),
        rollbackTimedOut: env.ROLLBACK_TIMED_OUT === "true",
        ...(outcome && (ROLLBACK_OUTCOMES as readonly string[]).includes(outcome) ? { outcome: outcome as ReportInput["outcome"] } : {}),
        ...(text(env.VERSION) ? { version: text(env.VERSION) } : {}),
        ...(text(env.REASON) ? { reason: text(env.REASON) } : {}),
        ...(env.RELEASE_OUTCOME !== undefined ? { release: releaseFrom(text(env.RELEASE_OUTCOME), text(env.RELEASE_REASON)) } : {}),
    };
}

function releaseFrom(outcome: string | undefined, reason: string | undefined): NonNullable<ReportInput["release"]> {
    return {
        ...(outcome && (RELEASE_OUTCOMES as readonly string[]).includes(outcome) ? { outcome: outcome as ReleaseOutcome } : {}),
        ...(reason ? { reason } : {}),
    };
}

export interface Report {
    readonly level: "error" | "warning" | "notice";
    readonly title: string;
    readonly message: string;
}

const RUNBOOK = "docs/runbook.md";

/** What the rollback step did, in words; `done` when the stack is as the rollback meant to leave it. */
function rollbackResult(i: ReportInput): { readonly done: boolean; readonly text: string } {
    const because = i.reason ? `: ${i.reason}` : "";
    switch (i.outcome) {
        case "rolled-back":
            return { done: true, text: `rolled back to v${i.version ?? "?"}${i.reason ? ` (${i.reason})` : ""}` };
        case "nothing-to-roll-back":
            return { done: true, text: `nothing was rolled back${because}` };
        case "refused":
            return { done: false, text: `the rollback refused${because}; a person must act (${RUNBOOK})` };
        case "failed":
            return { done: false, text: `the rollback itself failed${because}; the stack may be partly updated: a person must act (${RUNBOOK})` };
    }
    if (i.rollbackTimedOut) return { done: false, text: `the rollback's update ran past its step's timeout and was cancelled; a person must act (${RUNBOOK})` };
    if (i.rollbackStep === "skipped" || i.rollbackStep === "") {
        return { done: false, text: "the rollback did not run (a step before it failed: see the job's log); nothing was rolled back" };
    }
    if (i.rollbackStep === "failure" || i.rollbackStep === "cancelled") {
        return { done: false, text: `the rollback step ended (${i.rollbackStep}) without saying what it did; read its log: a person must act (${RUNBOOK})` };
    }
    return { done: false, text: "the rollback step finished without saying what it did; read its log to know whether it rolled back" };
}

export function deployReport(job: ReportOptions["job"], i: ReportInput): Report {
    if (job === "rollback") {
        const r = rollbackResult(i);
        return { level: r.done ? "notice" : "error", title: `Rollback of ${i.stack}`, message: r.text };
    }
    const title = `Deploy of ${i.stack} failed`;
    if (i.update === "" || i.update === "skipped") {
        const where =
            i.soak === "failure"
                ? "at the soak gate (an image its source has not run long enough, or a source whose latest update failed: see the job summary)"
                : i.preview === "failure"
                  ? "at its preview (a mandatory policy violation or a program error: see the preview's log)"
                  : "before its update (see the failed step)";
        return { level: "error", title, message: `the deploy stopped ${where}: nothing was deployed, nothing rolled back` };
    }
    const update = i.release ? "the canary release ('npm run release')" : "'pulumi up'";
    if (i.update === "success") {
        return { level: "error", title, message: `${update} succeeded and a later step failed (see its log): the release stays, nothing was rolled back` };
    }
    if (i.release?.outcome === "aborted") {
        const why = i.release.reason ? ` (${i.release.reason})` : "";
        return {
            level: "error",
            title,
            message: `the canary release was aborted${why}: the stable version serves and no canary is left, so nothing was rolled back. The new version is not released: fix it, then release again (docs/canary-release.md)`,
        };
    }
    const abortFailed = i.release?.outcome === "abort-failed" ? ` and its abort failed too${i.release.reason ? ` (${i.release.reason})` : ""}` : "";
    const failed = `${update} ${i.timedOut ? "ran past its step's timeout and was cancelled" : `failed${abortFailed}`}`;
    if (i.decision === undefined) {
        return { level: "error", title, message: `${failed}; CI could not tell what failed (the "What failed" step decided nothing), so nothing was rolled back: a person decides (${RUNBOOK})` };
    }
    if (!i.decision.rollback) {
        return { level: "error", title, message: `${failed}, not rolled back: ${i.decision.reason}. A person decides: roll back with the rollback workflow, or fix forward (${RUNBOOK})` };
    }
    return { level: "error", title, message: `${failed} (${i.decision.reason}); ${rollbackResult(i).text}` };
}

/** The annotation line; GitHub ends a property at ',' or ':' and a message at a newline, so those are escaped. */
export function annotation(r: Report): string {
    const escape = (s: string) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
    const property = (s: string) => escape(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
    return `::${r.level} title=${property(r.title)}::${escape(r.message)}\n`;
}

export function summary(r: Report): string {
    return `### ${r.title}\n\n${r.message}\n`;
}

export interface ReportIo {
    readonly env: NodeJS.ProcessEnv;
    readonly out: (text: string) => void;
    /** Appends to the job summary; absent outside GitHub Actions. */
    readonly appendSummary?: (text: string) => void;
}

export function runReport(options: ReportOptions, io: ReportIo): number {
    const report = deployReport(options.job, inputFrom(io.env));
    io.out(annotation(report));
    io.appendSummary?.(summary(report));
    return EXIT.done;
}

if (require.main === module) {
    const file = process.env.GITHUB_STEP_SUMMARY;
    runCommand(SPEC, parseArgs(process.argv.slice(2)), (options) =>
        Promise.resolve(
            runReport(options, {
                env: process.env,
                out: (t) => process.stdout.write(t),
                ...(file ? { appendSummary: (t: string) => fs.appendFileSync(file, t) } : {}),
            }),
        ),
    );
}
