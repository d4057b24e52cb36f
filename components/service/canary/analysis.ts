import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { objectName, serviceResource } from "../../../config/names/derive";
import { QUERY_PLACEHOLDERS } from "../../../config/schema/canary";
import { ROLLOUT } from "../../../config/inCluster";
import { analysisWindow, CANARY_HASH_ARG, InClusterCanary } from "./steps";

/**
 * A query with our placeholders replaced. `{{canaryPods}}` becomes a regular expression of the
 * canary ReplicaSet's pod names, `<name>-<hash>-<suffix>`, whose hash is Argo's own
 * `{{args.canary-hash}}`, filled in by Argo when it runs the analysis.
 */
export function canaryQuery(query: string, namespace: string, service: string): string {
    const values: Record<string, string> = { namespace, service, canaryPods: `${service}-{{args.${CANARY_HASH_ARG}}}-[a-z0-9]+` };
    return QUERY_PLACEHOLDERS.reduce((q, p) => q.replaceAll(`{{${p}}}`, values[p]), query);
}

/** Restarts of the canary's containers, from kube-state-metrics. */
export const RESTARTS_QUERY = 'sum(kube_pod_container_status_restarts_total{namespace="{{namespace}}", pod=~"{{canaryPods}}"})';

/**
 * Argo's `successCondition` (expr language) for a result at or below `max`. A query that returns
 * nothing fails the measurement: no data is no evidence of health (a query that should pass
 * without data ends in `or vector(0)`), and so does NaN (a ratio with no requests).
 */
export function atMost(max: number): string {
    return `len(result) > 0 && result[0] <= ${max}`;
}

export interface AnalysisArgs {
    readonly canary: InClusterCanary;
    readonly windowSeconds: number;
    readonly name: string;
    readonly namespace: pulumi.Input<string>;
    /** The Service name and the Rollout's: what `{{service}}` means, and the canary pods' prefix. */
    readonly objectName: string;
    readonly labels: Record<string, string>;
}

/**
 * The AnalysisTemplate of one window of a service's canary: restarts (at most `maxRestarts`)
 * and, when the service has one, its query (at most `max`), each measured every interval, the
 * first after one interval, over the whole window; one failed measurement fails the step
 * (`failureLimit: 0`), and Argo aborts the rollout.
 */
export function createAnalysisTemplate(resourceName: string, args: AnalysisArgs, opts: pulumi.CustomResourceOptions): k8s.apiextensions.CustomResource {
    const { canary, settings } = args.canary;
    const w = analysisWindow(args.windowSeconds, settings.intervalSeconds);
    const metric = (name: string, query: string, max: number) =>
        pulumi.output(args.namespace).apply((ns) => ({
            name,
            interval: `${w.intervalSeconds}s`,
            initialDelay: `${w.intervalSeconds}s`,
            count: w.count,
            failureLimit: 0,
            successCondition: atMost(max),
            provider: { prometheus: { address: settings.prometheusUrl!, query: canaryQuery(query, ns, args.objectName) } },
        }));
    const metrics = [metric("restarts", RESTARTS_QUERY, canary.maxRestarts), ...(canary.prometheus ? [metric("query", canary.prometheus.query, canary.prometheus.max)] : [])];
    return new k8s.apiextensions.CustomResource(
        resourceName,
        {
            apiVersion: ROLLOUT.apiVersion,
            kind: "AnalysisTemplate",
            metadata: { name: args.name, namespace: args.namespace, labels: args.labels },
            spec: { args: [{ name: CANARY_HASH_ARG }], metrics },
        },
        opts,
    );
}

/** The AnalysisTemplates of a service's canary, one per distinct window, by window; none without a Prometheus. */
export function createAnalysisTemplates(
    name: string,
    c: InClusterCanary,
    windows: readonly number[],
    args: Omit<AnalysisArgs, "canary" | "windowSeconds" | "name">,
    opts: pulumi.CustomResourceOptions,
): Map<number, { readonly name: string; readonly resource: k8s.apiextensions.CustomResource }> {
    const templates = new Map<number, { readonly name: string; readonly resource: k8s.apiextensions.CustomResource }>();
    if (c.settings.prometheusUrl === undefined) return templates;
    for (const windowSeconds of windows) {
        const templateName = objectName.analysisTemplate(args.objectName, windowSeconds);
        const resource = createAnalysisTemplate(serviceResource.analysisTemplate(name, windowSeconds), { ...args, canary: c, windowSeconds, name: templateName }, opts);
        templates.set(windowSeconds, { name: templateName, resource });
    }
    return templates;
}
