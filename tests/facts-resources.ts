import { stacksOf, StackConfig } from "../tools/harness/stackFiles";
import { PROJECT, REPO, stackConfig } from "./support";
import { lookUp } from "../tools/harness/registry";

/**
 * What a repo stack's configuration says about its objects, read from the raw configuration
 * (Pulumi.yaml's catalog and Pulumi.<stack>.yaml's environment) by the rules
 * docs/architecture.md and docs/configuration.md state, not by the program's own resolver, so
 * that a test built on these facts holds for any catalog and any stack without naming them.
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

export type Kind = "web" | "worker" | "cronjob" | "stateful";

/**
 * Settings a kind has no use for (docs/configuration.md, `kind`): a worker has no Service, a
 * cronjob runs to completion with no port, a stateful service is not autoscaled nor exposed, and
 * only a cronjob has a schedule. Written for the service itself they are refused; inherited from
 * `catalog.defaults` or `environment.serviceDefaults` they simply do not apply.
 */
const UNUSED: Readonly<Record<Kind, readonly string[]>> = {
    web: ["job"],
    worker: ["ingress", "servicePort", "allowFrom", "job"],
    cronjob: ["port", "servicePort", "ingress", "allowFrom", "autoscaling", "replicas", "pdb", "probes", "metrics"],
    stateful: ["ingress", "autoscaling", "job"],
};

const PROBE_ACTIONS = ["http", "tcp", "grpc", "exec"] as const;
/** Probe timings unless configured (docs/configuration.md: probes). */
const PROBE_DEFAULTS = { liveness: { periodSeconds: 10, failureThreshold: 3 }, readiness: { periodSeconds: 5, failureThreshold: 3 }, startup: { periodSeconds: 5, failureThreshold: 30 } } as const;
export type ProbeName = keyof typeof PROBE_DEFAULTS;

/** A layer's probes with the `/path` shorthand written out as `{http: /path}`. */
function probesLayer(probes: unknown): Record<string, any> | undefined {
    if (!isObject(probes)) return undefined;
    return Object.fromEntries(Object.entries(probes).map(([k, p]) => [k, typeof p === "string" ? { http: p } : p]));
}

/**
 * Named entries (probes, checks) merged over the layers: a layer that writes one of `actions`
 * replaces the earlier action, the rest (a probe's timings, a check's settings) merges.
 */
function mergeActions(layers: (Record<string, any> | undefined)[], actions: readonly string[]): Record<string, any> {
    const out: Record<string, any> = {};
    for (const layer of layers) {
        for (const [name, entry] of Object.entries(layer ?? {})) {
            const before = out[name] ?? {};
            const writesAction = actions.some((a) => entry[a] !== undefined);
            const kept = writesAction ? Object.fromEntries(Object.entries(before).filter(([k]) => !actions.includes(k))) : before;
            out[name] = merge(kept, entry);
        }
    }
    return out;
}

/** A probe as Kubernetes writes it, or undefined when it does not apply (off, or on a port the service lacks). */
function probeFacts(which: ProbeName, p: any, port: number | undefined, portName: string): Record<string, unknown> | undefined {
    if (p === undefined || p.enabled === false) return undefined;
    const target = p.port ?? portName;
    const number = p.port ?? port;
    let action: Record<string, unknown>;
    if (p.exec !== undefined) action = { exec: { command: p.exec } };
    else if (number === undefined) return undefined; // an inherited probe on a port the service does not have
    else if (p.http !== undefined) action = { httpGet: { path: p.http, port: target } };
    else if (p.tcp !== undefined) action = { tcpSocket: { port: target } };
    else action = { grpc: { port: number, ...(typeof p.grpc === "string" ? { service: p.grpc } : {}) } };
    return {
        ...action,
        ...(p.initialDelaySeconds !== undefined ? { initialDelaySeconds: p.initialDelaySeconds } : {}),
        periodSeconds: p.periodSeconds ?? PROBE_DEFAULTS[which].periodSeconds,
        timeoutSeconds: p.timeoutSeconds ?? 2,
        failureThreshold: p.failureThreshold ?? PROBE_DEFAULTS[which].failureThreshold,
    };
}

