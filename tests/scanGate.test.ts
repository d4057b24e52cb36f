import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SCAN_FAIL_ON } from "../config/schema/environment";
import { EXIT, execute, Refusal } from "../tools/cli";
import { readTrivySarif } from "../tools/ci/sarif";
import * as gate from "../tools/ci/scanGate";
import { REPO } from "./support";

/**
 * tests/fixtures/trivy: SARIF as Trivy v0.69.3 writes it (pkg/report/sarif.go), with illustrative
 * findings. findings.sarif: one CRITICAL (whose CVSS score, 7.5, alone would say HIGH), two HIGH
 * (one with no fixed version yet), two MEDIUM (one is CVE-2024-6345 in a second package, where
 * Trivy reports MEDIUM though the rule, written for the first package, is tagged HIGH), one LOW,
 * one UNKNOWN. clean.sarif: no finding. codeql.sarif: another tool's log.
 */
const FIXTURES = path.join(REPO, "tests", "fixtures", "trivy");
const fixture = (name: string) => path.join(FIXTURES, name);
const IMAGE = "ghcr.io/acme-trading/hft-execution:1.4.2 (ghcr.io/acme-trading/hft-execution@sha256:27697d2fd84ce6d88f3ba6f1c5ae3d72612dd0f0cc61e5c06156e9189fb68d82)";

/** Runs the gate as the command does: exit code, stdout and stderr. */
async function run(argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const streams = { out: (t: string) => out.push(t), err: (t: string) => err.push(t) };
    const code = await execute(gate.SPEC, gate.parseArgs(argv), (o) => Promise.resolve(gate.scanGate(o, streams.out)), streams);
    return { code, out: out.join(""), err: err.join("") };
}

