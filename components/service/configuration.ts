import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import { EnvironmentConfig, ServiceConfig } from "../../config/types";
import { objectName, serviceResource } from "../../config/names/derive";
import { serviceConfigMapData } from "../../config/written";

export interface ServiceConfigurationArgs {
    readonly service: ServiceConfig;
    /** The External Secrets store, for `external` secrets. */
    readonly externalSecrets?: EnvironmentConfig["externalSecrets"];
    readonly namespace: pulumi.Input<string>;
    readonly labels: Record<string, string>;
}

/** The service's own ConfigMap and, when it has secrets, its Secret and the one the External Secrets Operator writes. */
export interface ServiceConfiguration {
    readonly configMapName: pulumi.Output<string>;
    readonly secretName?: pulumi.Output<string>;
    readonly externalSecretName?: string;
}

/**
 * Both objects are auto-named and immutable: a changed value creates a new object under a new
 * name, the Deployment's reference changes with it, and the pods roll onto the new values.
 */
export function createServiceConfiguration(name: string, args: ServiceConfigurationArgs, opts: pulumi.CustomResourceOptions): ServiceConfiguration {
    const svc = args.service;
    const configMap = new k8s.core.v1.ConfigMap(
        serviceResource.configMap(name),
        {
            metadata: { namespace: args.namespace, labels: args.labels },
            immutable: true,
            data: serviceConfigMapData(svc),
        },
        opts,
    );

    const externalSecretName = createExternalSecret(name, args, opts);
    const entries = Object.entries(svc.secrets).filter((e): e is [string, Exclude<typeof e[1], { external: unknown }>] => !("external" in e[1]));
    if (entries.length === 0) {
        return { configMapName: configMap.metadata.name, ...(externalSecretName ? { externalSecretName } : {}) };
    }
    const stringData: Record<string, pulumi.Output<string>> = {};
    for (const [envName, source] of entries) {
        if ("fromConfig" in source) {
            stringData[envName] = pulumi.secret(source.value);
        } else {
            const password = new random.RandomPassword(
                serviceResource.password(name, envName),
                { length: source.generate.length, special: false },
                { parent: opts.parent },
            );
            stringData[envName] = pulumi.secret(password.result);
        }
    }
    const secret = new k8s.core.v1.Secret(
        serviceResource.secret(name),
        {
            metadata: { namespace: args.namespace, labels: args.labels },
            type: "Opaque",
            immutable: true,
            stringData,
        },
        opts,
    );
    return { configMapName: configMap.metadata.name, secretName: secret.metadata.name, ...(externalSecretName ? { externalSecretName } : {}) };
}

/**
 * The service's `external` secrets, synchronised by the External Secrets Operator from the
 * stack's store into a Secret the operator owns (`<service>-external`); their values never pass
 * through Pulumi. `pulumi up` waits until the operator reports the Secret synchronised.
 */
function createExternalSecret(name: string, args: ServiceConfigurationArgs, opts: pulumi.CustomResourceOptions): string | undefined {
    const svc = args.service;
    const data = Object.entries(svc.secrets).flatMap(([secretKey, source]) =>
        "external" in source ? [{ secretKey, remoteRef: { key: source.external.key, ...(source.external.property !== undefined ? { property: source.external.property } : {}) } }] : [],
    );
    if (data.length === 0 || !args.externalSecrets) {
        return undefined;
    }
    const target = objectName.externalSecretTarget(svc.objectName);
    new k8s.apiextensions.CustomResource(
        serviceResource.externalSecret(name),
        {
            apiVersion: "external-secrets.io/v1",
            kind: "ExternalSecret",
            metadata: { name: svc.objectName, namespace: args.namespace, labels: args.labels, annotations: { "pulumi.com/waitFor": "condition=Ready" } },
            spec: {
                refreshInterval: args.externalSecrets.refreshInterval,
                secretStoreRef: { name: args.externalSecrets.store, kind: args.externalSecrets.storeKind },
                target: { name: target, creationPolicy: "Owner" },
                data,
            },
        },
        opts,
    );
    return target;
}