const CHECK_ACTIONS = ["http", "command"] as const;

/** A layer's checks with the `http: /path` shorthand written out as `{path: /path}`. */
function checksLayer(checks: unknown): Record<string, any> | undefined {
    if (!isObject(checks)) return undefined;
    return Object.fromEntries(Object.entries(checks).map(([k, c]) => [k, isObject(c) && typeof c.http === "string" ? { ...c, http: { path: c.http } } : c]));
}


/** A check as the verification Job runs it: a GET of a URL expecting a status, or a command. */
export interface CheckFacts {
    name: string;
    http?: { service: string; url: string; status: number };
    command?: string[];
}

export interface StackFacts {
    stack: string;
    namespace: string;
    domain: string;
    tag: string;
    logLevel: string;
    /** The cert-manager issuer of the Ingresses (or of a created Gateway's listeners). */
    issuer: string;
    /** The registry has credentials: the namespace gets an image pull Secret. */
    registryCredentials: boolean;
    /** `ingress`, `gateway`, `both` or `none` (docs/configuration.md, `environment.exposure`). */
    exposure: "ingress" | "gateway" | "both" | "none";
    /** Who carries public traffic in, as network policy peers: the ingress controller's namespace, the Gateway's proxies. */
    exposurePeers: Record<string, unknown>[];
    /** The Gateway routes attach to, when the exposure uses one. */
    gateway?: { name: string; namespace: string; listener: string; httpListener?: string; cors: "headers" | "filter"; create: boolean };
    /** How long `pulumi up` waits for each rollout object: rollout.awaitTimeoutSeconds, else the progress deadline plus 60 s. */
    wait: string;
    /** Kubernetes' progress deadline of a Deployment. */
    progressDeadline: number;
    telemetryEndpoint: string;
    commonEnv: Record<string, string>;
    publicService?: string;
    /** Whether the Prometheus Operator runs here (monitors instead of scrape annotations), its namespace and the labels it selects monitors by. */
    monitoring: { operator: boolean; namespace: string; labels: Record<string, string> };
    /** The services the stack deploys, by name: the catalog's, less those it turns off (`enabled: false`). */
    services: Record<string, ServiceFacts>;
    /** The catalog services this stack turns off. */
    disabled: string[];
    /** How the checks run (docs/verification.md): the HTTP checker's image by digest, the Job's deadline and retries; none when the stack turns them off. */
    verify?: { image: string; timeoutSeconds: number; backoffLimit: number };
    /** Argo Rollouts' CLI image by digest, which the in-cluster canaries' wait Jobs run (`environment.canary.statusImage`); none without in-cluster canaries. */
    statusImage?: string;
}

