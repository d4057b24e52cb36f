import { describe, list, listSetting, metadataOf, nameOf, namespaceOf, record, ResourceRule } from "./common";

const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
const SERVICE = "kubernetes:core/v1:Service";

/** Whether a TLS host entry (possibly `*.example.com`) covers a rule's host. */
function covers(tlsHost: string, host: string): boolean {
    if (tlsHost.startsWith("*.")) {
        const rest = host.slice(host.indexOf(".") + 1);
        return host.includes(".") && rest === tlsHost.slice(2);
    }
    return tlsHost === host;
}

const TLS_FIX =
    "give spec.tls an entry with the rule's host and a secretName (this program does so for every exposed service, with a cert-manager certificate from the environment's clusterIssuer)";

export const ingressTlsRule: ResourceRule = {
    kind: "resource",
    name: "ingress-tls",
    description: "Every Ingress serves TLS for each of its hosts, and does not switch off the HTTPS redirect.",
    enforcementLevel: "mandatory",
    config: {},
    check(r) {
        if (r.type !== INGRESS) return [];
        const spec = record(r.props.spec);
        const tls = list(spec.tls).map(record);
        if (tls.length === 0) {
            return [`${describe(r)} has no TLS. Fix: ${TLS_FIX}.`];
        }
        const out: string[] = [];
        const tlsHosts = tls.flatMap((t) => list(t.hosts)).filter((h): h is string => typeof h === "string");
        for (const rule of list(spec.rules).map(record)) {
            const host = rule.host;
            if (typeof host !== "string" || host === "") {
                out.push(`${describe(r)} has a rule without a host, which no TLS certificate names. Fix: give every rule a host, and ${TLS_FIX}.`);
            } else if (!tlsHosts.some((t) => covers(t, host))) {
                out.push(`${describe(r)} serves '${host}' without TLS (its tls hosts: ${tlsHosts.join(", ") || "none"}). Fix: ${TLS_FIX}.`);
            }
        }
        tls.forEach((t, i) => {
            if (typeof t.secretName !== "string" || t.secretName === "") {
                out.push(`${describe(r)} tls[${i}] names no secretName, so the controller has no certificate to serve. Fix: ${TLS_FIX}.`);
            }
        });
        const annotations = record(metadataOf(r).annotations);
        for (const key of ["nginx.ingress.kubernetes.io/ssl-redirect", "nginx.ingress.kubernetes.io/force-ssl-redirect"]) {
            if (annotations[key] === "false") {
                out.push(`${describe(r)} sets ${key}: "false", which serves plain HTTP next to TLS. Fix: remove the annotation.`);
            }
        }
        return out;
    },
};

export const serviceTypeRule: ResourceRule = {
    kind: "resource",
    name: "no-external-service-types",
    description: "No Service of type LoadBalancer or NodePort, unless the pack config allows that Service by name.",
    enforcementLevel: "mandatory",
    config: {
        allowedServices: {
            type: "array",
            items: { type: "string" },
            description: "Services allowed to be LoadBalancer or NodePort, as '<namespace>/<name>' (or '<name>' in any namespace).",
            default: [],
        },
    },
    check(r, config) {
        if (r.type !== SERVICE) return [];
        const type = record(r.props.spec).type;
        if (type !== "LoadBalancer" && type !== "NodePort") return [];
        const allowed = listSetting(this, config, "allowedServices");
        const name = nameOf(r);
        const ns = namespaceOf(r);
        if (allowed.includes(name) || (ns !== undefined && allowed.includes(`${ns}/${name}`))) return [];
        return [
            `${describe(r)} is of type ${type}, which exposes it outside the cluster. Fix: use ClusterIP behind the TLS Ingress ('ingress' in the catalog), or, if it must be reachable directly, allow it in the pack config: {"no-external-service-types": {"allowedServices": ["${ns ? `${ns}/` : ""}${name}"]}}.`,
        ];
    },
};
