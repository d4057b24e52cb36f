import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as bench from "../bench/bench";
import * as yamlParse from "../bench/yamlParse";
import { CommandSpec, EXIT, execute, helpText, Parsed, Refusal } from "../tools/cli";
import * as images from "../tools/ci/images";
import * as scanGate from "../tools/ci/scanGate";
import * as deployFailure from "../tools/ci/deployFailure";
import * as deployReport from "../tools/ci/deployReport";
import * as notify from "../tools/ci/notify";
import * as compare from "../tools/compare";
import * as render from "../tools/render";
import * as generate from "../tools/generate";
import * as importTool from "../tools/import";
import * as promote from "../tools/promote";
import * as soakGate from "../tools/soakGate";
import * as rollback from "../tools/rollback/main";
import * as processes from "../tools/processes";
import { REPO } from "./support";

/** The tools' command lines, parsed in-process (tests/cli.test.ts runs each tool's --help once). */

const TOOLS: [string, CommandSpec, (argv: readonly string[]) => Parsed<unknown>][] = [
    ["render", render.SPEC, render.parseArgs],
    ["rollback", rollback.SPEC, rollback.parseArgs],
    ["bench", bench.SPEC, bench.parseArgs],
    ["bench/yamlParse", yamlParse.SPEC, yamlParse.parseArgs],
    ["generate", generate.SPEC, generate.parseArgs],
    ["compare", compare.SPEC, compare.parseArgs],
    ["import", importTool.SPEC, importTool.parseArgs],
    ["images", images.SPEC, images.parseArgs],
    ["scan-gate", scanGate.SPEC, scanGate.parseArgs],
    ["deploy-failure", deployFailure.SPEC, deployFailure.parseArgs],
    ["deploy-report", deployReport.SPEC, deployReport.parseArgs],
    ["promote", promote.SPEC, promote.parseArgs],
    ["soak-gate", soakGate.SPEC, soakGate.parseArgs],
    ["notify", notify.SPEC, notify.parseArgs],
];

/** The options a parse ran with, or the usage problem it found. */
function options<T>(parsed: Parsed<T>): T | string {
    if (parsed.kind === "help") assert.fail("expected options, got the help");
    return parsed.kind === "usage" ? parsed.problem : parsed.options;
}

