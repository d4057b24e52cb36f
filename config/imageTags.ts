import { imageTag } from "./formats";

/** The tags CI gives a build; the first is the one deployed. */
export interface CiTags {
    readonly tags: readonly string[];
}

const SEMVER = /^v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$/;

/**
 * Image tags from the GitHub Actions environment, never from the clock, so a preview is the
 * same on every run of one commit:
 *
 * - a release tag `v1.4.2` (or `1.4.2`): `1.4.2`, then `sha-<sha7>`;
 * - a pull request: `pr-<number>` (previews build nothing and push nothing);
 * - a branch push: `<branch>-<sha7>`, such as `main-3f9c2ab`.
 *
 * Returns undefined outside CI (no `GITHUB_SHA`): an explicit `imageTag` is then needed.
 */
export function ciImageTags(env: Readonly<Record<string, string | undefined>>): CiTags | undefined {
    const sha = env.GITHUB_SHA;
    if (!sha || !/^[0-9a-f]{7,64}$/.test(sha)) {
        return undefined;
    }
    const sha7 = sha.slice(0, 7);
    const refName = env.GITHUB_REF_NAME ?? "";
    if (env.GITHUB_REF_TYPE === "tag" && SEMVER.test(refName)) {
        return { tags: [refName.replace(/^v/, ""), `sha-${sha7}`] };
    }
    const pr = /^refs\/pull\/([0-9]+)\//.exec(env.GITHUB_REF ?? "")?.[1];
    if (env.GITHUB_EVENT_NAME?.startsWith("pull_request") && pr) {
        return { tags: [`pr-${pr}`] };
    }
    const branch = refName
        .toLowerCase()
        .replace(/[^a-z0-9_.-]+/g, "-")
        .replace(/^[-.]+/, "")
        .slice(0, 100);
    const tag = branch ? `${branch}-${sha7}` : `sha-${sha7}`;
    return imageTag(tag) === undefined ? { tags: [tag] } : undefined;
}
