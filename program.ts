import * as pulumi from "@pulumi/pulumi";
import { Delivery } from "./components/github/delivery";
import { Environment } from "./components/environment/environment";
import { Microservice } from "./components/service/microservice";
import { Claims, guardClaims } from "./components/service/claims";
import { createGateway } from "./components/exposure/gateway";
import { PlatformConfig } from "./config/types";
import { localRegistryHosts } from "./config/localRegistry";
import { LastUpdate } from "./components/lastUpdate";
import { byDigest, RegistryLookup } from "./components/images/lookup";
import { createCanaryWait } from "./components/service/canary/wait";
import { inClusterCanaries, inClusterCanary, statusImage } from "./config/inCluster";
import { PromotionGate } from "./components/images/promotion";
import { recordReleases, Release, Releases } from "./components/images/releases";
import { checkerReference, createVerification } from "./components/service/verification";
import { checksOverHttp, registryLookupsNeeded, verifiersOf } from "./config/resolve/verify";
import { canaryCallers, canaryOutput, CanaryOutput, heldRelease, releaseOf } from "./components/service/canary/release";

export interface ServiceOutputs {
    /** `http://<name>.<namespace>.svc.cluster.local[:port]` for a web service, `<host>:<port>` for a stateful one; none for a worker or cronjob, which have no Service. */
    readonly address?: pulumi.Output<string>;
    readonly url?: string;
    /** `kubectl port-forward --namespace <ns> service/<name> <port>:<servicePort>`, for a service with a Service: how a local stack (exposure none) is reached. */
    readonly portForward?: pulumi.Output<string>;
    readonly image: pulumi.Output<string>;
}

export interface PlatformOutputs {
    readonly namespace: pulumi.Output<string>;
    readonly services: Record<string, ServiceOutputs>;
    /** The URL of `environment.publicService`: what CI shows as the environment's URL. */
    readonly publicUrl?: string;
    /** Stateful services' claims, read back by the next update to refuse a change (components/service/claims.ts). */
    readonly claims?: pulumi.Output<Claims>;
    /** By service, the images it runs and ran before (components/images/releases.ts): what promotion and the soak gate read. */
    readonly releases: pulumi.Output<Releases>;
    /** While a driven release runs (`PLATFORM_CANARY`): its weight and each released service's new image; absent otherwise. */
    readonly canary?: pulumi.Output<CanaryOutput>;
}

/** Creates one environment and every service of the catalog in it. */
export function deployPlatform(config: PlatformConfig): PlatformOutputs {
    const env = config.environment;
    if (env.registry?.passwordSecret && !env.registry.password) {
        // Only a preview gets here (validation refuses an update without the password).
        void pulumi.log.warn(
            `registry credentials (${env.registry.passwordSecret}) are not set: this preview shows image builds and pulls without them; 'pulumi up' needs them`,
        );
    }
    const environment = new Environment(env.name, {
        environment: env,
        cluster: config.cluster,
        hasIngress: config.services.some((s) => s.ingress !== undefined),
    });
    createGateway(env.name, { environment: env, services: config.services, namespace: environment.namespace, labels: environment.labels }, { parent: environment, provider: environment.provider });
    const lastUpdate = new LastUpdate();
    const claims = guardClaims(config.services, config.acceptedClaimChanges, env.namespace, lastUpdate);
    const lookup = registryLookupsNeeded(config)
        ? new RegistryLookup(env.name, { registry: env.registry, dockerHost: config.dockerHost, localHosts: localRegistryHosts(env.registry?.server, config.services.map((svc) => svc.image.repository)) })
        : undefined;
    // A rollback that pins every image checks nothing against the source, and does not read it.
    const gated = env.promotion.from !== undefined && config.services.some((svc) => svc.image.rollback !== true);
    const gate = gated ? new PromotionGate({ ...env.promotion, from: env.promotion.from }, pulumi.getStack()) : undefined;
    const released: Record<string, pulumi.Output<Omit<Release, "since">>> = {};
    const services: Record<string, ServiceOutputs> = {};
    const selectors = new Map(config.services.map((svc) => [svc.name, svc.selector]));
    const microservices = new Map<string, Microservice>();
    const callers = canaryCallers(config.services, env);
    const releasing: Record<string, pulumi.Output<string>> = {};
    for (const svc of config.services) {
        const ms = new Microservice(
            svc.name,
            {
                service: svc,
                environment: env,
                namespace: environment.namespace,
                commonConfigMapName: environment.commonConfigMapName,
                imagePullSecretName: environment.imagePullSecretName,
                claims,
                selectors,
                lookup,
                gate,
                verifiers: verifiersOf(config.verification, svc.name),
                canaryCallers: callers,
                release: releaseOf(config.release, svc.name),
            },
            { providers: [environment.provider] },
        );
        microservices.set(svc.name, ms);
        services[svc.name] = { ...(ms.address ? { address: ms.address } : {}), url: ms.url, ...(ms.portForward ? { portForward: ms.portForward } : {}), image: ms.image };
        released[svc.name] = ms.release;
        if (ms.canaryImage) {
            releasing[svc.name] = ms.canaryImage;
            released[svc.name] = heldRelease(lastUpdate.output("releases"), svc.name, ms.release);
        }
    }
    const waits = waitForCanaries(config, { microservices, namespace: environment.namespace, imagePullSecret: environment.imagePullSecretName, lookup });
    verifyReleases(config, { microservices, waits, namespace: environment.namespace, imagePullSecret: environment.imagePullSecretName, lookup });
    const publicUrl = env.publicService ? services[env.publicService].url : undefined;
    deployDelivery(config, { NAMESPACE: environment.namespace, ...(publicUrl ? { PUBLIC_URL: publicUrl } : {}) });
    const releases = recordReleases(lastUpdate.output("releases"), released, config.releaseTime);
    const canary = canaryOutput(config, releasing);
    return { namespace: environment.namespace, services, ...(publicUrl ? { publicUrl } : {}), ...(claims ? { claims } : {}), releases, ...(canary ? { canary } : {}) };
}