describe("command-line tools: one convention", () => {
    for (const [name, spec, parse] of TOOLS) {
        describe(name, () => {
            it("--help and -h print the usage, every option and the exit codes, even beside a wrong argument", () => {
                for (const argv of [["--help"], ["-h"], ["--no-such-option", "--help"]]) {
                    const parsed = parse(argv);
                    assert.equal(parsed.kind, "help", argv.join(" "));
                    assert.equal(parsed.kind === "help" && parsed.text, helpText(spec));
                }
                const help = helpText(spec);
                assert.ok(help.startsWith(`usage: ${spec.usage}\n`));
                for (const [option, o] of Object.entries(spec.options)) {
                    assert.match(help, new RegExp(`^  ${o.short ? `-${o.short}, ` : ""}--${option}${o.value ? ` ${o.value}` : ""}  .*${o.help.slice(0, 20)}`, "m"), option);
                }
                assert.match(help, /^ {2}-h, --help +print this help and exit$/m);
                assert.match(help, /^exit codes \(docs\/exit-codes\.md\):\n {4}0 {2}done\n/m);
                assert.match(help, /^ {4}2 {2}usage error$/m);
            });

            it("an unknown option is a usage error naming it, with the usage line", () => {
                const text = `usage: ${spec.usage}\n(--help lists every option)\n`;
                assert.deepEqual(parse(["--no-such-option"]), { kind: "usage", problem: "unknown option --no-such-option", text });
                assert.deepEqual(parse(["-x"]), { kind: "usage", problem: "unknown option -x", text });
                assert.deepEqual(parse(["--constructor"]), { kind: "usage", problem: "unknown option --constructor", text });
                assert.deepEqual(parse(["--help=yes"]), { kind: "usage", problem: "--help takes no value", text });
            });
        });
    }

    it("a usage error goes to stderr and exits 2; help to stdout, 0; a refusal 1; another error 3; the tool's own code as is", async () => {
        const spec = rollback.SPEC;
        const run = async (parsed: Parsed<string>, act: (o: string) => Promise<number>) => {
            const out: string[] = [];
            const err: string[] = [];
            const code = await execute(spec, parsed, act, { out: (t) => out.push(t), err: (t) => err.push(t) });
            return { code, out: out.join(""), err: err.join("") };
        };
        const never = () => assert.fail("must not act");
        assert.deepEqual(await run({ kind: "help", text: "HELP\n" }, never), { code: EXIT.done, out: "HELP\n", err: "" });
        assert.deepEqual(await run({ kind: "usage", problem: "--stack is required", text: "usage: x\n" }, never), {
            code: EXIT.usage,
            out: "",
            err: "rollback: --stack is required\nusage: x\n",
        });
        const act = (e: Error) => () => Promise.reject(e);
        assert.deepEqual(await run({ kind: "run", options: "" }, act(new Refusal("no version 99"))), { code: EXIT.refused, out: "", err: "rollback: no version 99\n" });
        assert.deepEqual(await run({ kind: "run", options: "" }, act(new Error("'pulumi' was not found on PATH"))), {
            code: EXIT.failed,
            out: "",
            err: "rollback: 'pulumi' was not found on PATH\n",
        });
        assert.equal((await run({ kind: "run", options: "" }, () => Promise.resolve(EXIT.findings))).code, 4);
        assert.equal((await run({ kind: "run", options: "" }, () => Promise.resolve(143))).code, 143);
    });

    it("docs/exit-codes.md explains every code the tools share, with the names in tools/cli.ts", () => {
        const doc = fs.readFileSync(path.join(REPO, "docs", "exit-codes.md"), "utf8");
        const names = { done: "done", refused: "refused", usage: "usage error", failed: "failed while acting", findings: "findings" };
        for (const [key, code] of Object.entries(EXIT)) {
            assert.match(doc, new RegExp(`^\\| ${code} \\| \\*\\*${names[key as keyof typeof EXIT]}\\*\\*`, "m"), key);
        }
    });
});

describe("render's command line", () => {
    const parse = (...argv: string[]) => options(render.parseArgs(argv));

    it("takes one stack, and optionally --out and --dir", () => {
        assert.deepEqual(parse("staging"), { stack: "staging" });
        assert.deepEqual(parse("--out", "/tmp/x", "production", "--dir=../other"), { stack: "production", out: "/tmp/x", dir: "../other" });
    });

    it("refuses no stack, two stacks, an empty folder and a folder option without its value", () => {
        assert.equal(parse(), "name exactly one stack, got 0");
        assert.equal(parse("staging", "production"), "name exactly one stack, got 2");
        assert.equal(parse("staging", "--out="), "--out needs a folder");
        assert.equal(parse("staging", "--dir"), "--dir needs a value <project folder>");
        assert.equal(parse("--out", "--dir", "x", "staging"), "--out needs a value <dir>");
        assert.equal(parse("staging", "--out", "a", "--out", "b"), "--out given more than once");
    });

    it("takes --diff with a git ref, and refuses one that git would read as an option", () => {
        assert.deepEqual(parse("staging", "--diff", "origin/main"), { stack: "staging", diff: "origin/main" });
        assert.deepEqual(parse("staging", "--diff=HEAD~1", "--out", "x"), { stack: "staging", diff: "HEAD~1", out: "x" });
        assert.equal(parse("staging", "--diff"), "--diff needs a value <git-ref>");
        assert.equal(parse("staging", "--diff=--output=/tmp/x"), '--diff needs a git ref (a commit, branch or tag), got "--output=/tmp/x"');
        assert.equal(parse("staging", "--diff="), '--diff needs a git ref (a commit, branch or tag), got ""');
    });
});

