import { isSecretEnvelope, RecordedResource } from "./evaluate";
import { REDACTED } from "./stackFiles";
import { byCodePoint } from "../../config/order";

/**
 * Kinds in the order the objects are listed (the table, the tests): the order `kubectl apply`
 * would want. The rendered file names do not carry it (tools/render/fileNames.ts).
 */
const KIND_ORDER = [
    "Namespace",
    "ServiceAccount",
    "ConfigMap",
    "Secret",
    "Service",
    "Deployment",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "NetworkPolicy",
    "Ingress",
];

export interface Manifest {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata: { name: string; namespace?: string; [k: string]: unknown };
    readonly [field: string]: unknown;
}

/**
 * The Kubernetes objects of an evaluation as manifests, in apply order. Every value Pulumi
 * holds as a secret is replaced by a redacted placeholder: rendered output never holds one.
 */
export function toManifests(resources: readonly RecordedResource[]): Manifest[] {
    const manifests = resources
        .filter((r) => r.type.startsWith("kubernetes:") && r.objectName !== undefined)
        .map((r) => {
            const body = redact(r.inputs) as Record<string, unknown>;
            const metadata = { ...(body.metadata as Record<string, unknown>), name: r.objectName! };
            return { ...body, metadata } as Manifest;
        });
    const rank = (m: Manifest) => {
        const i = KIND_ORDER.indexOf(m.kind);
        return i < 0 ? KIND_ORDER.length : i;
    };
    return manifests.sort((a, b) => rank(a) - rank(b) || byCodePoint(a.metadata.name, b.metadata.name));
}

/** Replaces every string inside a secret envelope by the placeholder; keeps the shape. */
export function redact(v: unknown, secret = false): unknown {
    if (isSecretEnvelope(v)) return redact(v.value, true);
    if (Array.isArray(v)) return v.map((x) => redact(x, secret));
    if (v !== null && typeof v === "object") {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redact(x, secret)]));
    }
    return secret && v !== undefined ? REDACTED : v;
}
