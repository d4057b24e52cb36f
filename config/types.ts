import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import type { Environment } from "./schema/environment";
import type { Github } from "./schema/github";
import type { amounts, ServiceSettings } from "./schema/service";
import type { Kind } from "./schema/kinds";
import type { ExposureMode } from "./schema/exposure";

import type { CanaryConfig, CanaryRelease, CanarySettings } from "./canary";

export type { Kind };
export type { CanaryConfig, CanaryMode, CanarySettings, CanaryStep } from "./canary";

/**
 * What the program receives: the configuration merged, defaulted and checked. The shapes come
 * from the schema (config/schema/); only what resolution adds is spelled out here.
 */

type Settings<K extends keyof ServiceSettings> = NonNullable<ServiceSettings[K]>;

/** CPU and memory requests and limits, as Kubernetes quantities ("250m", "512Mi"). */
type Amounts = Readonly<Required<z.output<typeof amounts>>>;
export type Resources = { readonly requests: Amounts; readonly limits: Amounts };

/** What a probe does: exactly one action, on a port given by number or by the container port's name. */
export type ProbeAction =
    | { readonly http: { readonly path: string; readonly port: number | string } }
    | { readonly tcp: { readonly port: number | string } }
    | { readonly grpc: { readonly port: number; readonly service?: string } }
    | { readonly exec: { readonly command: readonly string[] } };

/** A probe with its timings resolved (defaults per probe: liveness 10 s, readiness and startup 5 s). */
export type Probe = ProbeAction & {
    readonly initialDelaySeconds?: number;
    readonly periodSeconds: number;
    readonly timeoutSeconds: number;
    readonly failureThreshold: number;
};
export type Probes = { readonly liveness?: Probe; readonly readiness?: Probe; readonly startup?: Probe };

export type Autoscaling = Readonly<Omit<Settings<"autoscaling">, "enabled" | "behavior" | "customMetrics">> & {
    readonly behavior?: Settings<"autoscaling">["behavior"];
    /** Per-pod custom metrics: name and target average value, by name. */
    readonly customMetrics?: readonly { readonly name: string; readonly averageValue: string }[];
};

/** Where a volume's content comes from: exactly one source. */
export type VolumeSource =
    | { readonly emptyDir: { readonly sizeLimit: string; readonly medium?: "Memory" } }
    | { readonly configMap: string }
    | { readonly secret: string }
    | { readonly files: Readonly<Record<string, string>> }
    | { readonly claim: { readonly size: string; readonly storageClass?: string; readonly accessMode: string; readonly labels?: Readonly<Record<string, string>> } }
    | { readonly existingClaim: string };

export type Volume = VolumeSource & { readonly name: string; readonly mountPath: string; readonly readOnly: boolean };

/** An init container or a native sidecar. */
export interface ExtraContainer {
    readonly name: string;
    readonly image: string;
    readonly command?: readonly string[];
    readonly args?: readonly string[];
    readonly env: Readonly<Record<string, string>>;
    readonly resources: Resources;
    readonly mounts: readonly { readonly volume: string; readonly mountPath: string }[];
}

/** A cronjob's schedule and run settings. */
export type JobSpec = Readonly<Required<Omit<NonNullable<Settings<"job">>, "activeDeadlineSeconds" | "ttlSecondsAfterFinished">>> & {
    readonly activeDeadlineSeconds?: number;
    readonly ttlSecondsAfterFinished?: number;
};

/** Prometheus scraping of the service. */
export interface MetricsSpec {
    readonly path: string;
    readonly port: number;
    readonly interval: string;
}

export interface RbacRule {
    readonly name: string;
    readonly apiGroups: readonly string[];
    readonly resources: readonly string[];
    readonly verbs: readonly string[];
    readonly resourceNames?: readonly string[];
    /** Why the service needs a rule that reaches past its own work (config/rbac.ts); set only on such a rule. */
    readonly acknowledge?: string;
}
/** A disruption budget that always leaves room for a drain: exactly one of the two is set. */
export type DisruptionBudget = { readonly maxUnavailable: number } | { readonly minAvailable: number };
export type Cors = Readonly<Required<NonNullable<Settings<"ingress">["cors"]>>>;

export interface IngressSpec {
    readonly host: string;
    /** The main path. */
    readonly path: string;
    /** How long the proxy waits for the service's response; undefined: the controller's or Gateway's default. */
    readonly timeoutSeconds?: number;
    /** Plain HTTP is redirected to HTTPS (301). */
    readonly httpsRedirect: boolean;
    /** The certificate's Secret when not `<objectName>-tls`. */
    readonly tlsSecretName?: string;
    /** Every path routed to the service, the main one first; the others with their key under `ingress.paths`. */
    readonly paths: readonly { readonly path: string; readonly pathType: "Prefix" | "Exact"; readonly name?: string }[];
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
    /** Pinned by a rollback to what an earlier version of this stack ran (`PLATFORM_PINNED_IMAGES`). */
    readonly rollback?: boolean;
}

