import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { EnvironmentConfig, ServiceConfig } from "../../config/types";
import { METRICS_PORT_NAME } from "./podTemplate";
import { serviceResource } from "../../config/names/derive";

export interface MonitoringArgs {
    readonly service: ServiceConfig;
    readonly environment: EnvironmentConfig;
    readonly namespace: pulumi.Input<string>;
    readonly labels: Record<string, string>;
    readonly selector: Record<string, string>;
}

/**
 * Where the Prometheus Operator is installed (`environment.monitoring.operator`), a
 * ServiceMonitor for a service with `metrics` (a PodMonitor for a worker, which has no
 * Service); elsewhere the pods carry `prometheus.io/*` annotations instead (podTemplate.ts).
 */
export function createMonitor(name: string, args: MonitoringArgs, opts: pulumi.CustomResourceOptions): void {
    const svc = args.service;
    const monitoring = args.environment.monitoring;
    if (!svc.metrics || !monitoring.operator) {
        return;
    }
    const port = svc.metrics.port === svc.port ? svc.portName : METRICS_PORT_NAME;
    const endpoint = { port, path: svc.metrics.path, interval: svc.metrics.interval };
    const metadata = { name: svc.objectName, namespace: args.namespace, labels: { ...args.labels, ...monitoring.labels } };
    const selector = { matchLabels: args.selector };
    if (svc.kind === "worker") {
        new k8s.apiextensions.CustomResource(
            serviceResource.monitor(name, svc.kind),
            { apiVersion: "monitoring.coreos.com/v1", kind: "PodMonitor", metadata, spec: { selector, podMetricsEndpoints: [endpoint] } },
            opts,
        );
    } else {
        new k8s.apiextensions.CustomResource(
            serviceResource.monitor(name, svc.kind),
            { apiVersion: "monitoring.coreos.com/v1", kind: "ServiceMonitor", metadata, spec: { selector, endpoints: [endpoint] } },
            opts,
        );
    }
}
