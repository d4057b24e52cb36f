import { CANARY_VAR, CanaryMode, CanaryRelease } from "./canary";
import { Problems } from "./errors";
import { digestReference, PINNED_IMAGES_VAR } from "./pinnedImages";
import type { ServiceConfig } from "./types";
import type { ExposureMode } from "./schema/exposure";

/** What a service needs for a driven canary: a web service exposed through the Gateway, with `canary` enabled. */
type Candidate = Pick<ServiceConfig, "name" | "kind" | "canary" | "ingress">;

/** The stack's side: its canary mode and exposure, and the images a rollback pins (`PLATFORM_PINNED_IMAGES`, already read). */
export interface ReleaseContext {
    readonly mode?: CanaryMode;
    readonly exposure: ExposureMode;
    /** Services `PLATFORM_PINNED_IMAGES` pins, by name. */
    readonly pinned: readonly string[];
}

const KEYS = ["weight", "stable", "promote"];

/** At most this many characters of a value the variable holds are shown in a problem. */
const SHOWN = 60;

/** A value from the variable, for a message: JSON, cut short (credentials are redacted by Problems). */
function shown(v: unknown): string {
    const text = JSON.stringify(v) ?? String(v);
    return text.length > SHOWN ? `${text.slice(0, SHOWN)}... (${text.length} characters)` : text;
}

/** A key from the variable, for a key path: cut short. */
function keyShown(k: string): string {
    return k.length > SHOWN ? `${k.slice(0, SHOWN)}...` : k;
}

/** Whether a service can be released by the driver: a driven canary on an exposed web service on a Gateway. */
export function hasDrivenCanary(svc: Candidate, ctx: Pick<ReleaseContext, "mode" | "exposure">): boolean {
    return ctx.mode === "driven" && ctx.exposure === "gateway" && svc.kind === "web" && svc.ingress !== undefined && svc.canary !== undefined;
}

/**
 * Reads `PLATFORM_CANARY` (config/canary.ts): where the release driver's release stands. Absent
 * or empty: no release. Each problem names `PLATFORM_CANARY.<key>` and never shows more than a
 * few dozen characters of what the variable holds.
 */
export function readCanaryRelease(text: string | undefined, services: readonly Candidate[], ctx: ReleaseContext, problems: Problems): CanaryRelease | undefined {
    if (text === undefined || text.trim() === "") return undefined;
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch {
        problems.add(CANARY_VAR, `expected JSON such as {"weight": 10, "stable": {"<service>": "<repository>@sha256:..."}, "promote": false}, got ${shown(text)}`);
        return undefined;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        problems.add(CANARY_VAR, `expected a JSON object with weight, stable and promote, got ${shown(value)}`);
        return undefined;
    }
    const before = problems.count;
    const v = value as Record<string, unknown>;
    for (const k of Object.keys(v)) {
        if (!KEYS.includes(k)) problems.add(`${CANARY_VAR}.${keyShown(k)}`, `unknown key; expected ${KEYS.join(", ")}`);
    }
    const weight = v.weight;
    if (typeof weight !== "number" || !Number.isInteger(weight) || weight < 0 || weight > 100) {
        problems.add(`${CANARY_VAR}.weight`, `expected a whole number from 0 to 100 (the canary's share of traffic, in percent), got ${shown(weight)}`);
    }
    const promote = v.promote ?? false;
    if (typeof promote !== "boolean") {
        problems.add(`${CANARY_VAR}.promote`, `expected true or false, got ${shown(promote)}`);
    } else if (promote && weight !== 100) {
        problems.add(`${CANARY_VAR}.promote`, `a release is promoted once the canary takes all traffic: expected weight 100, got ${shown(weight)}`);
    }
    const stable = readStable(v.stable, services, ctx, problems);
    if (problems.count > before || stable === undefined) return undefined;
    return { weight: weight as number, stable, promote: promote as boolean };
}

/** `stable`: each released service's stable image, by name. */
function readStable(value: unknown, services: readonly Candidate[], ctx: ReleaseContext, problems: Problems): Record<string, string> | undefined {
    const at = `${CANARY_VAR}.stable`;
    if (typeof value !== "object" || value === null || Array.isArray(value) || Object.keys(value).length === 0) {
        problems.add(at, `expected an object naming at least one service and the image it runs now ({"<service>": "<repository>@sha256:..."}), got ${shown(value)}`);
        return undefined;
    }
    const byName = new Map(services.map((s) => [s.name, s]));
    const driven = services.filter((s) => hasDrivenCanary(s, ctx)).map((s) => s.name);
    const out: Record<string, string> = {};
    for (const [name, ref] of Object.entries(value as Record<string, unknown>)) {
        const path = `${at}.${keyShown(name)}`;
        const svc = byName.get(name);
        if (svc === undefined) {
            problems.add(path, `unknown service; the services with a driven canary are: ${driven.join(", ") || "none"}`);
        } else if (!hasDrivenCanary(svc, ctx)) {
            problems.add(path, `${name} has no driven canary (it needs canary enabled, environment.canary.mode 'driven', exposure 'gateway' and an exposed web service); the services with one are: ${driven.join(", ") || "none"}`);
        } else if (ctx.pinned.includes(name)) {
            problems.add(path, `${PINNED_IMAGES_VAR} pins ${name} too; a rollback pins images without a release, and a release of ${name} runs its stable image from ${CANARY_VAR}: set one of the two`);
        } else if (digestReference(ref) === undefined) {
            problems.add(path, `expected the image it runs now, pinned by digest, such as 'ghcr.io/acme/api@sha256:...', got ${shown(ref)}`);
        } else {
            out[name] = ref as string;
        }
    }
    return out;
}
