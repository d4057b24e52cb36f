/**
 * The severity gate of CI's image scan: reads the SARIF Trivy wrote (the file uploaded to code
 * scanning) and fails when a finding is at or above the stack's threshold
 * (`environment.ci.scan.failOn`), listing each one. docs/ci-images.md.
 *
 *   npm run scan-gate -- --sarif <file> --fail-on CRITICAL|HIGH|MEDIUM|LOW|none
 */
import * as fs from "fs";
import { SCAN_FAIL_ON } from "../../config/schema/environment";
import { byCodePoint } from "../../config/order";
import { CommandSpec, EXIT, parseCommandLine, Parsed, Refusal, runCommand } from "../cli";
import { Finding, readTrivySarif, SEVERITIES, Severity, TrivyReport } from "./sarif";

export type FailOn = (typeof SCAN_FAIL_ON)[number];

export interface GateOptions {
    readonly sarif: string;
    readonly failOn: FailOn;
}

export const SPEC = {
    name: "scan-gate",
    usage: "npm run scan-gate -- --sarif <file> --fail-on <CRITICAL|HIGH|MEDIUM|LOW|none>",
    summary:
        "Reads a Trivy scan (SARIF, as trivy-action writes it) and fails when a finding's severity is at or above\n" +
        "--fail-on, listing each such finding (severity, id, package, installed and fixed version); it passes\n" +
        "otherwise, printing how many findings lie below. UNKNOWN never fails; --fail-on none fails nothing.",
    options: {
        sarif: { type: "string", value: "<file>", help: "the SARIF file Trivy wrote (--format sarif)" },
        "fail-on": { type: "string", value: "<severity>", help: `the lowest severity that fails: ${SCAN_FAIL_ON.join(", ")}` },
    },
    exits: [
        [EXIT.refused, "the file is missing, not JSON, not SARIF, not from Trivy, or a result names no severity"],
        [EXIT.findings, "a finding at or above --fail-on (listed)"],
    ],
} as const satisfies CommandSpec;

export function parseArgs(argv: readonly string[]): Parsed<GateOptions> {
    return parseCommandLine(SPEC, argv, (v) => {
        if (v.sarif === undefined || v.sarif === "") return "--sarif is required";
        const failOn = v["fail-on"];
        if (failOn === undefined) return "--fail-on is required";
        if (!(SCAN_FAIL_ON as readonly string[]).includes(failOn)) return `--fail-on: expected one of ${SCAN_FAIL_ON.join(", ")}, got ${JSON.stringify(failOn)}`;
        return { sarif: v.sarif, failOn: failOn as FailOn };
    });
}

/** The verdict: the findings that fail the gate, highest first, and how many of each severity lie below. */
export interface Verdict {
    readonly blocking: readonly Finding[];
    readonly below: Readonly<Partial<Record<Severity, number>>>;
}

const rank = (s: Severity) => SEVERITIES.indexOf(s);

/** Judges findings against a threshold: at or above it blocks (UNKNOWN never does). */
export function judge(findings: readonly Finding[], failOn: FailOn): Verdict {
    const limit = failOn === "none" ? -1 : rank(failOn);
    const order = (a: Finding, b: Finding) => rank(a.severity) - rank(b.severity) || byCodePoint(a.id, b.id) || byCodePoint(a.pkg ?? "", b.pkg ?? "");
    const blocking = findings.filter((f) => rank(f.severity) <= limit).sort(order);
    const below: Partial<Record<Severity, number>> = {};
    for (const f of findings) if (rank(f.severity) > limit) below[f.severity] = (below[f.severity] ?? 0) + 1;
    return { blocking, below };
}

const counts = (below: Verdict["below"]) =>
    SEVERITIES.filter((s) => below[s])
        .map((s) => `${below[s]} ${s}`)
        .join(", ");

function describe(f: Finding): string {
    const pkg = f.pkg ? ` ${f.pkg}${f.installed ? ` ${f.installed}` : ""}` : "";
    const fix = f.fixed === undefined ? "" : f.fixed === "" ? " (no fixed version yet)" : ` (fixed in ${f.fixed})`;
    return `  ${f.severity.padEnd(8)}  ${f.id}${pkg}${fix}`;
}

/** The report the gate prints for one scan. */
export function formatVerdict(report: TrivyReport, verdict: Verdict, failOn: FailOn, file: string): string {
    const what = `${report.image ?? file}${report.digests.length > 0 ? ` (${report.digests.join(", ")})` : ""}`;
    const rest = counts(verdict.below);
    if (failOn === "none") {
        return `scan-gate: ${what}: ${rest ? `findings: ${rest}` : "no findings"}; --fail-on none: nothing fails\n`;
    }
    if (verdict.blocking.length === 0) {
        return `scan-gate: ${what}: no finding at or above ${failOn}${rest ? ` (below it: ${rest})` : ""}; passed\n`;
    }
    const n = verdict.blocking.length;
    return [
        `scan-gate: ${what}: ${n} finding${n === 1 ? "" : "s"} at or above ${failOn}, so the deploy is held back:`,
        ...verdict.blocking.map(describe),
        ...(rest ? [`below ${failOn}, not blocking: ${rest}`] : []),
        "",
    ].join("\n");
}

/** Runs the gate on a file; 4 when a finding is at or above the threshold. */
export function scanGate(options: GateOptions, write: (text: string) => void = (t) => process.stdout.write(t)): number {
    let text: string;
    try {
        text = fs.readFileSync(options.sarif, "utf8");
    } catch (e) {
        throw new Refusal(`${options.sarif}: cannot read the scan: ${(e as Error).message}`);
    }
    const report = readTrivySarif(text, options.sarif);
    const verdict = judge(report.findings, options.failOn);
    write(formatVerdict(report, verdict, options.failOn, options.sarif));
    return verdict.blocking.length > 0 ? EXIT.findings : EXIT.done;
}

if (require.main === module) {
    runCommand(SPEC, parseArgs(process.argv.slice(2)), (options) => Promise.resolve(scanGate(options)));
}
