import { createHash } from "crypto";
import type { EnvironmentConfig, GatewayConfig, IngressSpec, Kind } from "../types";

/**
 * Every name the program gives: its Pulumi resources' names (a component's children are named
 * from the component's name) and the Kubernetes objects' names. The components take their names
 * from here, and so does the configuration check that refuses names that collide
 * (config/names/declared.ts), so the two cannot drift apart.
 */

/** The children of a service's component (platform:service:Microservice), from its name (the catalog name). */
export const serviceResource = {
    account: (name: string) => `${name}-sa`,
    role: (name: string) => `${name}-role`,
    roleBinding: (name: string) => `${name}-rolebinding`,
    image: (name: string) => `${name}-image`,
    configMap: (name: string) => `${name}-config`,
    secret: (name: string) => `${name}-secrets`,
    externalSecret: (name: string) => `${name}-external-secret`,
    /** The password generated for the secret variable `secret` (`B_C` -> `<name>-b-c`). */
    password: (name: string, secret: string) => `${name}-${secret.toLowerCase().replace(/_/g, "-")}`,
    /** The ConfigMap of a `files` volume. */
    files: (name: string, volume: string) => `${name}-files-${volume}`,
    workload: (name: string, kind: Kind) => `${name}-${kind === "cronjob" ? "cronjob" : kind === "stateful" ? "statefulset" : "deployment"}`,
    service: (name: string) => `${name}-service`,
    ingress: (name: string) => `${name}-ingress`,
    route: (name: string) => `${name}-route`,
    /** The route on the Gateway's HTTP listener that only redirects, from the route's name. */
    redirectRoute: (route: string) => `${route}-https-redirect`,
    autoscaler: (name: string) => `${name}-hpa`,
    disruptionBudget: (name: string) => `${name}-pdb`,
    networkPolicy: (name: string) => `${name}-netpol`,
    monitor: (name: string, kind: Kind) => `${name}-${kind === "worker" ? "podmonitor" : "servicemonitor"}`,
    /** The Job that runs the service's checks after its rollout (components/service/verification.ts). */
    verification: (name: string) => `${name}-verify`,
    /** What a driven canary's children are named from (`<name>-canary-deployment`, `-service`, `-netpol`: components/service/canary/). */
    canary: (name: string) => `${name}${CANARY_SUFFIX}`,
    /** An in-cluster canary's Argo Rollout, in place of the Deployment (components/service/canary/rollout.ts). */
    rollout: (name: string) => `${name}-rollout`,
    /** The AnalysisTemplate of one window length of an in-cluster canary (components/service/canary/analysis.ts). */
    analysisTemplate: (name: string, windowSeconds: number) => `${name}-analysis-${windowSeconds}s`,
    /** What an in-cluster canary's wait is named from: its Job, and its ServiceAccount, Role and RoleBinding (`-sa`, `-role`, `-rolebinding`; components/service/canary/wait.ts). */
    canaryWait: (name: string) => `${name}-canary-wait`,
} as const;

/** What a driven canary's objects add to the service's names. */
export const CANARY_SUFFIX = "-canary";

/** The children of the environment's component (platform:environment:Environment), from the environment's name. */
export const environmentResource = {
    provider: (name: string) => `${name}-k8s`,
    namespace: (name: string) => `${name}-namespace`,
    commonConfigMap: (name: string) => `${name}-common`,
    pullSecret: (name: string) => `${name}-registry`,
    defaultDeny: (name: string) => `${name}-default-deny`,
    acmeSolver: (name: string) => `${name}-acme-solver`,
    gateway: (name: string) => `${name}-gateway`,
} as const;

/** The children of the GitHub side's component (platform:github:Delivery), from the environment's name. */
export const deliveryResource = {
    provider: (name: string) => `${name}-github`,
    environment: (name: string) => `${name}-environment`,
    /**
     * Collapsing a pattern to a name loses characters ('release/*' and 'release-*' both give
     * 'release-'), so the name also carries a hash of the exact pattern: unique and stable.
     */
    deploymentPolicy: (name: string, kind: "branch" | "tag", pattern: string) =>
        `${name}-${kind}-${pattern.replace(/[^A-Za-z0-9]+/g, "-")}-${createHash("sha256").update(pattern).digest("hex").slice(0, 8)}`,
    secret: (name: string, secret: string) => `${name}-secret-${secret.toLowerCase()}`,
    variable: (name: string, variable: string) => `${name}-variable-${variable.toLowerCase()}`,
    repositorySecret: (name: string, secret: string) => `${name}-repository-secret-${secret.toLowerCase()}`,
    branchProtection: (name: string) => `${name}-branch-protection`,
} as const;

