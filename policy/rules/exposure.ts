import { describe, list, listSetting, metadataOf, nameOf, namespaceOf, ofKind, PolicyResource, record, ResourceRule } from "./common";

// Every API version (extensions/v1beta1 and networking.k8s.io/v1beta1 have the same tls and rules), and the Patch.
const INGRESS = ["networking.k8s.io:Ingress", "extensions:Ingress"];
const SERVICE = ["core:Service"];

/**
 * The spellings of true of Go's strconv.ParseBool, which ingress-nginx reads its boolean
 * annotations with: 0, f, F, false, FALSE and False are false, anything else an error.
 */
const TRUE_SPELLINGS = ["1", "t", "T", "true", "TRUE", "True"];
/** The annotations that switch the redirect to HTTPS, under any controller's prefix (nginx.ingress.kubernetes.io/, haproxy.org/, ingress.kubernetes.io/...). */
const REDIRECT_ANNOTATION = /(^|\/)(force-)?ssl-redirect$/;

/** An annotation that switches off the redirect to HTTPS, or that no controller reads as on. */
function redirectOff(r: PolicyResource): string[] {
    return Object.entries(record(metadataOf(r).annotations))
        .filter(([key, value]) => REDIRECT_ANNOTATION.test(key) && !TRUE_SPELLINGS.includes(value as string))
        .map(
            ([key, value]) =>
                `${describe(r)} sets ${key}: ${JSON.stringify(value)}, which is not a spelling of true (${TRUE_SPELLINGS.join(", ")}): the controller reads 0, f, F, false, FALSE and False as false and serves plain HTTP next to TLS, and refuses anything else. Fix: remove the annotation (the redirect is on by default) or set it to "true".`,
        );
}

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
    description: "Every Ingress (any API version) serves TLS for each of its hosts, and no Ingress or IngressPatch switches off the HTTPS redirect (ssl-redirect or force-ssl-redirect under any prefix, in any spelling but true).",
    enforcementLevel: "mandatory",
    config: {},
    check(r) {
        const ingress = ofKind(r.type, INGRESS);
        if (!ingress) return [];
        // A Patch that sets no tls or rules leaves the Ingress's own: only its annotations can be judged.
        if (ingress.patch) return redirectOff(r);
        const spec = record(r.props.spec);
        const tls = list(spec.tls).map(record);
        if (tls.length === 0) {
            return [`${describe(r)} has no TLS. Fix: ${TLS_FIX}.`, ...redirectOff(r)];
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
        return [...out, ...redirectOff(r)];
    },
};

/** Why a Service's externalIPs are refused whatever the pack config allows: they can take another address's traffic. */
function externalIps(r: PolicyResource): string[] {
    const ips = list(record(r.props.spec).externalIPs);
    if (ips.length === 0) return [];
    return [
        `${describe(r)} sets spec.externalIPs (${ips.map(String).join(", ")}), so every node sends traffic for those addresses to it, which can take traffic meant for those addresses elsewhere (CVE-2020-8554). Fix: remove spec.externalIPs and reach the service through the TLS Ingress ('ingress' in the catalog); 'allowedServices' does not allow externalIPs.`,
    ];
}

export const serviceTypeRule: ResourceRule = {
    kind: "resource",
    name: "no-external-service-types",
    description:
        "No Service (or ServicePatch) of type LoadBalancer or NodePort, unless the pack config allows that Service by name; and none with spec.externalIPs, which no setting allows.",
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
        if (!ofKind(r.type, SERVICE)) return [];
        const type = record(r.props.spec).type;
        const name = nameOf(r);
        const ns = namespaceOf(r);
        const allowed = listSetting(this, config, "allowedServices");
        const exposed = (type === "LoadBalancer" || type === "NodePort") && !allowed.includes(name) && !(ns !== undefined && allowed.includes(`${ns}/${name}`));
        return [
            ...(exposed
                ? [
                      `${describe(r)} is of type ${type}, which exposes it outside the cluster. Fix: use ClusterIP behind the TLS Ingress ('ingress' in the catalog), or, if it must be reachable directly, allow it in the pack config: {"no-external-service-types": {"allowedServices": ["${ns ? `${ns}/` : ""}${name}"]}}.`,
                  ]
                : []),
            ...externalIps(r),
        ];
    },
};
