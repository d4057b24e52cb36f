import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ServiceConfig } from "../../config/types";
import { serviceResource } from "../../config/names/derive";
import { RBAC_ACKNOWLEDGED } from "../../config/rbac";

export interface AccessArgs {
    readonly service: ServiceConfig;
    readonly namespace: pulumi.Input<string>;
    readonly labels: Record<string, string>;
    readonly serviceAccountName: pulumi.Input<string>;
}

/**
 * The permissions of a service that reads the Kubernetes API: a Role with its `rbac` rules, in
 * its own namespace only, bound to its service account, and the reasons given for its risky
 * rules (config/rbac.ts) in an annotation. Nothing without rules (the pod then mounts no token
 * either: components/service/podTemplate.ts).
 */
export function createAccess(name: string, args: AccessArgs, opts: pulumi.CustomResourceOptions): void {
    const svc = args.service;
    if (svc.rbac.length === 0) {
        return;
    }
    // Why each rule that reaches past the service's own work is there, for review and the policy pack.
    const acknowledged = svc.rbac.filter((r) => r.acknowledge !== undefined).map((r) => `${r.name}: ${r.acknowledge}`);
    const role = new k8s.rbac.v1.Role(
        serviceResource.role(name),
        {
            metadata: {
                name: svc.objectName,
                namespace: args.namespace,
                labels: args.labels,
                ...(acknowledged.length > 0 ? { annotations: { [RBAC_ACKNOWLEDGED]: acknowledged.join("\n") } } : {}),
            },
            rules: svc.rbac.map((r) => ({
                apiGroups: [...r.apiGroups],
                resources: [...r.resources],
                verbs: [...r.verbs],
                ...(r.resourceNames ? { resourceNames: [...r.resourceNames] } : {}),
            })),
        },
        opts,
    );
    new k8s.rbac.v1.RoleBinding(
        serviceResource.roleBinding(name),
        {
            metadata: { name: svc.objectName, namespace: args.namespace, labels: args.labels },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
            subjects: [{ kind: "ServiceAccount", name: args.serviceAccountName, namespace: args.namespace }],
        },
        opts,
    );
}
