/**
 * Redeploys an earlier version of a stack: the program and stack config of the git commit that
 * version was deployed from, in a temporary worktree, with exactly the images it ran.
 *
 *   npm run rollback -- --help
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as readline from "readline";
import { PINNED_IMAGES_VAR } from "../../config/pinnedImages";
import { CommandSpec, EXIT, parseCommandLine, Parsed, Refusal, runCommand, signalExit } from "../cli";
import { checkProject, projectName, stackFileName, stackNameProblem, stackRef } from "../pulumi/stacks";
import { chooseTarget, commitOf, formatHistory, parseHistory, rollbackMessage } from "./history";
import { pinnedImagesFromState } from "./images";
import { overlayCurrentSecrets } from "./secrets";
import { output, run, runLive } from "./processes";
import { ChildProcess } from "child_process";

export interface Options {
    /** Short or organization-qualified (`acme/hft-platform/production`); passed to `pulumi --stack` as given. */
    readonly stack: string;
    readonly to?: number;
    readonly previous: boolean;
    readonly list: boolean;
    readonly preview: boolean;
    readonly yes: boolean;
    /** With --previous: act only if the newest update failed and was deployed from this commit. */
    readonly ifFailed?: string;
}

export const SPEC = {
    name: "rollback",
    usage: "npm run rollback -- --stack <stack> (--to <version> | --previous | --list) [--preview] [--yes] [--if-failed <commit>]",
    summary:
        "Redeploys an earlier version of a stack: the program and stack config of the git commit that version was\n" +
        "deployed from, in a temporary worktree, with exactly the images it ran. Needs the Pulumi CLI.",
    options: {
        stack: { type: "string", short: "s", value: "<stack>", help: "the stack to roll back, e.g. production or acme/hft-platform/production (required)" },
        to: { type: "string", value: "<version>", help: "redeploy this version (a number from --list)" },
        previous: { type: "boolean", help: "redeploy the last successful release before the one running now (a rollback's update counts as the release it redeployed)" },
        list: { type: "boolean", help: "print the stack's versions (version, time, result, commit, message) and exit" },
        preview: { type: "boolean", help: "preview the rollback; deploy nothing" },
        yes: { type: "boolean", help: "deploy without asking for confirmation" },
        "if-failed": {
            type: "string",
            value: "<commit>",
            help: "with --previous: act only if the newest update failed and was deployed from this commit (CI)",
        },
    },
    exits: [
        [EXIT.refused, "no stack file for the stack today, a version that cannot be rolled back to (the reason is printed), or not confirmed"],
        [EXIT.failed, "'pulumi', 'git' or 'npm ci' failed; with 'pulumi up', the stack may be partly updated"],
        [130, "interrupted by SIGINT (Ctrl-C), stopped before the next step"],
        [143, "interrupted by SIGTERM (a cancelled CI job), stopped before the next step"],
    ],
} as const satisfies CommandSpec;

export function parseArgs(argv: readonly string[]): Parsed<Options> {
    return parseCommandLine(SPEC, argv, (v) => {
        if (v.stack === undefined || v.stack === "") return "--stack is required";
        const problem = stackNameProblem(v.stack);
        if (problem) return `--stack: ${problem}`;
        if (v.to !== undefined && !/^[1-9][0-9]*$/.test(v.to)) return `--to needs a version number (see --list), got ${JSON.stringify(v.to)}`;
        const ifFailed = v["if-failed"];
        if (ifFailed !== undefined && !/^[0-9a-f]{40}$/.test(ifFailed)) return `--if-failed needs a full 40-character commit hash, got ${JSON.stringify(ifFailed)}`;
        const flags = { previous: v.previous === true, list: v.list === true, preview: v.preview === true, yes: v.yes === true };
        const modes = [v.to !== undefined, flags.previous, flags.list].filter(Boolean).length;
        if (modes !== 1) return "give exactly one of --to <version>, --previous or --list";
        if (ifFailed && !flags.previous) return "--if-failed goes with --previous";
        return { stack: v.stack, to: v.to === undefined ? undefined : Number(v.to), ...flags, ...(ifFailed ? { ifFailed } : {}) };
    });
}

