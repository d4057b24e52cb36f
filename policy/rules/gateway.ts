import { describe, inProduction, isWhole, list, listSetting, namespaceOf, nameOf, PolicyResource, PRODUCTION_ENVIRONMENTS, record, StackRule, Violation } from "./common";

// Any version (v1beta1 has the same fields), as whole objects: a stack rule reads a route with its Gateway.
const HTTP_ROUTE = ["gateway.networking.k8s.io:HTTPRoute"];
const GATEWAY = ["gateway.networking.k8s.io:Gateway"];
const GATEWAY_GROUP = "gateway.networking.k8s.io";

/** Whether every rule of a route only redirects to HTTPS: the one route allowed on a plain HTTP listener. */
function onlyRedirectsToHttps(spec: Readonly<Record<string, unknown>>): boolean {
    const rules = list(spec.rules).map(record);
    return (
        rules.length > 0 &&
        rules.every((rule) => {
            const filters = list(rule.filters).map(record);
            return list(rule.backendRefs).length === 0 && filters.length === 1 && filters[0].type === "RequestRedirect" && record(filters[0].requestRedirect).scheme === "https";
        })
    );
}

/** A parentRef that names a Gateway (group and kind defaulted as the API server does), with the namespace it means. */
interface GatewayRef {
    readonly index: number;
    /** `<namespace>/<name>`; a parentRef without a namespace means the route's own. */
    readonly id: string;
    readonly sectionName?: string;
}

function gatewayRefs(route: PolicyResource): GatewayRef[] {
    return list(record(route.props.spec).parentRefs)
        .map(record)
        .flatMap((p, index) => {
            if ((p.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP || (p.kind ?? "Gateway") !== "Gateway") return [];
            const ns = typeof p.namespace === "string" && p.namespace !== "" ? p.namespace : (namespaceOf(route) ?? "default");
            const sectionName = typeof p.sectionName === "string" && p.sectionName !== "" ? p.sectionName : undefined;
            return [{ index, id: `${ns}/${String(p.name)}`, sectionName }];
        });
}

const HTTPS_FIX =
    "attach the route to the Gateway's HTTPS listener for its host (parentRefs[].sectionName); only a route whose every rule is a RequestRedirect filter with scheme https may attach to the HTTP listener";

export const gatewayRoutesRule: StackRule = {
    kind: "stack",
    name: "gateway-routes",
    description:
        "Every Gateway API HTTPRoute that serves traffic attaches to named HTTPS listeners only (a route whose every rule redirects to https may use the HTTP listener), names its hosts without wildcards in production, and attaches only to allowed Gateways.",
    enforcementLevel: "mandatory",
    config: {
        productionEnvironments: PRODUCTION_ENVIRONMENTS,
        allowedGateways: {
            type: "array",
            items: { type: "string" },
            description: "Gateways routes may attach to, as '<namespace>/<name>'; empty (the default) allows any Gateway.",
            default: [],
        },
    },
    check(resources, config) {
        const environments = listSetting(this, config, "productionEnvironments");
        const allowed = listSetting(this, config, "allowedGateways");
        const gateways = new Map(resources.filter((r) => isWhole(r.type, GATEWAY)).map((g) => [`${namespaceOf(g) ?? "default"}/${nameOf(g)}`, g]));
        const out: Violation[] = [];
        for (const route of resources.filter((r) => isWhole(r.type, HTTP_ROUTE))) {
            const report = (message: string) => out.push({ urn: route.urn, message: `${describe(route)} ${message}` });
            const spec = record(route.props.spec);
            const serves = !onlyRedirectsToHttps(spec);
            for (const ref of gatewayRefs(route)) {
                if (allowed.length > 0 && !allowed.includes(ref.id)) {
                    report(
                        `attaches to Gateway '${ref.id}' (parentRefs[${ref.index}]), which the pack config does not allow (allowed: ${allowed.join(", ")}). Fix: attach it to an allowed Gateway, or allow this one: {"gateway-routes": {"allowedGateways": [${[...allowed, ref.id].map((g) => `"${g}"`).join(", ")}]}}.`,
                    );
                }
                if (!serves) continue;
                if (ref.sectionName === undefined) {
                    report(`serves traffic through Gateway '${ref.id}' (parentRefs[${ref.index}]) without a sectionName, which attaches it to every listener of that Gateway, plain HTTP included. Fix: ${HTTPS_FIX}.`);
                    continue;
                }
                const gateway = gateways.get(ref.id);
                if (gateway === undefined) continue;
                const listeners = list(record(gateway.props.spec).listeners).map(record);
                const listener = listeners.find((l) => l.name === ref.sectionName);
                if (listener === undefined) {
                    const names = listeners.map((l) => `${String(l.name)} (${String(l.protocol)})`).join(", ") || "none";
                    report(`names listener '${ref.sectionName}' of Gateway '${ref.id}' (parentRefs[${ref.index}]), which that Gateway does not have (its listeners: ${names}). Fix: ${HTTPS_FIX}.`);
                } else if (listener.protocol !== "HTTPS") {
                    report(`serves traffic through listener '${ref.sectionName}' of Gateway '${ref.id}' (parentRefs[${ref.index}]), whose protocol is ${String(listener.protocol)}, not HTTPS. Fix: ${HTTPS_FIX}.`);
                }
            }
            if (!inProduction(route, environments)) continue;
            const hostnames = list(spec.hostnames).filter((h): h is string => typeof h === "string");
            if (hostnames.length === 0) {
                report("names no hostnames in production, so it answers for every host its listeners accept. Fix: set spec.hostnames to the service's public host ('<hostPrefix>.<domain>' in this program).");
            }
            for (const h of hostnames.filter((h) => h.startsWith("*."))) {
                report(`has the wildcard hostname '${h}' in production, which routes every subdomain to it. Fix: list each host the service answers for.`);
            }
        }
        return out;
    },
};
