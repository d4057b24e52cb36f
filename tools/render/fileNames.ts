/**
 * The file name of each rendered object: what it is, never where it came in the list, so that
 * adding an object adds a file and renames none, and `diff -r` of two renders shows only what
 * changed.
 *
 * A Kubernetes object is one (API group, kind, namespace, name): Kubernetes keeps these unique
 * (the version is only how the object is served). The short name `<kind>-<name>.yaml` holds the
 * kind in lower case (kinds are letters and digits, and no two kinds of a group differ only in
 * case) and the name as the harness records it (auto-named objects keep their hash suffix). It
 * is used only when the other two parts are implied: the group is the one Kubernetes gives that
 * built-in kind (`BUILT_IN`), and the object is in the stack's namespace, or is a cluster-scoped
 * kind without one. Any other object gets the full name `<kind>_<group>_<namespace>_<name>.yaml`
 * (the core group is empty; no namespace part when it has none). A name is written as it is
 * when it holds only lower-case letters, digits, `.` and `-` (every DNS name); any other
 * character (`_`, upper case, `:`) is written `%` and four hex digits, as `%` itself is. So no
 * part holds `_`: a full name splits into its parts one way only and never equals a short one,
 * and two objects cannot share a file name, even on a file system that ignores case.
 */
import { Manifest } from "../harness/manifests";

/** The API group of each built-in kind the program may create ("" is the core group). */
const BUILT_IN: Readonly<Record<string, string>> = {
    Namespace: "",
    ServiceAccount: "",
    ConfigMap: "",
    Secret: "",
    Service: "",
    Pod: "",
    PersistentVolumeClaim: "",
    Deployment: "apps",
    StatefulSet: "apps",
    DaemonSet: "apps",
    Job: "batch",
    CronJob: "batch",
    HorizontalPodAutoscaler: "autoscaling",
    PodDisruptionBudget: "policy",
    NetworkPolicy: "networking.k8s.io",
    Ingress: "networking.k8s.io",
    Role: "rbac.authorization.k8s.io",
    RoleBinding: "rbac.authorization.k8s.io",
};

/** The built-in kinds that belong to no namespace. */
const CLUSTER_SCOPED = new Set(["Namespace"]);

/** The API group of an `apiVersion`: `apps/v1` -> `apps`, `v1` -> "" (core). */
export function groupOf(apiVersion: string): string {
    const slash = apiVersion.lastIndexOf("/");
    return slash < 0 ? "" : apiVersion.slice(0, slash);
}

/** The file a Kubernetes object is written to; `home` is the stack's namespace. */
export function manifestFileName(m: Pick<Manifest, "apiVersion" | "kind" | "metadata">, home: string): string {
    const dns = (text: string) => encode(text, /[^a-z0-9.-]/g);
    const kind = encode(m.kind.toLowerCase(), /[^a-z0-9]/g);
    const group = groupOf(m.apiVersion);
    const namespace = m.metadata.namespace;
    const builtIn = Object.hasOwn(BUILT_IN, m.kind) && BUILT_IN[m.kind] === group;
    const scoped = CLUSTER_SCOPED.has(m.kind) ? namespace === undefined : namespace === home;
    if (builtIn && scoped) return `${kind}-${dns(m.metadata.name)}.yaml`;
    const parts = [kind, dns(group), ...(namespace === undefined ? [] : [dns(namespace)]), dns(m.metadata.name)];
    return `${parts.join("_")}.yaml`;
}

/**
 * The file (under `github/`) a GitHub resource is written to: `<type>-<Pulumi name>.yaml`, the
 * type's last part in lower case (`repositoryenvironment-production-environment.yaml`). Pulumi
 * names may hold any character: one that is not a lower-case letter, digit, `.`, `_` or `-` is
 * written as `%` and four hex digits (as `%` itself is), so the encoding is one-to-one and ignores no
 * case. The engine keeps (type, name) unique among the children of one parent type; every
 * GitHub resource here is a child of the Delivery component, and `checkDistinct` catches any
 * other case.
 */
export function githubFileName(type: string, name: string): string {
    const kind = type.slice(type.lastIndexOf(":") + 1).toLowerCase();
    return `${kind}-${encode(name, /[^a-z0-9._-]/g)}.yaml`;
}

/** Every UTF-16 unit `unsafe` matches (it must match `%`) as `%` and four hex digits: one-to-one. */
function encode(text: string, unsafe: RegExp): string {
    return text.replace(unsafe, (c) => `%${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * Throws when two of the files (path and what it holds) have the same path, ignoring case (a
 * file system may): the render would silently lose an object. The naming above makes this
 * impossible for Kubernetes objects; it stays as the guarantee for every file written.
 */
export function checkDistinct(files: readonly { readonly path: string; readonly what: string }[]): void {
    const seen = new Map<string, string>();
    for (const f of files) {
        const key = f.path.toLowerCase();
        const other = seen.get(key);
        if (other !== undefined) throw new Error(`two objects would be written to ${f.path}: ${other} and ${f.what}`);
        seen.set(key, f.what);
    }
}
