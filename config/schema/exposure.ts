import { z } from "zod";
import * as f from "../formats";
import { GOT, map, object, oneOf, text } from "./fields";
import { DNS_LABEL } from "./pod";

/**
 * How a stack exposes its services: Ingresses for the controller the cluster runs, Gateway API
 * HTTPRoutes attached to a Gateway the platform team runs, or both for the one update that
 * moves a stack from the first to the second (docs/runbook.md, "Moving to Gateway API").
 */

export const EXPOSURE_MODES = ["ingress", "gateway", "both", "none"] as const;
export type ExposureMode = (typeof EXPOSURE_MODES)[number];

/** The Ingress controllers whose annotation dialect the program writes. */
export const INGRESS_CONTROLLERS = ["ingress-nginx", "haproxy"] as const;
export type IngressController = (typeof INGRESS_CONTROLLERS)[number];

export const exposure = oneOf(EXPOSURE_MODES)
    .default("ingress")
    .meta({
        description:
            "`ingress`: an Ingress per exposed service (`environment.ingress`); `gateway`: an HTTPRoute per exposed service, attached to `environment.gateway`; `both`: the two together, for the one update that moves a stack to Gateway API; `none`: no service is exposed (a local cluster: the `services` output gives each service's `kubectl port-forward` command instead, and `domain` is not needed).",
    });

export const ingress = object({
    controller: oneOf(INGRESS_CONTROLLERS)
        .default("ingress-nginx")
        .meta({
            description:
                "The controller whose annotations carry CORS, redirects and timeouts: `ingress-nginx` (end of maintenance since 2026-03-24; for clusters that still run it) or `haproxy` (the HAProxy Kubernetes Ingress Controller, `haproxy.org/*`).",
        }),
    className: text({ expected: "an IngressClass name such as 'nginx'", check: f.dnsLabel, pattern: DNS_LABEL }).default("nginx").meta({ description: "The IngressClass of every Ingress." }),
    clusterIssuer: text({ expected: "a cert-manager ClusterIssuer name such as 'letsencrypt-production'", check: f.dnsLabel, pattern: DNS_LABEL })
        .default("letsencrypt-production")
        .meta({ description: "The cert-manager ClusterIssuer that signs the Ingresses' certificates (and a created Gateway's)." }),
    controllerNamespace: text({ expected: "the ingress controller's namespace (DNS-1123 label)", check: f.dnsLabel, pattern: DNS_LABEL, example: "ingress-nginx" })
        .default("ingress-nginx")
        .meta({ description: "Where the ingress controller runs (admitted by exposed services' network policies)." }),
})
    .prefault({})
    .meta({ description: "The ingress controller and certificate issuer." });

const labels = map(text({ expected: "a label value", check: f.labelValue, example: "envoy" }), { check: f.labelKey, expected: "a label key", example: "app.kubernetes.io/name" });

export const gateway = object({
    name: text({ expected: "the Gateway's name (DNS-1123 subdomain)", check: f.dnsSubdomain })
        .optional()
        .meta({ description: "The Gateway routes attach to (required with `exposure: gateway` or `both`).", examples: ["public"] }),
    namespace: text({ expected: "the Gateway's namespace (DNS-1123 label)", check: f.dnsLabel, pattern: DNS_LABEL })
        .optional()
        .meta({ description: "Its namespace; default: the stack's namespace. Its `allowedRoutes` must admit routes from the stack's namespace.", examples: ["gateway-system"] }),
    listener: text({ expected: "a listener name (DNS-1123 subdomain)", check: f.dnsSubdomain, example: "https" })
        .default("https")
        .meta({ description: "The HTTPS listener services' routes attach to (`sectionName`); its certificate is the Gateway's own." }),
    httpListener: text({ expected: "a listener name (DNS-1123 subdomain)", check: f.dnsSubdomain })
        .optional()
        .meta({ description: "The Gateway's plain-HTTP listener, when it has one: each exposed host gets a route there that only redirects to HTTPS.", examples: ["http"] }),
    cors: oneOf(["headers", "filter"])
        .default("headers")
        .meta({
            description:
                "How CORS is expressed: `filter`, Gateway API's CORS filter (standard channel since Gateway API v1.5; for implementations that support it), or `headers`, static response headers (one allowed origin per service).",
        }),
    dataPlane: object({
        namespace: text({ expected: "a namespace (DNS-1123 label)", check: f.dnsLabel, pattern: DNS_LABEL, example: "envoy-gateway-system" })
            .optional()
            .meta({ description: "Where the Gateway's proxy pods run; default: the Gateway's namespace." }),
        podLabels: labels.optional().meta({ description: "Labels of the proxy pods, to admit only them.", examples: [{ "gateway.envoyproxy.io/owning-gateway-name": "public" }] }),
    })
        .prefault({})
        .meta({ description: "The Gateway's proxy pods: admitted by exposed services' network policies, and by nothing else." }),
    create: object({
        className: text({ expected: "a GatewayClass name", check: f.dnsSubdomain }).optional().meta({ description: "The GatewayClass (required).", examples: ["eg"] }),
    })
        .optional()
        .meta({
            description:
                "Create the Gateway in the stack's namespace (a Gateway for this stack alone, not a shared one): an HTTP listener, and an HTTPS listener per exposed host whose certificate cert-manager issues (`ingress.clusterIssuer`).",
        }),
})
    .superRefine((g, ctx) => {
        if (g.create && g.namespace !== undefined) {
            ctx.addIssue({ code: "custom", path: ["namespace"], message: `a Gateway the stack creates lives in the stack's own namespace; remove 'namespace' or 'create', got ${GOT}` });
        }
    })
    .optional()
    .meta({ description: "The Gateway API Gateway services' HTTPRoutes attach to (with `exposure: gateway` or `both`)." });

export type GatewaySettings = z.output<typeof gateway>;
