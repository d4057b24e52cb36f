import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { EnvironmentConfig, ServiceConfig } from "../../config/types";
import { waitAnnotations } from "../../config/written";
import { createIngress } from "../exposure/ingress";
import { CanaryBackend, createRoutes } from "../exposure/route";
import { METRICS_PORT_NAME } from "./podTemplate";
import { serviceResource } from "../../config/names/derive";

export interface ExposureArgs {
    readonly service: ServiceConfig;
    readonly namespace: pulumi.Input<string>;
    readonly labels: Record<string, string>;
    readonly selector: Record<string, string>;
    /** How the stack exposes services (Ingress, Gateway routes or both), and how long `pulumi up` waits. */
    readonly environment: Pick<EnvironmentConfig, "exposure" | "ingress" | "gateway" | "rollout">;
    /** During a driven release: the canary's Service and its share of the route's traffic (components/service/canary/). */
    readonly canary?: CanaryBackend;
}

/**
 * A Service under the service's own name, so other services reach it by DNS (`http://<name>`):
 * a ClusterIP Service for a web service, a headless one for a stateful service (each pod is
 * `<name>-<n>.<name>`); none for workers and cronjobs. When the catalog exposes a web service,
 * an Ingress or a Gateway API HTTPRoute (or both), as the stack's `exposure` says. `pulumi up`
 * waits for the Service's endpoints and the Ingress's load balancer no longer than for the
 * workload, not the provider's default 10 minutes, so a release that cannot come up fails
 * everywhere at once.
 */
export function createExposure(name: string, args: ExposureArgs, opts: pulumi.CustomResourceOptions): k8s.core.v1.Service | undefined {
    const svc = args.service;
    if ((svc.kind !== "web" && svc.kind !== "stateful") || svc.port === undefined) {
        return undefined;
    }
    const env = args.environment;
    const wait = waitAnnotations(env.rollout.awaitTimeoutSeconds);
    const portName = svc.portName;
    const service = createClusterService(serviceResource.service(name), { service: svc, name: svc.objectName, namespace: args.namespace, labels: args.labels, selector: args.selector, annotations: wait }, opts);
    if (svc.ingress) {
        const common = { name: svc.objectName, namespace: args.namespace, labels: args.labels, spec: svc.ingress, annotations: wait };
        if (env.exposure !== "gateway") {
            createIngress(serviceResource.ingress(name), { ...common, defaults: env.ingress, backend: { service: service.metadata.name, portName } }, opts);
        }
        if (env.exposure !== "ingress" && env.gateway) {
            createRoutes(serviceResource.route(name), { ...common, gateway: env.gateway, backend: { service: service.metadata.name, port: svc.servicePort }, canary: args.canary }, opts);
        }
    }
    return service;
}

/**
 * The Service in front of a web or stateful service's pods (a headless one for stateful), by
 * port name; the metrics port too when it is another, since a ServiceMonitor scrapes a port of
 * the Service by name.
 */
export function createClusterService(
    resourceName: string,
    args: { readonly service: ServiceConfig; readonly name: string; readonly namespace: pulumi.Input<string>; readonly labels: Record<string, string>; readonly selector: Record<string, string>; readonly annotations: Record<string, string> },
    opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Service {
    const svc = args.service;
    const ports = [{ name: svc.portName, port: svc.servicePort, targetPort: svc.portName, protocol: "TCP" }];
    if (svc.metrics && svc.metrics.port !== svc.port) ports.push({ name: METRICS_PORT_NAME, port: svc.metrics.port, targetPort: METRICS_PORT_NAME, protocol: "TCP" });
    return new k8s.core.v1.Service(
        resourceName,
        {
            metadata: { name: args.name, namespace: args.namespace, labels: args.labels, annotations: args.annotations },
            spec: {
                type: "ClusterIP",
                ...(svc.kind === "stateful" ? { clusterIP: "None" } : {}),
                selector: args.selector,
                ports,
            },
        },
        opts,
    );
}
