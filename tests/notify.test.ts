import { strict as assert } from "assert";
import * as http from "http";
import { AddressInfo } from "net";
import { EXIT } from "../tools/cli";
import { EVENTS, messageText, Notice, notify, OUTCOMES, parseArgs, WEBHOOK_VAR } from "../tools/ci/notify";
import { WEBHOOK_SECRET } from "../tools/generate/notifyStep";
import { isSecretEnvelope } from "../tools/harness/evaluate";
import { PROJECT, run, stackConfig, unwrap } from "./support";

/**
 * `npm run notify`: the message for each event and outcome, and the POST, against a local HTTP
 * server standing in for the chat's incoming webhook. Whatever happens, it exits 0 and never
 * prints the webhook's URL, whose path is the credential.
 */

const GITHUB = { GITHUB_SERVER_URL: "https://github.com", GITHUB_REPOSITORY: "acme-trading/hft-platform", GITHUB_RUN_ID: "987654321" };
const RUN = "https://github.com/acme-trading/hft-platform/actions/runs/987654321";
const SHA = "3f9c2ab5e1d4c7b8a9f0e1d2c3b4a5f6e7d8c9b0";
/** The secret part of a Slack webhook URL. */
const SECRET = "T0AAAAAAA/B0BBBBBBB/XXXXsecretXXXXtoken";

interface Received {
    readonly method?: string;
    readonly type?: string;
    readonly body: string;
}

/** A webhook on 127.0.0.1 answering `status`, or never answering (`hang`); what it received. */
async function webhook(answer: number | "hang") {
    const received: Received[] = [];
    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            received.push({ method: req.method, type: req.headers["content-type"], body: Buffer.concat(chunks).toString("utf8") });
            if (answer !== "hang") res.writeHead(answer).end(answer === 200 ? "ok" : `no_service ${SECRET}`);
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/${SECRET}`;
    const close = () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve())));
    return { url, received, close };
}

const DEPLOY: Notice = { event: "deploy", stack: "production", outcome: "success", version: "43", commit: SHA };

async function send(n: Notice, env: NodeJS.ProcessEnv, timeoutMs?: number) {
    const out: string[] = [];
    const code = await notify(n, { env: { ...GITHUB, ...env }, out: (t) => out.push(t), ...(timeoutMs ? { timeoutMs } : {}) });
    return { code, out: out.join("") };
}

/** Nothing printed names the webhook: not its URL, not its secret path. */
function neverPrinted(out: string, url: string) {
    assert.ok(!out.includes(url), out);
    assert.ok(!out.includes(SECRET), out);
    assert.ok(!out.includes("secret"), out);
    assert.ok(!out.includes("/services/"), out);
}

describe("notify: the message", () => {
    it("says what happened to which stack, with the version, the commit and the run", () => {
        assert.equal(messageText(DEPLOY, GITHUB), `[acme-trading/hft-platform] Deploy of production (version 43) succeeded. Commit 3f9c2ab.\n${RUN}`);
        assert.equal(messageText({ ...DEPLOY, outcome: "failure" }, GITHUB), `[acme-trading/hft-platform] Deploy of production (version 43) failed. Commit 3f9c2ab.\n${RUN}`);
        assert.equal(messageText({ event: "rollback", stack: "production", outcome: "success", version: "41" }, GITHUB), `[acme-trading/hft-platform] Rollback of production to version 41 succeeded.\n${RUN}`);
        assert.equal(
            messageText({ event: "check", stack: "production", outcome: "failure", commit: SHA }, GITHUB),
            `[acme-trading/hft-platform] A check held back the deploy of production: nothing was deployed. Commit 3f9c2ab.\n${RUN}`,
        );
        assert.equal(messageText({ event: "deploy", stack: "staging", outcome: "cancelled" }, {}), "Deploy of staging was cancelled.", "outside GitHub: no repository, no run");
        assert.equal(messageText({ ...DEPLOY, url: "https://ci.example.com/run/7" }, GITHUB).split("\n")[1], "https://ci.example.com/run/7", "--url wins");
    });

    it("words every event and outcome differently, naming the stack and never a missing value", () => {
        const texts = EVENTS.flatMap((event) => OUTCOMES.map((outcome) => messageText({ event, stack: "production", outcome }, {})));
        assert.equal(new Set(texts).size, EVENTS.length * OUTCOMES.length, texts.join("\n"));
        assert.deepEqual(texts, [
            "Deploy of production succeeded.",
            "Deploy of production failed.",
            "Deploy of production was cancelled.",
            "Deploy of production was skipped.",
            "Rollback of production succeeded.",
            "Rollback of production failed.",
            "Rollback of production was cancelled.",
            "Rollback of production was skipped.",
            "The checks before the deploy of production passed.",
            "A check held back the deploy of production: nothing was deployed.",
            "The checks before the deploy of production were cancelled.",
            "The checks before the deploy of production were skipped.",
            "The canary release of production succeeded.",
            "The canary release of production was aborted: the stable version serves, nothing was released or rolled back.",
            "The canary release of production was cancelled.",
            "The canary release of production was skipped.",
        ]);
    });

    it("reads its command line, an empty --version or --commit (a step output never set) as none", () => {
        const run = (argv: string[]) => {
            const p = parseArgs(argv);
            return p.kind === "run" ? p.options : p.kind === "usage" ? p.problem : assert.fail("help");
        };
        assert.deepEqual(run(["--event", "deploy", "--stack", "production", "--outcome", "failure", "--version", "", "--commit", ""]), { event: "deploy", stack: "production", outcome: "failure" });
        assert.deepEqual(run(["--event=rollback", "--stack=production", "--outcome=success", "--version=41", `--commit=${SHA}`]), { event: "rollback", stack: "production", outcome: "success", version: "41", commit: SHA });
        assert.equal(run(["--event", "release", "--stack", "production", "--outcome", "success"]), '--event: expected deploy, rollback, check, canary, got "release"');
        assert.equal(run(["--event", "deploy", "--stack", "production", "--outcome", "neutral"]), '--outcome: expected success, failure, cancelled, skipped, got "neutral"');
        assert.equal(run(["--event", "deploy", "--stack", "production", "--outcome", "success", "--version", "v43"]), '--version: expected a stack version such as 43, got "v43"');
        assert.equal(run(["--event", "deploy", "--stack", "production", "--outcome", "success", "--commit", "HEAD"]), '--commit: expected a git commit (7 to 64 hex digits), got "HEAD"');
        assert.equal(run(["--event", "deploy", "--outcome", "success"]), "--stack is required");
    });
});

describe("notify: sending", function () {
    this.timeout(20000);

    it("posts the message as Slack's JSON {text} and says it was sent, without the URL", async () => {
        const hook = await webhook(200);
        try {
            const r = await send(DEPLOY, { DEPLOY_WEBHOOK_URL: hook.url });
            assert.equal(r.code, EXIT.done);
            assert.deepEqual(hook.received, [{ method: "POST", type: "application/json", body: JSON.stringify({ text: messageText(DEPLOY, GITHUB) }) }]);
            assert.equal(r.out, `notify: ${messageText(DEPLOY, GITHUB).replace("\n", " ")}\nnotify: sent to the chat webhook\n`);
            neverPrinted(r.out, hook.url);
        } finally {
            await hook.close();
        }
    });

    it("without DEPLOY_WEBHOOK_URL, or with it empty, sends nothing and exits 0, saying so", async () => {
        const hook = await webhook(200);
        try {
            for (const env of [{}, { DEPLOY_WEBHOOK_URL: "" }, { DEPLOY_WEBHOOK_URL: "  " }]) {
                const r = await send(DEPLOY, env);
                assert.equal(r.code, EXIT.done);
                assert.match(r.out, /^notify: DEPLOY_WEBHOOK_URL is not set for this environment: no message sent \(docs\/delivery\.md#notifications\)$/m);
            }
            assert.deepEqual(hook.received, []);
        } finally {
            await hook.close();
        }
    });

    it("a failing endpoint is a warning and exits 0: an error status, no answer within the timeout, nothing listening, not a URL", async () => {
        const failing = await webhook(500);
        const hanging = await webhook("hang");
        const closed = await webhook(200);
        await closed.close();
        try {
            const cases: [string, string, number?][] = [
                [failing.url, "the webhook answered HTTP 500"],
                [hanging.url, "the webhook did not answer within 0.3 s", 300],
                [closed.url, "the webhook could not be reached (ECONNREFUSED)"],
                [`hooks.slack.com/services/${SECRET}`, "DEPLOY_WEBHOOK_URL is not a usable http(s) URL (not a URL)"],
                [`https://bot:${SECRET.split("/")[2]}@hooks.example.com/x`, "DEPLOY_WEBHOOK_URL is not a usable http(s) URL (no user or password in the URL)"],
            ];
            for (const [url, problem, timeout] of cases) {
                const r = await send({ ...DEPLOY, outcome: "failure" }, { DEPLOY_WEBHOOK_URL: url }, timeout);
                assert.equal(r.code, EXIT.done, problem);
                assert.equal(r.out.split("\n")[1], `::warning title=Notification not sent::${problem}; the deploy itself is unaffected`);
                neverPrinted(r.out, url);
            }
            assert.equal(failing.received.length, 1, "the failing endpoint got the message once");
        } finally {
            await failing.close();
            await hanging.close();
        }
    });
});

