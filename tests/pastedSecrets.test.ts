import { strict as assert } from "assert";
import { refused } from "./refused";
import { editedConfig, PROJECT, run, stackConfig } from "./support";

/**
 * Issue 18, class 9: plain-text secrets where the configuration is shown to everyone. A GitHub
 * variable named or shaped like a credential, and a token pasted where a name or a plain value is
 * expected, are refused, and the value is never echoed: not in the key path, not in the message,
 * not once per check that trips over it.
 */

const P = `${PROJECT}:`;
const SERVICE = `${P}catalog.services.ingestion`;
// Made-up values in the shapes the providers issue (none of them is or was a real credential).
const GITHUB_TOKEN = "ghp_" + "0123456789abcdefghijABCDEFGHIJ012345";
const AWS_KEY_ID = "AKIA" + "IOSFODNN7EXAMPLE";
const SLACK_TOKEN = "xoxb-" + "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx";
const JWT = "eyJhbGciOiJIUzI1NiJ9" + ".eyJzdWIiOiJkZXBsb3kiLCJpYXQiOjE3MDAwMDAwMDB9" + ".c2lnbmF0dXJlLW9mLXRoZS10b2tlbi1oZXJl";
const PRIVATE_KEY = "-----BEGIN " + "OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----";
const ALL = [GITHUB_TOKEN, AWS_KEY_ID, SLACK_TOKEN, JWT, "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ", "hunter2", "s3cr3t"];

/** The problems of a refused configuration, after checking that no credential of the test is in them. */
async function refusedUnshown(...args: Parameters<typeof refused>): Promise<readonly string[]> {
    const problems = await refused(...args);
    for (const value of ALL) assert.equal(problems.join("\n").includes(value), false, `a refusal must not show ${value.slice(0, 6)}...`);
    return problems;
}

const pasted = (kind: string, where: "a name" | "a value", stack = "staging") =>
    `${kind} (by its shape) where ${where} is expected, not shown here; it has been written into the configuration, so revoke it and keep the new one as a secret: 'pulumi config set --secret <key> <value> --stack ${stack}'`;

describe("GitHub variables cannot carry credentials (issue 18, class 9)", () => {
    const variables = (vars: Record<string, string>) => editedConfig("production", (v) => (v.github.variables = vars));
    const plain = (name: string, reason: string) =>
        `${P}github.variables.${name}: a GitHub variable is shown in plain text to anyone who can read the repository, and in workflow logs, so it cannot carry a credential (${reason}; the value is not shown here); make it an environment secret: 'github.secrets: {${name}: {fromConfig: <key>}}' and 'pulumi config set --secret <key> <value> --stack production'`;

    it("a variable named like a token (NPM_TOKEN, the example), its value never shown", async () => {
        assert.deepEqual(await refusedUnshown(variables({ NPM_TOKEN: "s3cr3t", SLACK_CHANNEL: "#deploys" })), [plain("NPM_TOKEN", "its name says it does")]);
    });

    it("a password and a private key by name, and a password in a URL's user info by value", async () => {
        assert.deepEqual(await refusedUnshown(variables({ DB_PASSWORD: "s3cr3t", SIGNING_PRIVATE_KEY: "x", DEPLOY_HOOK: "https://deploy:hunter2@ci.example/hook" })), [
            plain("DB_PASSWORD", "its name says it does"),
            plain("DEPLOY_HOOK", "a password in the URL"),
            plain("SIGNING_PRIVATE_KEY", "its name says it does"),
        ]);
    });

    it("a variable whose value is shaped like a token, under an innocent name", async () => {
        assert.deepEqual(await refusedUnshown(variables({ REGISTRY_LOGIN: GITHUB_TOKEN })), [`${P}github.variables.REGISTRY_LOGIN: ${pasted("a GitHub token", "a value", "production")}`]);
    });

    it("plain variables that only look alike are fine (a URL without a password, a channel, a key's name)", async () => {
        const ev = await run(variables({ STATUS_URL: "https://status.example/api?token=", SLACK_CHANNEL: "#deploys", TOKEN_AUDIENCE: "sts.amazonaws.com" }));
        assert.equal(ev.error, undefined);
    });
});