describe("compare's command line", () => {
    const parse = (...argv: string[]) => options(compare.parseArgs(argv));

    it("takes one overlay folder and --stack, and optionally --dir", () => {
        assert.deepEqual(parse("overlays/staging", "--stack", "staging"), { overlay: "overlays/staging", stack: "staging" });
        assert.deepEqual(parse("-s", "qa", "k/qa", "--dir=../other"), { overlay: "k/qa", stack: "qa", dir: "../other" });
    });

    it("refuses no overlay, two overlays, no stack and an empty folder", () => {
        assert.equal(parse("--stack", "staging"), "name exactly one overlay folder, got 0");
        assert.equal(parse("a", "b", "--stack", "staging"), "name exactly one overlay folder, got 2");
        assert.equal(parse("a"), "--stack is required");
        assert.equal(parse("a", "--stack="), "--stack is required");
        assert.equal(parse("a", "--stack", "s", "--dir="), "--dir needs a folder");
        assert.equal(parse("a", "--stack"), "--stack needs a value <stack>");
    });
});

describe("rollback's command line", () => {
    const parse = (...argv: string[]) => options(rollback.parseArgs(argv));
    const COMMIT = "0123456789abcdef0123456789abcdef01234567";

    it("takes a stack and one of --to, --previous or --list", () => {
        const flags = { previous: false, list: false, preview: false, yes: false };
        assert.deepEqual(parse("--stack", "production", "--to", "41"), { stack: "production", to: 41, ...flags });
        assert.deepEqual(parse("-s", "staging", "--previous", "--yes", "--if-failed", COMMIT), { stack: "staging", to: undefined, ...flags, previous: true, yes: true, ifFailed: COMMIT });
        assert.deepEqual(parse("--list", "--stack=production"), { stack: "production", to: undefined, ...flags, list: true });
        assert.deepEqual(parse("--stack", "production", "--to", "2", "--preview"), { stack: "production", to: 2, ...flags, preview: true });
        assert.deepEqual(parse("--stack", "acme-trading/hft-platform/production", "--list"), { stack: "acme-trading/hft-platform/production", to: undefined, ...flags, list: true });
    });

    const problems: [string[], string][] = [
        [["--to", "2"], "--stack is required"],
        [["--stack", "production"], "give exactly one of --to <version>, --previous or --list"],
        [["--stack", "production", "--to", "2", "--previous"], "give exactly one of --to <version>, --previous or --list"],
        [["--stack", "production", "--to", "v2"], '--to needs a version number (see --list), got "v2"'],
        [["--stack", "production", "--to", "0"], '--to needs a version number (see --list), got "0"'],
        [["--stack", "production", "--previous", "--if-failed", "abc1234"], '--if-failed needs a full 40-character commit hash, got "abc1234"'],
        [["--stack", "production", "--to", "2", "--if-failed", COMMIT], "--if-failed goes with --previous"],
        [["--list", "--stack"], "--stack needs a value <stack>"],
        [["--list", "-s"], "--stack needs a value <stack>"],
        [["--stack", "--list"], "--stack needs a value <stack>"],
        [["--stack", "production", "--list", "production"], 'unexpected argument "production"; this command takes options only'],
        [["--stack", "a", "--list", "-s", "b"], "--stack given more than once"],
        [["--stack", "production", "--yes=no", "--list"], "--yes takes no value"],
        [["--stack=-odd", "--list"], "--stack: expected a stack name such as 'staging' or 'acme/hft-platform/staging', got \"-odd\""],
        [["--stack", "acme/hft-platform/production/x", "--list"], "--stack: expected a stack name such as 'staging' or 'acme/hft-platform/staging', got \"acme/hft-platform/production/x\""],
        [["--stack", "../production", "--list"], "--stack: expected a stack name such as 'staging' or 'acme/hft-platform/staging', got \"../production\""],
    ];
    for (const [argv, problem] of problems) {
        it(`refuses ${argv.join(" ")}: ${problem}`, () => {
            assert.equal(parse(...argv), problem);
        });
    }
});

