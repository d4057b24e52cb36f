import * as f from "../../config/formats";
import { MUTABLE_TAG } from "../../config/resolve/mutableTags";
import { byCodePoint } from "../../config/order";
import { Refusal } from "../cli";

/** One image a service of a stack ran: an entry of its `releases` list (entry [0]: what it runs now). */
export interface Release {
    readonly service: string;
    readonly repository: string;
    /** `sha256:` and 64 hex digits. */
    readonly digest: string;
    readonly tag?: string;
    /** How the image reached the stack: registry, build, stack file or rollback. */
    readonly source?: string;
    /** When it went live (ISO-8601 UTC). */
    readonly since?: string;
}

/** The stack output the program exports after each update (docs/promotion.md). */
export const RELEASES_OUTPUT = "releases";

/**
 * The `releases` output of stack `stack`, as `pulumi stack output releases --json` prints it:
 * `{ <service>: [{ image: "<repository>@sha256:<hex>", tag?, source, since? }, ...] }`, newest
 * first. Returns each service's current release, by name. Refuses anything else, saying what;
 * the refusal ends with what to do, then `next` (what the user runs again).
 */
export function parseReleases(json: string, stack: string, next = "promote"): Map<string, Release> {
    return new Map([...parseReleaseHistory(json, stack, next)].map(([service, list]) => [service, list[0]]));
}

/** Every entry of each service's record, newest first (`parseReleases` keeps the first), each checked as the first is. */
export function parseReleaseHistory(json: string, stack: string, next = "promote"): Map<string, Release[]> {
    const refuse = (what: string): never => {
        throw new Refusal(`stack ${stack}'s output '${RELEASES_OUTPUT}' ${what}; deploy ${stack} with this program first ('pulumi up --stack ${stack}'), then ${next}`);
    };
    let value: unknown;
    try {
        value = JSON.parse(json);
    } catch {
        return refuse("is not JSON");
    }
    if (value === "[secret]") {
        // Printed without --show-secrets: the program must not mark image references secret.
        return refuse("is a secret; image references are not secret and the program exports them in the clear");
    }
    if (!isRecord(value)) {
        return refuse(`is not an object of services (got ${describe(value)})`);
    }
    const names = Object.keys(value).sort(byCodePoint);
    if (names.length === 0) {
        return refuse("lists no service");
    }
    const releases = new Map<string, Release[]>();
    for (const service of names) {
        const list = value[service];
        const at = `${RELEASES_OUTPUT}.${service}`;
        if (!Array.isArray(list) || list.length === 0) {
            return refuse(`has no release for ${service} (${at}: expected a list, newest first, got ${describe(list)})`);
        }
        releases.set(
            service,
            list.map((entry: unknown, i) => {
                const problem = entryProblem(entry, `${at}[${i}]`);
                return typeof problem === "string" ? refuse(`${problem.replace("{service}", service)}`) : { service, ...problem };
            }),
        );
    }
    return releases;
}

/** One entry of a service's record, or what is wrong with it (`{service}` stands for the service's name). */
function entryProblem(entry: unknown, at: string): Omit<Release, "service"> | string {
    if (!isRecord(entry) || typeof entry.image !== "string") {
        return `has no image for {service} (${at}.image: expected "<repository>@sha256:<64 hex digits>", got ${describe(isRecord(entry) ? entry.image : entry)})`;
    }
    const image = entry.image;
    const cut = image.lastIndexOf("@");
    const repository = cut > 0 ? image.slice(0, cut) : "";
    const digest = cut > 0 ? image.slice(cut + 1) : "";
    if (f.imageRepository(repository) !== undefined || f.imageDigest(digest) !== undefined) {
        return `names an image that is not pinned by digest for {service} (${at}.image: expected "<repository>@sha256:<64 hex digits>", got ${JSON.stringify(image)})`;
    }
    const tag = entry.tag;
    // `latest` names whatever was pushed last: no stack that takes promoted images may run it.
    if (tag !== undefined && (typeof tag !== "string" || f.imageTag(tag) !== undefined || tag === MUTABLE_TAG)) {
        return `has a tag that is not a valid image tag for {service} (${at}.tag: got ${describe(tag)})`;
    }
    const since = entry.since;
    if (since !== undefined && (typeof since !== "string" || f.releaseTime(since) !== undefined)) {
        return `has a since that is not a UTC time for {service} (${at}.since: expected a time such as "2026-11-30T15:04:05Z", got ${describe(since)})`;
    }
    return {
        repository,
        digest,
        ...(tag !== undefined ? { tag } : {}),
        ...(typeof entry.source === "string" ? { source: entry.source } : {}),
        ...(since !== undefined ? { since } : {}),
    };
}

function isRecord(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A value for a message: its kind, and short values themselves (never a long dump). */
function describe(v: unknown): string {
    if (v === undefined) return "nothing";
    if (v === null || typeof v === "boolean" || typeof v === "number") return JSON.stringify(v);
    if (typeof v === "string") return v.length <= 80 ? JSON.stringify(v) : `a string of ${v.length} characters`;
    return Array.isArray(v) ? `a list of ${v.length}` : "an object";
}
