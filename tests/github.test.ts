import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { evaluate, Evaluation, isConfigError, isSecretEnvelope, RecordedResource } from "../tools/harness/evaluate";
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

    it("production: reviewers by ID, no self-review, a wait timer, no admin bypass, main and release tags only", () => {
        const env = only(production, "repositoryEnvironment:RepositoryEnvironment");
        const teamId = lookups(production).teams["trading-platform-leads"];
        const userId = lookups(production).users["oncall-lead"];
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
            ofType(production, "repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy")
                .map((r) => r.inputs)
                .sort((a: any, b: any) => String(a.branchPattern ?? a.tagPattern).localeCompare(String(b.branchPattern ?? b.tagPattern))),
            [
                { repository: "hft-platform", environment: "production", branchPattern: "main" },
                { repository: "hft-platform", environment: "production", tagPattern: "v*" },
            ],
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

    it("puts CI's secrets in the environment, every value secret, and plain values in variables", async () => {
        const config = stackConfig("staging");
        config.config[`${P}pulumiAccessToken`] = "pul-0123456789abcdef";
        const ev = await run(config);
        const secrets = ofType(ev, "actionsEnvironmentSecret:ActionsEnvironmentSecret");
        assert.deepEqual(secrets.map((s) => [s.inputs.secretName, s.inputs.environment]), [["PULUMI_ACCESS_TOKEN", "staging"]]);
        for (const s of secrets) {
            assert.equal(isSecretEnvelope(s.inputs.value), true, `${String(s.inputs.secretName)} is marked secret`);
            assert.equal("plaintextValue" in s.inputs, false, "the deprecated plaintextValue is not used");
        }
        assert.equal(unwrap(secrets.find((s) => s.inputs.secretName === "PULUMI_ACCESS_TOKEN")!.inputs.value), "pul-0123456789abcdef");
        assert.equal(JSON.stringify(ev.resources.filter((r) => !r.type.includes("Secret")).map((r) => r.inputs)).includes("pul-0123456789abcdef"), false);
        assert.deepEqual(byName(ofType(staging, "actionsEnvironmentVariable:ActionsEnvironmentVariable")), {
            "staging-variable-namespace": { repository: "hft-platform", environment: "staging", variableName: "NAMESPACE", value: "hft-staging" },
            "staging-variable-public_url": { repository: "hft-platform", environment: "staging", variableName: "PUBLIC_URL", value: "https://trading.staging.acme-trading.example/" },
        });
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
            requiredStatusChecks: [{ strict: true, contexts: ["test", "preview (staging)", "preview (production)"] }],
            requiredPullRequestReviews: [{ requiredApprovingReviewCount: 1, dismissStaleReviews: true }],
        });
    });

    it("gives pull-request previews their token as a repository secret, from the production stack alone", () => {
        assert.deepEqual(ofType(staging, "actionsSecret:ActionsSecret"), []);
        const secret = only(production, "actionsSecret:ActionsSecret");
        assert.equal(secret.inputs.repository, "hft-platform");
        assert.equal(secret.inputs.secretName, "PULUMI_ACCESS_TOKEN");
        assert.equal(isSecretEnvelope(secret.inputs.value), true);
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
            for (const k of ["githubToken", "pulumiAccessToken", "ciKubeconfig"]) delete config.config[P + k];
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
        ["a secret under a name GitHub reserves", (g) => (g.secrets.GITHUB_TOKEN = { fromConfig: "githubToken" }), [`${P}github.secrets.GITHUB_TOKEN: names starting with GITHUB_ are reserved by GitHub`]],
        ["a secret given as a value", (g) => (g.secrets.SLACK_WEBHOOK = "https://hooks.example"), [`${P}github.secrets.SLACK_WEBHOOK: expected an object with keys fromConfig, got "https://hooks.example"`, `${P}github.secrets.SLACK_WEBHOOK: expected {fromConfig: <secret config key>}, got "https://hooks.example"`]],
        [
            "repository secrets outside the stack that manages the repository",
            (g) => delete g.branchProtection,
            [`${P}github.repositorySecrets: repository-wide settings belong to the one stack that manages the repository: set them in the stack that sets branchProtection`],
        ],
        ["a typo in a key", (g) => (g.reviewer = { teams: ["x"] }), [`${P}github.reviewer: unknown key (did you mean 'reviewers'?); allowed keys: owner, repository, tokenSecret, reviewers, preventSelfReview, waitTimerMinutes, deployFrom, secrets, variables, branchProtection, repositorySecrets`]],
    ];
    for (const [name, edit, expected] of bad) {
        it(`refuses ${name}`, async () => {
            const config = stackConfig("production");
            const gh = JSON.parse(config.config[`${P}github`]);
            edit(gh);
            config.config[`${P}github`] = JSON.stringify(gh);
            const ev = await evaluate(config, { ciEnv: {} });
            assert.ok(isConfigError(ev.error), String(ev.error));
            assert.deepEqual(ev.error.problems, expected);
            assert.deepEqual(ev.resources, []);
        });
    }
});

/** The IDs the (mocked) GitHub API gave the reviewers, read back from the environment's inputs. */
function lookups(ev: Evaluation): { teams: Record<string, number>; users: Record<string, number> } {
    const reviewers = (ev.resources.find((r) => r.type === "github:index/repositoryEnvironment:RepositoryEnvironment")!.inputs as any).reviewers[0];
    assert.equal(typeof reviewers.teams[0], "number");
    assert.equal(typeof reviewers.users[0], "number");
    return { teams: { "trading-platform-leads": reviewers.teams[0] }, users: { "oncall-lead": reviewers.users[0] } };
}
