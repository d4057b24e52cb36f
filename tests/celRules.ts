/**
 * JavaScript equivalents of the CEL rules (`x-kubernetes-validations`) of the Gateway API CRDs
 * in tests/crds/ that bear on what the program writes, keyed by the rule's exact text (white
 * space collapsed). ajv cannot run CEL: a rule whose text is not here is skipped, and
 * kubernetesModels.ts lists the skipped ones per kind (a test pins that list, so a CRD update
 * that rewrites a rule shows up). Defaults the API server applies before CEL runs (a
 * backendRef's `kind: Service`, a path match's `PathPrefix` and `/`, a listener's TLS mode
 * `Terminate`, a parentRef's group and kind) are applied here by hand.
 */

/** A value the rule is about; rules read it loosely, as CEL's `has()` does. */
type Self = any;
type CelRule = (self: Self) => boolean;

const has = (v: unknown): boolean => v !== undefined && v !== null;
const EXACT_OR_PREFIX = "(self.type in ['Exact','PathPrefix'])";

/** `1h30m`, `500ms` (the CRDs' Duration pattern `^([0-9]{1,5}(h|m|s|ms)){1,4}$`) in milliseconds. */
export function durationMs(d: string): number {
    const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
    let total = 0;
    for (const [, n, u] of d.matchAll(/([0-9]+)(ms|h|m|s)/g)) total += Number(n) * unit[u];
    return total;
}

/** A path match with the defaults the API server fills in. */
const pathMatch = (self: Self) => ({ type: self.type ?? "PathPrefix", value: String(self.value ?? "/") });
const exactOrPrefix = (self: Self) => ["Exact", "PathPrefix"].includes(pathMatch(self).type);

/** Whether two parentRefs name the same parent (group and kind defaulted; an empty namespace is the route's own). */
function sameParent(p1: Self, p2: Self): boolean {
    const ns = (p: Self) => (has(p.namespace) && p.namespace !== "" ? p.namespace : "");
    return (
        (p1.group ?? "gateway.networking.k8s.io") === (p2.group ?? "gateway.networking.k8s.io") &&
        (p1.kind ?? "Gateway") === (p2.kind ?? "Gateway") &&
        p1.name === p2.name &&
        ns(p1) === ns(p2)
    );
}
const section = (p: Self): string => (has(p.sectionName) ? p.sectionName : "");

const FILTER_FIELDS: Record<string, string> = {
    CORS: "cors",
    RequestHeaderModifier: "requestHeaderModifier",
    ResponseHeaderModifier: "responseHeaderModifier",
    RequestMirror: "requestMirror",
    RequestRedirect: "requestRedirect",
    URLRewrite: "urlRewrite",
    ExtensionRef: "extensionRef",
};

const filterRules: Record<string, CelRule> = {};
for (const [type, field] of Object.entries(FILTER_FIELDS)) {
    filterRules[`!(has(self.${field}) && self.type != '${type}')`] = (f) => !(has(f[field]) && f.type !== type);
    filterRules[`!(!has(self.${field}) && self.type == '${type}')`] = (f) => !(!has(f[field]) && f.type === type);
    filterRules[`self.filter(f, f.type == '${type}').size() <= 1`] = (fs) => fs.filter((f: Self) => f.type === type).length <= 1;
}

const pathRules: Record<string, CelRule> = {
    [`${EXACT_OR_PREFIX} ? self.value.startsWith('/') : true`]: (p) => !exactOrPrefix(p) || pathMatch(p).value.startsWith("/"),
    "self.type in ['Exact','PathPrefix'] || self.type == 'RegularExpression'": (p) => ["Exact", "PathPrefix", "RegularExpression"].includes(pathMatch(p).type),
    [`${EXACT_OR_PREFIX} ? self.value.matches(r"""^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$""") : true`]: (p) =>
        !exactOrPrefix(p) || /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$/.test(pathMatch(p).value),
};
for (const s of ["//", "/./", "/../", "%2f", "%2F", "#"]) {
    pathRules[`${EXACT_OR_PREFIX} ? !self.value.contains('${s}') : true`] = (p) => !exactOrPrefix(p) || !pathMatch(p).value.includes(s);
}
for (const s of ["/..", "/."]) {
    pathRules[`${EXACT_OR_PREFIX} ? !self.value.endsWith('${s}') : true`] = (p) => !exactOrPrefix(p) || !pathMatch(p).value.endsWith(s);
}

const redirectPathRules: Record<string, CelRule> = {};
for (const type of ["ReplaceFullPath", "ReplacePrefixMatch"]) {
    const field = type === "ReplaceFullPath" ? "replaceFullPath" : "replacePrefixMatch";
    redirectPathRules[`self.type == '${type}' ? has(self.${field}) : true`] = (p) => p.type !== type || has(p[field]);
    redirectPathRules[`has(self.${field}) ? self.type == '${type}' : true`] = (p) => !has(p[field]) || p.type === type;
}

/** A listener's TLS mode once defaulted. */
const tlsMode = (tls: Self): string => tls.mode ?? "Terminate";

