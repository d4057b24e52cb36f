import type { K8sObject } from "./manifests";

/** The namePrefix and nameSuffix Kustomize gave an overlay's objects, found as what all their names share. */
export interface Affixes {
    readonly prefix: string;
    readonly suffix: string;
}

/** Kinds whose names Kustomize's namePrefix/nameSuffix do not change, or that do not name a service. */
const UNAFFIXED = new Set(["Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding"]);

/** The hash Kustomize appends to a generated ConfigMap's or Secret's name. */
const GENERATOR_HASH = /-[a-z0-9]{10}$/;

/**
 * The prefix and suffix every name shares, cut at a '-' (so `prod-api` and `prod-db` share
 * `prod-`, not `prod-a`); with fewer than two names nothing can be told apart, so none.
 */
export function detectAffixes(objects: readonly K8sObject[]): Affixes {
    const names = [...new Set(objects.filter((o) => !UNAFFIXED.has(o.kind)).map((o) => baseOfGenerated(o)))];
    if (names.length < 2) return { prefix: "", suffix: "" };
    let prefix = names.reduce((p, n) => commonPrefix(p, n));
    prefix = prefix.slice(0, prefix.lastIndexOf("-") + 1);
    const reversed = names.map((n) => [...n.slice(prefix.length)].reverse().join(""));
    let suffix = [...reversed.reduce((p, n) => commonPrefix(p, n))].reverse().join("");
    suffix = suffix.includes("-") ? suffix.slice(suffix.indexOf("-")) : "";
    // A name that would be left empty means the affix is the name itself.
    if (names.some((n) => n.length <= prefix.length + suffix.length)) return { prefix: "", suffix: "" };
    return { prefix, suffix };
}

/** A generated object's name without Kustomize's hash; other names as they are. */
function baseOfGenerated(o: K8sObject): string {
    return (o.kind === "ConfigMap" || o.kind === "Secret") && isGeneratedName(o.metadata.name) ? o.metadata.name.replace(GENERATOR_HASH, "") : o.metadata.name;
}

export function isGeneratedName(name: string): boolean {
    // The hash is ten characters from Kustomize's alphabet, with at least one digit in practice.
    return GENERATOR_HASH.test(name) && /\d/.test(name.slice(-10));
}

/** An object's name without the overlay's prefix, suffix and generator hash: the name in the catalog. */
export function baseName(name: string, a: Affixes): string {
    let n = name.replace(GENERATOR_HASH, (m) => (/\d/.test(m) ? "" : m));
    if (a.prefix && n.startsWith(a.prefix)) n = n.slice(a.prefix.length);
    if (a.suffix && n.endsWith(a.suffix)) n = n.slice(0, -a.suffix.length);
    return n;
}

function commonPrefix(a: string, b: string): string {
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    return a.slice(0, i);
}

/** A secret config key for a Secret's key: `db-credentials` + `POSTGRES_PASSWORD` -> `dbCredentialsPostgresPassword`. */
export function configKey(secret: string, key: string): string {
    const words = `${secret}-${key}`
        .split(/[^A-Za-z0-9]+/)
        .filter((w) => w !== "")
        .map((w) => w.toLowerCase());
    const joined = words.map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join("");
    return /^[A-Za-z]/.test(joined) ? joined : `secret${joined}`;
}

/** A DNS-1123 label made from any text: `/health` -> `health`, `/` -> `root`. */
export function dnsLabel(text: string, fallback: string): string {
    const label = text
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/^-+|-+$/g, "")
        .slice(0, 63)
        .replace(/-+$/, "");
    return label === "" ? fallback : label;
}

export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