describe("promote's command line", () => {
    const parse = (...argv: string[]) => options(promote.parseArgs(argv));

    it("takes --from and --to, short or qualified, and optionally --dry-run and --allow-missing", () => {
        assert.deepEqual(parse("--from", "staging", "--to", "production"), { from: "staging", to: "production", dryRun: false, allowMissing: false });
        assert.deepEqual(parse("--to=acme/hft-platform/production", "--from", "acme/staging", "--dry-run", "--allow-missing"), {
            from: "acme/staging",
            to: "acme/hft-platform/production",
            dryRun: true,
            allowMissing: true,
        });
    });

    const problems: [string[], string][] = [
        [["--to", "production"], "--from is required"],
        [["--from", "staging"], "--to is required"],
        [["--from", "staging", "--to="], "--to is required"],
        [["--from", "staging", "--to", "production", "--from", "qa"], "--from given more than once"],
        [["--from", "a/b/c/staging", "--to", "production"], "--from: expected a stack name such as 'staging' or 'acme/hft-platform/staging', got \"a/b/c/staging\""],
        [["--from", "staging", "--to", "../production"], "--to: expected a stack name such as 'staging' or 'acme/hft-platform/staging', got \"../production\""],
        [["--from", "acme/hft-platform/staging", "--to", "staging"], "--from and --to name the same stack file, Pulumi.staging.yaml"],
        [["--from", "staging", "--to", "production", "production"], 'unexpected argument "production"; this command takes options only'],
    ];
    for (const [argv, problem] of problems) {
        it(`refuses ${argv.join(" ")}: ${problem}`, () => {
            assert.equal(parse(...argv), problem);
        });
    }
});

describe("bench's command line", () => {
    const parse = (...argv: string[]) => options(bench.parseArgs(argv));

    it("has defaults, and takes runs, sizes, --keep and --require-targets", () => {
        assert.deepEqual(parse(), { runs: 5, sizes: [1, 10, 50, 200], keep: false, requireTargets: false });
        assert.deepEqual(parse("--runs", "3", "--sizes", "10,20,40,80", "--keep", "--require-targets"), { runs: 3, sizes: [10, 20, 40, 80], keep: true, requireTargets: true });
    });

    it("refuses runs below 1, fewer than three sizes, sizes out of order and text where numbers go", () => {
        assert.equal(parse("--runs", "0"), '--runs needs a whole number of 1 or more, got "0"');
        assert.equal(parse("--runs", "3x"), '--runs needs a whole number of 1 or more, got "3x"');
        const sizes = (s: string) => `--sizes needs three or more increasing whole numbers, separated by commas, got "${s}"`;
        for (const s of ["1,10", "1,10,10", "50,10,200", "1,ten,50", "1,,50"]) {
            assert.equal(parse("--sizes", s), sizes(s), s);
        }
        assert.equal(parse("200"), 'unexpected argument "200"; this command takes options only');
    });

    it("runs only the policy pack's start with --only policy-pack, which takes --runs but no catalog sizes or targets", () => {
        assert.deepEqual(parse("--only", "policy-pack", "--runs", "9"), { runs: 9, sizes: [1, 10, 50, 200], keep: false, requireTargets: false, only: "policy-pack" });
        assert.equal(parse("--only", "staging"), '--only takes policy-pack, got "staging"');
        const alone = "--only policy-pack runs no catalogs and has no targets: drop --sizes and --require-targets";
        assert.equal(parse("--only", "policy-pack", "--sizes", "1,2,3"), alone);
        assert.equal(parse("--only", "policy-pack", "--require-targets"), alone);
    });
});

describe("rollback's missing programs", () => {
    it("says how to install the Pulumi CLI when 'pulumi' is not on PATH", () => {
        const run = () => processes.run("pulumi", ["version"], { cwd: REPO, env: { PATH: "/nonexistent" } });
        assert.throws(run, { message: /^'pulumi' was not found on PATH; install the Pulumi CLI \(https:\/\/www\.pulumi\.com\/docs\/iac\/download-install\/.*\) and log in to the stack's backend$/ });
    });
});
