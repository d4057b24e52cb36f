import type { EnvironmentConfig, PlatformConfig, ServiceConfig } from "../types";
import { deliveryResource, environmentResource, objectName, serviceResource, stackResource } from "./derive";
import { matchedRequests } from "./paths";
import { registryLookupsNeeded, verifiersOf } from "../resolve/verify";
import { hasDrivenCanary } from "../canaryRelease";
import { distinctWindows, inClusterCanary, workloadType } from "../inCluster";

/**
 * Every name a configuration gives, derived as the components derive them (config/names/derive.ts)
 * without declaring anything: each Pulumi resource the program declares, each Kubernetes object
 * under a fixed name (its own, and those Kubernetes, cert-manager and the External Secrets
 * Operator make beside them), each Gateway listener and each routed host and path. The conditions
 * under which a component declares a resource are the component's; tests/names.test.ts checks
 * that this list is exactly what the program declares, on every stack and fixture.
 */

/** Where names must differ: one Pulumi type under one parent type, one kind in one namespace, one Gateway's listeners, one host's routes. */
export type Space =
    | { readonly pulumi: { readonly type: string; readonly parent?: string } }
    | { readonly kubernetes: { readonly apiVersion: string; readonly kind: string; readonly namespace?: string } }
    | { readonly listener: "name" | "host"; readonly gateway: string }
    | { readonly route: string };

/** What gives a name, for a message. */
export interface Owner {
    /** What it is: "the password generated for service a's secret B_C". */
    readonly what: string;
    /** Where it is configured: a service's settings (the first one written stands for them; none written: the service), or the environment's. */
    readonly at?: { readonly service: string; readonly settings: readonly (readonly string[])[] } | { readonly environment: readonly string[] };
    /** What to change to give it another name; none for what has a fixed name. */
    readonly fix?: string;
}

export interface Declared {
    readonly space: Space;
    readonly name: string;
    readonly owner: Owner;
    /** How the name reads in a message, when not as itself (a route: its URL and how it matches). */
    readonly shown?: string;
    /** Who makes it when the program does not: it is then not among the program's resources. */
    readonly madeBy?: "Kubernetes" | "cert-manager" | "the External Secrets Operator";
    /** Entries of one space and name that are one thing: two services on one host may share its certificate. */
    readonly shares?: string;
}

const MICROSERVICE = "platform:service:Microservice";
const ENVIRONMENT = "platform:environment:Environment";
const DELIVERY = "platform:github:Delivery";

/**
 * The names of everything the program declares from `config`, the environment's first, then each
 * service's in order, then GitHub's. A driven canary's objects are declared while a release of
 * its service runs (`config.release`); `everyCanary` counts them for every service with one, as
 * if all were released at once: the names a release may give, which must be free at rest already.
 */
export function declaredNames(config: PlatformConfig, opts: { readonly everyCanary?: boolean } = {}): Declared[] {
    const out: Declared[] = [];
    environmentNames(config, out);
    const drivenMode = { mode: config.environment.canary?.mode, exposure: config.environment.exposure };
    const released = (svc: ServiceConfig) => (opts.everyCanary ? hasDrivenCanary(svc, drivenMode) : config.release?.stable[svc.name] !== undefined);
    for (const svc of config.services) {
        serviceNames(svc, config, out);
        if (released(svc)) canaryNames(svc, config, out);
    }
    if (config.github) deliveryNames(config, out);
    return out;
}

/** `kubernetes:apps/v1:Deployment` for `apps/v1` Deployment (`core/v1` for `v1`). */
function kubernetesType(apiVersion: string, kind: string): string {
    return `kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${kind}`;
}

