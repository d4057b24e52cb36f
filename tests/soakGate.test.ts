import { strict as assert } from "assert";
import { parseArgs } from "../tools/soakGate";
import { duration } from "../tools/soakGate/report";
import { editedConfig, PROJECT } from "./support";
import { refused } from "./refused";

/**
 * The soak gate's command line, its wording of durations and its configuration keys, in process.
 * The gate itself, against the fake `pulumi` (a process per call), is tests/e2e/soakGate.test.ts.
 */

describe("soak gate: its command line and words", () => {
    it("reads --stack and --now, refusing a time that is not UTC", () => {
        assert.deepEqual(parseArgs(["--stack", "production"]), { kind: "run", options: { stack: "production" } });
        const usage = (argv: string[]) => {
            const p = parseArgs(argv);
            return p.kind === "usage" ? p.problem : assert.fail(p.kind);
        };
        assert.equal(usage([]), "--stack is required");
        assert.equal(usage(["--stack", "production", "--now", "2026-12-01 10:00"]), `--now: expected a UTC time such as '2026-11-30T15:04:05Z', got "2026-12-01 10:00"`);
        assert.equal(usage(["--stack", "../production"]), `--stack: expected a stack name such as 'staging' or 'acme/hft-platform/staging', got "../production"`);
    });

    it("words a duration largest unit first", () => {
        assert.deepEqual([0, 1, 59, 60, 3599, 86400, 86399, 90061].map(duration), ["0s", "1s", "59s", "1m", "59m 59s", "1d", "23h 59m 59s", "1d 1h 1m 1s"]);
    });
});

describe("soak gate: environment.promotion.soak and environment.ci.schedule", () => {
    it("refuses a soak that is not a duration from 1m to 30d, naming the key", async () => {
        const soak = (value: unknown) => refused(editedConfig("production", (v) => (v.environment.promotion.soak = value)));
        const key = `${PROJECT}:environment.promotion.soak`;
        assert.deepEqual(await soak("24"), [`${key}: expected a duration such as '24h', '90m' or '2d', got "24" (a number and a unit, d, h or m, such as '24h', '90m', '2d' or '1d12h')`]);
        assert.deepEqual(await soak("0m"), [`${key}: expected a duration such as '24h', '90m' or '2d', got "0m" (from 1m to 30d (a service that must not wait takes a promotion.exceptions entry instead))`]);
        assert.deepEqual(await soak("31d"), [`${key}: expected a duration such as '24h', '90m' or '2d', got "31d" (from 1m to 30d (a service that must not wait takes a promotion.exceptions entry instead))`]);
        assert.deepEqual(await soak(24), [`${key}: expected a duration such as '24h', '90m' or '2d', got 24`]);
    });

    it("refuses a schedule GitHub would not take, naming the key", async () => {
        const schedule = (value: unknown) => refused(editedConfig("production", (v) => (v.environment.ci.schedule = value)));
        const key = `${PROJECT}:environment.ci.schedule`;
        assert.deepEqual(await schedule("@daily"), [`${key}: expected a cron schedule in UTC such as '0 6 * * 1-5', got "@daily" (five cron fields (minute hour day-of-month month day-of-week); GitHub takes no macro such as '@daily')`]);
        assert.deepEqual(await schedule("0 25 * * *"), [`${key}: expected a cron schedule in UTC such as '0 6 * * 1-5', got "0 25 * * *" (the hour field '25' is not within 0-23)`]);
    });
});
