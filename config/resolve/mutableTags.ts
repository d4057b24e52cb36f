import { Problems } from "../errors";
import { IMAGE_TAG_EXPECTED } from "../schema/service";
import type { Environment } from "../schema/environment";

/**
 * `latest`, the tag that names whatever was pushed last, is refused unless the stack says it runs
 * mutable tags (`environment.mutableTags`, a local cluster's `dev` loop), which a stack with
 * production protections (`protect`, or images promoted from another stack) cannot say. Even
 * then the program runs each image by the digest the tag names at the time of the update
 * (docs/images.md), so a rebuilt `latest` rolls the pods at the next `pulumi up`.
 */
export const MUTABLE_TAG = "latest";

/** Whether the stack may run mutable tags; refuses `mutableTags` beside production protections. */
export function resolveMutableTags(env: Partial<Environment>, envPath: string, problems: Problems): boolean {
    if (env.mutableTags !== true) return false;
    const protections = [...(env.protect ? ["protect: true"] : []), ...(env.promotion?.from !== undefined ? [`promotion.from: ${env.promotion.from}`] : [])];
    if (protections.length > 0) {
        problems.add(`${envPath}.mutableTags`, `a stack with production protections (${protections.join(", ")}) runs only the builds it names; remove mutableTags`);
        return false;
    }
    return true;
}

/** Refuses `latest` at `path` when the stack does not run mutable tags. */
export function checkMutableTag(tag: string | undefined, path: string, mutableTags: boolean, envPath: string, problems: Problems): void {
    if (tag === MUTABLE_TAG && !mutableTags) {
        problems.add(path, `expected ${IMAGE_TAG_EXPECTED}, got "${MUTABLE_TAG}" ('${MUTABLE_TAG}' is mutable; name a build, or let a stack without production protections run it: ${envPath}.mutableTags: true)`);
    }
}