export interface Io {
    /** The project folder (holding Pulumi.yaml) inside a git checkout. */
    readonly cwd: string;
    readonly env: NodeJS.ProcessEnv;
    readonly out: (line: string) => void;
    readonly err: (line: string) => void;
    readonly confirm: (question: string) => Promise<boolean>;
}

/** Why a rollback needs today's stack file; it refuses without one. */
const TODAYS_SECRETS =
    "A rollback deploys today's secret config from it (the old commit's may hold revoked credentials): run it from the project folder of a checkout that has the file";

/** Rolls back; the exit code (SPEC.exits, docs/exit-codes.md), or a `Refusal` thrown. */
export async function rollback(opts: Options, io: Io): Promise<number> {
    const project = projectName(io.cwd);
    checkProject(opts.stack, project, "--stack");
    const stackFile = stackFileName(opts.stack);
    if (!opts.list) {
        stackRef(io.cwd, project, opts.stack, "--stack", TODAYS_SECRETS);
    }
    const pulumi = (args: string[], cwd = io.cwd) => output("pulumi", [...args, "--stack", opts.stack], { cwd, env: io.env });
    const history = parseHistory(pulumi(["stack", "history", "--json"]));
    if (opts.list) {
        io.out(formatHistory(history));
        return EXIT.done;
    }
    if (opts.ifFailed) {
        // CI's automatic rollback: only when this commit's own update is the one that failed. A
        // deploy that failed before recording an update (a lock held elsewhere, a login error)
        // must not roll back the healthy version that is running.
        const newest = history.filter((u) => u.kind === "update").at(-1);
        if (!newest || newest.result !== "failed" || commitOf(newest) !== opts.ifFailed) {
            const what = newest ? `v${newest.version}, ${newest.result}, from ${(commitOf(newest) ?? "no commit").slice(0, 7)}` : "none";
            io.out(`nothing to roll back: the newest update of ${opts.stack} (${what}) is not a failed update of ${opts.ifFailed.slice(0, 7)}`);
            return EXIT.done;
        }
    }
    const target = chooseTarget(history, opts.stack, opts);
    const commit = commitOf(target)!;
    const short = commit.slice(0, 7);
    if (run("git", ["cat-file", "-e", `${commit}^{commit}`], { cwd: io.cwd }).status !== 0) {
        throw new Refusal(`commit ${short} of version ${target.version} is not in this repository; fetch it first (git fetch origin)`);
    }
    const projectPrefix = output("git", ["rev-parse", "--show-prefix"], { cwd: io.cwd }).trim();
    if (run("git", ["cat-file", "-e", `${commit}:${projectPrefix}${stackFile}`], { cwd: io.cwd }).status !== 0) {
        throw new Refusal(`commit ${short} of version ${target.version} has no ${stackFile}: the stack's configuration at that version is not in git, so it cannot be redeployed`);
    }
    const message = rollbackMessage(target);
    io.out(`${opts.stack}: ${message}, deployed ${target.startTime ?? "at an unknown time"}: ${target.message ?? ""}`.trimEnd());

    // The images that version ran, from its state; a rebuild would not restore the same bits.
    let pins: Record<string, string> = {};
    try {
        pins = pinnedImagesFromState(pulumi(["stack", "export", "--version", String(target.version)]));
        io.out(
            Object.keys(pins).length > 0
                ? `images from version ${target.version}'s state: ${Object.entries(pins).map(([s, ref]) => `${s}=${ref}`).join(", ")}`
                : `version ${target.version}'s state pins no image by digest: images are the ones ${short}'s configuration names (by tag)`,
        );
    } catch (e) {
        io.out(
            `the state of version ${target.version} is not available (${(e as Error).message.split("\n")[0]}); ` +
                `images will be the ones ${short}'s configuration names: prebuilt images by tag, images built from source rebuilt from that commit`,
        );
    }

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-rollback-"));
    const cleanup = () => {
        run("git", ["worktree", "remove", "--force", dir], { cwd: io.cwd });
        fs.rmSync(dir, { recursive: true, force: true });
        run("git", ["worktree", "prune"], { cwd: io.cwd });
    };
    // A signal stops the rollback between steps. A running step is told too on SIGTERM (a
    // terminal's Ctrl-C already reaches it, and pulumi treats a second SIGINT as a hard cancel).
    let interrupted: NodeJS.Signals | undefined;
    let child: ChildProcess | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
        interrupted = signal;
        if (signal === "SIGTERM") child?.kill("SIGTERM");
    };
    const stopped = () => {
        if (!interrupted) return undefined;
        io.err(`rollback: interrupted (${interrupted}); stopped before the next step, see 'pulumi stack history --stack ${opts.stack}'`);
        return signalExit(interrupted);
    };
    const live = (command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) => runLive(command, args, { cwd, env }, (c) => (child = c));
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    try {
        output("git", ["worktree", "add", "--detach", dir, commit], { cwd: io.cwd });
        const project = path.join(dir, projectPrefix);
        const current = overlayCurrentSecrets(path.join(io.cwd, stackFile), path.join(project, stackFile));
        if (current.length > 0) {
            io.out(`secret config as it is today (not as of ${short}): ${current.join(", ")}`);
        }
        io.out(`checked out ${short} in a temporary worktree; installing its dependencies`);
        const install = await live("npm", ["ci", "--no-audit", "--no-fund"], project, io.env);
        if (interrupted) return stopped()!;
        if (install !== 0) {
            io.err(`rollback: 'npm ci' failed in the worktree of ${short} (exit ${install}); nothing was deployed`);
            return EXIT.failed;
        }
        const env = { ...io.env };
        delete env[PINNED_IMAGES_VAR];
        if (Object.keys(pins).length > 0) {
            // A program from before the variable's name was PINNED_IMAGES_VAR would ignore it.
            if (run("git", ["grep", "--quiet", "--fixed-strings", "-e", PINNED_IMAGES_VAR, commit, "--", "*.ts", ":(exclude)tests"], { cwd: io.cwd }).status === 0) {
                env[PINNED_IMAGES_VAR] = JSON.stringify(pins);
            } else {
                io.out(`the program at ${short} cannot pin images (it predates ${PINNED_IMAGES_VAR}); it deploys the images its configuration names`);
            }
        }
        const step = (args: string[]) => live("pulumi", [...args, "--stack", opts.stack], project, env);
        const previewed = await step(["preview", "--diff", "--message", message]);
        if (interrupted) return stopped()!;
        if (previewed !== 0) {
            io.err(`rollback: the preview of ${message} failed (exit ${previewed}); nothing was deployed`);
            return EXIT.failed;
        }
        if (opts.preview) {
            io.out("preview only (--preview): nothing was deployed");
            return EXIT.done;
        }
        if (!opts.yes && !(await io.confirm(`Deploy this to stack ${opts.stack} (${message})? [y/N] `))) {
            io.err("rollback: not confirmed; nothing was deployed (use --yes to skip the question)");
            return EXIT.refused;
        }
        if (interrupted) return stopped()!;
        const updated = await step(["up", "--yes", "--skip-preview", "--message", message]);
        if (interrupted) return stopped()!;
        if (updated !== 0) {
            io.err(`rollback: 'pulumi up' of ${message} failed (exit ${updated}); the stack may be partly updated, see 'pulumi stack history --stack ${opts.stack}'`);
            return EXIT.failed;
        }
        io.out(`${opts.stack} is at ${message}`);
        return EXIT.done;
    } finally {
        process.removeListener("SIGINT", onSignal);
        process.removeListener("SIGTERM", onSignal);
        cleanup();
    }
}

/** Asks on the terminal; anything but y/yes, or no answer (end of input), is a no. */
function ask(question: string): Promise<boolean> {
    return new Promise((resolve) => {
        const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
        let answered = false;
        rl.question(question, (answer) => {
            answered = true;
            rl.close();
            resolve(/^y(es)?$/i.test(answer.trim()));
        });
        rl.on("close", () => {
            if (!answered) resolve(false);
        });
    });
}

if (require.main === module) {
    runCommand(SPEC, parseArgs(process.argv.slice(2)), (opts) =>
        rollback(opts, {
            cwd: process.cwd(),
            env: process.env,
            out: (l) => process.stdout.write(`${l}\n`),
            err: (l) => process.stderr.write(`${l}\n`),
            confirm: ask,
        }),
    );
}
