import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { Cors, GatewayConfig } from "../../config/types";
import { objectName, serviceResource } from "../../config/names/derive";
import { ExposedServiceArgs } from "./exposed";

export const GATEWAY_API = "gateway.networking.k8s.io/v1";

export interface RouteArgs extends ExposedServiceArgs {
    readonly gateway: GatewayConfig;
    /** The Service and its port. */
    readonly backend: { readonly service: pulumi.Input<string>; readonly port: number };
    /** During a driven release: the canary's Service, which takes `weight` percent of the requests (the stable one the rest). */
    readonly canary?: CanaryBackend;
}

/** A driven canary's Service and its share of a route's traffic, in percent (config/canary.ts). */
export interface CanaryBackend {
    readonly service: pulumi.Input<string>;
    readonly weight: number;
}

/**
 * A Gateway API HTTPRoute for an exposed service, on the Gateway's HTTPS listener (whose
 * certificate terminates TLS), with the service's paths, CORS and timeout; and, when the
 * Gateway has a plain-HTTP listener, a route there that only redirects to HTTPS. `pulumi up`
 * waits until the Gateway has accepted each route.
 */
export function createRoutes(resourceName: string, args: RouteArgs, opts: pulumi.CustomResourceOptions): void {
    const g = args.gateway;
    const ing = args.spec;
    const parent = (sectionName: string) => ({ group: "gateway.networking.k8s.io", kind: "Gateway", name: g.name, namespace: g.namespace, sectionName });
    const annotations = {
        ...args.annotations,
        // The route is accepted by the Gateway it names (its allowedRoutes admit this namespace).
        "pulumi.com/waitFor": 'jsonpath={.status.parents[*].conditions[?(@.type=="Accepted")].status}=True',
    };
    const filters = ing.cors ? [corsFilter(ing.cors, g.cors)] : [];
    new k8s.apiextensions.CustomResource(
        resourceName,
        {
            apiVersion: GATEWAY_API,
            kind: "HTTPRoute",
            metadata: { name: args.name, namespace: args.namespace, labels: args.labels, annotations },
            spec: {
                parentRefs: [parent(objectName.httpsListener(g, args.name))],
                hostnames: [ing.host],
                rules: [
                    {
                        matches: ing.paths.map((p) => ({ path: { type: p.pathType === "Exact" ? "Exact" : "PathPrefix", value: p.path } })),
                        ...(filters.length > 0 ? { filters } : {}),
                        backendRefs: backendRefs(args),
                        ...(ing.timeoutSeconds !== undefined ? { timeouts: { request: `${ing.timeoutSeconds}s` } } : {}),
                    },
                ],
            },
        },
        opts,
    );
    if (g.httpListener !== undefined && ing.httpsRedirect) {
        new k8s.apiextensions.CustomResource(
            serviceResource.redirectRoute(resourceName),
            {
                apiVersion: GATEWAY_API,
                kind: "HTTPRoute",
                metadata: { name: objectName.redirectRoute(args.name), namespace: args.namespace, labels: args.labels, annotations },
                spec: {
                    parentRefs: [parent(g.httpListener)],
                    hostnames: [ing.host],
                    rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
                },
            },
            opts,
        );
    }
}

/** The stable Service alone, or during a driven release the stable and the canary Services weighted (Gateway API `backendRefs[].weight`, proportional). */
function backendRefs(args: RouteArgs): Record<string, unknown>[] {
    const stable = { name: args.backend.service, port: args.backend.port };
    if (!args.canary) return [stable];
    return [
        { ...stable, weight: 100 - args.canary.weight },
        { name: args.canary.service, port: args.backend.port, weight: args.canary.weight },
    ];
}

/**
 * CORS on a route: Gateway API's CORS filter, for implementations that support it, or static
 * response headers (one origin: configuration refuses several).
 */
function corsFilter(cors: Cors, how: "headers" | "filter"): Record<string, unknown> {
    if (how === "filter") {
        return {
            type: "CORS",
            cors: {
                allowOrigins: [...cors.allowOrigins],
                allowMethods: [...cors.allowMethods],
                allowHeaders: [...cors.allowHeaders],
                allowCredentials: cors.allowCredentials,
            },
        };
    }
    return {
        type: "ResponseHeaderModifier",
        responseHeaderModifier: {
            set: [
                { name: "Access-Control-Allow-Origin", value: cors.allowOrigins[0] },
                { name: "Access-Control-Allow-Methods", value: cors.allowMethods.join(", ") },
                { name: "Access-Control-Allow-Headers", value: cors.allowHeaders.join(", ") },
                ...(cors.allowCredentials ? [{ name: "Access-Control-Allow-Credentials", value: "true" }] : []),
                { name: "Vary", value: "Origin" },
            ],
        },
    };
}