function environmentNames(config: PlatformConfig, out: Declared[]): void {
    const env = config.environment;
    const e = env.name;
    const platform = (what: string): Owner => ({ what });
    const resource = (type: string, name: string, what: string, parent?: string) => out.push({ space: { pulumi: { type, ...(parent ? { parent } : {}) } }, name, owner: platform(what) });
    const object = (apiVersion: string, kind: string, resourceName: string, name: string | undefined, owner: Owner) => {
        out.push({ space: { pulumi: { type: kubernetesType(apiVersion, kind), parent: ENVIRONMENT } }, name: resourceName, owner });
        if (name !== undefined) out.push({ space: { kubernetes: { apiVersion, kind, ...(kind === "Namespace" ? {} : { namespace: env.namespace }) } }, name, owner });
    };
    resource(ENVIRONMENT, e, "the environment");
    resource("pulumi:pulumi:StackReference", stackResource.lastUpdate, "the reference to the stack's last update");
    if (env.promotion.from !== undefined && config.services.some((svc) => svc.image.rollback !== true)) {
        resource("pulumi:pulumi:StackReference", stackResource.promotionSource, "the reference to the promotion source");
    }
    if (registryLookupsNeeded(config)) resource("pulumi:providers:docker", stackResource.registryLookups(e), "the registry lookups' provider");
    if (config.github) resource(DELIVERY, e, "the GitHub environment");

    resource("pulumi:providers:kubernetes", environmentResource.provider(e), "the environment's Kubernetes provider", ENVIRONMENT);
    if (!env.sharedNamespace) object("v1", "Namespace", environmentResource.namespace(e), env.namespace, platform("the environment's Namespace"));
    object("v1", "ConfigMap", environmentResource.commonConfigMap(e), undefined, platform("the environment's shared ConfigMap"));
    if (env.registry?.username && env.registry.password) object("v1", "Secret", environmentResource.pullSecret(e), undefined, platform("the environment's image pull Secret"));
    object("networking.k8s.io/v1", "NetworkPolicy", environmentResource.defaultDeny(e), objectName.defaultDeny(env), platform("the platform's default-deny NetworkPolicy"));
    if (config.services.some((s) => s.ingress !== undefined)) {
        object("networking.k8s.io/v1", "NetworkPolicy", environmentResource.acmeSolver(e), objectName.acmeSolver(env), platform("the platform's NetworkPolicy for cert-manager's HTTP-01 solver"));
    }
    const g = env.gateway;
    if (g?.create && env.exposure !== "ingress") {
        object("gateway.networking.k8s.io/v1", "Gateway", environmentResource.gateway(e), g.name, platform("the stack's Gateway"));
        out.push({ space: { listener: "name", gateway: g.name }, name: objectName.httpListener(g), owner: { what: "the Gateway's HTTP listener", at: { environment: ["gateway", "httpListener"] }, fix: "give the HTTP listener another name" } });
    }
    out.push({ space: { kubernetes: { apiVersion: "v1", kind: "ServiceAccount", namespace: env.namespace } }, name: "default", owner: platform("the ServiceAccount Kubernetes makes in every namespace"), madeBy: "Kubernetes" });
}

