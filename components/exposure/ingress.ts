import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { Cors, IngressDefaults, IngressSpec } from "../../config/types";
import { ExposedServiceArgs } from "./exposed";
import { objectName } from "../../config/names/derive";

export interface IngressArgs extends ExposedServiceArgs {
    readonly defaults: IngressDefaults;
    /** The Service and its port's name. */
    readonly backend: { readonly service: pulumi.Input<string>; readonly portName: string };
}

/**
 * A TLS Ingress (certificate from cert-manager's cluster issuer, secret `<name>-tls`) in the
 * annotation dialect of the controller the stack runs: CORS, the HTTPS redirect and the
 * response timeout mean the same on each.
 */
export function createIngress(resourceName: string, args: IngressArgs, opts: pulumi.CustomResourceOptions): k8s.networking.v1.Ingress {
    const ing = args.spec;
    const dialect = args.defaults.controller === "haproxy" ? haproxy(ing) : ingressNginx(ing);
    return new k8s.networking.v1.Ingress(
        resourceName,
        {
            metadata: {
                name: args.name,
                namespace: args.namespace,
                labels: args.labels,
                annotations: { ...args.annotations, "cert-manager.io/cluster-issuer": args.defaults.clusterIssuer, ...dialect },
            },
            spec: {
                ingressClassName: args.defaults.className,
                tls: [{ hosts: [ing.host], secretName: objectName.tlsSecret(args.name, ing) }],
                rules: [
                    {
                        host: ing.host,
                        http: {
                            paths: ing.paths.map((p) => ({
                                path: p.path,
                                pathType: p.pathType,
                                backend: { service: { name: args.backend.service, port: { name: args.backend.portName } } },
                            })),
                        },
                    },
                ],
            },
        },
        opts,
    );
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
