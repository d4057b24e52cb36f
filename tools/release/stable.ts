import { parseReleases } from "../promote/releases";

/**
 * What each service runs now, `<repository>@sha256:...`, from a stack's `releases` output (each
 * service's newest entry; during a release, the stable image: config/canary.ts). A stack without
 * the output has run nothing yet: an empty map. A malformed output is refused as promote refuses it.
 */
export function stableFromReleases(releases: unknown, stack: string): Map<string, string> {
    if (releases === undefined) return new Map();
    const parsed = parseReleases(JSON.stringify(releases), stack, "release");
    return new Map([...parsed].map(([service, r]) => [service, `${r.repository}@${r.digest}`]));
}