describe("a token pasted where a name is expected is never shown (issue 18, class 9)", () => {
    it("a token as a service's name (the example): one problem, the token shown nowhere", async () => {
        const problems = await refusedUnshown(editedConfig("staging", (v) => (v.catalog.services[GITHUB_TOKEN] = v.catalog.services.ingestion)));
        assert.deepEqual(problems, [`${P}catalog.services.<a GitHub token, not shown>: ${pasted("a GitHub token", "a name")}`]);
    });

    it("a token as the config key of a service secret: reported where it is written, not as a secret to set", async () => {
        const problems = await refusedUnshown(editedConfig("staging", (v) => (v.catalog.services.ingestion.secrets = { FEED_KEY: { fromConfig: GITHUB_TOKEN } })));
        assert.deepEqual(problems, [`${SERVICE}.secrets.FEED_KEY.fromConfig: ${pasted("a GitHub token", "a value")}`]);
    });

    it("a token as an environment variable's name, and an AWS key ID as a key of the stack's environment", async () => {
        const problems = await refusedUnshown(
            editedConfig("staging", (v) => {
                v.catalog.services.ingestion.env = { ...v.catalog.services.ingestion.env, [SLACK_TOKEN]: "1" };
                v.environment[AWS_KEY_ID] = true;
            }),
        );
        assert.deepEqual(problems, [
            `${P}catalog.services.ingestion.env.<a Slack token, not shown>: ${pasted("a Slack token", "a name")}`,
            `${P}environment.<an AWS access key ID, not shown>: ${pasted("an AWS access key ID", "a name")}`,
        ]);
    });

    it("a token set as a config key of its own ('pulumi config set <token> ...')", async () => {
        const base = stackConfig("staging");
        const problems = await refusedUnshown({ ...base, config: { ...base.config, [`${P}${GITHUB_TOKEN}`]: "x" } });
        assert.deepEqual(problems, [`${P}<a GitHub token, not shown>: ${pasted("a GitHub token", "a name")}`]);
    });
});

describe("a token as a plain value is refused and never shown (issue 18, classes 7 and 9)", () => {
    it("a bare token, a JWT and a private key in env and commonEnv (no password= or URL to give them away)", async () => {
        const problems = await refusedUnshown(
            editedConfig("staging", (v) => {
                v.catalog.services.ingestion.env = { ...v.catalog.services.ingestion.env, FEED_AUTH: SLACK_TOKEN, SESSION: `Bearer ${JWT}` };
                v.environment.commonEnv = { ...v.environment.commonEnv, SSH_KEY: PRIVATE_KEY };
            }),
        );
        assert.deepEqual(problems, [
            `${SERVICE}.env.FEED_AUTH: ${pasted("a Slack token", "a value")}`,
            `${SERVICE}.env.SESSION: ${pasted("a JSON Web Token", "a value")}`,
            `${P}environment.commonEnv.SSH_KEY: ${pasted("a private key", "a value")}`,
        ]);
    });

    it("a token in a setting no other check reads (an image repository), and in a build argument: each reported once", async () => {
        const problems = await refusedUnshown(
            editedConfig("staging", (v) => {
                v.catalog.services.ingestion.image = { ...v.catalog.services.ingestion.image, repository: `ghcr.io/acme/${AWS_KEY_ID}` };
                delete v.catalog.services["kalman-filter"].image;
                v.catalog.services["kalman-filter"].build = { context: "services/kalman-filter", args: { NPM_TOKEN: GITHUB_TOKEN } };
            }),
        );
        assert.deepEqual(problems, [
            `${P}catalog.services.ingestion.image.repository: ${pasted("an AWS access key ID", "a value")}`,
            `${P}catalog.services.kalman-filter.build.args.NPM_TOKEN: ${pasted("a GitHub token", "a value")}`,
        ]);
    });
});