interface Released {
    readonly microservices: ReadonlyMap<string, Microservice>;
    readonly namespace: pulumi.Input<string>;
    readonly imagePullSecret?: pulumi.Input<string>;
    readonly lookup?: RegistryLookup;
}

/** Each in-cluster canary's wait Job, in the service's component, by service: `pulumi up` waits through it for the canary's outcome. */
function waitForCanaries(config: PlatformConfig, args: Released): ReadonlyMap<string, pulumi.Resource> {
    const env = config.environment;
    const image = statusImage(config);
    const reference = image && byDigest(image, args.lookup);
    const waits = new Map<string, pulumi.Resource>();
    for (const svc of inClusterCanaries(config)) {
        const ms = args.microservices.get(svc.name)!;
        const job = createCanaryWait(
            svc.name,
            {
                service: svc,
                canary: inClusterCanary(svc, env)!,
                rollout: env.rollout,
                labelContext: { system: env.system, environment: env.name },
                namespace: args.namespace,
                rolloutResource: ms.workload,
                template: ms.podTemplate,
                statusImage: reference!,
                imagePullSecret: args.imagePullSecret,
            },
            { parent: ms },
        );
        waits.set(svc.name, job);
    }
    return waits;
}

/** Each service's checks, in a Job of the service's component, once every rollout they reach is done (an in-cluster canary's: its wait Job). */
function verifyReleases(config: PlatformConfig, args: Released & { readonly waits: ReadonlyMap<string, pulumi.Resource> }): void {
    const env = config.environment;
    const checkerImage = checksOverHttp(config) ? checkerReference(env.verify, args.lookup) : undefined;
    const of = (name: string) => args.microservices.get(name)!;
    for (const v of config.verification) {
        createVerification(
            v.service,
            {
                service: config.services.find((svc) => svc.name === v.service)!,
                verification: v,
                settings: env.verify,
                labelContext: { system: env.system, environment: env.name },
                namespace: args.namespace,
                images: Object.fromEntries(v.covers.map((name) => [name, of(name).image])),
                checkerImage,
                envFrom: of(v.service).envFrom,
                imagePullSecret: args.imagePullSecret,
                after: v.covers.map((name) => args.waits.get(name) ?? of(name).workload),
            },
            { parent: of(v.service) },
        );
    }
}

/** The stack's GitHub environment, when the stack names a repository; said once when it does not. */
function deployDelivery(config: PlatformConfig, variables: Record<string, pulumi.Input<string>>): void {
    if (!config.github) {
        void pulumi.log.info(`GitHub is not configured for this stack (no ${pulumi.getProject()}:github): managing Kubernetes only`);
        return;
    }
    new Delivery(config.environment.name, { github: config.github, variables, protect: config.environment.protect });
}