function serviceNames(svc: ServiceConfig, config: PlatformConfig, out: Declared[]): void {
    const env = config.environment;
    const n = svc.name;
    const o = svc.objectName;
    const own = (what: string, settings: readonly (readonly string[])[], fix?: string): Owner => ({ what, at: { service: n, settings }, ...(fix ? { fix } : {}) });
    // The objects under the service's objectName: renamed with the service, or by its objectName.
    const renameObjects = o === n ? `rename the service ${n} (or give it an objectName)` : `change the objectName of service ${n}`;
    const named = (kind: string): Owner => own(`the ${kind} of service ${n}`, [["objectName"]], renameObjects);
    const resource = (type: string, name: string, owner: Owner) => out.push({ space: { pulumi: { type, parent: MICROSERVICE } }, name, owner });
    const object = (apiVersion: string, kind: string, resourceName: string, name?: string, owner: Owner = named(kind)) => {
        resource(kubernetesType(apiVersion, kind), resourceName, owner);
        if (name !== undefined) out.push({ space: { kubernetes: { apiVersion, kind, namespace: env.namespace } }, name, owner });
    };
    const madeBy = (by: NonNullable<Declared["madeBy"]>, name: string, owner: Owner, shares?: string) =>
        out.push({ space: { kubernetes: { apiVersion: "v1", kind: "Secret", namespace: env.namespace } }, name, owner, madeBy: by, ...(shares ? { shares } : {}) });

    out.push({ space: { pulumi: { type: MICROSERVICE } }, name: n, owner: own(`service ${n}`, []) });
    object("v1", "ServiceAccount", serviceResource.account(n), o);
    if (svc.rbac.length > 0) {
        object("rbac.authorization.k8s.io/v1", "Role", serviceResource.role(n), o);
        object("rbac.authorization.k8s.io/v1", "RoleBinding", serviceResource.roleBinding(n), o);
    }
    if (svc.build) resource("docker-build:index:Image", serviceResource.image(n), own(`the image build of service ${n}`, [["build"]]));

    object("v1", "ConfigMap", serviceResource.configMap(n), undefined, own(`the ConfigMap of service ${n}`, [], `rename the service ${n}`));
    const secrets = Object.entries(svc.secrets);
    if (env.externalSecrets && secrets.some(([, source]) => "external" in source)) {
        object("external-secrets.io/v1", "ExternalSecret", serviceResource.externalSecret(n), o);
        madeBy("the External Secrets Operator", objectName.externalSecretTarget(o), own(`the Secret the External Secrets Operator writes for service ${n}`, [["objectName"]], renameObjects));
    }
    for (const [key, source] of secrets) {
        if ("generate" in source) {
            resource("random:index/randomPassword:RandomPassword", serviceResource.password(n, key), own(`the password generated for service ${n}'s secret ${key}`, [["secrets", key]], `rename the secret ${key} or the service ${n}`));
        }
    }
    if (secrets.some(([, source]) => !("external" in source))) object("v1", "Secret", serviceResource.secret(n), undefined, own(`the Secret of service ${n}`, [], `rename the service ${n}`));
    for (const v of svc.volumes) {
        if ("files" in v) object("v1", "ConfigMap", serviceResource.files(n, v.name), undefined, own(`the ConfigMap of service ${n}'s volume ${v.name}`, [["volumes", v.name]], `rename the volume ${v.name} or the service ${n}`));
    }
    const workload = workloadType(svc, env);
    const canary = inClusterCanary(svc, env);
    object(workload.apiVersion, workload.kind, canary ? serviceResource.rollout(n) : serviceResource.workload(n, svc.kind), o);
    if (canary?.settings.prometheusUrl !== undefined) {
        for (const w of distinctWindows(canary.canary.steps)) object(workload.apiVersion, "AnalysisTemplate", serviceResource.analysisTemplate(n, w), objectName.analysisTemplate(o, w));
    }
    if (canary) {
        // Its wait (components/service/canary/wait.ts): the Job's name carries the release's digest (objectName.canaryWaitJob), unique by construction.
        const wait = serviceResource.canaryWait(n);
        const waitOwner = own(`the canary wait of service ${n}`, [["canary"], ["objectName"]], renameObjects);
        object("v1", "ServiceAccount", serviceResource.account(wait), objectName.canaryWait(o), waitOwner);
        object("rbac.authorization.k8s.io/v1", "Role", serviceResource.role(wait), objectName.canaryWait(o), waitOwner);
        object("rbac.authorization.k8s.io/v1", "RoleBinding", serviceResource.roleBinding(wait), objectName.canaryWait(o), waitOwner);
        resource(kubernetesType("batch/v1", "Job"), wait, waitOwner);
    }
    if ((svc.kind === "web" || svc.kind === "stateful") && svc.port !== undefined) {
        object("v1", "Service", serviceResource.service(n), o);
        if (svc.ingress) exposureNames(svc, env, { out, own, named, object, madeBy });
    }
    if (svc.autoscaling) object("autoscaling/v2", "HorizontalPodAutoscaler", serviceResource.autoscaler(n), o);
    if (svc.disruptionBudget) object("policy/v1", "PodDisruptionBudget", serviceResource.disruptionBudget(n), o);
    if (policyDeclared(svc, config)) object("networking.k8s.io/v1", "NetworkPolicy", serviceResource.networkPolicy(n), o);
    if (svc.metrics && env.monitoring.operator) object("monitoring.coreos.com/v1", svc.kind === "worker" ? "PodMonitor" : "ServiceMonitor", serviceResource.monitor(n, svc.kind), o);
    // Its verification Job: the object's name carries the release's digest (objectName.verificationJob), unique by construction.
    if (config.verification.some((v) => v.service === n)) resource(kubernetesType("batch/v1", "Job"), serviceResource.verification(n), own(`the verification Job of service ${n}`, [["verify"]], `rename the service ${n}`));
}

/** A driven canary's Deployment, Service and NetworkPolicy (components/service/canary/canary.ts), named `<objectName>-canary`. */
function canaryNames(svc: ServiceConfig, config: PlatformConfig, out: Declared[]): void {
    const n = svc.name;
    const c = serviceResource.canary(n);
    const name = objectName.canary(svc.objectName);
    const fix = svc.objectName === n ? `rename the service ${n} (or give it an objectName)` : `change the objectName of service ${n}`;
    const object = (apiVersion: string, kind: string, resourceName: string) => {
        const owner: Owner = { what: `the canary ${kind} of service ${n}`, at: { service: n, settings: [["canary"], ["objectName"]] }, fix };
        out.push({ space: { pulumi: { type: kubernetesType(apiVersion, kind), parent: MICROSERVICE } }, name: resourceName, owner });
        out.push({ space: { kubernetes: { apiVersion, kind, namespace: config.environment.namespace } }, name, owner });
    };
    object("apps/v1", "Deployment", serviceResource.workload(c, svc.kind));
    object("v1", "Service", serviceResource.service(c));
    if (policyDeclared(svc, config)) object("networking.k8s.io/v1", "NetworkPolicy", serviceResource.networkPolicy(c));
}

/** Whether a service's NetworkPolicy has any rule (components/service/networkPolicy.ts serviceIngressRules). */
function policyDeclared(svc: ServiceConfig, config: PlatformConfig): boolean {
    const called = svc.port !== undefined && (svc.ingress !== undefined || svc.allowFrom.length > 0 || svc.allowFromNamespaces.length > 0);
    return called || svc.metrics !== undefined || verifiersOf(config.verification, svc.name).length > 0;
}