export interface ServiceFacts {
    kind: Kind;
    /** The object that runs its pods. */
    workload: "apps/v1:Deployment" | "apps/v1:StatefulSet" | "batch/v1:CronJob" | "argoproj.io/v1alpha1:Rollout";
    /**
     * Its in-cluster canary (docs/canary-in-cluster.md), run by an Argo Rollout: the steps (the
     * window in seconds), the AnalysisTemplates' names by window when the stack has a Prometheus
     * (none: pauses), and how long a release may take: the `--timeout` of its wait Job's
     * `kubectl-argo-rollouts status`, whose deadline is a minute longer and `pulumi up`'s wait two.
     */
    rollout?: { steps: { weight: number; windowSeconds: number }[]; templates: Record<number, string>; statusSeconds: number };
    /** The container port: required for web and stateful, optional for a worker (probes, metrics), none for a cronjob. */
    port?: number;
    /** The main container port's name (and the Service's): `http` on a web service, `main` on the others. */
    portName: string;
    /** Whether it has a Service under its own name (web and stateful: headless for stateful). */
    hasService: boolean;
    servicePort: number;
    /** The image it runs, `repo@digest`: pinned, or what the registry (tools/harness/registry.yaml) holds for its tag; and the tag (its version label). */
    image: string;
    tag: string;
    runAsUser: number;
    command?: string[];
    args?: string[];
    env: Record<string, string>;
    hasSecrets: boolean;
    /** The secret config keys its `fromConfig` secrets read, by variable. */
    fromConfig: Record<string, string>;
    allowFrom: string[];
    /** Each probe as Kubernetes writes it; none for a cronjob. */
    probes: Partial<Record<ProbeName, Record<string, unknown>>>;
    resources: { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } };
    /** Fixed replica count, when not autoscaled (none for a cronjob). */
    replicas?: number;
    autoscaling?: { minReplicas: number; maxReplicas: number };
    /** Whether the service gets a PodDisruptionBudget (more than one replica at most, unless disabled; never a cronjob). */
    pdb: boolean;
    /** The most replicas it runs (pods spread over nodes and zones above one). */
    maxReplicas: number;
    ingress?: { host: string; path: string; cors: boolean };
    /** Prometheus scraping, when it applies (a port to scrape, not turned off). */
    metrics?: { port: number; path: string; interval: string };
    /** Volumes by name (sorted), as written. */
    volumes: { name: string; mountPath: string; readOnly: boolean; source: string; settings: any }[];
    /** Names of the volumes whose files the platform writes into a ConfigMap of their own. */
    filesVolumes: string[];
    /** A stateful service's claims per pod, by volume name. */
    claims: Record<string, { size: string; accessMode: string; storageClass?: string }>;
    /** A cronjob's schedule settings with the documented defaults. */
    job?: Record<string, unknown>;
    /** Whether it has a NetworkPolicy: someone may call it on its port (callers, the ingress controller) or scrape it. */
    networkPolicy: boolean;
    rbac: boolean;
    /** Whether some secret is synchronised from the stack's External Secrets store. */
    externalSecrets: boolean;
    extraContainers: string[];
    /** Its enabled checks, by name: a check of itself does not apply to a service without a Service, nor any to a cronjob. */
    checks: CheckFacts[];
    /** The services whose checks call it (an HTTP check naming it, or its own command check), each with the container port: its NetworkPolicy admits their Jobs' pods. */
    verifiedBy: { service: string; ports: number[] }[];
}

const VOLUME_SOURCES = ["emptyDir", "configMap", "secret", "existingClaim", "files", "claim"] as const;

/** The facts of a repo stack, from its configuration. */
export function stackFacts(stack: string): StackFacts {
    return factsOf(stackConfig(stack));
}

