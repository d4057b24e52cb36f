import { describe, isWhole, kubernetesType, labelsOf, list, nameOf, namespaceOf, PolicyResource, record, ResourceRule } from "./common";

/**
 * Driven canary releases (docs/canary-driven.md): a canary Deployment runs a few pods of the new
 * version beside its stable sibling for a release, so the availability rules judge the pair by
 * the stable Deployment; and a canary shares its stable route's host and certificate.
 */

/** The `app.kubernetes.io/component` of a canary (components/labels.ts CANARY_COMPONENT). */
const COMPONENT = "canary";
const DEPLOYMENT = ["apps:Deployment", "extensions:Deployment"];
const SERVICE = ["core:Service"];
const ROUTE = ["gateway.networking.k8s.io:HTTPRoute"];

const isCanaryLabelled = (labels: Readonly<Record<string, unknown>>) => labels["app.kubernetes.io/component"] === COMPONENT;
const podLabels = (d: PolicyResource) => record(record(record(record(d.props.spec).template).metadata).labels);
const containerNames = (d: PolicyResource) => list(record(record(record(d.props.spec).template).spec).containers).map((c) => record(c).name);

/** The Services of a namespace whose selector picks pods with these labels. */
function servicesOf(resources: readonly PolicyResource[], namespace: string | undefined, pods: Readonly<Record<string, unknown>>): string[] {
    return resources
        .filter((s) => isWhole(s.type, SERVICE) && namespaceOf(s) === namespace)
        .filter((s) => {
            const selector = Object.entries(record(record(s.props.spec).selector));
            return selector.length > 0 && selector.every(([k, v]) => pods[k] === v);
        })
        .map(nameOf);
}

/**
 * The stable sibling of a canary Deployment, when `d` is one; undefined otherwise. A label alone
 * does not make a canary: it is `<stable>-canary` beside a whole Deployment `<stable>` of the same
 * namespace, its Deployment and pods are labelled as one, it runs the same containers, and one
 * rule of an HTTPRoute of the namespace splits traffic between a Service of the stable pods and a
 * Service of the canary's (and not of the stable's). A workload that merely calls itself a canary
 * is judged like any other.
 */
export function stableSiblingOf(d: PolicyResource, resources: readonly PolicyResource[]): PolicyResource | undefined {
    if (!isWhole(d.type, DEPLOYMENT) || !isCanaryLabelled(labelsOf(d)) || !isCanaryLabelled(podLabels(d))) return undefined;
    const name = nameOf(d);
    if (!name.endsWith(`-${COMPONENT}`)) return undefined;
    const ns = namespaceOf(d);
    const stable = resources.find((r) => r !== d && isWhole(r.type, DEPLOYMENT) && namespaceOf(r) === ns && nameOf(r) === name.slice(0, -`-${COMPONENT}`.length));
    if (stable === undefined || JSON.stringify(containerNames(stable)) !== JSON.stringify(containerNames(d))) return undefined;
    const stableServices = servicesOf(resources, ns, podLabels(stable));
    const canaryServices = servicesOf(resources, ns, podLabels(d)).filter((s) => !stableServices.includes(s));
    const split = resources
        .filter((r) => isWhole(r.type, ROUTE) && namespaceOf(r) === ns)
        .flatMap((r) => list(record(r.props.spec).rules))
        .some((rule) => {
            const backends = list(record(rule).backendRefs).map((b) => record(b).name);
            return backends.some((b) => stableServices.includes(b as string)) && backends.some((b) => canaryServices.includes(b as string));
        });
    return split ? stable : undefined;
}

const CERTIFICATE_HOLDERS = ["networking.k8s.io:Ingress", "extensions:Ingress", "cert-manager.io:Certificate", "gateway.networking.k8s.io:Gateway"];

export const canaryCertificateRule: ResourceRule = {
    kind: "resource",
    name: "canary-no-certificate",
    description: "No TLS certificate is requested for a canary: no Ingress, cert-manager Certificate or Gateway labelled as one (app.kubernetes.io/component: canary); a canary shares its stable route's host and certificate.",
    enforcementLevel: "mandatory",
    config: {},
    check(r) {
        const t = kubernetesType(r.type);
        if (!t || !CERTIFICATE_HOLDERS.includes(`${t.group}:${t.kind}`) || !isCanaryLabelled(labelsOf(r))) return [];
        return [
            `${describe(r)} is labelled as a canary (app.kubernetes.io/component: ${COMPONENT}), and a canary gets no certificate of its own: each one is another issuance against the CA's rate limits and another secret to renew. Fix: route the canary through its stable service's HTTPRoute (weighted backendRefs), which shares the stable host's certificate.`,
        ];
    },
};
