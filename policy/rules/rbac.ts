/**
 * RBAC that hands out more than a service reading the API needs: wildcards, reading Secrets, the
 * verbs that grant what the role does not hold (escalate, bind, impersonate), and the pod
 * subresources that reach into running containers, in a Role or ClusterRole, and a binding to the
 * built-in roles that grant them. An object may carry them when it says why, in the annotation
 * `platform.hft/rbac-acknowledged`; the program writes it on a service's Role when the service's
 * configuration acknowledges the rule.
 */
import { describe, isSet, list, metadataOf, ofKind, PolicyResource, record, ResourceRule } from "./common";
import { GRANTING_VERBS, POD_ACCESS, RBAC_ACKNOWLEDGED, SECRET_READ_VERBS } from "./rbacRisks";

export { RBAC_ACKNOWLEDGED };

// Every version (v1, v1beta1, v1alpha1 have the same rules), and the Patch, which sets the rules it names.
const ROLES = ["rbac.authorization.k8s.io:Role", "rbac.authorization.k8s.io:ClusterRole"];
const BINDINGS = ["rbac.authorization.k8s.io:RoleBinding", "rbac.authorization.k8s.io:ClusterRoleBinding"];

/** The built-in ClusterRoles a binding may not name without saying why, and what each grants. */
const BROAD_CLUSTER_ROLES: ReadonlyMap<string, string> = new Map([
    ["cluster-admin", "grants every verb on every resource"],
    ["admin", "reads Secret values, runs commands in pods and grants roles in the namespace"],
    ["edit", "reads Secret values and runs commands in pods"],
]);

const strings = (v: unknown) => list(v).filter((x): x is string => typeof x === "string");

/** What one rule of a role grants that needs an acknowledgement, each as `<field> has '<value>' (<what it means>)`. */
function riskyGrants(rule: Readonly<Record<string, unknown>>): string[] {
    const apiGroups = strings(rule.apiGroups);
    const resources = strings(rule.resources);
    const verbs = strings(rule.verbs);
    const found: string[] = [];
    if (apiGroups.includes("*")) found.push("apiGroups has '*' (every API group)");
    for (const r of resources) {
        if (r === "*") found.push("resources has '*' (every resource, Secrets and pods/exec included)");
        else if (r.startsWith("*/")) found.push(`resources has '${r}' (that subresource of every resource)`);
    }
    for (const u of strings(rule.nonResourceURLs).filter((u) => u.includes("*"))) {
        found.push(`nonResourceURLs has '${u}' (${u === "*" ? "every URL path" : `every URL path starting '${u.slice(0, u.indexOf("*"))}'`})`);
    }
    if (verbs.includes("*")) found.push("verbs has '*' (every verb, escalate, bind and impersonate included)");
    // Secrets and pods are in the core group ("").
    const core = apiGroups.includes("") || apiGroups.includes("*");
    const reads = verbs.filter((v) => SECRET_READ_VERBS.includes(v));
    if (core && resources.includes("secrets") && reads.length > 0) found.push(`resources has 'secrets' with ${reads.join(", ")} (reads Secret values)`);
    for (const v of verbs.filter((v) => Object.hasOwn(GRANTING_VERBS, v))) found.push(`verbs has '${v}' (${GRANTING_VERBS[v]})`);
    for (const r of resources.filter((r) => Object.hasOwn(POD_ACCESS, r))) {
        if (core && verbs.length > 0) found.push(`resources has '${r}' with ${verbs.join(", ")} (${POD_ACCESS[r]})`);
    }
    return found;
}

function acknowledged(r: PolicyResource): boolean {
    const reason = record(metadataOf(r).annotations)[RBAC_ACKNOWLEDGED];
    return isSet(reason) && String(reason).trim() !== "";
}

const ROLE_FIX = `narrow the rule to the API groups, resources and verbs the service needs (resourceNames where it can), or, if it needs this, acknowledge it in the service's configuration, which writes the reason as the annotation ${RBAC_ACKNOWLEDGED} on the role (an object declared by hand carries the annotation itself)`;
const BINDING_FIX = `bind a Role with the rules the service needs, or, if it needs this, acknowledge it with the annotation ${RBAC_ACKNOWLEDGED} on the binding, whose value says why`;

export const rbacRule: ResourceRule = {
    kind: "resource",
    name: "rbac-risky-permissions",
    description: `No Role or ClusterRole (any version, or Patch) grants a wildcard, reads Secrets, escalates, binds or impersonates, or reaches into pods and accounts (exec, attach, portforward, proxy, ephemeral containers, service account tokens), and no binding names cluster-admin, admin or edit, unless the object says why in the annotation ${RBAC_ACKNOWLEDGED}.`,
    enforcementLevel: "mandatory",
    config: {},
    check(r) {
        const isRole = ofKind(r.type, ROLES) !== undefined;
        if ((!isRole && !ofKind(r.type, BINDINGS)) || acknowledged(r)) return [];
        if (isRole) {
            return list(r.props.rules).flatMap((rule, i) => {
                const grants = riskyGrants(record(rule));
                return grants.length > 0 ? [`${describe(r)} rules[${i}]: ${grants.join("; ")}. Fix: ${ROLE_FIX}.`] : [];
            });
        }
        const ref = record(r.props.roleRef);
        const grants = ref.kind === "ClusterRole" && typeof ref.name === "string" ? BROAD_CLUSTER_ROLES.get(ref.name) : undefined;
        return grants ? [`${describe(r)} roleRef binds ClusterRole '${String(ref.name)}', which ${grants}. Fix: ${BINDING_FIX}.`] : [];
    },
};