export const CEL_RULES: Readonly<Record<string, CelRule>> = {
    ...filterRules,
    ...pathRules,
    ...redirectPathRules,
    // HTTPRoute
    "(size(self.group) == 0 && self.kind == 'Service') ? has(self.port) : true": (b) => !((b.group ?? "") === "" && (b.kind ?? "Service") === "Service") || has(b.port),
    "(has(self.backendRefs) && size(self.backendRefs) > 0) ? (!has(self.filters) || self.filters.all(f, !has(f.requestRedirect))): true": (rule) =>
        !(has(rule.backendRefs) && rule.backendRefs.length > 0) || !has(rule.filters) || rule.filters.every((f: Self) => !has(f.requestRedirect)),
    "!(self.exists(f, f.type == 'RequestRedirect') && self.exists(f, f.type == 'URLRewrite'))": (fs) =>
        !(fs.some((f: Self) => f.type === "RequestRedirect") && fs.some((f: Self) => f.type === "URLRewrite")),
    "!('*' in self && self.size() > 1)": (xs) => !(xs.includes("*") && xs.length > 1),
    "!(has(self.request) && has(self.backendRequest) && duration(self.request) != duration('0s') && duration(self.backendRequest) > duration(self.request))": (t) =>
        !(has(t.request) && has(t.backendRequest) && durationMs(t.request) !== 0 && durationMs(t.backendRequest) > durationMs(t.request)),
    "self.all(p1, self.all(p2, p1.group == p2.group && p1.kind == p2.kind && p1.name == p2.name && (((!has(p1.__namespace__) || p1.__namespace__ == '') && (!has(p2.__namespace__) || p2.__namespace__ == '')) || (has(p1.__namespace__) && has(p2.__namespace__) && p1.__namespace__ == p2.__namespace__ )) ? ((!has(p1.sectionName) || p1.sectionName == '') == (!has(p2.sectionName) || p2.sectionName == '')) : true))":
        (ps) => ps.every((p1: Self) => ps.every((p2: Self) => !sameParent(p1, p2) || (section(p1) === "") === (section(p2) === ""))),
    "self.all(p1, self.exists_one(p2, p1.group == p2.group && p1.kind == p2.kind && p1.name == p2.name && (((!has(p1.__namespace__) || p1.__namespace__ == '') && (!has(p2.__namespace__) || p2.__namespace__ == '')) || (has(p1.__namespace__) && has(p2.__namespace__) && p1.__namespace__ == p2.__namespace__ )) && (((!has(p1.sectionName) || p1.sectionName == '') && (!has(p2.sectionName) || p2.sectionName == '')) || (has(p1.sectionName) && has(p2.sectionName) && p1.sectionName == p2.sectionName))))":
        (ps) => ps.every((p1: Self) => ps.filter((p2: Self) => sameParent(p1, p2) && section(p1) === section(p2)).length === 1),
    // Gateway
    "self.all(l, l.protocol in ['HTTP', 'TCP', 'UDP'] ? !has(l.tls) : true)": (ls) => ls.every((l: Self) => !["HTTP", "TCP", "UDP"].includes(l.protocol) || !has(l.tls)),
    "self.all(l, (l.protocol == 'HTTPS' && has(l.tls)) ? (l.tls.mode == '' || l.tls.mode == 'Terminate') : true)": (ls) =>
        ls.every((l: Self) => !(l.protocol === "HTTPS" && has(l.tls)) || ["", "Terminate"].includes(tlsMode(l.tls))),
    "self.all(l, (l.protocol == 'TLS' ? has(l.tls) && has(l.tls.mode) && l.tls.mode != '' : true))": (ls) => ls.every((l: Self) => l.protocol !== "TLS" || (has(l.tls) && tlsMode(l.tls) !== "")),
    "self.all(l, l.protocol in ['TCP', 'UDP'] ? (!has(l.hostname) || l.hostname == '') : true)": (ls) =>
        ls.every((l: Self) => !["TCP", "UDP"].includes(l.protocol) || !has(l.hostname) || l.hostname === ""),
    "self.all(l1, self.exists_one(l2, l1.name == l2.name))": (ls) => ls.every((l1: Self) => ls.filter((l2: Self) => l1.name === l2.name).length === 1),
    "self.all(l1, self.exists_one(l2, l1.port == l2.port && l1.protocol == l2.protocol && (has(l1.hostname) && has(l2.hostname) ? l1.hostname == l2.hostname : !has(l1.hostname) && !has(l2.hostname))))": (ls) =>
        ls.every(
            (l1: Self) =>
                ls.filter((l2: Self) => l1.port === l2.port && l1.protocol === l2.protocol && (has(l1.hostname) && has(l2.hostname) ? l1.hostname === l2.hostname : !has(l1.hostname) && !has(l2.hostname))).length === 1,
        ),
    "self.mode == 'Terminate' ? size(self.certificateRefs) > 0 || size(self.options) > 0 : true": (tls) =>
        tlsMode(tls) !== "Terminate" || (tls.certificateRefs ?? []).length > 0 || Object.keys(tls.options ?? {}).length > 0,
};

/** A rule's text as the table keys it: white space collapsed. */
export const celKey = (rule: string): string => rule.replace(/\s+/g, " ").trim();
