import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ServiceConfig, VerifiedCall } from "../../config/types";
import { LabelContext, selectorLabels, verificationSelector } from "../labels";
import { serviceResource } from "../../config/names/derive";

export interface ServiceNetworkPolicyArgs {
    readonly service: ServiceConfig;
    readonly namespace: pulumi.Input<string>;
    readonly labels: Record<string, string>;
    readonly selector: Record<string, string>;
    readonly labelContext: LabelContext;
    /** Each service's selector labels, by catalog name (for its callers); default: the platform's. */
    readonly selectors?: ReadonlyMap<string, Readonly<Record<string, string>>>;
    /** Who carries public traffic in (components/exposure/peers.ts): admitted when the service is exposed. */
    readonly exposurePeers: readonly k8s.types.input.networking.v1.NetworkPolicyPeer[];
    /** Where Prometheus runs: admitted to the metrics port of a service with `metrics`. */
    readonly monitoringNamespace: string;
    /** The verification Jobs that call the service, each admitted to the ports it checks (config/resolve/verify.ts). */
    readonly verifiers: readonly VerifiedCall[];
    /**
     * The canary pods' selectors of callers with a driven canary, by catalog name: admitted beside
     * their stable pods, whether a release runs or not, so a release never changes this policy.
     */
    readonly canaryCallers?: ReadonlyMap<string, Readonly<Record<string, string>>>;
}

/**
 * Opens the namespace's default-deny for this service: the ingress controller or the Gateway's
 * proxies (when the service is exposed) and the services the catalog lists in `allowFrom`, on the container port;
 * Prometheus on the metrics port; the pods of each verification Job that checks it, on the ports
 * it checks. A service nobody calls (a worker, a cronjob) gets none.
 */
export function createServiceNetworkPolicy(name: string, args: ServiceNetworkPolicyArgs, opts: pulumi.CustomResourceOptions): void {
    const rules = serviceIngressRules(args);
    if (rules.length === 0) {
        return;
    }
    new k8s.networking.v1.NetworkPolicy(
        serviceResource.networkPolicy(name),
        {
            metadata: { name: args.service.objectName, namespace: args.namespace, labels: args.labels },
            spec: { podSelector: { matchLabels: args.selector }, policyTypes: ["Ingress"], ingress: rules },
        },
        opts,
    );
}

/** Who may reach a service's pods, on which ports (createServiceNetworkPolicy); none for a service nobody calls. */
export function serviceIngressRules(args: Omit<ServiceNetworkPolicyArgs, "namespace" | "labels" | "selector">): k8s.types.input.networking.v1.NetworkPolicyIngressRule[] {
    const svc = args.service;
    const ports = svc.port !== undefined ? [{ port: svc.port, protocol: "TCP" }] : [];
    const rules: k8s.types.input.networking.v1.NetworkPolicyIngressRule[] = [];
    if (svc.ingress && ports.length > 0) {
        rules.push({ from: [...args.exposurePeers], ports });
    }
    if ((svc.allowFrom.length > 0 || svc.allowFromNamespaces.length > 0) && ports.length > 0) {
        rules.push({
            from: [
                ...svc.allowFrom.flatMap((caller) => {
                    const canary = args.canaryCallers?.get(caller);
                    const stable = { podSelector: { matchLabels: { ...(args.selectors?.get(caller) ?? selectorLabels(args.labelContext, caller)) } } };
                    return canary ? [stable, { podSelector: { matchLabels: { ...canary } } }] : [stable];
                }),
                // Pods of another namespace (an API gateway, a monitoring stack), narrowed to their labels when given.
                ...svc.allowFromNamespaces.map((n) => ({
                    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": n.namespace } },
                    ...(Object.keys(n.podLabels).length > 0 ? { podSelector: { matchLabels: { ...n.podLabels } } } : {}),
                })),
            ],
            ports,
        });
    }
    if (svc.metrics) {
        rules.push({
            from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": args.monitoringNamespace } } }],
            ports: [{ port: svc.metrics.port, protocol: "TCP" }],
        });
    }
    for (const v of args.verifiers) {
        rules.push({ from: [{ podSelector: { matchLabels: verificationSelector(args.labelContext, v.service) } }], ports: v.ports.map((port) => ({ port, protocol: "TCP" })) });
    }
    return rules;
}
