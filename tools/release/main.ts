/**
 * A canary release of a stack in driven mode (issue 21, docs/canary-release.md): one `pulumi up`
 * per step through the Automation API, each step watched through Prometheus, then promoted or
 * aborted to the stable version.
 *
 *   npm run release -- --help
 */
import { CANARY_VAR } from "../../config/canary";
import { stepsProblem } from "../../config/schema/canary";
import { PINNED_IMAGES_VAR } from "../../config/pinnedImages";
import { CommandSpec, EXIT, parseCommandLine, Parsed, runCommand, signalExit, tolerateClosedPipes } from "../cli";
import { Interrupts } from "../interrupts";
import { notFound, run } from "../processes";
import { resolveConfig, readTarget, STAND_IN_CI } from "../promote/target";
import { projectName, stackOption, stackRef } from "../pulumi/stacks";
import { checksOf } from "./checks";
import { drive, DriveIo } from "./drive";
import { releaseId, releaseMessage } from "./message";
import { FirstDeploy, planRelease, ReleasePlan } from "./plan";
import { query } from "./prometheus";
import { stableFromReleases } from "./stable";
import { appendOutcome } from "./outcome";
import { clearReleaseVariables, StackUpdates, stackUpdates, Stopper, updateFailure } from "./workspace";

export interface Options {
    /** Short or organization-qualified; passed to every pulumi command as `--stack`. */
    readonly stack: string;
    readonly dryRun: boolean;
    /** The policy pack every update runs with, and its config (a path each, from the project folder); none by default. */
    readonly policyPack?: string;
    readonly policyPackConfig?: string;
    /** `--percentage`: this release's weights instead of the configured steps' (a final 100 added). */
    readonly weights?: readonly number[];
}

/** The most steps `--percentage` takes. */
export const MAX_GIVEN_STEPS = 10;

export const SPEC = {
    name: "release",
    usage: "npm run release -- --stack <stack> [--percentage <weight>[,<weight>...]] [--policy-pack <dir> [--policy-pack-config <file>]] [--dry-run]",
    summary:
        "Releases a stack whose canaries run in driven mode (environment.canary.mode: driven; docs/canary-release.md):\n" +
        "reads the services with a canary and their steps from the stack's configuration, and the image each runs now\n" +
        "(the stable version) from its 'releases' output; then, for each step, a 'pulumi up' (Automation API) sending\n" +
        `that share of traffic to the canary (${CANARY_VAR}), and a window in which the checks are evaluated through\n` +
        "Prometheus every interval: the canary's container restarts (kube-state-metrics) and each service's own query.\n" +
        "Every step passed: the promotion (the stable Deployments take the new version) and a final update that removes\n" +
        `the canaries. A failed check or update: the abort, one update without a canary and with ${PINNED_IMAGES_VAR}\n` +
        "pinning the stable images. No check that cannot be evaluated passes (no data, NaN, Prometheus unreachable).\n" +
        "A stack with no service running yet gets one plain update (its first deploy). Ctrl-C (SIGINT, SIGTERM,\n" +
        "SIGHUP) once: abort to the stable version (a running update first ends); twice: stop at once, saying what\n" +
        "state traffic is in and the command that finishes the abort. With GITHUB_STEP_SUMMARY set, each step is a\n" +
        "row of the job summary; with GITHUB_OUTPUT set, outcome=promoted|first-deploy|aborted|abort-failed|stopped|failed\n" +
        "and reason=<one line> are appended to it once the release ends (docs/delivery.md). Needs the Pulumi CLI on PATH.",
    options: {
        stack: { type: "string", short: "s", value: "<stack>", help: "the stack to release, e.g. production or acme/hft-platform/production (required)" },
        percentage: {
            type: "string",
            value: "<weight>[,<weight>...]",
            help:
                "this release's traffic weights instead of the configured steps', for this run only (the stack file is not edited): " +
                "10 is 10% then all traffic, 5,25 is 5%, 25%, then all; whole numbers 1 to 100, strictly increasing (a final 100 is added). " +
                "Each step is watched as long as the longest configured window; the release still ends promoted or aborted",
        },
        "policy-pack": { type: "string", value: "<dir>", help: "run every update with this policy pack (pulumi up --policy-pack), as CI's plain updates do" },
        "policy-pack-config": { type: "string", value: "<file>", help: "the policy pack's config (pulumi up --policy-pack-config); needs --policy-pack" },
        "dry-run": { type: "boolean", help: "print the plan (services, stable images, steps, checks); run no update" },
    },
    exits: [
        [EXIT.refused, "no stack file, an invalid configuration, no service with a canary, a stack in in-cluster mode (it releases through plain 'pulumi up'), no prometheusUrl, steps that differ between services, or a malformed 'releases' output; nothing was updated"],
        [EXIT.failed, "'pulumi' is missing or failed; an update of a step, the promotion or the final update failed: aborted to the stable version (or, when the abort failed too, what traffic is in and the command to finish it)"],
        [EXIT.findings, "a check failed (the check, its value, the threshold and the step are printed): aborted to the stable version"],
        [signalExit("SIGHUP"), "the terminal closed (SIGHUP): aborted as for Ctrl-C"],
        [signalExit("SIGINT"), "Ctrl-C (SIGINT): aborted to the stable version; a second one stopped at once, printing what state traffic is in"],
        [signalExit("SIGTERM"), "SIGTERM (a cancelled CI job): the running update cancelled, then aborted; a second one stopped at once"],
    ],
} as const satisfies CommandSpec;

