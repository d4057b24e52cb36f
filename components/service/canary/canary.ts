import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { EnvironmentConfig, ServiceConfig } from "../../../config/types";
import { objectName, serviceResource } from "../../../config/names/derive";
import { waitAnnotations } from "../../../config/written";
import { canaryPodLabels, canarySelector, CANARY_COMPONENT, LabelContext } from "../../labels";
import { createClusterService } from "../exposure";
import { podTemplate, PodTemplateArgs } from "../podTemplate";
import { createWorkload } from "../workload";
import { PodVolumes } from "../volumes";

export interface CanaryArgs {
    /** The service, with its driven canary (`canary`) set. */
    readonly service: ServiceConfig;
    readonly environment: EnvironmentConfig;
    readonly namespace: pulumi.Input<string>;
    /** The service's own labels: the canary's objects carry them, its pods do not (canaryPodLabels). */
    readonly labels: Record<string, string>;
    readonly labelContext: LabelContext;
    /** The image being released: what the stack configures, admitted by the promotion gate. */
    readonly image: pulumi.Input<string>;
    /** The stable pods' template settings, the canary's the same but for its image, labels and selector. */
    readonly pod: Omit<PodTemplateArgs, "service" | "labels" | "selector" | "image">;
    readonly volumes: PodVolumes;
    /** The stable pods' NetworkPolicy rules (serviceIngressRules): the canary's pods are reached the same way. */
    readonly ingressRules: k8s.types.input.networking.v1.NetworkPolicyIngressRule[];
}

/**
 * A driven canary (config/canary.ts, docs/canary-driven.md): `<objectName>-canary`, a Deployment
 * of `canary.replicas` pods running the image being released with the stable pods' template
 * otherwise (security, probes, environment, volumes), its own Service, and a NetworkPolicy with
 * the stable pods' rules. Its pods carry canarySelector, not the service's selector: the stable
 * Service does not route to them, and the HTTPRoute sends them the release's share of traffic
 * through the canary's Service. Declared only while a release runs; no Ingress, certificate or
 * listener: it shares the stable route's host and TLS.
 */
export function createCanary(name: string, args: CanaryArgs, opts: pulumi.CustomResourceOptions): k8s.core.v1.Service {
    const svc = args.service;
    const canary = svc.canary!;
    const childName = serviceResource.canary(name);
    const canaryName = objectName.canary(svc.objectName);
    const selector = canarySelector(args.labelContext, svc.name);
    const podLabels = canaryPodLabels(args.labelContext, svc.name, svc.image.tag);
    if (Object.entries(svc.selector).every(([k, v]) => podLabels[k] === v)) {
        // Refused by the configuration first (config/resolve/canary.ts): a selector made only of labels the canary's pods carry would let the stable Service route to them.
        throw new Error(`${svc.name}: the service's selector ${JSON.stringify(svc.selector)} would select its canary's pods; a driven canary needs a selector with app.kubernetes.io/name`);
    }
    const labels = { ...args.labels, "app.kubernetes.io/component": CANARY_COMPONENT, "app.kubernetes.io/instance": svc.name };
    // The same service at the canary's name and size: a fixed count, no autoscaler.
    const shape: ServiceConfig = { ...svc, objectName: canaryName, replicas: canary.replicas, autoscaling: undefined };
    createWorkload(
        childName,
        {
            service: shape,
            environment: args.environment,
            namespace: args.namespace,
            labels,
            selector,
            volumes: args.volumes,
            template: podTemplate({ ...args.pod, service: shape, labels: podLabels, selector, image: args.image }),
        },
        opts,
    );
    const service = createClusterService(
        serviceResource.service(childName),
        { service: svc, name: canaryName, namespace: args.namespace, labels, selector, annotations: waitAnnotations(args.environment.rollout.awaitTimeoutSeconds) },
        opts,
    );
    if (args.ingressRules.length > 0) {
        new k8s.networking.v1.NetworkPolicy(
            serviceResource.networkPolicy(childName),
            {
                metadata: { name: canaryName, namespace: args.namespace, labels },
                spec: { podSelector: { matchLabels: selector }, policyTypes: ["Ingress"], ingress: args.ingressRules },
            },
            opts,
        );
    }
    return service;
}
