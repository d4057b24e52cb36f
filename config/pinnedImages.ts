import { Problems } from "./errors";
import * as f from "./formats";
import { ImageConfig } from "./types";

/** The environment variable the rollback command sets to redeploy exact images. */
export const PINNED_IMAGES_VAR = "PLATFORM_PINNED_IMAGES";

/**
 * Replaces services' images by the exact references an earlier stack version ran, given as a
 * JSON object `{"<service>": "<repository>@sha256:<digest>"}` in `PLATFORM_PINNED_IMAGES`. A pinned
 * service runs that digest and builds nothing: a rollback restores the bits, not a rebuild.
 */
export function applyPinnedImages<S extends { readonly name: string; readonly image: ImageConfig; readonly build?: unknown }>(services: S[], text: string | undefined, problems: Problems): S[] {
    if (text === undefined || text.trim() === "") {
        return services;
    }
    let pins: unknown;
    try {
        pins = JSON.parse(text);
    } catch {
        problems.add(PINNED_IMAGES_VAR, `expected a JSON object of service names to image references, got ${JSON.stringify(text.slice(0, 80))}`);
        return services;
    }
    if (typeof pins !== "object" || pins === null || Array.isArray(pins)) {
        problems.add(PINNED_IMAGES_VAR, `expected a JSON object of service names to image references, got ${JSON.stringify(pins)}`);
        return services;
    }
    const byName = new Map(services.map((s) => [s.name, s]));
    const pinned = new Map<string, { repository: string; digest: string }>();
    for (const [name, ref] of Object.entries(pins as Record<string, unknown>)) {
        const reference = digestReference(ref);
        if (!byName.has(name)) {
            problems.add(`${PINNED_IMAGES_VAR}.${name}`, `unknown service; the catalog has: ${[...byName.keys()].join(", ")}`);
        } else if (reference === undefined) {
            problems.add(`${PINNED_IMAGES_VAR}.${name}`, `expected an image reference such as 'ghcr.io/acme/api@sha256:...', got ${JSON.stringify(ref)}`);
        } else {
            pinned.set(name, reference);
        }
    }
    return services.map((s) => {
        const pin = pinned.get(s.name);
        if (!pin) {
            return s;
        }
        return { ...s, build: undefined, image: { repository: pin.repository, digest: pin.digest, tag: s.image.tag, buildTags: [], rollback: true } };
    });
}

/** `<repository>@sha256:<64 hex>` split in two; undefined for anything else. */
export function digestReference(ref: unknown): { readonly repository: string; readonly digest: string } | undefined {
    const at = typeof ref === "string" ? ref.lastIndexOf("@") : -1;
    if (at <= 0) return undefined;
    const repository = (ref as string).slice(0, at);
    const digest = (ref as string).slice(at + 1);
    return f.imageRepository(repository) === undefined && f.imageDigest(digest) === undefined ? { repository, digest } : undefined;
}
