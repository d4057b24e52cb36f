import * as pulumi from "@pulumi/pulumi";
import { Delivery } from "./components/github/delivery";
import { Environment } from "./components/environment/environment";
import { Microservice } from "./components/service/microservice";
import { Claims, guardClaims } from "./components/service/claims";
import { createGateway } from "./components/exposure/gateway";
import { PlatformConfig } from "./config/types";

export interface ServiceOutputs {
    /** `http://<name>.<namespace>.svc.cluster.local[:port]` for a web service, `<host>:<port>` for a stateful one; none for a worker or cronjob, which have no Service. */
    readonly address?: pulumi.Output<string>;
    readonly url?: string;
    readonly image: pulumi.Output<string>;
}

export interface PlatformOutputs {
    readonly namespace: pulumi.Output<string>;
    readonly services: Record<string, ServiceOutputs>;
    /** The URL of `environment.publicService`: what CI shows as the environment's URL. */
    readonly publicUrl?: string;
    /** Stateful services' claims, read back by the next update to refuse a change (components/service/claims.ts). */
    readonly claims?: pulumi.Output<Claims>;
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
    const claims = guardClaims(config.services, config.acceptedClaimChanges, env.namespace);
    const services: Record<string, ServiceOutputs> = {};
    const selectors = new Map(config.services.map((svc) => [svc.name, svc.selector]));
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
            },
            { providers: [environment.provider] },
        );
        services[svc.name] = { ...(ms.address ? { address: ms.address } : {}), url: ms.url, image: ms.image };
    }
    const publicUrl = env.publicService ? services[env.publicService].url : undefined;
    deployDelivery(config, { NAMESPACE: environment.namespace, ...(publicUrl ? { PUBLIC_URL: publicUrl } : {}) });
    return { namespace: environment.namespace, services, ...(publicUrl ? { publicUrl } : {}), ...(claims ? { claims } : {}) };
}

/** The stack's GitHub environment, when the stack names a repository; said once when it does not. */
function deployDelivery(config: PlatformConfig, variables: Record<string, pulumi.Input<string>>): void {
    if (!config.github) {
        void pulumi.log.info(`GitHub is not configured for this stack (no ${pulumi.getProject()}:github): managing Kubernetes only`);
        return;
    }
    new Delivery(config.environment.name, { github: config.github, variables, protect: config.environment.protect });
}
