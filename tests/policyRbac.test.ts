import { strict as assert } from "assert";
import { PolicyResource, RULES } from "../policy/rules";
import { Props, resource } from "./policyFixtures";
import { compiledPack, runPack } from "./policyRunner";
import { providerTypesOfKind } from "./providerTypes";

/**
 * Issue 18, class 12 (the policy pack's half): a Role or ClusterRole whose rules grant a wildcard,
 * read Secrets, escalate, bind or impersonate, or reach into pods (exec, attach, port-forward),
 * and a binding to the built-in roles that grant those, are mandatory findings unless the object
 * carries the acknowledgement annotation `platform.hft/rbac-acknowledged` with the reason (which
 * the program writes when the configuration acknowledges the rule).
 */

const ACK = "platform.hft/rbac-acknowledged";
const rule = () => RULES.find((r) => r.name === "rbac-risky-permissions") ?? assert.fail("no rbac-risky-permissions policy in the pack");
const check = (r: PolicyResource) => {
    const found = rule();
    return found.kind === "resource" ? found.check(r, {}) : assert.fail("a resource policy");
};

function role(rules: Props[], opts: { readonly type?: string; readonly annotations?: Props } = {}): PolicyResource {
    const type = opts.type ?? "rbac.authorization.k8s.io/v1:Role";
    const cluster = type.includes("ClusterRole");
    const metadata = { name: "api", ...(cluster ? {} : { namespace: "hft-production" }), ...(opts.annotations ? { annotations: opts.annotations } : {}) };
    return resource(type, `api-${type.slice(type.lastIndexOf(":") + 1).toLowerCase()}`, { metadata, rules });
}

function binding(roleRef: Props, opts: { readonly type?: string; readonly annotations?: Props } = {}): PolicyResource {
    const type = opts.type ?? "rbac.authorization.k8s.io/v1:RoleBinding";
    const metadata = { name: "api", namespace: "hft-production", ...(opts.annotations ? { annotations: opts.annotations } : {}) };
    return resource(type, "api-binding", { metadata, roleRef: { apiGroup: "rbac.authorization.k8s.io", ...roleRef }, subjects: [{ kind: "ServiceAccount", name: "api", namespace: "hft-production" }] });
}

const FIX =
    "Fix: narrow the rule to the API groups, resources and verbs the service needs (resourceNames where it can), or, if it needs this, acknowledge it in the service's configuration, which writes the reason as the annotation platform.hft/rbac-acknowledged on the role (an object declared by hand carries the annotation itself).";
const core = (resources: string[], verbs: string[]) => ({ apiGroups: [""], resources, verbs });

