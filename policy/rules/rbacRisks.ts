/**
 * What makes an RBAC rule reach past a service's own work, in one place for the two that judge
 * it: the configuration check (config/rbac.ts), which asks the service to acknowledge such a
 * rule, and the policy pack (rbac.ts), which flags a role that has one without the annotation.
 * No imports: the program reads this file too, and the compiled pack stands alone.
 */

/** The annotation whose value (not empty) says why an object needs the permissions the pack flags. */
export const RBAC_ACKNOWLEDGED = "platform.hft/rbac-acknowledged";

/** The verbs that grant more than the role holds, whatever the resource, and what each does. */
export const GRANTING_VERBS: Readonly<Record<string, string>> = {
    escalate: "grants permissions the role does not hold",
    bind: "binds roles with permissions it does not hold",
    impersonate: "acts as another user, group or service account",
};

/** The core subresources that reach into other pods and accounts, with any verb, and what each does. */
export const POD_ACCESS: Readonly<Record<string, string>> = {
    "pods/exec": "runs commands in the pods",
    "pods/attach": "attaches to the pods' running containers",
    "pods/portforward": "reaches the pods' ports past their NetworkPolicies",
    "pods/proxy": "reaches the pods' ports through the API server, past their NetworkPolicies",
    "services/proxy": "reaches the services' ports through the API server, past their NetworkPolicies",
    "pods/ephemeralcontainers": "adds containers to running pods",
    "serviceaccounts/token": "mints tokens for other service accounts",
};

/** The verbs that return a Secret's value (list and watch return every Secret whole). */
export const SECRET_READ_VERBS: readonly string[] = ["get", "list", "watch", "*"];