describe("notify: the webhook as the stack's environment secret", () => {
    it("github.secrets.DEPLOY_WEBHOOK_URL from the stack's secret config becomes the environment secret the workflows read", async () => {
        assert.equal(WEBHOOK_SECRET, WEBHOOK_VAR, "the workflows pass the secret under the variable the tool reads");
        const base = stackConfig("production");
        const github = JSON.parse(base.config[`${PROJECT}:github`]);
        github.secrets = { DEPLOY_WEBHOOK_URL: { fromConfig: "deployWebhookUrl" } };
        const url = `https://hooks.slack.com/services/${SECRET}`;
        const ev = await run({
            ...base,
            config: { ...base.config, [`${PROJECT}:github`]: JSON.stringify(github), [`${PROJECT}:deployWebhookUrl`]: url },
            secretKeys: [...base.secretKeys, `${PROJECT}:deployWebhookUrl`],
        });
        const secrets = ev.resources.filter((r) => r.type === "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret");
        assert.deepEqual(secrets.map((r) => [r.inputs.secretName, r.inputs.environment]), [["DEPLOY_WEBHOOK_URL", "production"]]);
        assert.equal(isSecretEnvelope(secrets[0].inputs.value), true);
        assert.equal(unwrap(secrets[0].inputs.value), url);
        assert.equal(JSON.stringify(ev.resources.filter((r) => r !== secrets[0]).map((r) => r.inputs)).includes(SECRET), false, "nowhere else");
    });
});
