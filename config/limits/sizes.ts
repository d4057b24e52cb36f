import { Problems } from "../errors";

/**
 * The API server's limits on the size of what the program writes, counted as it counts them:
 * in UTF-8 bytes (Go's `len` of a string).
 */

/** The most a ConfigMap's values may hold together (k8s.io/kubernetes core.MaxSecretSize, the same for a Secret). */
export const MAX_CONFIG_MAP_BYTES = 1024 * 1024;
/** The most an object's annotations may hold, keys and values together (k8s.io/apimachinery TotalAnnotationSizeLimitB). */
export const MAX_ANNOTATION_BYTES = 256 * 1024;

const bytes = (s: string) => Buffer.byteLength(s, "utf8");

const ADVICE = "keep large content out of the configuration: in the image, or in a ConfigMap the platform does not own, mounted with 'volumes.<name>.configMap'";

/** Refuses a ConfigMap (`what`) whose values pass 1 MiB, at the key path (`at`) of its largest value. */
export function checkConfigMapSize(what: string, data: Readonly<Record<string, string>>, at: (key: string) => string, problems: Problems): void {
    const sizes = Object.entries(data).map(([k, v]) => [k, bytes(v)] as const);
    const total = sizes.reduce((n, [, b]) => n + b, 0);
    if (total <= MAX_CONFIG_MAP_BYTES) return;
    const [largest, size] = sizes.reduce((a, b) => (b[1] > a[1] ? b : a));
    problems.add(at(largest), `${what} would hold ${total} bytes, over the ${MAX_CONFIG_MAP_BYTES} (1 MiB) the API server accepts in one ConfigMap; this value is the largest (${size} bytes): ${ADVICE}`);
}

/**
 * Refuses annotations (of `what`) that pass 256 KiB, at the key path of the setting that fills
 * the largest one (`source`: where it is written, and what to allow fewer of).
 */
export function checkAnnotationsSize(
    what: string,
    annotations: Readonly<Record<string, string>>,
    source: (key: string) => { readonly at: string; readonly fewer: string },
    problems: Problems,
): void {
    const sizes = Object.entries(annotations).map(([k, v]) => [k, bytes(v)] as const);
    const total = sizes.reduce((n, [k, b]) => n + bytes(k) + b, 0);
    if (total <= MAX_ANNOTATION_BYTES) return;
    const [largest, size] = sizes.reduce((a, b) => (b[1] > a[1] ? b : a));
    const { at, fewer } = source(largest);
    problems.add(at, `${what} would hold ${total} bytes, over the ${MAX_ANNOTATION_BYTES} (256 KiB) the API server accepts on one object; '${largest}' alone holds ${size}: allow fewer ${fewer}`);
}
