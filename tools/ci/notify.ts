/**
 * The last step of every deploy, release and rollback job: one message to the team's chat, through
 * the incoming webhook whose URL the environment secret DEPLOY_WEBHOOK_URL holds
 * (docs/delivery.md#notifications). Never fails the job: without a URL it says so and is done; a
 * POST that fails is a warning. The URL (a credential: whoever has it can post) is never printed.
 *
 *   npm run --silent notify -- --event deploy --stack production --outcome success --version 43 --commit "$GITHUB_SHA"
 */
import { httpUrl } from "../../config/formats";
import { CommandSpec, EXIT, parseCommandLine, Parsed, runCommand } from "../cli";
import { stackOption } from "../pulumi/stacks";
import { annotation } from "./deployReport";

export const EVENTS = ["deploy", "rollback", "check", "canary"] as const;
export const OUTCOMES = ["success", "failure", "cancelled", "skipped"] as const;

/** The environment variable holding the webhook's URL. */
export const WEBHOOK_VAR = "DEPLOY_WEBHOOK_URL";
/** How long the webhook has to answer. */
export const TIMEOUT_MS = 10_000;

export interface Notice {
    /**
     * A deploy, a rollback (the deploy job's own, or the rollback workflow's), a check before the
     * update, or a driven canary release that aborted (failure) and left the stable version serving.
     */
    readonly event: (typeof EVENTS)[number];
    readonly stack: string;
    readonly outcome: (typeof OUTCOMES)[number];
    /** The stack version the update made; for a rollback, the version it went back to. */
    readonly version?: string;
    readonly commit?: string;
    /** The run's page; default: from GITHUB_SERVER_URL, GITHUB_REPOSITORY and GITHUB_RUN_ID. */
    readonly url?: string;
}

export const SPEC = {
    name: "notify",
    usage: "npm run notify -- --event deploy|rollback|check|canary --stack <stack> --outcome success|failure|cancelled|skipped [--version <N>] [--commit <sha>] [--url <url>]",
    summary:
        `Posts one message about a deploy, a rollback, a check or an aborted canary release to the chat webhook whose URL is in $${WEBHOOK_VAR}\n` +
        'as JSON {"text": ...} (Slack\'s incoming webhooks; Teams and Discord through their Slack-compatible endpoints):\n' +
        "the repository, stack, outcome, version, commit and the run's URL. Without the variable (or empty) it says no\n" +
        `message is sent; a POST that fails, answers other than 2xx or takes over ${TIMEOUT_MS / 1000} s is a warning (::warning). It exits 0\n` +
        "either way, so a notification never fails a deploy. The webhook's URL is never printed.",
    options: {
        event: { type: "string", value: "<deploy|rollback|check|canary>", help: "what happened: a deploy, a rollback, a check that held a deploy back, or a canary release that aborted (failure) (required)" },
        stack: { type: "string", value: "<stack>", help: "the stack, e.g. production (required)" },
        outcome: { type: "string", value: "<success|failure|cancelled|skipped>", help: "how it ended, as GitHub reports a step or job (required)" },
        version: { type: "string", value: "<N>", help: "the stack version the update made (for a rollback, the version it went back to); empty: none" },
        commit: { type: "string", value: "<sha>", help: "the git commit deployed; empty: none" },
        url: { type: "string", value: "<url>", help: "the run's page; default: from GITHUB_SERVER_URL, GITHUB_REPOSITORY and GITHUB_RUN_ID" },
    },
    exits: [],
} as const satisfies CommandSpec;

const oneOf = <T extends string>(values: readonly T[], v: string | undefined): v is T => values.includes(v as T);
/** An option given empty (`--version ""`, a step output that was not set) counts as absent. */
const given = (v: string | undefined) => (v === undefined || v === "" ? undefined : v);

export function parseArgs(argv: readonly string[]): Parsed<Notice> {
    return parseCommandLine(SPEC, argv, (v) => {
        if (!oneOf(EVENTS, v.event)) return `--event: expected ${EVENTS.join(", ")}, got ${JSON.stringify(v.event ?? "")}`;
        const stack = stackOption("--stack", v.stack);
        if ("problem" in stack) return stack.problem;
        if (!oneOf(OUTCOMES, v.outcome)) return `--outcome: expected ${OUTCOMES.join(", ")}, got ${JSON.stringify(v.outcome ?? "")}`;
        const version = given(v.version);
        if (version !== undefined && !/^[1-9][0-9]{0,9}$/.test(version)) return `--version: expected a stack version such as 43, got ${JSON.stringify(version.slice(0, 40))}`;
        const commit = given(v.commit);
        if (commit !== undefined && !/^[0-9a-f]{7,64}$/.test(commit)) return `--commit: expected a git commit (7 to 64 hex digits), got ${JSON.stringify(commit.slice(0, 80))}`;
        const url = given(v.url);
        if (url !== undefined && httpUrl(url) !== undefined) return `--url: expected the run's http(s) URL (${httpUrl(url)})`;
        return { event: v.event, stack: stack.name, outcome: v.outcome, ...(version ? { version } : {}), ...(commit ? { commit } : {}), ...(url ? { url } : {}) };
    });
}

