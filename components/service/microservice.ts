import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { EnvironmentConfig, ServiceConfig } from "../../config/types";
import { selectorLabels, standardLabels } from "../labels";
import { digest } from "../digest";
import { createServiceConfiguration } from "./configuration";
import { createExposure } from "./exposure";
import { createServiceNetworkPolicy } from "./networkPolicy";
import { podTemplate } from "./podTemplate";
import { createScaling } from "./scaling";
import { serviceImage } from "./image";

export interface MicroserviceArgs {
    /** The service, validated and merged from the catalog and the stack. */
    readonly service: ServiceConfig;
    readonly environment: EnvironmentConfig;
    readonly namespace: pulumi.Input<string>;
    /** The environment's shared ConfigMap; read before the service's own settings. */
    readonly commonConfigMapName: pulumi.Input<string>;
    /** The environment's image pull Secret, when its registry has credentials. */
    readonly imagePullSecretName?: pulumi.Input<string>;
}

/**
 * One service of the catalog: ServiceAccount, ConfigMap, Secret, Deployment, Service, and as
 * configured an Ingress, autoscaler, disruption budget and network policy. Give it the
 * environment's provider through `providers`.
 */
export class Microservice extends pulumi.ComponentResource {
    public readonly deploymentName: pulumi.Output<string>;
    /** In-cluster address, `http://<name>.<namespace>.svc.cluster.local[:port]`. */
    public readonly address: pulumi.Output<string>;
    /** Public URL when the service has an Ingress. */
    public readonly url?: string;
    /** The image reference the Deployment runs (`repo@sha256:...` for built images). */
    public readonly image: pulumi.Output<string>;

    constructor(name: string, args: MicroserviceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:service:Microservice", name, {}, opts);
        const svc = args.service;
        const env = args.environment;
        const labelContext = { system: env.system, environment: env.name };
        const labels = standardLabels(labelContext, svc.name, svc.image.tag);
        const selector = selectorLabels(labelContext, svc.name);
        const namespace = args.namespace;
        const childOpts: pulumi.CustomResourceOptions = { parent: this };

        const account = new k8s.core.v1.ServiceAccount(
            `${name}-sa`,
            { metadata: { name: svc.name, namespace, labels }, automountServiceAccountToken: false },
            childOpts,
        );
        const registry = env.registry;
        this.image = serviceImage(
            name,
            {
                image: svc.image,
                build: svc.build,
                registry,
                registryPassword: registry?.password,
                buildOnPreview: env.buildOnPreview,
            },
            childOpts,
        );
        const configuration = createServiceConfiguration(name, { service: svc, namespace, labels }, childOpts);

        const deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            {
                metadata: {
                    name: svc.name,
                    namespace,
                    labels,
                    // How long `pulumi up` waits for the rollout (the provider's default is 10 minutes);
                    // a little longer than Kubernetes' deadline, so the failure reported is the rollout's.
                    annotations: { "pulumi.com/timeoutSeconds": String(env.rollout.awaitTimeoutSeconds) },
                },
                spec: {
                    // With an autoscaler the count is left unset, so `pulumi up` does not fight it.
                    ...(svc.autoscaling ? {} : { replicas: svc.replicas }),
                    revisionHistoryLimit: 10,
                    // A release that cannot become ready fails within the environment's deadline.
                    progressDeadlineSeconds: env.rollout.progressDeadlineSeconds,
                    selector: { matchLabels: selector },
                    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
                    template: podTemplate({
                        service: svc,
                        labels,
                        selector,
                        serviceAccountName: account.metadata.name,
                        image: this.image,
                        imagePullSecret: args.imagePullSecretName,
                        envFrom: { commonConfigMap: args.commonConfigMapName, configMap: configuration.configMapName, secret: configuration.secretName },
                        configDigest: digest({ ...prefixKeys("common.", env.commonEnv), ...prefixKeys("service.", svc.env) }),
                    }),
                },
            },
            childOpts,
        );
        this.deploymentName = deployment.metadata.name;

        const service = createExposure(
            name,
            { service: svc, namespace, labels, selector, ingress: env.ingress, awaitTimeoutSeconds: env.rollout.awaitTimeoutSeconds },
            childOpts,
        );
        createScaling(name, { service: svc, namespace, labels, selector, deploymentName: deployment.metadata.name }, childOpts);
        createServiceNetworkPolicy(
            name,
            { service: svc, namespace, labels, selector, labelContext, ingressControllerNamespace: env.ingress.controllerNamespace },
            childOpts,
        );

        const portSuffix = svc.servicePort === 80 ? "" : `:${svc.servicePort}`;
        this.address = pulumi.interpolate`http://${service.metadata.name}.${namespace}.svc.cluster.local${portSuffix}`;
        this.url = svc.ingress ? `https://${svc.ingress.host}${svc.ingress.path}` : undefined;
        this.registerOutputs({ deploymentName: this.deploymentName, address: this.address, url: this.url, image: this.image });
    }
}

function prefixKeys(prefix: string, data: Readonly<Record<string, string>>): Record<string, string> {
    return Object.fromEntries(Object.entries(data).map(([k, v]) => [prefix + k, v]));
}
