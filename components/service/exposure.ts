import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { IngressDefaults, ServiceConfig } from "../../config/types";
import { CONTAINER_PORT_NAME } from "./podTemplate";

export interface ExposureArgs {
    readonly service: ServiceConfig;
    readonly namespace: pulumi.Input<string>;
    readonly labels: Record<string, string>;
    readonly selector: Record<string, string>;
    readonly ingress: IngressDefaults;
    /** How long `pulumi up` waits for each object (`pulumi.com/timeoutSeconds`), as for the Deployment. */
    readonly awaitTimeoutSeconds: number;
}

/**
 * A ClusterIP Service under the service's own name, so other services reach it by DNS
 * (`http://<name>`), and, when the catalog exposes it, a TLS Ingress. `pulumi up` waits for the
 * Service's endpoints and the Ingress's load balancer no longer than for the Deployment, not the
 * provider's default 10 minutes, so a release that cannot come up fails everywhere at once.
 */
export function createExposure(name: string, args: ExposureArgs, opts: pulumi.CustomResourceOptions): k8s.core.v1.Service {
    const svc = args.service;
    const wait = { "pulumi.com/timeoutSeconds": String(args.awaitTimeoutSeconds) };
    const service = new k8s.core.v1.Service(
        `${name}-service`,
        {
            metadata: { name: svc.name, namespace: args.namespace, labels: args.labels, annotations: wait },
            spec: {
                type: "ClusterIP",
                selector: args.selector,
                ports: [{ name: CONTAINER_PORT_NAME, port: svc.servicePort, targetPort: CONTAINER_PORT_NAME, protocol: "TCP" }],
            },
        },
        opts,
    );
    if (svc.ingress) {
        const ing = svc.ingress;
        new k8s.networking.v1.Ingress(
            `${name}-ingress`,
            {
                metadata: {
                    name: svc.name,
                    namespace: args.namespace,
                    labels: args.labels,
                    annotations: {
                        ...wait,
                        "cert-manager.io/cluster-issuer": args.ingress.clusterIssuer,
                        ...(ing.cors ? corsAnnotations(ing.cors) : {}),
                    },
                },
                spec: {
                    ingressClassName: args.ingress.className,
                    tls: [{ hosts: [ing.host], secretName: `${svc.name}-tls` }],
                    rules: [
                        {
                            host: ing.host,
                            http: {
                                paths: [
                                    {
                                        path: ing.path,
                                        pathType: "Prefix",
                                        backend: { service: { name: service.metadata.name, port: { name: CONTAINER_PORT_NAME } } },
                                    },
                                ],
                            },
                        },
                    ],
                },
            },
            opts,
        );
    }
    return service;
}

/** ingress-nginx's CORS annotations; every value was validated against a strict pattern. */
function corsAnnotations(cors: NonNullable<NonNullable<ServiceConfig["ingress"]>["cors"]>): Record<string, string> {
    return {
        "nginx.ingress.kubernetes.io/enable-cors": "true",
        "nginx.ingress.kubernetes.io/cors-allow-origin": cors.allowOrigins.join(", "),
        "nginx.ingress.kubernetes.io/cors-allow-methods": cors.allowMethods.join(", "),
        "nginx.ingress.kubernetes.io/cors-allow-headers": cors.allowHeaders.join(", "),
        "nginx.ingress.kubernetes.io/cors-allow-credentials": String(cors.allowCredentials),
    };
}