/** The facts of any stack configuration (a repo stack's, or one a test edited). */
export function factsOf(config: StackConfig): StackFacts {
    const env = JSON.parse(config.config[`${PROJECT}:environment`]);
    const catalog = JSON.parse(config.config[`${PROJECT}:catalog`]);
    const rollout = env.rollout ?? {};
    const progressDeadline = rollout.progressDeadlineSeconds ?? 300;
    const services: Record<string, ServiceFacts> = {};
    const checkLayers: Record<string, Record<string, any>> = {};
    const disabled: string[] = [];
    const tiers = { ...catalog.tiers, ...env.tiers };
    for (const [name, own] of Object.entries<any>(catalog.services)) {
        const stackOwn = env.services?.[name];
        const kind: Kind = merge(catalog.defaults, env.serviceDefaults, own, stackOwn)?.kind ?? "web";
        const unused = UNUSED[kind];
        for (const [layer, settings] of [[`catalog.services.${name}`, own], [`environment.services.${name}`, stackOwn]] as const) {
            const written = unused.filter((k) => settings?.[k] !== undefined);
            if (written.length > 0) throw new Error(`${layer} writes ${written.join(", ")}, which a '${kind}' service cannot use: the program refuses this configuration`);
        }
        const shared = (layer: any) => (isObject(layer) ? Object.fromEntries(Object.entries(layer).filter(([k]) => !unused.includes(k))) : layer);
        const layers = [shared(catalog.defaults), shared(env.serviceDefaults), own, stackOwn];
        const s = merge(...layers);
        if (s.enabled === false) {
            disabled.push(name);
            continue;
        }
        const port: number | undefined = s.port;
        const portName = kind === "web" ? "http" : "main";
        const tier = s.tier !== undefined ? tiers[s.tier] : undefined;
        const resources = merge(tier, s.resources);
        const scaled = kind !== "cronjob";
        const autoscaled = scaled && s.autoscaling?.enabled === true;
        const replicas = scaled ? (s.replicas ?? 1) : 1;
        const maxReplicas = autoscaled ? s.autoscaling.maxReplicas : replicas;
        // A stack that exposes nothing (`exposure: none`) leaves the catalog's ingress settings unused.
        const ingress = s.ingress !== undefined && s.ingress.enabled !== false && s.ingress.hostPrefix !== undefined && env.exposure !== "none" ? s.ingress : undefined;
        const metricsPort = s.metrics !== undefined && s.metrics.enabled !== false ? (s.metrics.port ?? port) : undefined;
        const metrics = metricsPort !== undefined ? { port: metricsPort, path: s.metrics.path ?? "/metrics", interval: s.metrics.interval ?? "30s" } : undefined;
        const probeSettings = kind === "cronjob" ? {} : mergeActions(layers.map((l) => probesLayer(l?.probes)), PROBE_ACTIONS);
        const probes: ServiceFacts["probes"] = {};
        for (const which of ["liveness", "readiness", "startup"] as const) {
            const p = probeFacts(which, probeSettings[which], port, portName);
            if (p) probes[which] = p;
        }
        const volumes = Object.keys(s.volumes ?? {})
            .sort()
            .map((v) => {
                const settings = s.volumes[v];
                const source = VOLUME_SOURCES.find((k) => settings[k] !== undefined) ?? "emptyDir";
                const fileLike = source === "configMap" || source === "secret" || source === "files";
                return { name: v, mountPath: settings.mountPath, readOnly: settings.readOnly ?? fileLike, source, settings };
            });
        const claims = Object.fromEntries(
            volumes.filter((v) => v.source === "claim").map((v) => [v.name, { size: String(v.settings.claim.size), accessMode: v.settings.claim.accessMode ?? "ReadWriteOnce", ...(v.settings.claim.storageClass ? { storageClass: v.settings.claim.storageClass } : {}) }]),
        );
        const image = merge(...layers.map((l) => l?.image));
        const tag = String(image.tag ?? env.imageTag);
        const secrets: Record<string, any> = s.secrets ?? {};
        // A caller the stack turns off is admitted by no policy (the e2e stack turns off the worker).
        const allowFrom = [...(s.allowFrom ?? [])].filter((c: string) => merge(catalog.defaults, env.serviceDefaults, catalog.services[c], env.services?.[c])?.enabled !== false).sort();
        const hasService = kind === "web" || kind === "stateful";
        const rolloutFacts = canaryRollout(env, s, kind, s.objectName ?? name, progressDeadline, Number(rollout.awaitTimeoutSeconds ?? progressDeadline + 60));
        services[name] = {
            kind,
            workload: rolloutFacts ? "argoproj.io/v1alpha1:Rollout" : kind === "cronjob" ? "batch/v1:CronJob" : kind === "stateful" ? "apps/v1:StatefulSet" : "apps/v1:Deployment",
            ...(rolloutFacts ? { rollout: rolloutFacts } : {}),
            ...(port !== undefined ? { port } : {}),
            portName,
            hasService,
            servicePort: s.servicePort ?? 80,
            image: `${image.repository}@${image.digest ?? lookUp(`${image.repository}:${tag}`).digest}`,
            tag,
            runAsUser: s.runAsUser ?? 10001,
            ...(s.command ? { command: s.command.map(String) } : {}),
            ...(s.args ? { args: s.args.map(String) } : {}),
            env: s.env ?? {},
            hasSecrets: Object.values(secrets).some((v) => v.external === undefined),
            fromConfig: Object.fromEntries(Object.entries(secrets).filter(([, v]) => v.fromConfig !== undefined).map(([k, v]) => [k, v.fromConfig])),
            allowFrom,
            probes,
            resources,
            ...(autoscaled ? { autoscaling: { minReplicas: s.autoscaling.minReplicas, maxReplicas: s.autoscaling.maxReplicas } } : scaled ? { replicas } : {}),
            pdb: scaled && s.pdb?.enabled !== false && maxReplicas > 1,
            maxReplicas,
            ...(ingress ? { ingress: { host: `${ingress.hostPrefix}.${env.domain}`, path: ingress.path ?? "/", cors: ingress.cors !== undefined } } : {}),
            ...(metrics ? { metrics } : {}),
            volumes,
            filesVolumes: volumes.filter((v) => v.source === "files").map((v) => v.name),
            claims,
            ...(kind === "cronjob"
                ? {
                      job: {
                          timeZone: "Etc/UTC",
                          concurrencyPolicy: "Forbid",
                          suspend: false,
                          startingDeadlineSeconds: 300,
                          successfulJobsHistoryLimit: 3,
                          failedJobsHistoryLimit: 3,
                          backoffLimit: 2,
                          ...s.job,
                      },
                  }
                : {}),
            networkPolicy: (port !== undefined && (ingress !== undefined || allowFrom.length > 0)) || metrics !== undefined,
            rbac: Object.keys(s.rbac ?? {}).length > 0,
            externalSecrets: env.externalSecrets?.store !== undefined && Object.values(secrets).some((v) => v.external !== undefined),
            extraContainers: [...Object.keys(s.sidecars ?? {}), ...Object.keys(s.initContainers ?? {})],
            checks: [],
            verifiedBy: [],
        };
        checkLayers[name] = kind === "cronjob" ? {} : mergeActions(layers.map((l) => checksLayer(l?.verify)), CHECK_ACTIONS);
    }
    const verifying = env.verify?.enabled !== false;
    /** [the service called, the service whose Job calls it, the container port]. */
    const calls: [string, string, number][] = [];
    for (const [name, checks] of verifying ? Object.entries(checkLayers) : []) {
        const f = services[name];
        for (const check of Object.keys(checks).sort()) {
            const c = checks[check];
            if (c.enabled === false) continue;
            if (c.command !== undefined) {
                f.checks.push({ name: check, command: c.command.map(String) });
                if (f.hasService && f.port !== undefined) calls.push([name, name, f.port]);
                continue;
            }
            const target = c.http.service ?? name;
            const t = services[target];
            if (!t.hasService) continue; // a check of itself on a service without a Service does not apply
            const port = c.http.port ?? (t.kind === "stateful" ? t.port! : t.servicePort);
            f.checks.push({ name: check, http: { service: target, url: `http://${target}.${env.namespace}.svc.cluster.local${port === 80 ? "" : `:${port}`}${c.http.path}`, status: c.http.status ?? 200 } });
            // The Service's port leads to the container's.
            calls.push([target, name, port === t.servicePort || port === t.port ? t.port! : port]);
        }
    }
    for (const [target, by, port] of calls) {
        const t = services[target];
        const entry = t.verifiedBy.find((v) => v.service === by) ?? t.verifiedBy[t.verifiedBy.push({ service: by, ports: [] }) - 1];
        if (!entry.ports.includes(port)) entry.ports = [...entry.ports, port].sort((a, b) => a - b);
        t.networkPolicy = true;
    }
    for (const f of Object.values(services)) f.verifiedBy.sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
    const verifyImage = String(env.verify?.image ?? "docker.io/curlimages/curl:8.11.1");
    const [checkerRepository, checkerTag] = verifyImage.split(/:(?=[^:/]+$)/);
    const exposure: StackFacts["exposure"] = env.exposure ?? "ingress";
    const gateway: StackFacts["gateway"] =
        exposure === "ingress" || exposure === "none"
            ? undefined
            : {
                  name: env.gateway.name,
                  namespace: env.gateway.namespace ?? env.namespace,
                  listener: env.gateway.listener ?? "https",
                  ...(env.gateway.httpListener ?? (env.gateway.create ? "http" : undefined) ? { httpListener: env.gateway.httpListener ?? "http" } : {}),
                  cors: env.gateway.cors ?? "headers",
                  create: env.gateway.create !== undefined,
              };
    return {
        stack: config.stack,
        namespace: env.namespace,
        domain: env.domain,
        tag: String(env.imageTag),
        logLevel: env.logLevel,
        issuer: env.ingress?.clusterIssuer ?? "letsencrypt-production",
        registryCredentials: env.registry?.username !== undefined,
        exposure,
        exposurePeers: [
            ...(exposure !== "gateway" ? [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": env.ingress?.controllerNamespace ?? "ingress-nginx" } } }] : []),
            ...(gateway
                ? [
                      {
                          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": env.gateway.dataPlane?.namespace ?? gateway.namespace } },
                          ...(env.gateway.dataPlane?.podLabels ? { podSelector: { matchLabels: env.gateway.dataPlane.podLabels } } : {}),
                      },
                  ]
                : []),
        ],
        ...(gateway ? { gateway } : {}),
        wait: String(rollout.awaitTimeoutSeconds ?? progressDeadline + 60),
        progressDeadline,
        telemetryEndpoint: env.telemetryEndpoint,
        commonEnv: catalog.commonEnv ?? {},
        publicService: env.publicService,
        monitoring: { operator: env.monitoring?.operator === true, namespace: env.monitoring?.namespace ?? "monitoring", labels: env.monitoring?.labels ?? {} },
        services,
        disabled,
        ...(verifying
            ? { verify: { image: verifyImage.includes("@") ? verifyImage : `${checkerRepository}@${lookUp(`${checkerRepository}:${checkerTag}`).digest}`, timeoutSeconds: env.verify?.timeoutSeconds ?? 120, backoffLimit: env.verify?.backoffLimit ?? 1 } }
            : {}),
        ...(Object.values(services).some((s) => s.rollout !== undefined) ? { statusImage: byDigest(String(env.canary?.statusImage ?? "quay.io/argoproj/kubectl-argo-rollouts:v1.9.1")) } : {}),
    };
}

/** Seconds of a duration as the configuration writes it (`5m`, `1h30m`, `45s`). */
function seconds(d: string): number {
    const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(d)!;
    return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

/**
 * A service's in-cluster canary, from its merged settings and the stack's `canary`: its steps
 * (10/50/100 watched 5 minutes when it names none), one AnalysisTemplate per window length when
 * the stack names a Prometheus (each window measured in whole intervals), and how long a release
 * may take: every window, a progress deadline per step but the last, and the stack's own wait.
 */
function canaryRollout(env: any, s: any, kind: Kind, objectName: string, deadline: number, wait: number): ServiceFacts["rollout"] {
    if (env.canary?.mode !== "in-cluster" || s.canary?.enabled !== true || (kind !== "web" && kind !== "worker")) return undefined;
    const written: { weight: number; window?: string }[] = s.canary.steps ?? [10, 50, 100].map((weight) => ({ weight }));
    const steps = written.map((st) => ({ weight: st.weight, windowSeconds: seconds(st.window ?? "5m") }));
    const interval = seconds(env.canary.interval ?? "30s");
    const analysed = env.canary.prometheus !== undefined;
    const watched = (w: number) => (analysed ? Math.ceil(w / interval) * interval : w);
    const templates = analysed ? Object.fromEntries(steps.map((st) => [st.windowSeconds, `${objectName}-canary-${st.windowSeconds}s`])) : {};
    return { steps, templates, statusSeconds: steps.reduce((sum, st) => sum + watched(st.windowSeconds), 0) + (steps.length - 1) * deadline + wait };
}

/** An image reference as pods run it: as written when it names a digest, else the tag's digest in tools/harness/registry.yaml. */
function byDigest(ref: string): string {
    if (ref.includes("@")) return ref;
    const [repository, tag] = ref.split(/:(?=[^:/]+$)/);
    return `${repository}@${lookUp(`${repository}:${tag}`).digest}`;
}

/** The names of a stack's services (the enabled ones), sorted. */
export function servicesOf(f: StackFacts, where: (s: ServiceFacts) => boolean = () => true): string[] {
    return Object.keys(f.services)
        .filter((s) => where(f.services[s]))
        .sort();
}

/** The number of Kubernetes objects of each kind a stack declares, from its facts. */
export function expectedCounts(f: StackFacts): Record<string, number> {
    const svcs = Object.values(f.services);
    const n = svcs.length;
    const count = (p: (s: ServiceFacts) => boolean) => svcs.filter(p).length;
    const exposed = count((s) => s.ingress !== undefined);
    const ingresses = f.exposure === "gateway" ? 0 : exposed;
    // A route per exposed service, and one that only redirects when the Gateway has an HTTP listener.
    const routes = f.exposure === "ingress" ? 0 : exposed * (f.gateway?.httpListener ? 2 : 1);
    const monitored = (s: ServiceFacts) => f.monitoring.operator && s.metrics !== undefined;
    const counts: Record<string, number> = {
        "core/v1:Namespace": 1,
        // Each service's, and an in-cluster canary's wait's.
        "core/v1:ServiceAccount": n + count((s) => s.rollout !== undefined),
        // one per service, one per files volume, and the shared one
        "core/v1:ConfigMap": n + svcs.reduce((sum, s) => sum + s.filesVolumes.length, 0) + 1,
        "core/v1:Secret": count((s) => s.hasSecrets) + (f.registryCredentials ? 1 : 0), // and the registry's pull Secret, when it has credentials
        "core/v1:Service": count((s) => s.hasService),
        "apps/v1:Deployment": count((s) => s.workload === "apps/v1:Deployment"),
        "apps/v1:StatefulSet": count((s) => s.workload === "apps/v1:StatefulSet"),
        "batch/v1:CronJob": count((s) => s.workload === "batch/v1:CronJob"),
        // An in-cluster canary's Rollout, and an AnalysisTemplate per window length when the stack has a Prometheus.
        "argoproj.io/v1alpha1:Rollout": count((s) => s.rollout !== undefined),
        "argoproj.io/v1alpha1:AnalysisTemplate": svcs.reduce((sum, s) => sum + Object.keys(s.rollout?.templates ?? {}).length, 0),
        // one per service someone may reach, the default deny, and the ACME solver's when an Ingress exists
        "networking.k8s.io/v1:NetworkPolicy": count((s) => s.networkPolicy) + 1 + (exposed > 0 ? 1 : 0),
        "networking.k8s.io/v1:Ingress": ingresses,
        "gateway.networking.k8s.io/v1:HTTPRoute": routes,
        "gateway.networking.k8s.io/v1:Gateway": f.gateway?.create ? 1 : 0,
        "autoscaling/v2:HorizontalPodAutoscaler": count((s) => s.autoscaling !== undefined),
        "policy/v1:PodDisruptionBudget": count((s) => s.pdb),
        // A service's with rbac rules, and an in-cluster canary's wait's.
        "rbac.authorization.k8s.io/v1:Role": count((s) => s.rbac) + count((s) => s.rollout !== undefined),
        "rbac.authorization.k8s.io/v1:RoleBinding": count((s) => s.rbac) + count((s) => s.rollout !== undefined),
        "external-secrets.io/v1:ExternalSecret": count((s) => s.externalSecrets),
        // A worker has no Service: Prometheus finds its pods.
        "monitoring.coreos.com/v1:ServiceMonitor": count((s) => monitored(s) && s.kind !== "worker"),
        "monitoring.coreos.com/v1:PodMonitor": count((s) => monitored(s) && s.kind === "worker"),
        // A verification Job per service with checks, and an in-cluster canary's wait Job.
        "batch/v1:Job": count((s) => s.checks.length > 0) + count((s) => s.rollout !== undefined),
    };
    return Object.fromEntries(Object.entries(counts).filter(([, c]) => c > 0));
}
