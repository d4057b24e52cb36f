import { z } from "zod";
import { show } from "../errors";
import * as f from "../formats";
import { boolean, GOT, integer, list, map, object, text } from "./fields";
import { REQUIRED_CHECKS } from "./requiredChecks";
import { CONFIG_KEY } from "./service";

/** GitHub's limit on required reviewers of an environment, teams and users together. */
export const MAX_REVIEWERS = 6;
/** Variables the program sets in every GitHub environment itself, with what they hold. */
export const PROGRAM_VARIABLES: Readonly<Record<string, string>> = {
    NAMESPACE: "the stack's Kubernetes namespace",
    PUBLIC_URL: "the URL of environment.publicService",
};

const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const SLUG = /^[a-z0-9][a-z0-9_-]*$/;
const REPO = /^[A-Za-z0-9_.-]{1,100}$/;
const SECRET_NAME = /^[A-Z_][A-Z0-9_]*$/;
const PATTERN = /^[A-Za-z0-9_./*-]+$/;

const matches = (re: RegExp, reason: string) => (s: string) => (re.test(s) ? undefined : reason);
const notReserved = (name: string) => (/^GITHUB_/.test(name) ? "names starting with GITHUB_ are reserved by GitHub" : undefined);

/** A GitHub secret that would hold a long-lived Pulumi token: `PULUMI_ACCESS_TOKEN`, `PULUMI_PREVIEW_TOKEN`, ... */
const PULUMI_TOKEN = /^PULUMI_(.*_)?TOKEN$/;
/**
 * CI exchanges GitHub's OIDC token for short-lived Pulumi Cloud tokens (docs/delivery.md): a
 * long-lived one stored in GitHub would outlive every job and reach whoever can read the secret.
 */
const notPulumiToken = (name: string) =>
    notReserved(name) ??
    (PULUMI_TOKEN.test(name)
        ? `'${name}' would store a long-lived Pulumi token in GitHub; CI gets short-lived ones through OIDC (environment.ci.pulumi, docs/delivery.md): remove the entry and its config key`
        : undefined);

/** A list of at most GitHub's 6 names; duplicates count once. */
function names(re: RegExp, what: string, example?: string) {
    return list(text({ expected: what, check: matches(re, what), pattern: re, example }))
        .superRefine((items, ctx) => {
            if (items.length > MAX_REVIEWERS) ctx.addIssue({ code: "custom", message: `expected at most ${MAX_REVIEWERS} entries (GitHub's limit), got ${show(items)}`, input: items });
        })
        .transform((items) => [...new Set(items)].sort())
        .default([]);
}

const patterns = (what: string) =>
    list(text({ expected: what, check: matches(PATTERN, what), pattern: PATTERN }))
        .transform((items) => [...new Set(items)].sort())
        .default([]);

/** GitHub secret name -> `{fromConfig: <secret config key>}`. */
const secrets = map(
    object({
        fromConfig: text({ expected: "the name of a secret config key such as 'slackWebhookUrl'", check: f.configKey, pattern: CONFIG_KEY })
            .optional()
            .meta({ description: "The secret config key holding the value." }),
    }).superRefine((s, ctx) => {
        if (s.fromConfig === undefined) ctx.addIssue({ code: "custom", message: `expected {fromConfig: <secret config key>}, got ${GOT}` });
    }),
    { check: matches(SECRET_NAME, "upper-case letters, digits and '_'"), reserved: notPulumiToken, expected: "a GitHub secret name", example: "SLACK_WEBHOOK_URL", pattern: SECRET_NAME },
).default({});

/**
 * `<project>:github`: the GitHub environment this stack deploys through, its protection and the
 * secrets CI needs. Absent: the stack manages Kubernetes only.
 */
export const github = object({
    owner: text({ expected: "a GitHub owner such as 'acme-trading'", check: matches(LOGIN, "a GitHub user or organization name"), pattern: LOGIN }).meta({
        description: "The repository's owner (user or organization).",
    }),
    repository: text({ expected: "a repository name such as 'hft-platform'", check: matches(REPO, "letters, digits, '.', '_' and '-'"), pattern: REPO }).meta({ description: "The repository's name." }),
    tokenSecret: text({ expected: "the name of a secret config key holding a GitHub token", check: f.configKey, pattern: CONFIG_KEY, example: "githubToken" })
        .optional()
        .meta({ description: "A secret config key with a GitHub token; without it the provider reads GITHUB_TOKEN." }),
    reviewers: object({
        teams: names(SLUG, "a team slug such as 'platform-leads'").meta({ description: "Team slugs whose members approve deploys." }),
        users: names(LOGIN, "a GitHub user name", "octocat").meta({ description: "Users who approve deploys." }),
    })
        .superRefine((r, ctx) => {
            const total = r.teams.length + r.users.length;
            // Each list is limited on its own first; GitHub's limit is on both together.
            if (total > MAX_REVIEWERS && r.teams.length <= MAX_REVIEWERS && r.users.length <= MAX_REVIEWERS) {
                const n = (count: number, what: string) => `${count} ${what}${count === 1 ? "" : "s"}`;
                ctx.addIssue({
                    code: "custom",
                    message: `at most ${MAX_REVIEWERS} required reviewers in total, teams and users together (GitHub's limit), got ${total}: ${n(r.teams.length, "team")} and ${n(r.users.length, "user")}`,
                });
            }
        })
        .prefault({})
        .meta({ description: `Required reviewers of the GitHub environment: at most ${MAX_REVIEWERS}, teams and users together.` }),
    preventSelfReview: boolean().optional().meta({ description: "Reviewers cannot approve their own deploys; default: true when there are reviewers." }),
    waitTimerMinutes: integer(0, 43200).default(0).meta({ description: "Minutes a deploy waits after approval." }),
    deployFrom: object({
        branches: patterns("a branch name or pattern such as 'main'").meta({ description: "Branch patterns deploys may come from." }),
        tags: patterns("a tag pattern such as 'v*'").meta({ description: "Tag patterns deploys may come from." }),
    })
        .prefault({})
        .meta({ description: "Where deploys may come from; both empty: protected branches only." }),
    secrets: secrets.meta({
        description: "Environment secrets for CI, each from a secret config key; never a Pulumi token (`PULUMI_*TOKEN`): CI gets short-lived ones through OIDC.",
        examples: [{ DEPLOY_WEBHOOK_URL: { fromConfig: "deployWebhookUrl" } }],
    }),
    variables: map(text({ example: "eu-west-1" }), { example: "DEPLOY_REGION", check: matches(SECRET_NAME, "upper-case letters, digits and '_'"), reserved: (k) => notReserved(k) ?? programVariable(k), expected: "a GitHub variable name", pattern: SECRET_NAME })
        .default({})
        .meta({ description: "Extra plain environment variables (NAMESPACE and PUBLIC_URL are always set); never a credential, by name (`*_TOKEN`, `*_PASSWORD`...) or by value: those go in `secrets`." }),
    branchProtection: object({
        branch: text({ expected: "a branch name such as 'main'", check: matches(PATTERN, "a branch name"), pattern: PATTERN }).default("main").meta({ description: "The protected branch." }),
        requiredChecks: list(text({ expected: "a status check name", check: matches(/^[^\n]{1,200}$/, "a status check name"), example: "test" }))
            .optional()
            .meta({
                description:
                    "Status checks a pull request must pass; default: the checks of the pull-request workflow, `test` and `preview (<stack>)` of every stack whose `environment.ci.preview` is true (config/schema/requiredChecks.ts, written by `npm run generate`).",
            }),
        requiredApprovals: integer(1, 6).default(1).meta({ description: "Approving reviews a pull request needs." }),
    })
        // The default is generated from every stack file, which one stack's program cannot read.
        .transform((bp) => ({ ...bp, requiredChecks: bp.requiredChecks ?? [...REQUIRED_CHECKS] }))
        .optional()
        .meta({ description: "Repository-wide branch protection: set in exactly one stack." }),
    repositorySecrets: secrets.meta({
        description: "Repository secrets (for jobs outside any environment, such as pull-request previews): same stack as branchProtection; never a Pulumi token (`PULUMI_*TOKEN`).",
    }),
}).superRefine((g, ctx) => {
    if (Object.keys(g.repositorySecrets).length > 0 && g.branchProtection === undefined) {
        ctx.addIssue({
            code: "custom",
            path: ["repositorySecrets"],
            message: "repository-wide settings belong to the one stack that manages the repository: set them in the stack that sets branchProtection",
        });
    }
});

function programVariable(name: string): string | undefined {
    return Object.hasOwn(PROGRAM_VARIABLES, name) ? `'${name}' is set by the program itself (${PROGRAM_VARIABLES[name]}); choose another name` : undefined;
}

export type Github = z.output<typeof github>;
