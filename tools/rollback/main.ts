/**
 * Redeploys an earlier version of a stack: the program and stack config of the git commit that
 * version was deployed from, in a temporary worktree, with exactly the images it ran.
 *
 *   npm run rollback -- --help
 */
import * as path from "path";
import { PINNED_IMAGES_VAR } from "../../config/pinnedImages";
import { CommandSpec, EXIT, parseCommandLine, Parsed, Refusal, runCommand, signalExit, signalExits, tolerateClosedPipes } from "../cli";
import { Interrupts } from "../interrupts";
import { capture, failed, output, run, runLive } from "../processes";
import { PULUMI } from "../pulumi/commands";
import { checkProject, projectName, stackFileName, stackOption, stackRef } from "../pulumi/stacks";
import { chooseTarget, commitOf, formatHistory, parseHistory, rollbackMessage } from "./history";
import { pinnedImagesFromState } from "./images";
import { appendOutcome, Outcome } from "./outcome";
import { ask } from "./prompt";
import { overlayCurrentSecrets } from "./secrets";
import { checkOut, Worktree } from "./worktree";

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
        ...signalExits(": stopped, the worktree removed"),
    ],
} as const satisfies CommandSpec;

export function parseArgs(argv: readonly string[]): Parsed<Options> {
    return parseCommandLine(SPEC, argv, (v) => {
        const stack = stackOption("--stack", v.stack);
        if ("problem" in stack) return stack.problem;
        if (v.to !== undefined && !/^[1-9][0-9]*$/.test(v.to)) return `--to needs a version number (see --list), got ${JSON.stringify(v.to)}`;
        const ifFailed = v["if-failed"];
        if (ifFailed !== undefined && !/^[0-9a-f]{40}$/.test(ifFailed)) return `--if-failed needs a full 40-character commit hash, got ${JSON.stringify(ifFailed)}`;
        const flags = { previous: v.previous === true, list: v.list === true, preview: v.preview === true, yes: v.yes === true };
        const modes = [v.to !== undefined, flags.previous, flags.list].filter(Boolean).length;
        if (modes !== 1) return "give exactly one of --to <version>, --previous or --list";
        if (ifFailed && !flags.previous) return "--if-failed goes with --previous";
        return { stack: stack.name, to: v.to === undefined ? undefined : Number(v.to), ...flags, ...(ifFailed ? { ifFailed } : {}) };
    });
}

export interface Io {
    /** The project folder (holding Pulumi.yaml) inside a git checkout. */
    readonly cwd: string;
    readonly env: NodeJS.ProcessEnv;
    readonly out: (line: string) => void;
    readonly err: (line: string) => void;
    /** Asks; a no when `aborted` fires first (a signal was caught). */
    readonly confirm: (question: string, aborted: AbortSignal) => Promise<boolean>;
    /** Receives what a rollback (not --list, not --preview) did, once, however it ends. */
    readonly report: (outcome: Outcome) => void;
}

/** Why a rollback needs today's stack file; it refuses without one. */
const TODAYS_SECRETS =
    "A rollback deploys today's secret config from it (the old commit's may hold revoked credentials): run it from the project folder of a checkout that has the file";

/**
 * Rolls back; the exit code (SPEC.exits, docs/exit-codes.md), or a `Refusal` thrown. A signal
 * (SIGINT, SIGTERM, SIGHUP) at any point stops it before its next step, the running child told
 * (see `passOn`); the worktree is removed and the code is 128 plus the signal's number.
 */