/** How to build a service's image from source (with @pulumi/docker-build). */
export type BuildConfig = Readonly<Settings<"build"> & { readonly context: string; readonly args: Readonly<Record<string, string>> }>;

/** A secret variable's value: from a secret config key (the value, secret), generated by the program, or synchronised from an external store. */
export type SecretSource =
    | { readonly fromConfig: string; readonly value: pulumi.Output<string> }
    | { readonly generate: { readonly length: number } }
    | { readonly external: { readonly key: string; readonly property?: string } };

/** One service, with the shared catalog and the stack's overrides merged and validated. */
export interface ServiceConfig {
    readonly name: string;
    readonly kind: Kind;
    /** The port the main container listens on; undefined for a cronjob or a worker without one. */
    readonly port?: number;
    /** The Service's port (web and stateful). */
    readonly servicePort: number;
    readonly command?: readonly string[];
    readonly args?: readonly string[];
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
    /** Existing ConfigMaps and Secrets, not owned by the platform, read as environment. */
    readonly envFrom: { readonly configMaps: readonly string[]; readonly secrets: readonly string[] };
    readonly secrets: Readonly<Record<string, SecretSource>>;
    /** The main container's volumes, by name. */
    readonly volumes: readonly Volume[];
    readonly initContainers: readonly ExtraContainer[];
    readonly sidecars: readonly ExtraContainer[];
    /** Set for a cronjob. */
    readonly job?: JobSpec;
    readonly metrics?: MetricsSpec;
    /** The service account's permissions; its token is mounted only when there are some. */
    readonly rbac: readonly RbacRule[];
    /** Services of the catalog allowed to call this one (`*` expanded). */
    readonly allowFrom: readonly string[];
    /** Pods of other namespaces allowed to call it. */
    readonly allowFromNamespaces: readonly { readonly namespace: string; readonly podLabels: Readonly<Record<string, string>> }[];
    /** The main container's name. */
    readonly containerName: string;
    /** The name of its port on the container and the Service. */
    readonly portName: string;
    /** The name of its Kubernetes objects (the catalog name unless `objectName` says otherwise). */
    readonly objectName: string;
    /** The workload's selector labels: the platform's, or the ones an imported workload keeps. */
    readonly selector: Readonly<Record<string, string>>;
    readonly ingress?: IngressSpec;
    readonly runAsUser: number;
    /** Its canary releases in this stack (`canary`, when enabled): see config/canary.ts. */
    readonly canary?: CanaryConfig;
}

/** A check of a release (`verify`), resolved: a GET of a URL expecting a status, or a command in the service's image. */
export type VerifyCheck =
    | {
          readonly name: string;
          /** The service called (its catalog name), the URL through its Service, and the status expected. */
          readonly http: { readonly service: string; readonly url: string; readonly status: number };
      }
    | { readonly name: string; readonly command: readonly string[] };

/** A service the pods of a verification Job call, and its container ports they reach: what its NetworkPolicy admits. */
export interface VerifiedCall {
    readonly service: string;
    readonly ports: readonly number[];
}

/** One service's verification: its checks, run by one Job after the rollouts they reach. */
export interface ServiceVerification {
    /** The service that declares the checks (its catalog name); command checks run in its image. */
    readonly service: string;
    /** Its enabled checks, by name. */
    readonly checks: readonly VerifyCheck[];
    /**
     * The services whose release the checks verify, by name: this one, each one an HTTP check
     * calls, and every one those may call (their callees' `allowFrom` names them, transitively).
     * The Job waits for their rollouts, and its name carries their images.
     */
    readonly covers: readonly string[];
    /** The services the Job's pods call: HTTP checks' targets, and for command checks the service itself. */
    readonly calls: readonly VerifiedCall[];
}

/** How the checks run in a stack (`environment.verify`). */
export interface VerifySettings {
    /** The HTTP checker's image as configured: a repository with a tag and/or a digest. */
    readonly image: { readonly repository: string; readonly tag?: string; readonly digest?: string };
    /** The Job's `activeDeadlineSeconds`. */
    readonly timeoutSeconds: number;
    readonly backoffLimit: number;
}

/** Which cluster the stack's provider reaches: a kubeconfig context, or a whole kubeconfig (secret). */
export type ClusterConfig = { readonly context: string } | { readonly kubeconfig: pulumi.Output<string> };

export type IngressDefaults = Readonly<Environment["ingress"]>;

/** The Gateway a stack's HTTPRoutes attach to, its defaults resolved. */
export interface GatewayConfig {
    readonly name: string;
    readonly namespace: string;
    /** The HTTPS listener services' routes attach to (when the program creates the Gateway: one per host, `https-<service>`). */
    readonly listener: string;
    /** The plain-HTTP listener the redirect routes attach to, when the Gateway has one. */
    readonly httpListener?: string;
    readonly cors: "headers" | "filter";
    /** The proxy pods the network policies admit. */
    readonly dataPlane: { readonly namespace: string; readonly podLabels: Readonly<Record<string, string>> };
    /** Set when the stack creates the Gateway itself. */
    readonly create?: { readonly className: string };
}