/** A SARIF file in a temp dir holding `text`; removed after `check`. */
async function withFile(text: string, check: (file: string) => Promise<void>) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scan-gate-"));
    try {
        const file = path.join(dir, "trivy.sarif");
        fs.writeFileSync(file, text);
        await check(file);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

const findings = () => JSON.parse(fs.readFileSync(fixture("findings.sarif"), "utf8"));

describe("the scan gate (npm run scan-gate)", () => {
    it("reads each finding's own severity from Trivy's message, not the rule's first tag, the SARIF level or the CVSS score", () => {
        const report = readTrivySarif(fs.readFileSync(fixture("findings.sarif"), "utf8"), "findings.sarif");
        assert.equal(report.image, "ghcr.io/acme-trading/hft-execution:1.4.2");
        assert.deepEqual(report.digests, ["ghcr.io/acme-trading/hft-execution@sha256:27697d2fd84ce6d88f3ba6f1c5ae3d72612dd0f0cc61e5c06156e9189fb68d82"]);
        assert.deepEqual(
            report.findings.map((f) => `${f.severity} ${f.id} ${f.pkg} ${f.installed} -> ${f.fixed}`),
            [
                "CRITICAL CVE-2024-45491 libexpat1 2.5.0-1 -> 2.5.0-1+deb12u1",
                "HIGH CVE-2024-6345 setuptools 65.5.0 -> 70.0.0",
                "HIGH CVE-2023-52425 libexpat1 2.5.0-1 -> ",
                "MEDIUM CVE-2024-28757 libexpat1 2.5.0-1 -> ",
                "LOW CVE-2011-3374 apt 2.6.1 -> ",
                "UNKNOWN TEMP-0841856-B18BAF bash 5.2.15-2 -> ",
                "MEDIUM CVE-2024-6345 setuptools 68.0.0 -> 70.0.0",
            ],
        );
    });

    it("production's threshold, CRITICAL: fails (4) listing exactly the CRITICAL finding, and counts the rest", async () => {
        assert.deepEqual(await run(["--sarif", fixture("findings.sarif"), "--fail-on", "CRITICAL"]), {
            code: EXIT.findings,
            out: [
                `scan-gate: ${IMAGE}: 1 finding at or above CRITICAL, so the deploy is held back:`,
                "  CRITICAL  CVE-2024-45491 libexpat1 2.5.0-1 (fixed in 2.5.0-1+deb12u1)",
                "below CRITICAL, not blocking: 2 HIGH, 2 MEDIUM, 1 LOW, 1 UNKNOWN",
                "",
            ].join("\n"),
            err: "",
        });
    });

    it("HIGH: fails on CRITICAL and HIGH, highest first, saying when no fix exists; the MEDIUM copy of a HIGH rule does not count", async () => {
        const r = await run(["--sarif", fixture("findings.sarif"), "--fail-on", "HIGH"]);
        assert.equal(r.code, EXIT.findings);
        assert.equal(
            r.out,
            [
                `scan-gate: ${IMAGE}: 3 findings at or above HIGH, so the deploy is held back:`,
                "  CRITICAL  CVE-2024-45491 libexpat1 2.5.0-1 (fixed in 2.5.0-1+deb12u1)",
                "  HIGH      CVE-2023-52425 libexpat1 2.5.0-1 (no fixed version yet)",
                "  HIGH      CVE-2024-6345 setuptools 65.5.0 (fixed in 70.0.0)",
                "below HIGH, not blocking: 2 MEDIUM, 1 LOW, 1 UNKNOWN",
                "",
            ].join("\n"),
        );
    });

    it("each threshold blocks what is at or above it; UNKNOWN never; none blocks nothing", () => {
        const report = readTrivySarif(fs.readFileSync(fixture("findings.sarif"), "utf8"), "findings.sarif");
        const blocked = Object.fromEntries(SCAN_FAIL_ON.map((t) => [t, gate.judge(report.findings, t).blocking.length]));
        assert.deepEqual(blocked, { CRITICAL: 1, HIGH: 3, MEDIUM: 5, LOW: 6, none: 0 });
        assert.deepEqual(gate.judge(report.findings, "LOW").below, { UNKNOWN: 1 });
    });

    it("none: reports the findings and passes (0)", async () => {
        assert.deepEqual(await run(["--sarif", fixture("findings.sarif"), "--fail-on", "none"]), {
            code: EXIT.done,
            out: `scan-gate: ${IMAGE}: findings: 1 CRITICAL, 2 HIGH, 2 MEDIUM, 1 LOW, 1 UNKNOWN; --fail-on none: nothing fails\n`,
            err: "",
        });
    });

    it("a clean scan passes at every threshold", async () => {
        const image = "docker.io/library/redis:7.4.1 (docker.io/library/redis@sha256:9c8d4e2f1a0b3c5d7e9f1a2b4c6d8e0f2a4b6c8d0e2f4a6b8c0d2e4f6a8b0c2d)";
        for (const t of ["CRITICAL", "HIGH", "MEDIUM", "LOW"]) {
            assert.deepEqual(await run(["--sarif", fixture("clean.sarif"), "--fail-on", t]), { code: EXIT.done, out: `scan-gate: ${image}: no finding at or above ${t}; passed\n`, err: "" }, t);
        }
        assert.equal((await run(["--sarif", fixture("clean.sarif"), "--fail-on", "none"])).out, `scan-gate: ${image}: no findings; --fail-on none: nothing fails\n`);
    });

    it("passes below the threshold and says what lies below", async () => {
        const log = findings();
        log.runs[0].results = log.runs[0].results.filter((r: any) => !/Severity: (CRITICAL|HIGH)/.test(r.message.text));
        await withFile(JSON.stringify(log), async (file) => {
            assert.deepEqual(await run(["--sarif", file, "--fail-on", "HIGH"]), {
                code: EXIT.done,
                out: `scan-gate: ${IMAGE}: no finding at or above HIGH (below it: 2 MEDIUM, 1 LOW, 1 UNKNOWN); passed\n`,
                err: "",
            });
        });
    });

    it("takes the severity from the rule's tags when a message does not say it", () => {
        const log = findings();
        for (const r of log.runs[0].results) r.message.text = r.message.text.replace(/^Severity: .*\n/m, "");
        const severities = readTrivySarif(JSON.stringify(log), "t.sarif").findings.map((f) => f.severity);
        assert.deepEqual(severities, ["CRITICAL", "HIGH", "HIGH", "MEDIUM", "LOW", "UNKNOWN", "HIGH"], "the second setuptools result now takes its rule's HIGH");
    });

    describe("refuses (1) what is not a finished Trivy scan, so a broken scan never passes as a clean one", () => {
        /** What the file holds (undefined: no file), and the start of the one line on stderr (the whole line when it ends the string). */
        const cases: [string, () => string | undefined, (file: string) => string][] = [
            ["a missing file", () => undefined, (f) => `scan-gate: ${f}: cannot read the scan: ENOENT: no such file or directory, open '${f}'\n`],
            ["a truncated file", () => fs.readFileSync(fixture("findings.sarif"), "utf8").slice(0, 500), (f) => `scan-gate: ${f}: not a SARIF file: it is not JSON (`],
            ["an empty file", () => "", (f) => `scan-gate: ${f}: not a SARIF file: it is not JSON (`],
            ["JSON that is not SARIF", () => JSON.stringify({ Results: [] }), (f) => `scan-gate: ${f}: not a SARIF file: expected an object with a 'runs' array\n`],
            ["no run", () => JSON.stringify({ version: "2.1.0", runs: [] }), (f) => `scan-gate: ${f}: holds no run: did the scan finish?\n`],
            ["another tool's SARIF", () => fs.readFileSync(fixture("codeql.sarif"), "utf8"), (f) => `scan-gate: ${f}: runs[0] is not from Trivy (tool.driver.name: "CodeQL"): this gate reads Trivy's severities\n`],
            [
                "a run without results",
                () => {
                    const log = findings();
                    delete log.runs[0].results;
                    return JSON.stringify(log);
                },
                (f) => `scan-gate: ${f}: runs[0] has no 'results' array: did the scan finish?\n`,
            ],
            [
                "a result with no severity anywhere",
                () => {
                    const log = findings();
                    log.runs[0].results[4].message.text = "Package: apt";
                    log.runs[0].tool.driver.rules[4].properties.tags = ["vulnerability", "security"];
                    return JSON.stringify(log);
                },
                (f) => `scan-gate: ${f}: runs[0].results[4] (CVE-2011-3374) names no Trivy severity (CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN) in its message or its rule's tags\n`,
            ],
            [
                "a result without a rule id",
                () => {
                    const log = findings();
                    delete log.runs[0].results[0].ruleId;
                    return JSON.stringify(log);
                },
                (f) => `scan-gate: ${f}: runs[0].results[0]: expected a result with a 'ruleId'\n`,
            ],
        ];
        for (const [what, content, expected] of cases) {
            it(what, async () => {
                await withFile("", async (file) => {
                    const text = content();
                    if (text === undefined) fs.rmSync(file);
                    else fs.writeFileSync(file, text);
                    const r = await run(["--sarif", file, "--fail-on", "CRITICAL"]);
                    assert.equal(r.code, EXIT.refused);
                    assert.equal(r.out, "");
                    const want = expected(file);
                    if (want.endsWith("\n")) assert.equal(r.err, want);
                    else assert.ok(r.err.startsWith(want), r.err);
                });
            });
        }
    });

    describe("the command line", () => {
        const parse = (...argv: string[]) => {
            const p = gate.parseArgs(argv);
            return p.kind === "usage" ? p.problem : p.kind === "run" ? p.options : assert.fail("help");
        };

        it("takes --sarif and --fail-on, both required, the threshold spelled as environment.ci.scan.failOn spells it", () => {
            assert.deepEqual(parse("--sarif", "t.sarif", "--fail-on", "CRITICAL"), { sarif: "t.sarif", failOn: "CRITICAL" });
            assert.deepEqual(parse("--fail-on=none", "--sarif=t.sarif"), { sarif: "t.sarif", failOn: "none" });
            assert.equal(parse("--fail-on", "HIGH"), "--sarif is required");
            assert.equal(parse("--sarif", "t.sarif"), "--fail-on is required");
            assert.equal(parse("--sarif", "t.sarif", "--fail-on", "critical"), '--fail-on: expected one of CRITICAL, HIGH, MEDIUM, LOW, none, got "critical"');
            assert.equal(parse("--sarif", "t.sarif", "--fail-on", "UNKNOWN"), '--fail-on: expected one of CRITICAL, HIGH, MEDIUM, LOW, none, got "UNKNOWN"');
        });

        it("a refusal thrown by the reader is a Refusal (exit 1), not a crash (exit 3)", () => {
            assert.throws(() => readTrivySarif("{", "x.sarif"), (e: unknown) => e instanceof Refusal);
        });
    });
});