export async function rollback(opts: Options, io: Io): Promise<number> {
    let updating = false;
    // A terminal sends Ctrl-C and its hangup to every process in front, pulumi included: passed on
    // again, a second SIGINT makes 'pulumi up' abandon the update at once instead of stopping cleanly.
    const interrupts = Interrupts.listen((signal) => !(updating && signal !== "SIGTERM"));
    let worktree: Worktree | undefined;
    let version = opts.to;
    const report = (outcome: Outcome["outcome"], reason?: string) => {
        if (!opts.list && !opts.preview) io.report({ outcome, ...(version !== undefined ? { version } : {}), ...(reason !== undefined ? { reason } : {}) });
    };
    try {
        const project = projectName(io.cwd);
        checkProject(opts.stack, project, "--stack");
        if (!opts.list) {
            stackRef(io.cwd, project, opts.stack, "--stack", TODAYS_SECRETS);
        }
        return await act(opts, io, interrupts, {
            target: (v) => (version = v),
            checkOut: (commit, prefix) => (worktree = checkOut(io.cwd, commit, prefix)),
            updating: (now) => (updating = now),
            report,
        });
    } catch (e) {
        report(e instanceof Refusal ? "refused" : "failed", (e as Error).message);
        throw e;
    } finally {
        worktree?.remove();
        interrupts.close();
    }
}

interface Steps {
    /** The version chosen, for the outcome. */
    readonly target: (version: number) => void;
    readonly checkOut: (commit: string, prefix: string) => Worktree;
    readonly updating: (now: boolean) => void;
    readonly report: (outcome: Outcome["outcome"], reason?: string) => void;
}

