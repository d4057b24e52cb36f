import * as f from "../formats";
import { Problems } from "../errors";
import { byKey } from "../order";
import { closest } from "../suggest";
import type { Environment } from "../schema/environment";
import { PromotionConfig } from "../types";

/** The environment variable the deploy sets to the time its update releases the images. */
export const RELEASE_TIME_VAR = "PLATFORM_RELEASE_TIME";

/**
 * The stack's promotion gate: which stack its images must have run in first, and the services
 * let through anyway. A gate on the stack itself, or an exception for a service this stack does
 * not run, is a mistake worth stopping for.
 */
export function resolvePromotion(
    promotion: Environment["promotion"],
    at: { readonly path: string; readonly stack: string; readonly services: readonly string[]; readonly disabled: readonly string[] },
    problems: Problems,
): PromotionConfig {
    const from = promotion?.from;
    if (from !== undefined && from.split("/").pop() === at.stack) {
        problems.add(`${at.path}.from`, `${JSON.stringify(from)} is this stack: name the stack its images are tested in first, such as 'staging'`);
    }
    const exceptions = byKey(promotion?.exceptions ?? {});
    for (const name of Object.keys(exceptions)) {
        if (at.disabled.includes(name)) {
            problems.add(`${at.path}.exceptions.${name}`, "this service is not enabled in this stack: remove the exception");
        } else if (!at.services.includes(name)) {
            const hint = closest(name, at.services);
            problems.add(`${at.path}.exceptions.${name}`, `unknown service${hint ? ` (did you mean '${hint}'?)` : ""}; the catalog has: ${at.services.join(", ")}`);
        }
    }
    return { ...(from !== undefined ? { from } : {}), exceptions, ...(promotion?.soak !== undefined ? { soak: promotion.soak } : {}) };
}

/** The deploy's release time, when it gives one (never the clock: the program does not read it). */
export function resolveReleaseTime(value: string | undefined, problems: Problems): string | undefined {
    if (value === undefined || value === "") return undefined;
    const problem = f.releaseTime(value);
    if (problem) {
        problems.add(RELEASE_TIME_VAR, `expected ${problem}, got ${JSON.stringify(value.slice(0, 40))}`);
        return undefined;
    }
    return value;
}
