import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { EnvironmentConfig, ServiceConfig, VerifiedCall } from "../../config/types";
import { standardLabels } from "../labels";
import { digest } from "../digest";
import { createServiceConfiguration } from "./configuration";
import { createExposure } from "./exposure";
import { createMonitor } from "./monitoring";
import { createServiceNetworkPolicy, serviceIngressRules } from "./networkPolicy";
import { createCanary } from "./canary/canary";
import { hasDrivenCanary } from "../../config/canaryRelease";
import { envFromSources, podTemplate } from "./podTemplate";
import { createAccess } from "./rbac";
import { createScaling } from "./scaling";
import { serviceImage } from "./image";
import { RegistryLookup } from "../images/lookup";
import type { PromotionGate } from "../images/promotion";
import type { Release } from "../images/releases";
import { createVolumes } from "./volumes";
import { createWorkload, Workload } from "./workload";
import { exposurePeers } from "../exposure/peers";
import { Claims } from "./claims";
import { serviceResource } from "../../config/names/derive";
import { workloadType } from "../../config/inCluster";

export interface MicroserviceArgs {
    /** The service, validated and merged from the catalog and the stack. */
    readonly service: ServiceConfig;
    readonly environment: EnvironmentConfig;
    readonly namespace: pulumi.Input<string>;
    /** The environment's shared ConfigMap; read before the service's own settings. */
    readonly commonConfigMapName: pulumi.Input<string>;
    /** The environment's image pull Secret, when its registry has credentials. */
    readonly imagePullSecretName?: pulumi.Input<string>;
    /** The stack's claims, resolved once none changed since the last update (components/service/claims.ts). */
    readonly claims?: pulumi.Output<Claims>;
    /** Each service's selector labels, by catalog name: what this service's callers' pods carry (default: the platform's). */
    readonly selectors?: ReadonlyMap<string, Readonly<Record<string, string>>>;
    /** Looks up the digests of images named by tag (components/images/lookup.ts). */
    readonly lookup?: RegistryLookup;
    /** Lets through only images the promotion source ran (components/images/promotion.ts). */
    readonly gate?: PromotionGate;
    /** The verification Jobs that call this service, with the ports: its NetworkPolicy admits their pods (config/resolve/verify.ts). */
    readonly verifiers?: readonly VerifiedCall[];
    /** The canary pods' selectors of the callers with a driven canary, by catalog name: its NetworkPolicy admits them too. */
    readonly canaryCallers?: ReadonlyMap<string, Readonly<Record<string, string>>>;
    /**
     * A driven release of this service (`PLATFORM_CANARY`): the canary's share of traffic, and the
     * image the stable pods keep running (absent at promotion: they take the configured image too).
     */
    readonly release?: { readonly weight: number; readonly stable?: string };
}

/**
 * One service of the catalog, whatever its kind: ServiceAccount, ConfigMap, Secret, its
 * workload (a Deployment for `web` and `worker`, an Argo Rollout instead for an in-cluster
 * canary, a StatefulSet for `stateful`, a CronJob for `cronjob`), and as configured a Service, Ingress, autoscaler, disruption budget, network
 * policy, Role, monitor and ExternalSecret. Give it the environment's provider through `providers`.
 */
export class Microservice extends pulumi.ComponentResource {
    /** The name of the Deployment, StatefulSet or CronJob (or of the Argo Rollout of an in-cluster canary). */
    public readonly workloadName: pulumi.Output<string>;
    /** In-cluster address, `http://<name>.<namespace>.svc.cluster.local[:port]`; undefined for a service without a Service. */
    public readonly address?: pulumi.Output<string>;
    /** The `kubectl port-forward` command that reaches the service from the machine running it; undefined without a Service. */
    public readonly portForward?: pulumi.Output<string>;
    /** Public URL when the service has an Ingress. */
    public readonly url?: string;
    /** The image reference the workload runs: `repo@sha256:...` (during a driven release, the stable pods'). */
    public readonly image: pulumi.Output<string>;
    /** During a driven release, the image its canary runs: the one the stack configures. */
    public readonly canaryImage?: pulumi.Output<string>;
    /** What this update releases: the image, its tag and where the digest came from (the `releases` output). */
    public readonly release: pulumi.Output<Omit<Release, "since">>;
    /** The Deployment, StatefulSet, CronJob or Rollout: what a verification Job waits for (components/service/verification.ts). */
    public readonly workload: Workload;
    /** Where its containers read their environment; a command check runs with the same. */
    public readonly envFrom: k8s.types.input.core.v1.EnvFromSource[];
    /** The workload's pod template: what a release changes (an in-cluster canary's wait Job is named from it). */
    public readonly podTemplate: k8s.types.input.core.v1.PodTemplateSpec;

