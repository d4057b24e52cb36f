import { Node } from "./node";
import * as f from "./formats";
import { GithubConfig } from "./types";

/** Defaults for GitHub delivery settings; each lives only here. */
export const GITHUB_DEFAULTS = {
    requiredApprovals: 1,
    /** The check names of .github/workflows/pull-request.yml, for branch protection. */
    requiredChecks: ["test", "preview (staging)", "preview (production)"],
} as const;

const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const SLUG = /^[a-z0-9][a-z0-9_-]*$/;
const REPO = /^[A-Za-z0-9_.-]{1,100}$/;
const SECRET_NAME = /^[A-Z_][A-Z0-9_]*$/;
const GITHUB_RESERVED = /^GITHUB_/;
/** Variables the program sets in every GitHub environment itself, with what they hold. */
export const PROGRAM_VARIABLES: Readonly<Record<string, string>> = {
    NAMESPACE: "the stack's Kubernetes namespace",
    PUBLIC_URL: "the first exposed service's URL",
};
/** GitHub's limit on required reviewers of an environment, teams and users together. */
const MAX_REVIEWERS = 6;
const PATTERN = /^[A-Za-z0-9_./*-]+$/;

const check = (re: RegExp, reason: string) => (s: string) => (re.test(s) ? undefined : reason);

/**
 * `hft-platform:github`: the GitHub environment this stack deploys through, its protection
 * and the secrets CI needs. Absent: the stack manages Kubernetes only.
 */
export function readGithub(node: Node, environmentName: string): { config?: GithubConfig; secretKeys: Map<string, string> } {
    const secretKeys = new Map<string, string>();
    const config = readConfig(node, environmentName, secretKeys);
    return { ...(config ? { config } : {}), secretKeys };
}

/** Reads the settings; `secretKeys` receives every secret config key they name, valid or not. */
function readConfig(node: Node, environmentName: string, secretKeys: Map<string, string>): GithubConfig | undefined {
    const k = node.object([
        "owner",
        "repository",
        "tokenSecret",
        "reviewers",
        "preventSelfReview",
        "waitTimerMinutes",
        "deployFrom",
        "secrets",
        "variables",
        "branchProtection",
        "repositorySecrets",
    ]);
    if (!k) {
        return undefined;
    }
    const need = (key: string, expected: string) => (k[key] ? undefined : node.child(key).required(expected));
    const owner = k.owner?.string(check(LOGIN, "a GitHub user or organization name"), "a GitHub owner such as 'acme-trading'") ?? need("owner", "a GitHub owner such as 'acme-trading'");
    const repository = k.repository?.string(check(REPO, "letters, digits, '.', '_' and '-'"), "a repository name such as 'hft-platform'") ?? need("repository", "a repository name such as 'hft-platform'");
    const tokenSecret = k.tokenSecret?.string(f.configKey, "the name of a secret config key holding a GitHub token");
    if (tokenSecret) secretKeys.set(tokenSecret, k.tokenSecret.path);

    const r = k.reviewers?.object(["teams", "users"]);
    const list = (n: Node | undefined, re: RegExp, what: string) => {
        const items = n?.array()?.map((i) => i.string(check(re, what), what)) ?? [];
        if (items.length > 6) n?.fail("at most 6 entries (GitHub's limit)");
        const valid = items.filter((i): i is string => i !== undefined);
        return valid.length === items.length ? [...new Set(valid)].sort() : undefined;
    };
    const teams = list(r?.teams, SLUG, "a team slug such as 'platform-leads'");
    const users = list(r?.users, LOGIN, "a GitHub user name");
    // Each list is limited above; GitHub's limit is on both together (duplicates count once).
    const overLimit = (n: Node | undefined) => Array.isArray(n?.value) && n.value.length > MAX_REVIEWERS;
    if (k.reviewers && teams && users && teams.length + users.length > MAX_REVIEWERS && !overLimit(r?.teams) && !overLimit(r?.users)) {
        k.reviewers.problems.add(
            k.reviewers.path,
            `at most ${MAX_REVIEWERS} required reviewers in total, teams and users together (GitHub's limit), got ${teams.length + users.length}: ${teams.length} team${teams.length === 1 ? "" : "s"} and ${users.length} user${users.length === 1 ? "" : "s"}`,
        );
    }

    const d = k.deployFrom?.object(["branches", "tags"]);
    const branches = list(d?.branches, PATTERN, "a branch name or pattern such as 'main'");
    const tags = list(d?.tags, PATTERN, "a tag pattern such as 'v*'");

    const secrets = readSecrets(k.secrets, secretKeys);
    const repositorySecrets = readSecrets(k.repositorySecrets, secretKeys);
    if (k.repositorySecrets && !k.branchProtection) {
        k.repositorySecrets.problems.add(
            k.repositorySecrets.path,
            "repository-wide settings belong to the one stack that manages the repository: set them in the stack that sets branchProtection",
        );
    }
    const variables: Record<string, string> = {};
    for (const [name, v] of k.variables?.map(check(SECRET_NAME, "upper-case letters, digits and '_'"), "a GitHub variable name") ?? []) {
        if (GITHUB_RESERVED.test(name)) {
            v.problems.add(v.path, "names starting with GITHUB_ are reserved by GitHub");
            continue;
        }
        if (Object.hasOwn(PROGRAM_VARIABLES, name)) {
            v.problems.add(v.path, `'${name}' is set by the program itself (${PROGRAM_VARIABLES[name]}); choose another name`);
            continue;
        }
        const value = v.string(undefined, "a string");
        if (value !== undefined) variables[name] = value;
    }

    const b = k.branchProtection?.object(["branch", "requiredChecks", "requiredApprovals"]);
    const branchProtection = b && {
        branch: b.branch?.string(check(PATTERN, "a branch name"), "a branch name such as 'main'") ?? "main",
        requiredChecks: b.requiredChecks ? list(b.requiredChecks, /^[^\n]{1,200}$/, "a status check name") : [...GITHUB_DEFAULTS.requiredChecks],
        requiredApprovals: b.requiredApprovals?.integer(1, 6) ?? GITHUB_DEFAULTS.requiredApprovals,
    };

    const waitTimerMinutes = k.waitTimerMinutes?.integer(0, 43200);
    const preventSelfReview = k.preventSelfReview?.boolean();
    if (!owner || !repository || !teams || !users || !branches || !tags || (k.tokenSecret && !tokenSecret) || (branchProtection && !branchProtection.requiredChecks)) {
        return undefined;
    }
    return {
        owner,
        repository,
        ...(tokenSecret ? { tokenSecret } : {}),
        environment: environmentName,
        reviewers: { teams, users },
        // Reviewers who could approve their own deploys would make the approval a formality.
        preventSelfReview: preventSelfReview ?? teams.length + users.length > 0,
        waitTimerMinutes: waitTimerMinutes ?? 0,
        deployFrom: { branches, tags },
        secrets,
        variables,
        ...(branchProtection ? { branchProtection: { ...branchProtection, requiredChecks: branchProtection.requiredChecks! } } : {}),
        repositorySecrets,
    };
}

/** A map of GitHub secret names to secret config keys (`NAME: {fromConfig: key}`). */
function readSecrets(node: Node | undefined, secretKeys: Map<string, string>): Record<string, string> {
    const secrets: Record<string, string> = {};
    for (const [name, s] of node?.map(check(SECRET_NAME, "upper-case letters, digits and '_'"), "a GitHub secret name") ?? []) {
        if (GITHUB_RESERVED.test(name)) {
            s.problems.add(s.path, "names starting with GITHUB_ are reserved by GitHub");
            continue;
        }
        const source = s.object(["fromConfig"]);
        const key = source?.fromConfig?.string(f.configKey, "the name of a secret config key such as 'pulumiAccessToken'");
        if (key) {
            secrets[name] = key;
            if (!secretKeys.has(key)) secretKeys.set(key, s.path);
        } else if (!source?.fromConfig) {
            s.fail("{fromConfig: <secret config key>}");
        }
    }
    return secrets;
}
