import * as pulumi from "@pulumi/pulumi";
import { byKey } from "../../config/order";

/** Where a service's image reference came from. */
export type ImageSource = "registry" | "build" | "stack file" | "rollback";

/** One image a service ran: its reference, the tag it was known by, where it came from, since when. */
export interface Release {
    /** `<repository>@sha256:<digest>`; `<repository>:<tag>` only for an image that cannot be pinned. */
    readonly image: string;
    readonly tag?: string;
    readonly source: ImageSource;
    /** When the update that released it ran (`PLATFORM_RELEASE_TIME`); absent when the deploy did not say. */
    readonly since?: string;
}

/** By service, newest first: what each service runs now, then what it ran before. */
export type Releases = Readonly<Record<string, readonly Release[]>>;

/** How many images each service's record keeps: enough to promote or roll back across a few weeks of releases. */
export const KEPT_RELEASES = 20;

const SOURCES: readonly string[] = ["registry", "build", "stack file", "rollback"] satisfies readonly ImageSource[];

/** A `releases` output read back from a stack (this one's last update, or the promotion source), leniently: what does not fit is left out. */
export function releasesOf(value: unknown): Releases {
    const out: Record<string, Release[]> = {};
    if (value === null || typeof value !== "object" || Array.isArray(value)) return out;
    for (const [service, list] of Object.entries(value as Record<string, unknown>)) {
        if (!Array.isArray(list)) continue;
        out[service] = list.flatMap((r): Release[] => {
            if (r === null || typeof r !== "object") return [];
            const { image, tag, source, since } = r as Record<string, unknown>;
            if (typeof image !== "string") return [];
            return [{ image, ...(typeof tag === "string" ? { tag } : {}), source: SOURCES.includes(source as string) ? (source as ImageSource) : "stack file", ...(typeof since === "string" ? { since } : {}) }];
        });
    }
    return out;
}

/**
 * This update's record: each service's current image first. An image the service already ran
 * last time keeps its `since` (it did not go live again); a new one takes this update's release
 * time; an image it ran earlier moves to the front with the new time. At most KEPT_RELEASES each.
 */
export function nextReleases(previous: Releases, current: Readonly<Record<string, Omit<Release, "since">>>, releaseTime: string | undefined): Releases {
    const out: Record<string, Release[]> = {};
    for (const [service, now] of Object.entries(current)) {
        const before = previous[service] ?? [];
        const unchanged = before[0]?.image === now.image;
        const since = unchanged ? before[0].since : releaseTime;
        const head: Release = { ...now, ...(since !== undefined ? { since } : {}) };
        out[service] = [head, ...before.filter((r) => r.image !== now.image)].slice(0, KEPT_RELEASES);
    }
    return byKey(out);
}

/** The `releases` stack output: this update's images over the last update's record. */
export function recordReleases(previous: pulumi.Output<unknown>, current: Readonly<Record<string, pulumi.Output<Omit<Release, "since">>>>, releaseTime: string | undefined): pulumi.Output<Releases> {
    return pulumi.all([previous, pulumi.all(current)]).apply(([before, now]) => nextReleases(releasesOf(before), now, releaseTime));
}