interface ServiceScope {
    readonly out: Declared[];
    own(what: string, settings: readonly (readonly string[])[], fix?: string): Owner;
    named(kind: string): Owner;
    object(apiVersion: string, kind: string, resourceName: string, name?: string, owner?: Owner): void;
    madeBy(by: NonNullable<Declared["madeBy"]>, name: string, owner: Owner, shares?: string): void;
}

/** An exposed service's Ingress or routes, its certificate's Secret, its listener on a Gateway the stack creates, and the requests it routes. */
function exposureNames(svc: ServiceConfig, env: EnvironmentConfig, scope: ServiceScope): void {
    const ing = svc.ingress!;
    const n = svc.name;
    const o = svc.objectName;
    const g = env.gateway;
    if (env.exposure !== "gateway") scope.object("networking.k8s.io/v1", "Ingress", serviceResource.ingress(n), o);
    const onGateway = env.exposure !== "ingress" && g !== undefined;
    if (onGateway) {
        scope.object("gateway.networking.k8s.io/v1", "HTTPRoute", serviceResource.route(n), o);
        if (g.httpListener !== undefined && ing.httpsRedirect) {
            scope.object("gateway.networking.k8s.io/v1", "HTTPRoute", serviceResource.redirectRoute(serviceResource.route(n)), objectName.redirectRoute(o), scope.named("HTTPS redirect route"));
        }
    }
    const host = scope.own(`service ${n}`, [["ingress", "hostPrefix"]], `give service ${n} another hostPrefix`);
    // cert-manager issues into it from the Ingress, or from the listener of a Gateway the stack creates; a shared Gateway holds its own.
    if (env.exposure !== "gateway" || (onGateway && g.create)) {
        const tls = ing.tlsSecretName !== undefined ? scope.own(`the certificate Secret of service ${n}`, [["ingress", "tlsSecretName"]], `change the tlsSecretName of service ${n}`) : scope.named("certificate Secret");
        scope.madeBy("cert-manager", objectName.tlsSecret(o, ing), tls, ing.host);
    }
    if (onGateway && g.create) {
        scope.out.push({ space: { listener: "name", gateway: g.name }, name: objectName.httpsListener(g, o), owner: scope.named("HTTPS listener") });
        scope.out.push({ space: { listener: "host", gateway: g.name }, name: ing.host, owner: host });
    }
    for (const p of ing.paths) {
        const settings = p.name === undefined ? [["ingress", "path"], ["ingress", "hostPrefix"]] : [["ingress", "paths", p.name, "path"]];
        scope.out.push({
            space: { route: ing.host },
            name: matchedRequests(p.path, p.pathType),
            shown: `https://${ing.host}${p.path} (${p.pathType})`,
            owner: scope.own(`service ${n}`, settings, `give service ${n} another hostPrefix or path`),
        });
    }
}

function deliveryNames(config: PlatformConfig, out: Declared[]): void {
    const gh = config.github!;
    const d = config.environment.name;
    const resource = (type: string, name: string, what: string) => out.push({ space: { pulumi: { type: `github:index/${type}`, parent: DELIVERY } }, name, owner: { what } });
    out.push({ space: { pulumi: { type: "pulumi:providers:github", parent: DELIVERY } }, name: deliveryResource.provider(d), owner: { what: "the GitHub provider" } });
    resource("repositoryEnvironment:RepositoryEnvironment", deliveryResource.environment(d), "the GitHub environment");
    for (const kind of ["branch", "tag"] as const) {
        for (const pattern of kind === "branch" ? gh.deployFrom.branches : gh.deployFrom.tags) {
            resource("repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy", deliveryResource.deploymentPolicy(d, kind, pattern), `the deployment policy for ${kind} ${pattern}`);
        }
    }
    for (const name of Object.keys(gh.secrets)) resource("actionsEnvironmentSecret:ActionsEnvironmentSecret", deliveryResource.secret(d, name), `the GitHub environment secret ${name}`);
    const publicService = config.environment.publicService;
    const exposed = config.services.some((svc) => svc.name === publicService && svc.ingress !== undefined);
    for (const name of new Set(["NAMESPACE", ...(exposed ? ["PUBLIC_URL"] : []), ...Object.keys(gh.variables)])) {
        resource("actionsEnvironmentVariable:ActionsEnvironmentVariable", deliveryResource.variable(d, name), `the GitHub environment variable ${name}`);
    }
    for (const name of Object.keys(gh.repositorySecrets)) resource("actionsSecret:ActionsSecret", deliveryResource.repositorySecret(d, name), `the GitHub repository secret ${name}`);
    if (gh.branchProtection) resource("branchProtection:BranchProtection", deliveryResource.branchProtection(d), "the branch protection");
}
