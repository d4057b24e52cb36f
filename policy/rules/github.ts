import { list, listSetting, record, ResourceRule } from "./common";

const REPOSITORY_ENVIRONMENT = "github:index/repositoryEnvironment:RepositoryEnvironment";

function ids(v: unknown): number[] {
    return list(v).filter((x): x is number => typeof x === "number");
}

export const githubEnvironmentReviewersRule: ResourceRule = {
    kind: "resource",
    name: "github-environment-reviewers",
    description: "A protected GitHub deployment environment (production) has required reviewers.",
    enforcementLevel: "mandatory",
    config: {
        protectedEnvironments: {
            type: "array",
            items: { type: "string" },
            description: "GitHub environment names whose deployments need a reviewer's approval.",
            default: ["production"],
        },
    },
    check(r, config) {
        if (r.type !== REPOSITORY_ENVIRONMENT) return [];
        const environment = r.props.environment;
        if (typeof environment !== "string" || !listSetting(this, config, "protectedEnvironments").includes(environment)) return [];
        const reviewers = list(r.props.reviewers).map(record);
        const count = reviewers.reduce((n, rv) => n + ids(rv.users).length + ids(rv.teams).length, 0);
        if (count > 0) return [];
        const repository = typeof r.props.repository === "string" ? ` of repository '${r.props.repository}'` : "";
        return [
            `GitHub environment '${environment}'${repository} (${r.name}) has no required reviewers, so anyone who can run the workflow deploys to ${environment}. Fix: set reviewers: [{teams: [<team id>]}] or [{users: [<user id>]}] (numeric IDs) on the RepositoryEnvironment.`,
        ];
    },
};