/** The environment's container registry: where builds push and pods pull. */
export type RegistryConfig = Readonly<Omit<NonNullable<Environment["registry"]>, "passwordSecret">> & {
    /** The secret config key of the password, for messages. */
    readonly passwordSecret?: string;
    /** The password or token; undefined in a preview run without it. */
    readonly password?: pulumi.Output<string>;
};

/** How long a rollout may take before it counts as failed. */
export type RolloutConfig = Readonly<Required<Environment["rollout"]>>;

export interface EnvironmentConfig {
    readonly name: string;
    readonly namespace: string;
    /** Public hosts are under it; absent when nothing is exposed (`exposure: none`). */
    readonly domain?: string;
    readonly system: string;
    /** Ingresses, Gateway API routes, or both (for one update). */
    readonly exposure: ExposureMode;
    readonly ingress: IngressDefaults;
    /** Set when the exposure is `gateway` or `both`. */
    readonly gateway?: GatewayConfig;
    /** Shared settings every service receives first (ENVIRONMENT, LOG_LEVEL, ...). */
    readonly commonEnv: Readonly<Record<string, string>>;
    readonly registry?: RegistryConfig;
    /** Build images during `pulumi preview` too (never pushed). */
    readonly buildOnPreview: boolean;
    /** The service whose URL is the environment's public URL; undefined when none is exposed. */
    readonly publicService?: string;
    readonly rollout: RolloutConfig;
    readonly monitoring: Readonly<Omit<Environment["monitoring"], "labels">> & { readonly labels: Readonly<Record<string, string>> };
    /** The namespace exists and is shared: never created, labelled or deleted by the platform. */
    readonly sharedNamespace: boolean;
    /** This update takes over existing objects of the same names (and protects them). */
    readonly adopt: boolean;
    /** Protect what losing would lose data or access. */
    readonly protect: boolean;
    /** The External Secrets Operator store, when the stack names one. */
    readonly externalSecrets?: Readonly<Omit<NonNullable<Environment["externalSecrets"]>, "store">> & { readonly store: string };
    /** The stack whose releases this one's images must come from, and the services let through anyway. */
    readonly promotion: PromotionConfig;
    /** How the services' checks run. */
    readonly verify: VerifySettings;
    /** How this stack runs canary releases (`environment.canary`); set when a service has one enabled. */
    readonly canary?: CanarySettings;
}

export interface PromotionConfig {
    /** The source stack, fully qualified (`<organization>/<project>/<stack>`); absent: no gate. */
    readonly from?: string;
    /** Service -> why it may run an image the source stack never ran. */
    readonly exceptions: Readonly<Record<string, string>>;
    /** How long the source must have run an image before CI's soak gate deploys it here (`24h`); absent without `promotion`. */
    readonly soak?: string;
}

/** The GitHub side of one environment: its deployment environment, protection and CI secrets. */
export type GithubConfig = Readonly<Omit<Github, "tokenSecret" | "secrets" | "repositorySecrets" | "preventSelfReview">> & {
    /** A GitHub token; without it the provider reads GITHUB_TOKEN. */
    readonly token?: pulumi.Output<string>;
    /** The GitHub environment: always the stack's environment name, so stacks never share one. */
    readonly environment: string;
    readonly preventSelfReview: boolean;
    /** Environment secret name -> value. */
    readonly secrets: Readonly<Record<string, pulumi.Output<string>>>;
    /** Repository secret name -> value (for pull-request previews): same stack as branchProtection. */
    readonly repositorySecrets: Readonly<Record<string, pulumi.Output<string>>>;
};

/** Everything the program needs, read and validated before any resource is created. */
export interface PlatformConfig {
    readonly environment: EnvironmentConfig;
    /** Only the provider reads it: how to reach the cluster. */
    readonly cluster: ClusterConfig;
    /** Undefined when the stack does not manage GitHub. */
    readonly github?: GithubConfig;
    readonly services: readonly ServiceConfig[];
    /** The services' checks, one entry per service with any, in the services' order; none when the stack turns verification off. */
    readonly verification: readonly ServiceVerification[];
    /** `<service>/<volume>` claims whose change this one run accepts (components/service/claims.ts). */
    readonly acceptedClaimChanges: readonly string[];
    /** When this update releases its images (`PLATFORM_RELEASE_TIME`, set by the deploy); absent outside it. */
    readonly releaseTime?: string;
    /** Where @pulumi/docker's provider finds a Docker daemon (`DOCKER_HOST`); default: the local socket. */
    readonly dockerHost?: string;
    /** What works on some clusters only (a port below 1024), each with its key path: said at every run, not refused. */
    readonly warnings: readonly string[];
    /** Where a driven canary release stands (`PLATFORM_CANARY`, config/canaryRelease.ts); absent outside a release. */
    readonly release?: CanaryRelease;
}

