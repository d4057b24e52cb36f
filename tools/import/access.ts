import { Layer, Overlay, put } from "./context";
import type { PolicyRuleShape } from "./shapes";
import { ImportedService } from "./workloads";

const VERBS = new Set(["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"]);

/**
 * Service accounts and their Roles: a workload's ServiceAccount is the platform's own per
 * service; the rules of a Role bound to it (RoleBinding) become the service's `rbac`.
 */
export function mapAccess(ov: Overlay, services: readonly ImportedService[]): void {
    for (const s of services) {
        if (!s.serviceAccount) continue;
        const sa = ov.find("ServiceAccount", s.serviceAccount);
        if (sa) ov.used.add(sa);
    }
    for (const binding of ov.ofKind("RoleBinding")) {
        const t = ov.tracker(binding);
        const subjects = t.peek<{ kind: string; name: string }[]>("subjects") ?? [];
        const s = services.find((x) => x.serviceAccount !== undefined && subjects.some((sub) => sub.kind === "ServiceAccount" && sub.name === x.serviceAccount));
        const roleRef = t.peek<{ kind: string; name: string }>("roleRef");
        const role = roleRef?.kind === "Role" ? ov.find("Role", roleRef.name) : undefined;
        if (!s || !role || subjects.length !== 1) {
            ov.note(binding, undefined, "binds no single imported service's account to a Role of the overlay: not imported");
            continue;
        }
        ov.used.add(binding);
        ov.used.add(role);
        t.mark(["subjects"]);
        t.mark(["roleRef"]);
        const rt = ov.tracker(role);
        (rt.peek<PolicyRuleShape[]>("rules") ?? []).forEach((r, i) => {
            const verbs = (r.verbs ?? []).filter((v) => VERBS.has(v));
            if (verbs.length !== (r.verbs ?? []).length || r.nonResourceURLs !== undefined) return;
            const rule: Layer = { apiGroups: r.apiGroups ?? [""], resources: r.resources, verbs };
            if (r.resourceNames) rule.resourceNames = r.resourceNames;
            put(s.settings, ["rbac", `${ov.base(role.metadata.name).replace(new RegExp(`^${s.name}-`), "")}-${i + 1}`.slice(0, 63)], rule);
            rt.mark(["rules", i]);
        });
    }
}
