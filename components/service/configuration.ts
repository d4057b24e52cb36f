import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import { ServiceConfig } from "../../config/types";

export interface ServiceConfigurationArgs {
    readonly service: ServiceConfig;
    readonly namespace: pulumi.Input<string>;
    readonly labels: Record<string, string>;
}

/** The service's own ConfigMap and, when it has secrets, its Secret. */
export interface ServiceConfiguration {
    readonly configMapName: pulumi.Output<string>;
    readonly secretName?: pulumi.Output<string>;
}

/**
 * Both objects are auto-named and immutable: a changed value creates a new object under a new
 * name, the Deployment's reference changes with it, and the pods roll onto the new values.
 */
export function createServiceConfiguration(name: string, args: ServiceConfigurationArgs, opts: pulumi.CustomResourceOptions): ServiceConfiguration {
    const svc = args.service;
    const configMap = new k8s.core.v1.ConfigMap(
        `${name}-config`,
        {
            metadata: { namespace: args.namespace, labels: args.labels },
            immutable: true,
            data: { SERVICE_NAME: svc.name, PORT: String(svc.port), ...svc.env },
        },
        opts,
    );

    const entries = Object.entries(svc.secrets);
    if (entries.length === 0) {
        return { configMapName: configMap.metadata.name };
    }
    const stringData: Record<string, pulumi.Output<string>> = {};
    for (const [envName, source] of entries) {
        if ("fromConfig" in source) {
            stringData[envName] = pulumi.secret(source.value);
        } else {
            const password = new random.RandomPassword(
                `${name}-${envName.toLowerCase().replace(/_/g, "-")}`,
                { length: source.generate.length, special: false },
                { parent: opts.parent },
            );
            stringData[envName] = pulumi.secret(password.result);
        }
    }
    const secret = new k8s.core.v1.Secret(
        `${name}-secrets`,
        {
            metadata: { namespace: args.namespace, labels: args.labels },
            type: "Opaque",
            immutable: true,
            stringData,
        },
        opts,
    );
    return { configMapName: configMap.metadata.name, secretName: secret.metadata.name };
}
