import { byKey } from "./order";
import type { Cors, IngressDefaults, IngressSpec } from "./types";

/**
 * What the program writes into Kubernetes objects from the resolved settings, where the data
 * is more than a field copied: the components write these, and the configuration check measures
 * them against the API server's limits (config/limits/), so both see the same bytes.
 */

/** The service's own ConfigMap: its name and port (the platform's), then its plain settings. */
export function serviceConfigMapData(svc: { readonly name: string; readonly port?: number; readonly env: Readonly<Record<string, string>> }): Record<string, string> {
    return { SERVICE_NAME: svc.name, ...(svc.port !== undefined ? { PORT: String(svc.port) } : {}), ...svc.env };
}

/**
 * The environment's shared ConfigMap: what the platform sets (a value not known yet is left
 * out), then the catalog's `commonEnv`, then the stack's.
 */
export function sharedConfigMapData(platform: Readonly<Record<string, string | undefined>>, ...commonEnv: (Readonly<Record<string, string>> | undefined)[]): Record<string, string> {
    const data: Record<string, string> = {};
    for (const [k, v] of Object.entries(platform)) if (v !== undefined) data[k] = v;
    for (const layer of commonEnv) Object.assign(data, layer);
    return byKey(data);
}

/** How long `pulumi up` waits for an object, as the annotation the Kubernetes provider reads. */
export function waitAnnotations(awaitTimeoutSeconds: number): Record<string, string> {
    return { "pulumi.com/timeoutSeconds": String(awaitTimeoutSeconds) };
}

/**
 * An Ingress's annotations: the ones it shares with a route (`common`), cert-manager's issuer,
 * then CORS, the HTTPS redirect and the response timeout in the dialect of the controller.
 */
export function ingressAnnotations(spec: IngressSpec, defaults: IngressDefaults, common: Readonly<Record<string, string>>): Record<string, string> {
    return { ...common, "cert-manager.io/cluster-issuer": defaults.clusterIssuer, ...(defaults.controller === "haproxy" ? haproxy(spec) : ingressNginx(spec)) };
}

/** ingress-nginx's annotations (it redirects to HTTPS by default once an Ingress has TLS). */
function ingressNginx(ing: IngressSpec): Record<string, string> {
    const a: Record<string, string> = {};
    if (!ing.httpsRedirect) a["nginx.ingress.kubernetes.io/ssl-redirect"] = "false";
    if (ing.timeoutSeconds !== undefined) {
        a["nginx.ingress.kubernetes.io/proxy-read-timeout"] = String(ing.timeoutSeconds);
        a["nginx.ingress.kubernetes.io/proxy-send-timeout"] = String(ing.timeoutSeconds);
    }
    if (ing.cors) Object.assign(a, nginxCors(ing.cors));
    return a;
}

/** ingress-nginx's CORS annotations; every value was validated against a strict pattern. */
function nginxCors(cors: Cors): Record<string, string> {
    return {
        "nginx.ingress.kubernetes.io/enable-cors": "true",
        "nginx.ingress.kubernetes.io/cors-allow-origin": cors.allowOrigins.join(", "),
        "nginx.ingress.kubernetes.io/cors-allow-methods": cors.allowMethods.join(", "),
        "nginx.ingress.kubernetes.io/cors-allow-headers": cors.allowHeaders.join(", "),
        "nginx.ingress.kubernetes.io/cors-allow-credentials": String(cors.allowCredentials),
    };
}

/**
 * The HAProxy Kubernetes Ingress Controller's annotations (`haproxy.org/*`, its documentation/annotations.md):
 * its redirect answers 302 unless told, so the code is set; several CORS origins are one
 * anchored regular expression, which it matches against the request's Origin.
 */
function haproxy(ing: IngressSpec): Record<string, string> {
    const a: Record<string, string> = { "haproxy.org/ssl-redirect": String(ing.httpsRedirect) };
    if (ing.httpsRedirect) a["haproxy.org/ssl-redirect-code"] = "301";
    if (ing.timeoutSeconds !== undefined) a["haproxy.org/timeout-server"] = `${ing.timeoutSeconds}s`;
    if (ing.cors) {
        const origins = ing.cors.allowOrigins;
        Object.assign(a, {
            "haproxy.org/cors-enable": "true",
            "haproxy.org/cors-allow-origin": origins.length === 1 ? origins[0] : `^(${origins.map(escapeRegex).join("|")})$`,
            "haproxy.org/cors-allow-methods": ing.cors.allowMethods.join(", "),
            "haproxy.org/cors-allow-headers": ing.cors.allowHeaders.join(", "),
            "haproxy.org/cors-allow-credentials": String(ing.cors.allowCredentials),
        });
    }
    return a;
}

function escapeRegex(s: string): string {
    return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