export function parseArgs(argv: readonly string[]): Parsed<Options> {
    return parseCommandLine(SPEC, argv, (v) => {
        const stack = stackOption("--stack", v.stack);
        if ("problem" in stack) return stack.problem;
        if (v["policy-pack-config"] !== undefined && v["policy-pack"] === undefined) return "--policy-pack-config needs --policy-pack";
        const weights = v.percentage === undefined ? undefined : percentages(v.percentage);
        if (typeof weights === "string") return weights;
        return {
            stack: stack.name,
            dryRun: v["dry-run"] === true,
            ...(v["policy-pack"] !== undefined ? { policyPack: v["policy-pack"] } : {}),
            ...(v["policy-pack-config"] !== undefined ? { policyPackConfig: v["policy-pack-config"] } : {}),
            ...(weights !== undefined ? { weights } : {}),
        };
    });
}

/** `--percentage 10` or `5,25,100`: the weights, a final 100 added; or what is wrong with them. */
export function percentages(text: string): number[] | string {
    const expected = `expected whole percentages from 1 to 100, strictly increasing, separated by commas (e.g. 10 or 5,25,100)`;
    const parts = text.split(",").map((p) => p.trim());
    const bad = parts.find((p) => !/^[1-9][0-9]{0,2}$/.test(p) || Number(p) > 100);
    if (bad !== undefined) return `--percentage: ${expected}, got ${JSON.stringify(text.slice(0, 40))}${parts.length > 1 ? ` (${JSON.stringify(bad.slice(0, 10))})` : ""}`;
    const weights = parts.map(Number);
    if (weights[weights.length - 1] !== 100) weights.push(100);
    if (weights.length > MAX_GIVEN_STEPS) return `--percentage: at most ${MAX_GIVEN_STEPS} steps, the final 100 included; got ${weights.length}`;
    const problem = stepsProblem(weights);
    return problem === undefined ? weights : `--percentage: ${expected}, got ${JSON.stringify(text.slice(0, 40))} (${problem})`;
}

export interface Io extends DriveIo {
    /** The project folder, holding Pulumi.yaml and the stack files. */
    readonly cwd: string;
}

/** Releases; the exit code (SPEC.exits, docs/exit-codes.md), or a `Refusal` thrown before any update. */
export async function release(opts: Options, io: Io): Promise<number> {
    const project = projectName(io.cwd);
    const ref = stackRef(io.cwd, project, opts.stack, "--stack");
    const { resolved: config } = readTarget(io.cwd, ref, STAND_IN_CI, resolveConfig);
    const interrupts = Interrupts.listen();
    try {
        const cleared = clearReleaseVariables(io.env);
        if (cleared.length > 0) io.err(`release: ignoring ${cleared.join(" and ")} from the environment: the release sets them itself`);
        const updates = await connect(opts, io.cwd, interrupts);
        const outputs = await updates.outputs();
        const signal = interrupts.signal();
        if (signal) {
            io.err(`release: interrupted (${signal}) before any update; nothing changed`);
            return signalExit(signal);
        }
        const plan = planRelease(config, stableFromReleases(outputs.releases, opts.stack), opts.stack, opts.weights);
        const head = run("git", ["rev-parse", "HEAD"], { cwd: io.cwd });
        const id = releaseId(head.status === 0 ? head.stdout.trim() : undefined, new Date());
        if (opts.dryRun) {
            describePlan(plan).forEach((l) => io.out(l));
            return EXIT.done;
        }
        if (plan.kind === "first-deploy") return await firstDeploy(opts.stack, id, plan, updates, interrupts, io);
        return await drive({ stack: opts.stack, id, plan, updates, interrupts, ask: (q) => query(plan.prometheusUrl, q) }, io);
    } finally {
        interrupts.close();
    }
}