describe("issue 18, class 12: RBAC rules the policy pack flags", () => {
    it("is a mandatory policy, and passes the rules a service reading the API needs", () => {
        assert.equal(rule().enforcementLevel, "mandatory");
        assert.deepEqual(check(role([core(["pods", "configmaps"], ["get", "list", "watch"]), { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "patch"] }])), []);
        // Secrets in another API group are not the core Secrets; a named Secret may be updated without being read.
        assert.deepEqual(check(role([{ apiGroups: ["apps"], resources: ["secrets"], verbs: ["get"] }, core(["secrets"], ["update"])])), []);
    });

    it("flags wildcards in verbs, resources and API groups, naming the rule and the field", () => {
        assert.deepEqual(check(role([core(["configmaps"], ["get"]), core(["pods"], ["*"])])), [`Role 'hft-production/api' rules[1]: verbs has '*' (every verb, escalate, bind and impersonate included). ${FIX}`]);
        assert.deepEqual(check(role([{ apiGroups: ["*"], resources: ["*"], verbs: ["get"] }], { type: "rbac.authorization.k8s.io/v1:ClusterRole" })), [
            `ClusterRole 'api' rules[0]: apiGroups has '*' (every API group); resources has '*' (every resource, Secrets and pods/exec included). ${FIX}`,
        ]);
        // RBAC matches '*/exec' to the exec subresource of every resource; 'pods/*' matches no subresource at all.
        assert.match(check(role([core(["*/exec"], ["create"])]))[0], /rules\[0\]: resources has '\*\/exec' \(that subresource of every resource\)\. Fix:/);
        assert.deepEqual(check(role([core(["pods/*"], ["get"])])), []);
        assert.match(check(role([{ nonResourceURLs: ["*"], verbs: ["get"] }], { type: "rbac.authorization.k8s.io/v1:ClusterRole" }))[0], /rules\[0\]: nonResourceURLs has '\*' \(every URL path\)/);
        assert.match(check(role([{ nonResourceURLs: ["/logs/*"], verbs: ["get"] }], { type: "rbac.authorization.k8s.io/v1:ClusterRole" }))[0], /rules\[0\]: nonResourceURLs has '\/logs\/\*' \(every URL path starting '\/logs\/'\)/);
    });

    it("flags every subresource the configuration asks an acknowledgement for (one list, policy/rules/rbacRisks.ts): proxies, ephemeral containers, tokens", () => {
        assert.deepEqual(check(role([core(["pods/proxy", "services/proxy"], ["get"]), core(["pods/ephemeralcontainers"], ["patch"]), core(["serviceaccounts/token"], ["create"])])), [
            `Role 'hft-production/api' rules[0]: resources has 'pods/proxy' with get (reaches the pods' ports through the API server, past their NetworkPolicies); resources has 'services/proxy' with get (reaches the services' ports through the API server, past their NetworkPolicies). ${FIX}`,
            `Role 'hft-production/api' rules[1]: resources has 'pods/ephemeralcontainers' with patch (adds containers to running pods). ${FIX}`,
            `Role 'hft-production/api' rules[2]: resources has 'serviceaccounts/token' with create (mints tokens for other service accounts). ${FIX}`,
        ]);
    });

    it("flags reading Secrets by get, list or watch, in the core group or through '*'", () => {
        assert.deepEqual(check(role([core(["secrets"], ["get"])])), [`Role 'hft-production/api' rules[0]: resources has 'secrets' with get (reads Secret values). ${FIX}`]);
        assert.match(check(role([core(["configmaps", "secrets"], ["list", "watch"])], { type: "rbac.authorization.k8s.io/v1:ClusterRole" }))[0], /^ClusterRole 'api' rules\[0\]: resources has 'secrets' with list, watch \(reads Secret values\)/);
        assert.match(check(role([{ apiGroups: ["*"], resources: ["secrets"], verbs: ["watch"], resourceNames: ["db"] }]))[0], /resources has 'secrets' with watch \(reads Secret values\)/);
    });

    it("flags escalate, bind and impersonate, whatever the resource", () => {
        assert.match(check(role([{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"], verbs: ["escalate"] }]))[0], /rules\[0\]: verbs has 'escalate' \(grants permissions the role does not hold\)/);
        assert.match(check(role([{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["bind", "get"] }]))[0], /verbs has 'bind' \(binds roles with permissions it does not hold\)/);
        assert.match(check(role([core(["serviceaccounts", "users", "groups"], ["impersonate"])], { type: "rbac.authorization.k8s.io/v1:ClusterRole" }))[0], /verbs has 'impersonate' \(acts as another user, group or service account\)/);
    });

    it("flags pods/exec, pods/attach and pods/portforward, with any verb", () => {
        assert.deepEqual(check(role([core(["pods", "pods/exec"], ["create"])])), [`Role 'hft-production/api' rules[0]: resources has 'pods/exec' with create (runs commands in the pods). ${FIX}`]);
        assert.match(check(role([core(["pods/attach"], ["get"])]))[0], /resources has 'pods\/attach' with get \(attaches to the pods' running containers\)/);
        assert.match(check(role([core(["pods/portforward"], ["create"])]))[0], /resources has 'pods\/portforward' with create \(reaches the pods' ports past their NetworkPolicies\)/);
    });

    it("judges every Role and ClusterRole type of the provider, the older API versions and the Patch resources", () => {
        const types = providerTypesOfKind("Role", "RolePatch", "ClusterRole", "ClusterRolePatch");
        assert.ok(types.length >= 12 && types.includes("kubernetes:rbac.authorization.k8s.io/v1beta1:ClusterRolePatch"), types.join(", "));
        for (const type of types) {
            const messages = check(role([core(["secrets"], ["list"])], { type: type.slice("kubernetes:".length) }));
            assert.equal(messages.length, 1, type);
            assert.match(messages[0], /rules\[0\]: resources has 'secrets' with list/, type);
        }
    });

    it("passes a role that carries the acknowledgement with its reason, not one whose annotation is empty", () => {
        const rules = [core(["pods/exec"], ["create"]), core(["secrets"], ["get"])];
        assert.deepEqual(check(role(rules, { annotations: { [ACK]: "the migration job runs psql in the database pod" } })), []);
        assert.equal(check(role(rules, { annotations: { [ACK]: " " } })).length, 2);
        assert.equal(check(role(rules, { annotations: { "platform.hft/rbac-acknowledge": "typo" } })).length, 2);
    });

    it("flags a binding to cluster-admin, admin or edit, which grant all of the above without a role in the stack", () => {
        const BINDING_FIX =
            "Fix: bind a Role with the rules the service needs, or, if it needs this, acknowledge it with the annotation platform.hft/rbac-acknowledged on the binding, whose value says why.";
        assert.deepEqual(check(binding({ kind: "ClusterRole", name: "cluster-admin" })), [
            `RoleBinding 'hft-production/api' roleRef binds ClusterRole 'cluster-admin', which grants every verb on every resource. ${BINDING_FIX}`,
        ]);
        assert.match(check(binding({ kind: "ClusterRole", name: "edit" }, { type: "rbac.authorization.k8s.io/v1:ClusterRoleBinding" }))[0], /^ClusterRoleBinding 'hft-production\/api' roleRef binds ClusterRole 'edit', which reads Secret values and runs commands in pods/);
        assert.match(check(binding({ kind: "ClusterRole", name: "admin" }, { type: "rbac.authorization.k8s.io/v1beta1:RoleBindingPatch" }))[0], /^RoleBindingPatch 'hft-production\/api' roleRef binds ClusterRole 'admin'/);
        assert.deepEqual(check(binding({ kind: "ClusterRole", name: "view" })), []);
        assert.deepEqual(check(binding({ kind: "Role", name: "api" })), []);
        assert.deepEqual(check(binding({ kind: "ClusterRole", name: "cluster-admin" }, { annotations: { [ACK]: "the platform operator's own account" } })), []);
    });

    it("reports at the mandatory level through the whole pack, and the compiled pack agrees", () => {
        const resources = [role([core(["pods"], ["*"])]), binding({ kind: "ClusterRole", name: "cluster-admin" }), role([core(["secrets"], ["get"])], { type: "rbac.authorization.k8s.io/v1:ClusterRolePatch" })];
        const findings = runPack({ inputs: resources, outputs: resources });
        assert.deepEqual(findings.map((f) => [f.policy, f.level]), Array(3).fill(["rbac-risky-permissions", "mandatory"]));
        assert.deepEqual(runPack({ inputs: resources, outputs: resources }, {}, compiledPack()), findings);
    });
});
