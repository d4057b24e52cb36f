import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Check, evaluate } from "../tools/release/checks";
import { parseAnswer, query } from "../tools/release/prometheus";
import { appendSummary, summaryHeading, summaryOutcome, summaryRow } from "../tools/release/summary";
import { pause, watchWindow } from "../tools/release/watch";
import { startFakePrometheus } from "./fakePrometheus";

const RESTARTS: Check = { name: "api: restarts", query: "sum(restarts)", max: 0 };
const ERRORS: Check = { name: "api: prometheus", query: "error_ratio", max: 0.05 };
const vector = (...values: string[]) => JSON.stringify({ status: "success", data: { resultType: "vector", result: values.map((v, i) => ({ metric: { pod: `p${i}` }, value: [1764500000, v] })) } });

describe("the release's checks against Prometheus's answers", () => {
    it("reads instant vectors and scalars, and says why an answer has no value", () => {
        assert.deepEqual(parseAnswer(vector("0.01", "0.2")), { values: [0.01, 0.2] });
        assert.deepEqual(parseAnswer(JSON.stringify({ status: "success", data: { resultType: "scalar", result: [1764500000, "3"] } })), { values: [3] });
        assert.deepEqual(parseAnswer(JSON.stringify({ status: "error", errorType: "bad_data", error: 'parse error at char 5: unexpected "}"' })), { problem: `Prometheus refused the query: parse error at char 5: unexpected "}"` });
        assert.deepEqual(parseAnswer(JSON.stringify({ status: "success", data: { resultType: "matrix", result: [] } })), { problem: "Prometheus answered a matrix, not an instant vector or scalar" });
        assert.deepEqual(parseAnswer("<html>"), { problem: "Prometheus did not answer JSON" });
    });

    it("passes at or below the threshold, on the highest series; fails above it, and on no data, NaN or no answer", () => {
        assert.deepEqual(evaluate(ERRORS, { values: [0.01, 0.05] }), { check: ERRORS, passed: true, value: 0.05 });
        assert.deepEqual(evaluate(ERRORS, { values: [0.01, 0.2] }), { check: ERRORS, passed: false, value: 0.2 });
        assert.deepEqual(evaluate(RESTARTS, { values: [] }), {
            check: RESTARTS,
            passed: false,
            problem: "the query returned no data (append 'or vector(0)' to the query if no data means none happened)",
        });
        assert.deepEqual(evaluate(ERRORS, { values: [NaN] }), { check: ERRORS, passed: false, problem: "the query returned NaN (a ratio over no requests?)" });
        assert.deepEqual(evaluate(ERRORS, { problem: "Prometheus at http://x is unreachable (ECONNREFUSED)" }), { check: ERRORS, passed: false, problem: "Prometheus at http://x is unreachable (ECONNREFUSED)" });
    });

    it("asks a Prometheus on localhost over its HTTP API, and takes one that is not there as unreachable", async () => {
        const prometheus = await startFakePrometheus((q) => (q === "error_ratio" ? 0.01 : q === "bad" ? { status: 400, body: JSON.stringify({ status: "error", error: "bad_data" }) } : "no data"));
        try {
            assert.deepEqual(await query(`${prometheus.url}/`, "error_ratio"), { values: [0.01] });
            assert.deepEqual(await query(prometheus.url, "absent"), { values: [] });
            assert.deepEqual(await query(prometheus.url, "bad"), { problem: "Prometheus refused the query: bad_data" });
            assert.deepEqual(prometheus.queries, ["error_ratio", "absent", "bad"]);
        } finally {
            await prometheus.close();
        }
        // Another address of the loopback, where nothing listens (the closed server's connections are not reused there).
        const gone = prometheus.url.replace("127.0.0.1", "127.0.0.2");
        assert.deepEqual(await query(gone, "error_ratio"), { problem: `Prometheus at ${gone} is unreachable (ECONNREFUSED)` });
    });
});

describe("the release's window", () => {
    const never = new AbortController().signal;

    it("evaluates every check every interval until the window ends, and passes when all passed", async () => {
        const asked: string[] = [];
        const watched = await watchWindow({ windowSeconds: 0.05, intervalSeconds: 0.02, checks: [RESTARTS, ERRORS], ask: (q) => (asked.push(q), Promise.resolve({ values: [0] })) }, never);
        assert.equal(watched.outcome, "passed");
        assert.deepEqual(asked, ["sum(restarts)", "error_ratio", "sum(restarts)", "error_ratio", "sum(restarts)", "error_ratio"], "at 20, 40 and 50 ms");
    });

    it("ends at the first failing evaluation, naming the check", async () => {
        let round = 0;
        const watched = await watchWindow({ windowSeconds: 10, intervalSeconds: 0.01, checks: [RESTARTS], ask: () => Promise.resolve({ values: [++round >= 3 ? 1 : 0] }) }, never);
        assert.equal(watched.outcome, "failed");
        assert.deepEqual(watched.outcome === "failed" ? watched.failed : undefined, { check: RESTARTS, passed: false, value: 1 });
        assert.equal(round, 3);
    });

    it("stops waiting when a signal aborts it", async () => {
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 20);
        const started = Date.now();
        const watched = await watchWindow({ windowSeconds: 60, intervalSeconds: 30, checks: [RESTARTS], ask: () => Promise.resolve({ values: [0] }) }, controller.signal);
        assert.equal(watched.outcome, "interrupted");
        assert.ok(Date.now() - started < 5000);
        assert.equal(await pause(1000, controller.signal), false, "an aborted pause returns at once");
    });
});

describe("the release's job summary", () => {
    it("writes a markdown table: a row per step with weight, window, each check's value and the outcome, then the final outcome", () => {
        const row = summaryRow({
            step: "2/3",
            weight: 50,
            windowSeconds: 600,
            results: [evaluate(RESTARTS, { values: [0] }), evaluate(ERRORS, { values: [0.2] })],
            outcome: "failed: api: prometheus = 0.2 (max 0.05)",
        });
        assert.equal(row, "| 2/3 | 50% | 600s | ok api: restarts = 0 (max 0)<br>FAILED api: prometheus = 0.2 (max 0.05) | failed: api: prometheus = 0.2 (max 0.05) |\n");
        assert.equal(summaryRow({ step: "abort", results: [evaluate(RESTARTS, { values: [] })], outcome: "a | b\nc" }).split(" | ").length, 5, "pipes and line breaks inside cells are escaped");
        assert.equal(summaryHeading("production", "abc1234-20261130T120000Z"), "### Canary release of production (abc1234-20261130T120000Z)\n\n| step | weight | window | checks | outcome |\n| ---- | ------ | ------ | ------ | ------- |\n");
        assert.equal(summaryOutcome("released"), "\n**Outcome:** released\n\n");
    });

    it("appends to the file GITHUB_STEP_SUMMARY names, nothing without it, and says when it cannot write", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "release-summary-"));
        const file = path.join(dir, "summary.md");
        const errors: string[] = [];
        appendSummary({ GITHUB_STEP_SUMMARY: file }, "one\n", (l) => errors.push(l));
        appendSummary({ GITHUB_STEP_SUMMARY: file }, "two\n", (l) => errors.push(l));
        appendSummary({}, "three\n", (l) => errors.push(l));
        assert.equal(fs.readFileSync(file, "utf8"), "one\ntwo\n");
        appendSummary({ GITHUB_STEP_SUMMARY: dir }, "x", (l) => errors.push(l));
        assert.equal(errors.length, 1);
        assert.match(errors[0], /^release: could not append to \$GITHUB_STEP_SUMMARY, /);
        fs.rmSync(dir, { recursive: true, force: true });
    });
});
