/**
 * The soak gate (docs/promotion.md#the-soak-gate): before a stack with `environment.promotion.from`
 * deploys, the source stack (staging) must have run the exact image each changing service is to
 * run for `environment.promotion.soak` (default 24h), and its latest update must have succeeded.
 * The release workflow runs it before the preview; the program itself never reads the clock.
 * Why this evidence: docs/decisions/0007-soak-gate-evidence.md.
 *
 *   npm run soak-gate -- --help
 */
import * as fs from "fs";
import { durationSeconds, releaseTime } from "../config/formats";
import { CommandSpec, EXIT, parseCommandLine, Parsed, runCommand, signalExit, signalExits, tolerateClosedPipes } from "./cli";
import { Interrupts } from "./interrupts";
import { readTarget } from "./promote/target";
import { projectName, stackOption, stackRef } from "./pulumi/stacks";
import { readEvidence, sourceStack } from "./soakGate/evidence";
import { Evidence, judge } from "./soakGate/judge";
import { reportLines, summaryMarkdown } from "./soakGate/report";

export interface Options {
    /** The stack about to be deployed, short or organization-qualified. */
    readonly stack: string;
    /** The time to judge at (ISO-8601 UTC); default: the clock. */
    readonly now?: string;
}

export const SPEC = {
    name: "soak-gate",
    usage: "npm run soak-gate -- --stack <stack> [--now <time>]",
    summary:
        "Holds back a deploy of a stack with environment.promotion.from (production) until the source stack (staging) has run\n" +
        "the exact image each changing service is to run for environment.promotion.soak (default 24h), and the source's\n" +
        "latest update succeeded. Reads the source's 'releases' output (when each image went live, and when the next one\n" +
        "replaced it) and 'pulumi stack history', and the stack's own 'releases' (a service running its image already is\n" +
        "unchanged). Services turned off or built from source are skipped; promotion.exceptions.<service> lets one through\n" +
        "with its reason. A stack without promotion.from has no gate. Writes the verdict to $GITHUB_STEP_SUMMARY when set.",
    options: {
        stack: { type: "string", value: "<stack>", help: "the stack about to be deployed, e.g. production or acme/hft-platform/production (required)" },
        now: { type: "string", value: "<time>", help: "judge at this UTC time, such as 2026-11-30T15:04:05Z, instead of now" },
    },
    exits: [
        [EXIT.refused, "a missing stack file or an invalid configuration; a source stack without the 'releases' output, or with a malformed one"],
        [EXIT.failed, "'pulumi' is missing or failed"],
        [EXIT.findings, "blocked: an image has not run long enough in the source stack (or never ran there, or was rolled back from), or the source's latest update did not succeed"],
        ...signalExits("; nothing judged"),
    ],
} as const satisfies CommandSpec;

export function parseArgs(argv: readonly string[]): Parsed<Options> {
    return parseCommandLine(SPEC, argv, (v) => {
        const stack = stackOption("--stack", v.stack);
        if ("problem" in stack) return stack.problem;
        if (v.now !== undefined && releaseTime(v.now) !== undefined) return `--now: expected ${releaseTime(v.now)}, got ${JSON.stringify(v.now.slice(0, 40))}`;
        return { stack: stack.name, ...(v.now !== undefined ? { now: v.now } : {}) };
    });
}

export interface Io {
    /** The project folder, holding Pulumi.yaml and the stack files. */
    readonly cwd: string;
    /** Passed to `pulumi`; CI's variables in it give services their tags from CI, as in the deploy. */
    readonly env: NodeJS.ProcessEnv;
    /** The clock, in milliseconds since the epoch, unless --now says otherwise. */
    readonly clock: () => number;
    readonly out: (line: string) => void;
    readonly err: (line: string) => void;
    /** Appends to the job's summary; absent outside GitHub Actions. */
    readonly appendSummary?: (text: string) => void;
}

/** Judges; the exit code (SPEC.exits), or a `Refusal` thrown. */
export async function soakGate(opts: Options, io: Io): Promise<number> {
    const target = stackRef(io.cwd, projectName(io.cwd), opts.stack, "--stack");
    const { resolved } = readTarget(io.cwd, target, io.env);
    const { from, soak, exceptions } = resolved.promotion;
    if (from === undefined) {
        io.out(`soak gate: ${target.short} has no environment.promotion.from: no gate, nothing to wait for`);
        io.appendSummary?.(`### Soak gate: none (${target.short} has no environment.promotion.from)\n`);
        return EXIT.done;
    }
    // The schema gives `soak` a default wherever `from` is set, and checks it.
    const soakSeconds = soak !== undefined ? durationSeconds(soak) : undefined;
    if (soak === undefined || soakSeconds === undefined) throw new Error(`environment.promotion.soak of ${target.short} was not resolved`);
    const source = sourceStack(from, opts.stack);

    const interrupts = Interrupts.listen();
    let evidence: Evidence | undefined;
    try {
        evidence = await readEvidence(source, opts.stack, { cwd: io.cwd, env: io.env, track: interrupts.track });
    } catch (e) {
        if (!interrupts.signal()) throw e;
    } finally {
        interrupts.close();
    }
    const signal = interrupts.signal();
    // No evidence without a signal: readEvidence's error was thrown on above.
    if (signal || evidence === undefined) {
        io.err(`soak-gate: interrupted (${signal ?? "SIGTERM"}); nothing was judged`);
        return signalExit(signal ?? "SIGTERM");
    }

    const now = opts.now !== undefined ? Date.parse(opts.now) : io.clock();
    const judgement = judge(resolved.services, exceptions, evidence, soakSeconds, now);
    const names = { target: opts.stack, source, sourceShort: from.split("/").pop()!, soak };
    for (const line of reportLines(judgement, evidence.latest, names, now)) io.out(line);
    io.appendSummary?.(summaryMarkdown(judgement, evidence.latest, names, now));
    return judgement.passes ? EXIT.done : EXIT.findings;
}

if (require.main === module) {
    tolerateClosedPipes();
    const summary = process.env.GITHUB_STEP_SUMMARY;
    runCommand(SPEC, parseArgs(process.argv.slice(2)), (opts) =>
        soakGate(opts, {
            cwd: process.cwd(),
            env: process.env,
            clock: () => Date.now(),
            out: (l) => process.stdout.write(`${l}\n`),
            err: (l) => process.stderr.write(`${l}\n`),
            ...(summary ? { appendSummary: (t: string) => fs.appendFileSync(summary, t) } : {}),
        }),
    );
}
