import * as pulumi from "@pulumi/pulumi";
import * as github from "@pulumi/github";
import { GithubConfig } from "../../config/types";
import { byCodePoint } from "../../config/order";
import { deliveryResource } from "../../config/names/derive";

export interface DeliveryArgs {
    readonly github: GithubConfig;
    /** Plain values CI reads: the namespace and the public URL. */
    readonly variables: Readonly<Record<string, pulumi.Input<string>>>;
    /** Protect the GitHub environment (its reviewers and secrets): the stack's `protect`. */
    readonly protect?: boolean;
}

/**
 * The GitHub side of one environment: the deployment environment named after it (reviewers,
 * branch policy), the secrets and variables its deploy job reads, and (in exactly one stack)
 * the default branch's protection. Every object here belongs to this environment alone, so
 * two stacks never manage the same one.
 */
export class Delivery extends pulumi.ComponentResource {
    public readonly environment: pulumi.Output<string>;

    constructor(name: string, args: DeliveryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:github:Delivery", name, {}, opts);
        const gh = args.github;
        const provider = new github.Provider(
            deliveryResource.provider(name),
            { owner: gh.owner, ...(gh.token ? { token: gh.token } : {}) },
            { parent: this },
        );
        const childOpts = { parent: this, provider };
        const repository = gh.repository;

        // Reviewers are configured by name; GitHub wants their numeric IDs.
        const teamIds = gh.reviewers.teams.map((slug) => github.getTeamOutput({ slug, summaryOnly: true }, { parent: this, provider }).id.apply(Number));
        const userIds = gh.reviewers.users.map((username) => github.getUserOutput({ username }, { parent: this, provider }).id.apply(Number));
        const custom = gh.deployFrom.branches.length + gh.deployFrom.tags.length > 0;
        const hasReviewers = teamIds.length + userIds.length > 0;

        const environment = new github.RepositoryEnvironment(
            deliveryResource.environment(name),
            {
                repository,
                environment: gh.environment,
                ...(hasReviewers ? { reviewers: [{ teams: teamIds, users: userIds }] } : {}),
                preventSelfReview: gh.preventSelfReview,
                waitTimer: gh.waitTimerMinutes,
                // Nobody skips the approval an environment with reviewers asks for.
                canAdminsBypass: !hasReviewers,
                deploymentBranchPolicy: { protectedBranches: !custom, customBranchPolicies: custom },
            },
            // Losing it loses the deploy approval and CI's access: refused by the engine, and kept
            // on GitHub if the program ever stops declaring it.
            args.protect ? { ...childOpts, protect: true, retainOnDelete: true } : childOpts,
        );
        this.environment = environment.environment;

        const policy = (kind: "branch" | "tag", pattern: string) =>
            new github.RepositoryEnvironmentDeploymentPolicy(
                deliveryResource.deploymentPolicy(name, kind, pattern),
                { repository, environment: environment.environment, ...(kind === "branch" ? { branchPattern: pattern } : { tagPattern: pattern }) },
                childOpts,
            );
        gh.deployFrom.branches.forEach((p) => policy("branch", p));
        gh.deployFrom.tags.forEach((p) => policy("tag", p));

        for (const [secretName, secretValue] of Object.entries(gh.secrets)) {
            new github.ActionsEnvironmentSecret(
                deliveryResource.secret(name, secretName),
                { repository, environment: environment.environment, secretName, value: pulumi.secret(secretValue) },
                childOpts,
            );
        }
        for (const [variableName, value] of Object.entries({ ...args.variables, ...gh.variables }).sort(([a], [b]) => byCodePoint(a, b))) {
            new github.ActionsEnvironmentVariable(
                deliveryResource.variable(name, variableName),
                { repository, environment: environment.environment, variableName, value },
                childOpts,
            );
        }

        for (const [secretName, secretValue] of Object.entries(gh.repositorySecrets)) {
            new github.ActionsSecret(
                deliveryResource.repositorySecret(name, secretName),
                { repository, secretName, value: pulumi.secret(secretValue) },
                childOpts,
            );
        }
        if (gh.branchProtection) {
            const bp = gh.branchProtection;
            new github.BranchProtection(
                deliveryResource.branchProtection(name),
                {
                    repositoryId: repository,
                    pattern: bp.branch,
                    enforceAdmins: true,
                    allowsForcePushes: false,
                    allowsDeletions: false,
                    requiredStatusChecks: [{ strict: true, contexts: [...bp.requiredChecks] }],
                    requiredPullRequestReviews: [{ requiredApprovingReviewCount: bp.requiredApprovals, dismissStaleReviews: true }],
                },
                childOpts,
            );
        }
        this.registerOutputs({ environment: this.environment });
    }
}