/** The Automation API's workspace; a missing CLI said as the other tools say it. */
async function connect(opts: Options, cwd: string, interrupts: Interrupts): Promise<StackUpdates> {
    const policy = { ...(opts.policyPack !== undefined ? { policyPacks: [opts.policyPack] } : {}), ...(opts.policyPackConfig !== undefined ? { policyPackConfigs: [opts.policyPackConfig] } : {}) };
    try {
        return await stackUpdates(opts.stack, cwd, interrupts.track, policy);
    } catch (e) {
        if (/ENOENT/.test((e as Error).message)) throw notFound("pulumi");
        throw e;
    }
}

/**
 * No service with a canary runs anything yet, so there is no stable version to compare with or
 * fall back to: one plain update deploys the configured images (a signal: SIGTERM cancels it,
 * a second signal terminates it).
 */
async function firstDeploy(stack: string, id: string, plan: FirstDeploy, updates: StackUpdates, interrupts: Interrupts, io: Io): Promise<number> {
    const message = releaseMessage(id, `first deploy, no canary (${plan.services.join(", ")} run nothing yet)`);
    io.out(`release ${stack}: ${plan.services.join(", ")} run nothing yet: no stable version to compare with, so one plain update deploys them (${message})`);
    const stopper = new Stopper();
    interrupts.onSignal((signal, count) => (count > 1 ? stopper.terminate() : signal === "SIGTERM" ? stopper.cancel() : undefined));
    try {
        await updates.up({}, message, stopper, io.show);
    } catch (e) {
        const signal = interrupts.signal();
        if (signal) {
            const why = `interrupted (${signal}) during the first deploy; the stack may be partly updated, see 'pulumi stack history --stack ${stack}'`;
            io.err(`release: ${why}`);
            appendOutcome(io.env, "stopped", why, io.err);
            return signalExit(signal);
        }
        appendOutcome(io.env, "failed", `the first deploy's update failed: ${updateFailure(e)}`, io.err);
        throw e;
    }
    appendOutcome(io.env, "first-deploy", `first deploy of ${plan.services.join(", ")}, without a canary (they ran nothing yet)`, io.err);
    io.out(`release ${stack}: deployed; the next release of ${plan.services.join(", ")} goes through the canary`);
    return EXIT.done;
}

/** `--dry-run`: the plan, line by line. */
export function describePlan(plan: ReleasePlan | FirstDeploy): string[] {
    if (plan.kind === "first-deploy") return [`first deploy: ${plan.services.join(", ")} run nothing yet; one plain update, no canary`];
    return [
        `steps: ${plan.steps.map((s) => `${s.weight}% for ${s.windowSeconds}s`).join(", ")}; checks every ${plan.intervalSeconds}s through ${plan.prometheusUrl}`,
        ...plan.services.flatMap((s) => [`${s.name}: stable ${s.stable}`, ...checksOf(s, plan.namespace).map((c) => `  ${c.name} <= ${c.max}: ${c.query}`)]),
        ...(plan.firstDeploys.length > 0 ? [`deployed as configured, without a canary (they run nothing yet): ${plan.firstDeploys.join(", ")}`] : []),
    ];
}

if (require.main === module) {
    tolerateClosedPipes();
    runCommand(SPEC, parseArgs(process.argv.slice(2)), (opts) =>
        release(opts, {
            cwd: process.cwd(),
            env: process.env,
            out: (l) => process.stdout.write(`${l}\n`),
            err: (l) => process.stderr.write(`${l}\n`),
            show: { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) },
        }),
    );
}
