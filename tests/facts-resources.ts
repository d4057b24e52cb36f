import { stacksOf } from "../tools/harness/stackFiles";
import { catalogOf, PROJECT, REPO, stackConfig } from "./support";

/**
 * What a repo stack's configuration says about its objects, read from the raw configuration
 * (Pulumi.yaml's catalog and Pulumi.<stack>.yaml's environment) by the rules
 * docs/architecture.md states, not by the program's own resolver, so that a test built on
 * these facts holds for any catalog and any stack without naming them.
 */

/** The repository's stacks: one per Pulumi.<stack>.yaml. */
export const REPO_STACKS: readonly string[] = stacksOf(REPO);

const isObject = (v: unknown): v is Record<string, any> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Leaf-by-leaf merge: later layers win, objects merge, arrays and scalars replace. */
function merge(...layers: unknown[]): any {
    let out: any = undefined;
    for (const layer of layers) {
        if (layer === undefined) continue;
        if (isObject(layer)) {
            const next: Record<string, any> = isObject(out) ? { ...out } : {};
            for (const [k, v] of Object.entries(layer)) next[k] = merge(next[k], v);
            out = next;
        } else {
            out = layer;
        }
    }
    return out;
}

export interface StackFacts {
    stack: string;
    namespace: string;
    domain: string;
    tag: string;
    logLevel: string;
    issuer: string;
    /** How long `pulumi up` waits for each rollout object: rollout.awaitTimeoutSeconds, else the progress deadline plus 60 s. */
    wait: string;
    telemetryEndpoint: string;
    commonEnv: Record<string, string>;
    publicService?: string;
    services: Record<string, ServiceFacts>;
}

export interface ServiceFacts {
    port: number;
    env: Record<string, string>;
    hasSecrets: boolean;
    allowFrom: string[];
    probes: { liveness: string; readiness: string; startup?: string };
    resources: { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } };
    /** Fixed replica count, when not autoscaled. */
    replicas?: number;
    autoscaling?: { minReplicas: number; maxReplicas: number };
    /** Whether the service gets a PodDisruptionBudget (more than one replica at most, unless disabled). */
    pdb: boolean;
    /** The most replicas it runs (pods spread over nodes and zones above one). */
    maxReplicas: number;
    ingress?: { host: string; path: string; cors: boolean };
}

/** The facts of a repo stack, from its configuration. */
export function stackFacts(stack: string): StackFacts {
    const env = JSON.parse(stackConfig(stack).config[`${PROJECT}:environment`]);
    const catalog = catalogOf(stack);
    const rollout = env.rollout ?? {};
    const services: Record<string, ServiceFacts> = {};
    for (const [name, own] of Object.entries<any>(catalog.services)) {
        const s = merge(catalog.defaults, env.serviceDefaults, own, env.services?.[name]);
        const tier = s.tier !== undefined ? catalog.tiers[s.tier] : undefined;
        const resources = merge(tier, s.resources);
        const autoscaled = s.autoscaling?.enabled === true;
        const maxReplicas = autoscaled ? s.autoscaling.maxReplicas : (s.replicas ?? 1);
        const ingress = s.ingress !== undefined && s.ingress.enabled !== false && s.ingress.hostPrefix !== undefined ? s.ingress : undefined;
        services[name] = {
            port: s.port,
            env: s.env ?? {},
            hasSecrets: Object.keys(s.secrets ?? {}).length > 0,
            allowFrom: [...(s.allowFrom ?? [])].sort(),
            probes: s.probes,
            resources,
            ...(autoscaled ? { autoscaling: { minReplicas: s.autoscaling.minReplicas, maxReplicas: s.autoscaling.maxReplicas } } : { replicas: s.replicas ?? 1 }),
            pdb: s.pdb?.enabled !== false && maxReplicas > 1,
            maxReplicas,
            ...(ingress ? { ingress: { host: `${ingress.hostPrefix}.${env.domain}`, path: ingress.path ?? "/", cors: ingress.cors !== undefined } } : {}),
        };
    }
    return {
        stack,
        namespace: env.namespace,
        domain: env.domain,
        tag: String(env.imageTag),
        logLevel: env.logLevel,
        issuer: env.ingress?.clusterIssuer,
        wait: String(rollout.awaitTimeoutSeconds ?? rollout.progressDeadlineSeconds + 60),
        telemetryEndpoint: env.telemetryEndpoint,
        commonEnv: catalog.commonEnv ?? {},
        publicService: env.publicService,
        services,
    };
}

/** The number of Kubernetes objects of each kind a stack declares, from its facts. */
export function expectedCounts(f: StackFacts): Record<string, number> {
    const svcs = Object.values(f.services);
    const n = svcs.length;
    const count = (p: (s: ServiceFacts) => boolean) => svcs.filter(p).length;
    const ingresses = count((s) => s.ingress !== undefined);
    const counts: Record<string, number> = {
        "core/v1:Namespace": 1,
        "core/v1:ServiceAccount": n,
        "core/v1:ConfigMap": n + 1, // one per service and the shared one
        "core/v1:Secret": count((s) => s.hasSecrets) + 1, // and the registry's pull Secret
        "core/v1:Service": n,
        "apps/v1:Deployment": n,
        // one per service, the default deny, and the ACME solver's when an Ingress exists
        "networking.k8s.io/v1:NetworkPolicy": n + 1 + (ingresses > 0 ? 1 : 0),
        "networking.k8s.io/v1:Ingress": ingresses,
        "autoscaling/v2:HorizontalPodAutoscaler": count((s) => s.autoscaling !== undefined),
        "policy/v1:PodDisruptionBudget": count((s) => s.pdb),
    };
    return Object.fromEntries(Object.entries(counts).filter(([, c]) => c > 0));
}
