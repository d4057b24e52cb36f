import { strict as assert } from "assert";
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { Evaluation, isSecretEnvelope, RecordedResource } from "../tools/harness/evaluate";
import { refused } from "./refused";
import { previewChecks } from "./facts-validation";
import { editedConfig, PROJECT, run, stackConfig, unwrap } from "./support";

const P = `${PROJECT}:`;
const ofType = (ev: Evaluation, type: string) => ev.resources.filter((r) => r.type === `github:index/${type}`);
const only = (ev: Evaluation, type: string): RecordedResource => {
    const found = ofType(ev, type);
    assert.equal(found.length, 1, `${type}: ${found.map((r) => r.name).join(", ")}`);
    return found[0];
};
const byName = (rs: RecordedResource[]) => Object.fromEntries(rs.map((r) => [r.name, r.inputs]));

describe("GitHub delivery", () => {
    let staging: Evaluation;
    let production: Evaluation;
    before(async () => {
        staging = await run("staging");
        production = await run("production");
    });

    it("production: reviewers by ID, no self-review, a wait timer, no admin bypass, from main only", () => {
        const env = only(production, "repositoryEnvironment:RepositoryEnvironment");
        // Computed from the lookups' arguments, not read back from the resource: swapping teams and users fails.
        const teamId = mockLookupId({ slug: "trading-platform-leads", summaryOnly: true });
        const userId = mockLookupId({ username: "oncall-lead" });
        assert.notEqual(teamId, userId);
        assert.deepEqual(env.inputs, {
            repository: "hft-platform",
            environment: "production",
            reviewers: [{ teams: [teamId], users: [userId] }],
            preventSelfReview: true,
            waitTimer: 5,
            canAdminsBypass: false,
            deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
        });
        assert.deepEqual(
            ofType(production, "repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy").map((r) => r.inputs),
            [{ repository: "hft-platform", environment: "production", branchPattern: "main" }],
        );
    });

    it("staging: deploys from protected branches with no reviewers", () => {
        const env = only(staging, "repositoryEnvironment:RepositoryEnvironment");
        assert.deepEqual(env.inputs, {
            repository: "hft-platform",
            environment: "staging",
            preventSelfReview: false,
            waitTimer: 0,
            canAdminsBypass: true,
            deploymentBranchPolicy: { protectedBranches: true, customBranchPolicies: false },
        });
        assert.deepEqual(ofType(staging, "repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy"), []);
    });

    it("names deployment policies uniquely and stably, even for patterns that collapse to the same text", async () => {
        const config = stackConfig("production");
        const gh = JSON.parse(config.config[`${P}github`]);
        gh.deployFrom = { branches: ["release/*", "release-*", "main"], tags: ["v*"] };
        config.config[`${P}github`] = JSON.stringify(gh);
        const ev = await run(config);
        const sha = (pattern: string) => createHash("sha256").update(pattern).digest("hex").slice(0, 8);
        assert.deepEqual(byName(ofType(ev, "repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy")), {
            [`production-branch-main-${sha("main")}`]: { repository: "hft-platform", environment: "production", branchPattern: "main" },
            [`production-branch-release--${sha("release-*")}`]: { repository: "hft-platform", environment: "production", branchPattern: "release-*" },
            [`production-branch-release--${sha("release/*")}`]: { repository: "hft-platform", environment: "production", branchPattern: "release/*" },
            [`production-tag-v--${sha("v*")}`]: { repository: "hft-platform", environment: "production", tagPattern: "v*" },
        });
    });

    it("accepts six reviewers in total, teams and users together, each by the ID of its own lookup", async () => {
        const config = stackConfig("production");
        const gh = JSON.parse(config.config[`${P}github`]);
        gh.reviewers = { teams: ["leads", "sre"], users: ["u1", "u2", "u3", "u4"] };
        config.config[`${P}github`] = JSON.stringify(gh);
        const env = only(await run(config), "repositoryEnvironment:RepositoryEnvironment");
        assert.deepEqual((env.inputs as any).reviewers, [
            {
                teams: ["leads", "sre"].map((slug) => mockLookupId({ slug, summaryOnly: true })),
                users: ["u1", "u2", "u3", "u4"].map((username) => mockLookupId({ username })),
            },
        ]);
    });

    it("puts CI's secrets in the environment, every value secret, and plain values in variables", async () => {
        const base = stackConfig("staging");
        const gh = JSON.parse(base.config[`${P}github`]);
        gh.secrets = { SLACK_WEBHOOK_URL: { fromConfig: "slackWebhookUrl" } };
        const config = {
            ...base,
            config: { ...base.config, [`${P}github`]: JSON.stringify(gh), [`${P}slackWebhookUrl`]: "https://hooks.example/T0-SENTINEL" },
            secretKeys: [...base.secretKeys, `${P}slackWebhookUrl`],
        };
        const ev = await run(config);
        const secrets = ofType(ev, "actionsEnvironmentSecret:ActionsEnvironmentSecret");
        assert.deepEqual(secrets.map((s) => [s.inputs.secretName, s.inputs.environment]), [["SLACK_WEBHOOK_URL", "staging"]]);
        for (const s of secrets) {
            assert.equal(isSecretEnvelope(s.inputs.value), true, `${String(s.inputs.secretName)} is marked secret`);
            assert.equal("plaintextValue" in s.inputs, false, "the deprecated plaintextValue is not used");
        }
        assert.equal(unwrap(secrets[0].inputs.value), "https://hooks.example/T0-SENTINEL");
        assert.equal(JSON.stringify(ev.resources.filter((r) => !r.type.includes("Secret")).map((r) => r.inputs)).includes("T0-SENTINEL"), false);
        assert.deepEqual(byName(ofType(staging, "actionsEnvironmentVariable:ActionsEnvironmentVariable")), {
            "staging-variable-namespace": { repository: "hft-platform", environment: "staging", variableName: "NAMESPACE", value: "hft-staging" },
            "staging-variable-public_url": { repository: "hft-platform", environment: "staging", variableName: "PUBLIC_URL", value: "https://trading.staging.acme-trading.example/" },
        });
    });

    it("writes no Pulumi token into GitHub: the stacks store no secret there at all (CI's Pulumi tokens come from OIDC)", () => {
        for (const ev of [staging, production]) {
            assert.deepEqual(ofType(ev, "actionsEnvironmentSecret:ActionsEnvironmentSecret"), []);
            assert.deepEqual(ofType(ev, "actionsSecret:ActionsSecret"), []);
            assert.deepEqual(
                ev.resources.filter((r) => r.type.startsWith("github:") && /PULUMI/i.test(JSON.stringify(r.inputs))).map((r) => r.name),
                [],
            );
        }
        for (const stack of ["staging", "production"]) {
            const keys = Object.keys(stackConfig(stack).config);
            assert.deepEqual(keys.filter((k) => /pulumi(Access|Preview)Token/.test(k)), [], `${stack}: no Pulumi token in the stack's config`);
        }
    });

    it("uses one explicit GitHub provider per stack, for the owner, with the token as a secret", () => {
        for (const ev of [staging, production]) {
            const provider = ev.resources.filter((r) => r.type === "pulumi:providers:github");
            assert.equal(provider.length, 1);
            assert.equal(provider[0].inputs.owner, "acme-trading");
            assert.equal(isSecretEnvelope(provider[0].inputs.token), true);
            for (const r of ev.resources.filter((x) => x.type.startsWith("github:"))) {
                assert.ok(r.provider?.startsWith(`urn:pulumi:`) && r.provider.includes("pulumi:providers:github"), r.name);
            }
        }
    });

    it("protects the default branch from production alone: checks, one approving review, stale reviews dismissed, no force pushes", () => {
        assert.deepEqual(ofType(staging, "branchProtection:BranchProtection"), []);
        assert.deepEqual(only(production, "branchProtection:BranchProtection").inputs, {
            repositoryId: "hft-platform",
            pattern: "main",
            enforceAdmins: true,
            allowsForcePushes: false,
            allowsDeletions: false,
            // By default, the pull-request workflow's checks: `test` and a preview of each stack the stack files have CI preview.
            requiredStatusChecks: [{ strict: true, contexts: previewChecks() }],
            requiredPullRequestReviews: [{ requiredApprovingReviewCount: 1, dismissStaleReviews: true }],
        });
    });

    it("requires exactly the status checks production's branchProtection lists, when it lists them", async () => {
        const config = stackConfig("production");
        const gh = JSON.parse(config.config[`${P}github`]);
        gh.branchProtection = { ...gh.branchProtection, requiredChecks: ["test", "lint", "preview (production)"] };
        config.config[`${P}github`] = JSON.stringify(gh);
        const protection = only(await run(config), "branchProtection:BranchProtection");
        assert.deepEqual((protection.inputs as any).requiredStatusChecks, [{ strict: true, contexts: ["test", "lint", "preview (production)"] }]);
    });

    it("no two stacks manage the same GitHub object", () => {
        const identity = (r: RecordedResource) => {
            const i = r.inputs;
            return [r.type, i.repository ?? i.repositoryId, i.environment ?? "", i.secretName ?? i.variableName ?? i.branchPattern ?? i.tagPattern ?? i.pattern ?? ""].join("|");
        };
        const objects = (ev: Evaluation) => ev.resources.filter((r) => r.type.startsWith("github:")).map(identity);
        const shared = objects(staging).filter((o) => objects(production).includes(o));
        assert.deepEqual(shared, []);
        assert.equal([...objects(staging), ...objects(production)].filter((o) => o.startsWith("github:index/branchProtection")).length, 1);
    });

    it("without GitHub configuration, deploys Kubernetes only and says so once", async () => {
        const said: string[] = [];
        const log = pulumi.log;
        const original = log.info;
        log.info = (msg: string) => {
            said.push(msg);
            return Promise.resolve();
        };
        try {
            const config = editedConfig("staging", () => undefined);
            delete config.config[`${P}github`];
            delete config.config[`${P}githubToken`];
            const ev = await run(config);
            assert.deepEqual(ev.resources.filter((r) => r.type.includes("github")), []);
            assert.deepEqual(said, ["GitHub is not configured for this stack (no hft-platform:github): managing Kubernetes only"]);
            const k8s = (e: Evaluation) => e.resources.filter((r) => r.type.startsWith("kubernetes:")).map((r) => r.name).sort();
            assert.deepEqual(k8s(ev), k8s(staging));
        } finally {
            log.info = original;
        }
    });

    const bad: [string, (g: any) => void, string[]][] = [
        ["an owner that is not a GitHub name", (g) => (g.owner = "acme trading"), [`${P}github.owner: expected a GitHub owner such as 'acme-trading', got "acme trading" (a GitHub user or organization name)`]],
        ["a missing repository", (g) => delete g.repository, [`${P}github.repository: required; expected a repository name such as 'hft-platform'`]],
        [
            "more than six reviewers",
            (g) => (g.reviewers = { users: ["a1", "a2", "a3", "a4", "a5", "a6", "a7"] }),
            [`${P}github.reviewers.users: expected at most 6 entries (GitHub's limit), got ["a1","a2","a3","a4","a5","a6","a7"]`],
        ],
        [
            "more than six reviewers in total, teams and users together",
            (g) => (g.reviewers = { teams: ["t1", "t2", "t3"], users: ["u1", "u2", "u3", "u4"] }),
            [`${P}github.reviewers: at most 6 required reviewers in total, teams and users together (GitHub's limit), got 7: 3 teams and 4 users`],
        ],
        ["a variable under a name GitHub reserves", (g) => (g.variables = { GITHUB_SHA: "abc" }), [`${P}github.variables.GITHUB_SHA: names starting with GITHUB_ are reserved by GitHub`]],
        [
            "variables the program sets itself",
            (g) => (g.variables = { NAMESPACE: "hft-other", PUBLIC_URL: "https://elsewhere.example/", SLACK_CHANNEL: "#deploys" }),
            [
                `${P}github.variables.NAMESPACE: 'NAMESPACE' is set by the program itself (the stack's Kubernetes namespace); choose another name`,
                `${P}github.variables.PUBLIC_URL: 'PUBLIC_URL' is set by the program itself (the URL of environment.publicService); choose another name`,
            ],
        ],
        ["a secret under a name GitHub reserves", (g) => (g.secrets = { GITHUB_TOKEN: { fromConfig: "githubToken" } }), [`${P}github.secrets.GITHUB_TOKEN: names starting with GITHUB_ are reserved by GitHub`]],
        ["a secret given as a value", (g) => (g.secrets = { SLACK_WEBHOOK: "https://hooks.example" }), [`${P}github.secrets.SLACK_WEBHOOK: expected an object with keys fromConfig, got "https://hooks.example"`]],
        [
            "repository secrets outside the stack that manages the repository",
            (g) => {
                delete g.branchProtection;
                g.repositorySecrets = { RELEASE_BOT_KEY: { fromConfig: "githubToken" } };
            },
            [`${P}github.repositorySecrets: repository-wide settings belong to the one stack that manages the repository: set them in the stack that sets branchProtection`],
        ],
        [
            "a long-lived Pulumi token stored in GitHub, in the environment or the repository, under any such name",
            (g) => {
                g.secrets = { PULUMI_ACCESS_TOKEN: { fromConfig: "githubToken" }, PULUMI_TOKEN: { fromConfig: "githubToken" } };
                g.repositorySecrets = { PULUMI_PREVIEW_TOKEN: { fromConfig: "githubToken" }, PULUMI_BACKEND_URL: { fromConfig: "githubToken" } };
            },
            ["secrets.PULUMI_ACCESS_TOKEN", "secrets.PULUMI_TOKEN", "repositorySecrets.PULUMI_PREVIEW_TOKEN"].map(
                (key) =>
                    `${P}github.${key}: '${key.split(".")[1]}' would store a long-lived Pulumi token in GitHub; CI gets short-lived ones through OIDC (environment.ci.pulumi, docs/delivery.md): remove the entry and its config key`,
            ),
        ],
        ["a typo in a key", (g) => (g.reviewer = { teams: ["x"] }), [`${P}github.reviewer: unknown key (did you mean 'reviewers'?); allowed keys: owner, repository, tokenSecret, reviewers, preventSelfReview, waitTimerMinutes, deployFrom, secrets, variables, branchProtection, repositorySecrets`]],
    ];
    for (const [name, edit, expected] of bad) {
        it(`refuses ${name}`, async () => {
            const config = stackConfig("production");
            const gh = JSON.parse(config.config[`${P}github`]);
            edit(gh);
            config.config[`${P}github`] = JSON.stringify(gh);
            assert.deepEqual(await refused(config), expected);
        });
    }
});

/**
 * The ID the harness's mock GitHub API answers a lookup with, computed here from the lookup's
 * arguments (exactly as the SDK sends them) the way tools/harness/evaluate.ts does, as a number.
 */
function mockLookupId(inputs: Record<string, unknown>): number {
    return parseInt(createHash("sha256").update(JSON.stringify(inputs)).digest("hex").slice(0, 7), 16);
}
