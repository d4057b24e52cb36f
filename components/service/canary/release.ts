import * as pulumi from "@pulumi/pulumi";
import type { CanaryRelease } from "../../../config/canary";
import type { EnvironmentConfig, PlatformConfig, ServiceConfig } from "../../../config/types";
import { hasDrivenCanary } from "../../../config/canaryRelease";
import { canarySelector } from "../../labels";
import { Release, releasesOf } from "../../images/releases";

/** What a service takes part in while a driven release runs (the Microservice's `release`), or undefined. */
export function releaseOf(release: CanaryRelease | undefined, service: string): { readonly weight: number; readonly stable?: string } | undefined {
    const stable = release?.stable[service];
    if (release === undefined || stable === undefined) return undefined;
    return { weight: release.weight, ...(release.promote ? {} : { stable }) };
}

/**
 * The canary pods' selectors of every service with a driven canary, by name: what the policies
 * of the services they call admit besides their stable pods. From the configuration alone, not
 * from whether a release runs, so the steps of a release never touch another service's policy.
 */
export function canaryCallers(services: readonly ServiceConfig[], env: EnvironmentConfig): ReadonlyMap<string, Readonly<Record<string, string>>> {
    const ctx = { system: env.system, environment: env.name };
    const mode = { mode: env.canary?.mode, exposure: env.exposure };
    return new Map(services.filter((svc) => hasDrivenCanary(svc, mode)).map((svc) => [svc.name, canarySelector(ctx, svc.name)]));
}

/**
 * A stable image's entry in the `releases` output while a release runs: the last update's entry
 * for that image when it has one (its tag and source kept; `since` is kept by nextReleases), else
 * the image as given, marked as pinned from outside like a rollback's.
 */
export function heldRelease(previous: pulumi.Output<unknown>, service: string, now: pulumi.Output<Omit<Release, "since">>): pulumi.Output<Omit<Release, "since">> {
    return pulumi.all([previous, now]).apply(([before, current]) => {
        const known = (releasesOf(before)[service] ?? []).find((r) => r.image === current.image);
        return known ? { image: known.image, ...(known.tag !== undefined ? { tag: known.tag } : {}), source: known.source } : current;
    });
}

/** The `canary` stack output: the release's weight and each released service's new image; undefined outside a release. */
export interface CanaryOutput {
    readonly weight: number;
    readonly services: Readonly<Record<string, string>>;
}

export function canaryOutput(config: PlatformConfig, images: Readonly<Record<string, pulumi.Output<string>>>): pulumi.Output<CanaryOutput> | undefined {
    const release = config.release;
    if (release === undefined) return undefined;
    return pulumi.all(images).apply((services) => ({ weight: release.weight, services }));
}