async function act(opts: Options, io: Io, interrupts: Interrupts, steps: Steps): Promise<number> {
    /** Ends without rolling back: says why, on standard error and in the outcome. */
    const end = (code: number, outcome: "refused" | "failed", reason: string) => {
        io.err(`rollback: ${reason}`);
        steps.report(outcome, reason);
        return code;
    };
    const stopped = () => end(signalExit(interrupts.signal()!), "failed", `interrupted (${interrupts.signal()}); nothing was deployed`);
    const pulumi = async (args: string[]) => {
        const r = await capture("pulumi", args, { cwd: io.cwd, env: io.env }, interrupts.track);
        if (r.code !== 0 && !interrupts.signal()) throw failed("pulumi", args, r);
        return r.stdout;
    };
    const listed = await pulumi(PULUMI.history(opts.stack));
    if (interrupts.signal()) return stopped();
    const history = parseHistory(listed);
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
            const why = `the newest update of ${opts.stack} (${what}) is not a failed update of ${opts.ifFailed.slice(0, 7)}`;
            io.out(`nothing to roll back: ${why}`);
            steps.report("nothing-to-roll-back", why);
            return EXIT.done;
        }
    }
    const target = chooseTarget(history, opts.stack, opts);
    steps.target(target.version);
    const commit = commitOf(target)!;
    const short = commit.slice(0, 7);
    if (run("git", ["cat-file", "-e", `${commit}^{commit}`], { cwd: io.cwd }).status !== 0) {
        throw new Refusal(`commit ${short} of version ${target.version} is not in this repository; fetch it first (git fetch origin)`);
    }
    const stackFile = stackFileName(opts.stack);
    const projectPrefix = output("git", ["rev-parse", "--show-prefix"], { cwd: io.cwd }).trim();
    if (run("git", ["cat-file", "-e", `${commit}:${projectPrefix}${stackFile}`], { cwd: io.cwd }).status !== 0) {
        throw new Refusal(`commit ${short} of version ${target.version} has no ${stackFile}: the stack's configuration at that version is not in git, so it cannot be redeployed`);
    }
    const message = rollbackMessage(target);
    io.out(`${opts.stack}: ${message}, deployed ${target.startTime ?? "at an unknown time"}: ${target.message ?? ""}`.trimEnd());

    // The images that version ran, from its state; a rebuild would not restore the same bits.
    let pins: Record<string, string> = {};
    try {
        const state = await pulumi(PULUMI.exportVersion(opts.stack, target.version));
        if (interrupts.signal()) return stopped();
        pins = pinnedImagesFromState(state);
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

    if (interrupts.signal()) return stopped();
    const { project } = steps.checkOut(commit, projectPrefix);
    const current = overlayCurrentSecrets(path.join(io.cwd, stackFile), path.join(project, stackFile));
    if (current.length > 0) {
        io.out(`secret config as it is today (not as of ${short}): ${current.join(", ")}`);
    }
    io.out(`checked out ${short} in a temporary worktree; installing its dependencies`);
    // The old commit's dependencies install without the credentials the rollback holds: an
    // install script never sees a Pulumi token or a registry password.
    const install = await runLive("npm", ["ci", "--no-audit", "--no-fund"], { cwd: project, env: withoutCredentials(io.env) }, interrupts.track);
    if (interrupts.signal()) return stopped();
    if (install !== 0) {
        return end(EXIT.failed, "failed", `'npm ci' failed in the worktree of ${short} (exit ${install}); nothing was deployed`);
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
    const step = (args: string[]) => runLive("pulumi", args, { cwd: project, env }, interrupts.track);
    const previewed = await step(PULUMI.preview(opts.stack, message));
    if (interrupts.signal()) return stopped();
    if (previewed !== 0) {
        return end(EXIT.failed, "failed", `the preview of ${message} failed (exit ${previewed}); nothing was deployed`);
    }
    if (opts.preview) {
        io.out("preview only (--preview): nothing was deployed");
        return EXIT.done;
    }
    if (!opts.yes && !(await io.confirm(`Deploy this to stack ${opts.stack} (${message})? [y/N] `, interrupts.aborted))) {
        if (interrupts.signal()) return stopped();
        return end(EXIT.refused, "refused", "not confirmed; nothing was deployed (use --yes to skip the question)");
    }
    if (interrupts.signal()) return stopped();
    steps.updating(true);
    const updated = await step(PULUMI.up(opts.stack, message));
    steps.updating(false);
    const seeHistory = `see 'pulumi stack history --stack ${opts.stack}'`;
    const signal = interrupts.signal();
    if (updated !== 0 && signal) {
        return end(signalExit(signal), "failed", `interrupted (${signal}) during 'pulumi up' of ${message}; the stack may be partly updated, ${seeHistory}`);
    }
    if (updated !== 0) {
        return end(EXIT.failed, "failed", `'pulumi up' of ${message} failed (exit ${updated}); the stack may be partly updated, ${seeHistory}`);
    }
    if (signal) {
        io.err(`rollback: ${signal} arrived while 'pulumi up' ran, which finished all the same`);
    }
    io.out(`${opts.stack} is at ${message}`);
    steps.report("rolled-back");
    return EXIT.done;
}

if (require.main === module) {
    tolerateClosedPipes();
    const err = (l: string) => process.stderr.write(`${l}\n`);
    const report = (outcome: Outcome) => appendOutcome(process.env, outcome, err);
    const parsed = parseArgs(process.argv.slice(2));
    // CI passes the version it was given: a usage error there is a refusal to report.
    if (parsed.kind === "usage") report({ outcome: "refused", reason: parsed.problem });
    runCommand(SPEC, parsed, (opts) =>
        rollback(opts, {
            cwd: process.cwd(),
            env: process.env,
            out: (l) => process.stdout.write(`${l}\n`),
            err,
            confirm: ask,
            report,
        }),
    );
}

/**
 * The environment without Pulumi's access token and passphrase, cloud credentials or tokens of
 * any kind, except npm's own (`NPM_TOKEN`, `NODE_AUTH_TOKEN`: an .npmrc may need one to install).
 */
export function withoutCredentials(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    const npm = new Set(["NPM_TOKEN", "NODE_AUTH_TOKEN"]);
    const credential = /^(PULUMI_ACCESS_TOKEN|PULUMI_CONFIG_PASSPHRASE(_FILE)?|AWS_(SECRET_ACCESS_KEY|SESSION_TOKEN|ACCESS_KEY_ID)|AZURE_CLIENT_SECRET|GOOGLE_CREDENTIALS|GITHUB_TOKEN|GH_TOKEN|ACTIONS_ID_TOKEN_REQUEST_TOKEN|ACTIONS_RUNTIME_TOKEN)$|(_TOKEN|_PASSWORD|_SECRET)$/;
    return Object.fromEntries(Object.entries(env).filter(([k]) => npm.has(k) || !credential.test(k)));
}