/** The program's own resources outside any component. */
export const stackResource = {
    /** The provider that looks image tags up in registries (components/images/lookup.ts), from its owner's name. */
    registryLookups: (name: string) => `${name}-registry-lookups`,
    lastUpdate: "last-update",
    promotionSource: "promotion-source",
} as const;

/** Kubernetes objects under names that are not a service's `objectName` itself. */
export const objectName = {
    /** The namespace's default-deny NetworkPolicy; in a shared namespace it covers the platform's pods only, and says whose. */
    defaultDeny: (env: Pick<EnvironmentConfig, "sharedNamespace" | "system">) => (env.sharedNamespace ? `${env.system}-default-deny-ingress` : "default-deny-ingress"),
    /** The NetworkPolicy that lets cert-manager's HTTP-01 solver be reached. */
    acmeSolver: (env: Pick<EnvironmentConfig, "sharedNamespace" | "system">) => (env.sharedNamespace ? `${env.system}-allow-acme-http01-solver` : "allow-acme-http01-solver"),
    /** The Secret cert-manager issues an exposed service's certificate into. */
    tlsSecret: (service: string, ingress: Pick<IngressSpec, "tlsSecretName">) => ingress.tlsSecretName ?? `${service}-tls`,
    /** The Secret the External Secrets Operator writes a service's `external` secrets into. */
    externalSecretTarget: (service: string) => `${service}-external`,
    /** The HTTPRoute on the Gateway's HTTP listener that redirects a service's host to HTTPS. */
    redirectRoute: (service: string) => `${service}-https-redirect`,
    /** The listener a service's route attaches to: the stack's HTTPS listener, or its own on a Gateway the stack creates. */
    httpsListener: (gateway: Pick<GatewayConfig, "create" | "listener">, service: string) => (gateway.create ? `https-${service}` : gateway.listener),
    /** The plain-HTTP listener of a Gateway the stack creates. */
    httpListener: (gateway: Pick<GatewayConfig, "httpListener">) => gateway.httpListener ?? "http",
    /** A driven canary's Deployment and Service, beside the service's own (components/service/canary/). */
    canary: (service: string) => `${service}${CANARY_SUFFIX}`,
    /** The AnalysisTemplate of an in-cluster canary's windows of this length. */
    analysisTemplate: (service: string, windowSeconds: number) => `${service}-canary-${windowSeconds}s`,
    /**
     * A service's verification Job, named per release: `<objectName>-verify-<release>`, where the
     * release is a digest of what the checks verify (a new release is a new Job; the same one keeps
     * its Job, which is not run again). The Job controller copies the name into a label, so it is
     * held to 63 characters: a long objectName is shortened, and the digest (of the service's name
     * too) keeps the names apart.
     */
    verificationJob: (service: string, release: string) => releaseJob(service, VERIFY_INFIX, release),
    /** An in-cluster canary's wait Job, `<objectName>-canary-<release>`, named per release of its Rollout and held to 63 characters like a verification Job. */
    canaryWaitJob: (service: string, release: string) => releaseJob(service, CANARY_WAIT_INFIX, release),
    /** The ServiceAccount, Role and RoleBinding of an in-cluster canary's wait Job. */
    canaryWait: (service: string) => `${service}${CANARY_SUFFIX}-wait`,
} as const;

/** `<service><infix><release>` in at most 63 characters: a long service name is shortened, the release digest never. */
function releaseJob(service: string, infix: string, release: string): string {
    return `${service.slice(0, 63 - infix.length - RELEASE_LENGTH).replace(/-+$/, "")}${infix}${release.slice(0, RELEASE_LENGTH)}`;
}

const VERIFY_INFIX = "-verify-";
const CANARY_WAIT_INFIX = `${CANARY_SUFFIX}-`;
/** Hexadecimal digits of the release digest in a verification Job's name. */
const RELEASE_LENGTH = 10;
