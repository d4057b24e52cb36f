import * as pulumi from "@pulumi/pulumi";
import { Environment } from "./components/platform/environment";
import { Microservice } from "./components/service/microservice";
import { PlatformConfig } from "./config/types";

export interface ServiceOutputs {
    readonly address: pulumi.Output<string>;
    readonly url?: string;
    readonly image: pulumi.Output<string>;
}

export interface PlatformOutputs {
    readonly namespace: pulumi.Output<string>;
    readonly services: Record<string, ServiceOutputs>;
}

/** Creates one environment and every service of the catalog in it. */
export function deployPlatform(config: PlatformConfig): PlatformOutputs {
    const env = config.environment;
    if (env.registry?.passwordSecret && !config.secretValues.has(env.registry.passwordSecret)) {
        // Only a preview gets here (validation refuses an update without the password).
        void pulumi.log.warn(
            `registry credentials (${env.registry.passwordSecret}) are not set: this preview shows image builds and pulls without them; 'pulumi up' needs them`,
        );
    }
    const environment = new Environment(env.name, {
        environment: env,
        kubeconfig: env.cluster.kubeconfigSecret ? config.secretValues.get(env.cluster.kubeconfigSecret) : undefined,
        registryPassword: env.registry?.passwordSecret ? config.secretValues.get(env.registry.passwordSecret) : undefined,
    });
    const services: Record<string, ServiceOutputs> = {};
    for (const svc of config.services) {
        const ms = new Microservice(
            svc.name,
            {
                service: svc,
                environment: env,
                namespace: environment.namespace,
                commonConfigMapName: environment.commonConfigMapName,
                secretValues: config.secretValues,
                imagePullSecretName: environment.imagePullSecretName,
            },
            { providers: [environment.provider] },
        );
        services[svc.name] = { address: ms.address, url: ms.url, image: ms.image };
    }
    return { namespace: environment.namespace, services };
}
