import * as pulumi from "@pulumi/pulumi";

/** CPU and memory, as Kubernetes quantities ("250m", "512Mi"). */
export interface ResourceAmounts {
    readonly cpu: string;
    readonly memory: string;
}

export interface Resources {
    readonly requests: ResourceAmounts;
    readonly limits: ResourceAmounts;
}

export interface Probes {
    readonly liveness: string;
    readonly readiness: string;
    readonly startup?: string;
}

export interface Autoscaling {
    readonly minReplicas: number;
    readonly maxReplicas: number;
    readonly targetCPUUtilization: number;
    readonly targetMemoryUtilization: number;
}

/** A disruption budget that always leaves room for a drain: exactly one of the two is set. */
export type DisruptionBudget = { readonly maxUnavailable: number } | { readonly minAvailable: number };

export interface Cors {
    readonly allowOrigins: readonly string[];
    readonly allowMethods: readonly string[];
    readonly allowHeaders: readonly string[];
    readonly allowCredentials: boolean;
}

export interface IngressSpec {
    readonly host: string;
    readonly path: string;
    readonly cors?: Cors;
}

/** The image a service runs. */
export interface ImageConfig {
    readonly repository: string;
    /** The tag deployed; undefined for a prebuilt image pinned by digest alone. */
    readonly tag?: string;
    /** A prebuilt image's digest from configuration; the Deployment then pins it. */
    readonly digest?: string;
    /** Every tag a build pushes, `tag` first; empty for prebuilt images. */
    readonly buildTags: readonly string[];
}

/** How to build a service's image from source (with @pulumi/docker-build). */
export interface BuildConfig {
    readonly context: string;
    readonly dockerfile?: string;
    readonly target?: string;
    readonly args: Readonly<Record<string, string>>;
    /** Target platforms; more than one makes a multi-architecture image. */
    readonly platforms: readonly string[];
}

/** Where a secret value comes from. */
export type SecretSource = { readonly fromConfig: string } | { readonly generate: { readonly length: number } };

/** One service, with the shared catalog and the stack's overrides merged and validated. */
export interface ServiceConfig {
    readonly name: string;
    readonly port: number;
    readonly servicePort: number;
    readonly image: ImageConfig;
    /** Set when the image is built from source and pushed to the environment's registry. */
    readonly build?: BuildConfig;
    readonly probes: Probes;
    readonly resources: Resources;
    /** Fixed replica count; undefined when an autoscaler owns the count. */
    readonly replicas?: number;
    readonly autoscaling?: Autoscaling;
    /** Undefined when at most one replica can run. */
    readonly disruptionBudget?: DisruptionBudget;
    readonly env: Readonly<Record<string, string>>;
    readonly secrets: Readonly<Record<string, SecretSource>>;
    /** Services of the catalog allowed to call this one. */
    readonly allowFrom: readonly string[];
    readonly ingress?: IngressSpec;
    readonly runAsUser: number;
}

export interface ClusterConfig {
    /** A kubeconfig context name; the kubeconfig itself comes from the usual places. */
    readonly context?: string;
    /** The secret config key that holds a whole kubeconfig. */
    readonly kubeconfigSecret?: string;
}

export interface IngressDefaults {
    readonly className: string;
    readonly clusterIssuer: string;
    readonly controllerNamespace: string;
}

/** The environment's container registry: where builds push and pods pull. */
export interface RegistryConfig {
    readonly server: string;
    /** Path under the server for built images: `<server>/<repositoryPrefix>/<service>`. */
    readonly repositoryPrefix?: string;
    readonly username?: string;
    /** The secret config key that holds the password or token. */
    readonly passwordSecret?: string;
    /** Use a registry layer cache (`<repository>:buildcache`) for builds. */
    readonly cache: boolean;
}

/** How long a rollout may take before it counts as failed. */
export interface RolloutConfig {
    /** Deployment `progressDeadlineSeconds`: Kubernetes marks the rollout failed after it. */
    readonly progressDeadlineSeconds: number;
    /** How long `pulumi up` waits for a Deployment (create/update custom timeout). */
    readonly awaitTimeoutSeconds: number;
}

export interface EnvironmentConfig {
    readonly name: string;
    readonly namespace: string;
    readonly domain: string;
    readonly system: string;
    readonly cluster: ClusterConfig;
    readonly ingress: IngressDefaults;
    /** Shared settings every service receives first (ENVIRONMENT, LOG_LEVEL, ...). */
    readonly commonEnv: Readonly<Record<string, string>>;
    readonly registry?: RegistryConfig;
    /** Build images during `pulumi preview` too (never pushed). */
    readonly buildOnPreview: boolean;
    readonly rollout: RolloutConfig;
}

/** The GitHub side of one environment: its deployment environment, protection and CI secrets. */
export interface GithubConfig {
    readonly owner: string;
    readonly repository: string;
    /** Secret config key with a GitHub token; without it the provider reads GITHUB_TOKEN. */
    readonly tokenSecret?: string;
    /** The GitHub environment: always the stack's environment name, so stacks never share one. */
    readonly environment: string;
    readonly reviewers: { readonly teams: readonly string[]; readonly users: readonly string[] };
    readonly preventSelfReview: boolean;
    readonly waitTimerMinutes: number;
    /** Branch and tag patterns deploys may come from; both empty: protected branches only. */
    readonly deployFrom: { readonly branches: readonly string[]; readonly tags: readonly string[] };
    /** Environment secret name -> secret config key. */
    readonly secrets: Readonly<Record<string, string>>;
    /** Extra plain environment variables (NAMESPACE and PUBLIC_URL are always set). */
    readonly variables: Readonly<Record<string, string>>;
    /** Repository-wide: set in exactly one stack. */
    readonly branchProtection?: { readonly branch: string; readonly requiredChecks: readonly string[]; readonly requiredApprovals: number };
    /** Repository secrets (for pull-request previews, which run outside any environment): same stack as branchProtection. */
    readonly repositorySecrets: Readonly<Record<string, string>>;
}

/** Everything the program needs, read and validated before any resource is created. */
export interface PlatformConfig {
    readonly environment: EnvironmentConfig;
    /** Undefined when the stack does not manage GitHub. */
    readonly github?: GithubConfig;
    readonly services: readonly ServiceConfig[];
    /** Secret config values by key, each a secret Output. */
    readonly secretValues: ReadonlyMap<string, pulumi.Output<string>>;
}