const ENDED: Readonly<Record<Notice["outcome"], string>> = { success: "succeeded", failure: "failed", cancelled: "was cancelled", skipped: "was skipped" };
const CHECKS_ENDED: Readonly<Record<Notice["outcome"], string>> = { success: "passed", failure: "failed", cancelled: "were cancelled", skipped: "were skipped" };

function headline(n: Notice): string {
    switch (n.event) {
        case "deploy":
            return `Deploy of ${n.stack}${n.version ? ` (version ${n.version})` : ""} ${ENDED[n.outcome]}`;
        case "rollback":
            return `Rollback of ${n.stack}${n.version ? ` to version ${n.version}` : ""} ${ENDED[n.outcome]}`;
        case "check":
            return n.outcome === "failure" ? `A check held back the deploy of ${n.stack}: nothing was deployed` : `The checks before the deploy of ${n.stack} ${CHECKS_ENDED[n.outcome]}`;
        case "canary":
            return n.outcome === "failure"
                ? `The canary release of ${n.stack} was aborted: the stable version serves, nothing was released or rolled back`
                : `The canary release of ${n.stack} ${ENDED[n.outcome]}`;
    }
}

/** The run's page, from GitHub's variables, when they are all set. */
export function runUrl(env: NodeJS.ProcessEnv): string | undefined {
    const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: run } = env;
    return server && repository && run ? `${server}/${repository}/actions/runs/${run}` : undefined;
}

/** The message: the repository (when known) and what happened, the commit, then the run's page. */
export function messageText(n: Notice, env: NodeJS.ProcessEnv): string {
    const repository = env.GITHUB_REPOSITORY ? `[${env.GITHUB_REPOSITORY}] ` : "";
    const commit = n.commit ? ` Commit ${n.commit.slice(0, 7)}.` : "";
    const url = n.url ?? runUrl(env);
    return `${repository}${headline(n)}.${commit}${url ? `\n${url}` : ""}`;
}

export interface NotifyIo {
    readonly env: NodeJS.ProcessEnv;
    readonly out: (text: string) => void;
    /** How long the webhook has to answer; TIMEOUT_MS unless a test shortens it. */
    readonly timeoutMs?: number;
}

/** Posts `text`; what went wrong, in words that never include the URL, or undefined once it is sent. */
async function post(url: string, text: string, timeoutMs: number): Promise<string | undefined> {
    try {
        // A redirect is refused: it would take the message (and the URL's secret path) to another host.
        const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text }), redirect: "error", signal: AbortSignal.timeout(timeoutMs) });
        await response.body?.cancel();
        return response.ok ? undefined : `the webhook answered HTTP ${response.status}`;
    } catch (e) {
        const error = e as Error & { cause?: { code?: unknown } };
        if (error.name === "TimeoutError") return `the webhook did not answer within ${timeoutMs / 1000} s`;
        // Only an error code such as ECONNREFUSED: messages can carry the host or the whole URL.
        const code = typeof error.cause?.code === "string" && /^[A-Z][A-Z0-9_]{1,40}$/.test(error.cause.code) ? ` (${error.cause.code})` : "";
        return `the webhook could not be reached${code}`;
    }
}

/** Sends the notice, or says why not; always EXIT.done. */
export async function notify(n: Notice, io: NotifyIo): Promise<number> {
    const text = messageText(n, io.env);
    io.out(`notify: ${text.replace(/\n/g, " ")}\n`);
    const url = io.env[WEBHOOK_VAR];
    if (url === undefined || url.trim() === "") {
        io.out(`notify: ${WEBHOOK_VAR} is not set for this environment: no message sent (docs/delivery.md#notifications)\n`);
        return EXIT.done;
    }
    const bad = httpUrl(url.trim());
    const problem = bad !== undefined ? `${WEBHOOK_VAR} is not a usable http(s) URL (${bad === "not a URL" ? bad : bad.split(":")[0]})` : await post(url.trim(), text, io.timeoutMs ?? TIMEOUT_MS);
    if (problem !== undefined) {
        io.out(annotation({ level: "warning", title: "Notification not sent", message: `${problem}; the ${n.event} itself is unaffected` }));
        return EXIT.done;
    }
    io.out("notify: sent to the chat webhook\n");
    return EXIT.done;
}

if (require.main === module) {
    runCommand(SPEC, parseArgs(process.argv.slice(2)), (n) => notify(n, { env: process.env, out: (t) => process.stdout.write(t) }));
}