    constructor(name: string, args: MicroserviceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:service:Microservice", name, {}, opts);
        const svc = args.service;
        const env = args.environment;
        const labelContext = { system: env.system, environment: env.name };
        // The selector is the platform's, or the one an adopted workload keeps (immutable); the
        // pod template's labels always include it.
        const selector = { ...svc.selector };
        const labels = standardLabels(labelContext, svc.name, svc.image.tag);
        // A service with a driven canary keeps its version off its stable pods: a release's steps, which
        // keep the stable image while the stack names the new one, then leave those pods alone.
        const podLabels = hasDrivenCanary(svc, { mode: env.canary?.mode, exposure: env.exposure }) ? withoutVersion({ ...labels, ...selector }) : { ...labels, ...selector };
        const namespace = args.namespace;
        const childOpts: pulumi.CustomResourceOptions = { parent: this };
        // While a stack adopts a running system, the objects it takes over under fixed names are
        // protected: the engine refuses to replace or delete them (docs/migrating-from-kustomize.md).
        const fixedOpts: pulumi.CustomResourceOptions = env.adopt ? { ...childOpts, protect: true } : childOpts;

        const account = new k8s.core.v1.ServiceAccount(
            serviceResource.account(name),
            { metadata: { name: svc.objectName, namespace, labels }, automountServiceAccountToken: false },
            fixedOpts,
        );
        createAccess(name, { service: svc, namespace, labels, serviceAccountName: account.metadata.name }, fixedOpts);
        const registry = env.registry;
        const image = serviceImage(
            name,
            {
                image: svc.image,
                build: svc.build,
                registry,
                registryPassword: registry?.password,
                buildOnPreview: env.buildOnPreview,
                // Built on its own (not by the program), a service that needs a lookup brings its own.
                lookup: args.lookup ?? (!svc.build && !svc.image.digest ? new RegistryLookup(name, { registry }, childOpts) : undefined),
            },
            childOpts,
        );
        const configured = args.gate ? args.gate.admit(svc.name, image.reference, svc.image.rollback === true) : image.reference;
        const stable = args.release?.stable;
        // During a release the stable pods keep what production ran already: passed like a rollback's pin.
        this.image = stable !== undefined ? pulumi.output(stable) : configured;
        this.canaryImage = args.release ? configured : undefined;
        const tag = svc.image.tag;
        this.release =
            stable !== undefined
                ? pulumi.output({ image: stable, source: "rollback" as const })
                : this.image.apply((ref) => ({ image: ref, ...(tag !== undefined ? { tag } : {}), source: image.source }));
        const configuration = createServiceConfiguration(name, { service: svc, namespace, labels, externalSecrets: env.externalSecrets }, childOpts);
        const volumes = createVolumes(name, svc, { namespace, labels, selector }, childOpts);
        const envFrom = {
            commonConfigMap: args.commonConfigMapName,
            configMap: configuration.configMapName,
            secret: configuration.secretName,
            externalSecret: configuration.externalSecretName,
        };
        this.envFrom = envFromSources(svc, envFrom);

        const pod = {
            serviceAccountName: account.metadata.name,
            imagePullSecret: args.imagePullSecretName,
            envFrom,
            configDigest: digest({ ...prefixKeys("common.", env.commonEnv), ...prefixKeys("service.", svc.env) }),
            volumes,
            scrapeAnnotations: !env.monitoring.operator,
        };
        this.podTemplate = podTemplate({ ...pod, service: svc, labels: podLabels, selector, image: this.image });
        const workload = createWorkload(
            name,
            {
                service: svc,
                environment: env,
                namespace,
                labels,
                selector,
                volumes,
                claims: args.claims,
                template: this.podTemplate,
            },
            fixedOpts,
        );
        this.workload = workload;
        this.workloadName = workload.metadata.name;

        const policy = {
            service: svc,
            labelContext,
            selectors: args.selectors,
            exposurePeers: exposurePeers(env),
            monitoringNamespace: env.monitoring.namespace,
            verifiers: args.verifiers ?? [],
            canaryCallers: args.canaryCallers,
        };
        const canary =
            args.release &&
            createCanary(name, { service: svc, environment: env, namespace, labels, labelContext, image: configured, pod, volumes, ingressRules: serviceIngressRules(policy) }, childOpts);
        const service = createExposure(
            name,
            { service: svc, namespace, labels, selector, environment: env, ...(canary ? { canary: { service: canary.metadata.name, weight: args.release.weight } } : {}) },
            fixedOpts,
        );
        createScaling(name, { service: svc, namespace, labels, selector, workloadName: workload.metadata.name, workloadType: workloadType(svc, env) }, fixedOpts);
        createServiceNetworkPolicy(name, { ...policy, namespace, labels, selector }, fixedOpts);
        createMonitor(name, { service: svc, environment: env, namespace, labels, selector }, fixedOpts);

        const portSuffix = svc.servicePort === 80 ? "" : `:${svc.servicePort}`;
        // A web service is called over HTTP; a stateful one (a database, a broker) by host and port.
        const host = service && pulumi.interpolate`${service.metadata.name}.${namespace}.svc.cluster.local`;
        this.address = host && (svc.kind === "web" ? pulumi.interpolate`http://${host}${portSuffix}` : pulumi.interpolate`${host}:${svc.servicePort}`);
        this.url = svc.ingress ? `https://${svc.ingress.host}${svc.ingress.path}` : undefined;
        // From a laptop (a local stack exposes nothing): the container's port, forwarded to the Service's.
        this.portForward = service && pulumi.interpolate`kubectl port-forward --namespace ${namespace} service/${service.metadata.name} ${svc.port ?? svc.servicePort}:${svc.servicePort}`;
        this.registerOutputs({ workloadName: this.workloadName, address: this.address, url: this.url, portForward: this.portForward, image: this.image, canaryImage: this.canaryImage, workload: this.workload, envFrom: this.envFrom, podTemplate: this.podTemplate });
    }
}

function withoutVersion(labels: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(labels).filter(([k]) => k !== "app.kubernetes.io/version"));
}

function prefixKeys(prefix: string, data: Readonly<Record<string, string>>): Record<string, string> {
    return Object.fromEntries(Object.entries(data).map(([k, v]) => [prefix + k, v]));
}
