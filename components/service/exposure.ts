import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { IngressDefaults, ServiceConfig } from "../../config/types";
import { containerPortName } from "../../config/schema/kinds";
import { METRICS_PORT_NAME } from "./podTemplate";

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
 * A Service under the service's own name, so other services reach it by DNS (`http://<name>`):
 * a ClusterIP Service for a web service, a headless one for a stateful service (each pod is
 * `<name>-<n>.<name>`); none for workers and cronjobs. When the catalog exposes a web service,
 * a TLS Ingress too. `pulumi up` waits for the Service's endpoints and the Ingress's load
 * balancer no longer than for the workload, not the provider's default 10 minutes, so a
 * release that cannot come up fails everywhere at once.
 */
export function createExposure(name: string, args: ExposureArgs, opts: pulumi.CustomResourceOptions): k8s.core.v1.Service | undefined {
    const svc = args.service;
    if ((svc.kind !== "web" && svc.kind !== "stateful") || svc.port === undefined) {
        return undefined;
    }
    const wait = { "pulumi.com/timeoutSeconds": String(args.awaitTimeoutSeconds) };
    const portName = containerPortName(svc.kind);
    const ports = [{ name: portName, port: svc.servicePort, targetPort: portName, protocol: "TCP" }];
    // A ServiceMonitor scrapes a port of the Service by name.
    if (svc.metrics && svc.metrics.port !== svc.port) ports.push({ name: METRICS_PORT_NAME, port: svc.metrics.port, targetPort: METRICS_PORT_NAME, protocol: "TCP" });
    const service = new k8s.core.v1.Service(
        `${name}-service`,
        {
            metadata: { name: svc.name, namespace: args.namespace, labels: args.labels, annotations: wait },
            spec: {
                type: "ClusterIP",
                ...(svc.kind === "stateful" ? { clusterIP: "None" } : {}),
                selector: args.selector,
                ports,
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
                                paths: ing.paths.map((p) => ({
                                    path: p.path,
                                    pathType: p.pathType,
                                    backend: { service: { name: service.metadata.name, port: { name: portName } } },
                                })),
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
