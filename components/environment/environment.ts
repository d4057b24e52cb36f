import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ClusterConfig, EnvironmentConfig } from "../../config/types";
import { standardLabels } from "../labels";
import { exposurePeers } from "../exposure/peers";
import { environmentResource, objectName } from "../../config/names/derive";

export interface EnvironmentArgs {
    /** The validated environment settings of this stack. */
    readonly environment: EnvironmentConfig;
    /** How the provider reaches the cluster: a context, or a whole kubeconfig (secret). */
    readonly cluster: ClusterConfig;
    /** Some service has a TLS Ingress, so cert-manager's HTTP-01 solver must be reachable. */
    readonly hasIngress: boolean;
}

/** The label cert-manager puts on its HTTP-01 solver pods, and the port they listen on. */
export const ACME_SOLVER = { label: "acme.cert-manager.io/http01-solver", port: 8089 } as const;

/**
 * What one stack owns in its cluster: the explicit provider every resource uses, the
 * namespace (Pod Security `restricted`), the shared configuration, and a default-deny
 * ingress policy that services open up one caller at a time.
 */
export class Environment extends pulumi.ComponentResource {
    /** The provider bound to this stack's cluster; pass it to every Kubernetes resource. */
    public readonly provider: k8s.Provider;
    public readonly namespace: pulumi.Output<string>;
    public readonly commonConfigMapName: pulumi.Output<string>;
    /** The image pull Secret for the environment's registry, when it has credentials. */
    public readonly imagePullSecretName?: pulumi.Output<string>;
    /** The labels of the stack's own objects. */
    public readonly labels: Record<string, string>;

    constructor(name: string, args: EnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:environment:Environment", name, {}, opts);
        const env = args.environment;
        const labels = standardLabels({ system: env.system, environment: env.name }, env.system);
        this.labels = labels;

        // An explicit provider: a stack can only reach the cluster its own config names.
        this.provider = new k8s.Provider(
            environmentResource.provider(name),
            {
                ...("context" in args.cluster ? { context: args.cluster.context } : { kubeconfig: args.cluster.kubeconfig }),
                // Adoption: a create of an object that exists updates it, for the updates that adopt
                // only (left on, a rename would create then delete the same object: provider.d.ts).
                // Changing it updates the provider in place; only a new cluster replaces one.
                ...(env.adopt ? { upsertExistingObjects: true } : {}),
            },
            { parent: this },
        );
        const childOpts = { parent: this, provider: this.provider };
        // Objects under fixed names may exist already while a stack adopts a running system: protected then.
        const fixedOpts = env.adopt ? { ...childOpts, protect: true } : childOpts;

        if (env.sharedNamespace) {
            // Others' namespace: used, never created, labelled or deleted.
            this.namespace = pulumi.output(env.namespace);
        } else {
            const ns = new k8s.core.v1.Namespace(
                environmentResource.namespace(name),
                {
                    metadata: {
                        name: env.namespace,
                        labels: {
                            ...labels,
                            "pod-security.kubernetes.io/enforce": "restricted",
                            "pod-security.kubernetes.io/enforce-version": "latest",
                            "pod-security.kubernetes.io/audit": "restricted",
                            "pod-security.kubernetes.io/warn": "restricted",
                        },
                    },
                },
                // Deleting the namespace deletes everything in it: protected where the stack asks,
                // and kept in the cluster if the program ever stops declaring it.
                { ...childOpts, ...(env.protect || env.adopt ? { protect: true } : {}), ...(env.protect ? { retainOnDelete: true } : {}) },
            );
            this.namespace = ns.metadata.name;
        }

        // Auto-named and immutable: a change creates a new ConfigMap, whose new name rolls the pods.
        const common = new k8s.core.v1.ConfigMap(
            environmentResource.commonConfigMap(name),
            {
                metadata: { namespace: this.namespace, labels },
                immutable: true,
                data: env.commonEnv,
            },
            childOpts,
        );
        this.commonConfigMapName = common.metadata.name;

        const registry = env.registry;
        if (registry?.username && registry.password) {
            // The credentials builds push with also pull; auto-named, so a new token rolls the pods.
            const pullSecret = new k8s.core.v1.Secret(
                environmentResource.pullSecret(name),
                {
                    metadata: { namespace: this.namespace, labels },
                    type: "kubernetes.io/dockerconfigjson",
                    immutable: true,
                    stringData: {
                        ".dockerconfigjson": pulumi.secret(registry.password.apply((password: string) => dockerConfigJson(registry.server, registry.username!, password))),
                    },
                },
                childOpts,
            );
            this.imagePullSecretName = pullSecret.metadata.name;
        }

        // Nothing reaches a pod unless a service's own policy admits it. In a shared namespace the
        // policy is the platform's pods' only (its name says whose), leaving others' workloads be.
        new k8s.networking.v1.NetworkPolicy(
            environmentResource.defaultDeny(name),
            {
                metadata: { name: objectName.defaultDeny(env), namespace: this.namespace, labels },
                spec: { podSelector: env.sharedNamespace ? { matchLabels: platformPods(env.system) } : {}, policyTypes: ["Ingress"] },
            },
            fixedOpts,
        );
        if (args.hasIngress) {
            // cert-manager answers Let's Encrypt's HTTP-01 challenge from a solver pod in this
            // namespace, behind the ingress controller or the Gateway; without this the certificate never issues.
            new k8s.networking.v1.NetworkPolicy(
                environmentResource.acmeSolver(name),
                {
                    metadata: { name: objectName.acmeSolver(env), namespace: this.namespace, labels },
                    spec: {
                        podSelector: { matchLabels: { [ACME_SOLVER.label]: "true" } },
                        policyTypes: ["Ingress"],
                        ingress: [
                            {
                                from: exposurePeers(env),
                                ports: [{ port: ACME_SOLVER.port, protocol: "TCP" }],
                            },
                        ],
                    },
                },
                fixedOpts,
            );
        }

        this.registerOutputs({
            provider: this.provider,
            namespace: this.namespace,
            commonConfigMapName: this.commonConfigMapName,
            imagePullSecretName: this.imagePullSecretName,
        });
    }
}

/** The labels every pod of this platform's services carries (components/labels.ts), whatever its selector. */
export function platformPods(system: string): Record<string, string> {
    return { "app.kubernetes.io/part-of": system, "app.kubernetes.io/managed-by": "pulumi" };
}

/**
 * The `.dockerconfigjson` of an image pull Secret for one registry. Docker Hub's credentials
 * live under its historical key, which is the one the kubelet looks up for docker.io images.
 */
export function dockerConfigJson(server: string, username: string, password: string): string {
    const key = server === "docker.io" || server === "index.docker.io" ? "https://index.docker.io/v1/" : server;
    const auth = Buffer.from(`${username}:${password}`).toString("base64");
    return JSON.stringify({ auths: { [key]: { username, password, auth } } });
}
