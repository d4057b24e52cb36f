/**
 * Which RBAC rules reach past a service's own work, and why: a wildcard, reading Secrets,
 * escalate, bind or impersonate, or a way into other pods. Such a rule is accepted only with an
 * explicit `acknowledge: <why>`, which the service's Role carries in `RBAC_ACKNOWLEDGED`; the
 * policy pack flags a Role with such a rule and without that annotation.
 */

import { GRANTING_VERBS, POD_ACCESS, RBAC_ACKNOWLEDGED, SECRET_READ_VERBS } from "../policy/rules/rbacRisks";

/** The annotation on a service's Role that records why its risky rules were accepted; the pack's own. */
export { RBAC_ACKNOWLEDGED };

/** The verbs a rule of a namespaced Role can have. */
export const RBAC_VERBS = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "escalate", "bind", "impersonate", "*"] as const;

/** The verbs and the core subresources that make a rule need an acknowledgement, whatever else it says. */
export const RISKY_VERB_NAMES = Object.keys(GRANTING_VERBS);
export const RISKY_SUBRESOURCE_NAMES = Object.keys(POD_ACCESS);

/** What the rules that need an acknowledgement can do, for the message of a rule that has none. */
export const RISKY_RULES = "no wildcard, no Secrets read, no escalate, bind or impersonate, no exec, attach, port-forward, proxy or token into other pods";

/** Why a rule needs an acknowledgement, one phrase per reason; empty when it needs none. */
export function rbacRisks(rule: { readonly apiGroups: readonly string[]; readonly resources: readonly string[]; readonly verbs: readonly string[] }): string[] {
    const risks: string[] = [];
    if (rule.apiGroups.includes("*")) risks.push("covers every API group ('*')");
    for (const r of rule.resources.filter((r) => r.includes("*"))) risks.push(r === "*" ? "covers every resource ('*')" : `covers resources by wildcard ('${r}')`);
    if (rule.verbs.includes("*")) risks.push("grants every verb ('*')");
    const core = rule.apiGroups.includes("") || rule.apiGroups.includes("*");
    const reads = rule.verbs.filter((v) => SECRET_READ_VERBS.includes(v));
    if (core && reads.length > 0 && (rule.resources.includes("secrets") || rule.resources.includes("*"))) risks.push(`reads Secrets (${reads.join(", ")})`);
    for (const v of rule.verbs.filter((v) => Object.hasOwn(GRANTING_VERBS, v))) risks.push(`${GRANTING_VERBS[v]} ('${v}')`);
    for (const r of core ? rule.resources.filter((r) => Object.hasOwn(POD_ACCESS, r)) : []) risks.push(`${POD_ACCESS[r]} ('${r}')`);
    return risks;
}
