import { Problems } from "../errors";
import * as f from "../formats";
import { byCodePoint, byKey } from "../order";
import { CiTags } from "../imageTags";
import { Merged, Origins } from "../merge";
import { GOT } from "../schema/fields";
import { EVERY_SERVICE, service, ServiceSettings } from "../schema/service";
import { Autoscaling, Cors, DisruptionBudget, IngressSpec, Resources, ServiceConfig } from "../types";
import { resolveImage } from "./image";
import { matchedRequests } from "../names/paths";
import { ownPath, unusedSettings } from "./kind";
import { containerPortName } from "../schema/kinds";
import { PodContext, resolveExtraContainers, resolveJob, resolveMetrics, resolveProbes, resolveRbac, resolveVolumes } from "./pod";
import type { Environment } from "../schema/environment";
import { checkRoutes, Exposure, RoutedPath } from "../limits/routes";

/** A service before its secret values are attached: secrets name their config key. */
export type ResolvedService = Omit<ServiceConfig, "secrets"> & {
    readonly secrets: Readonly<Record<string, { fromConfig: string } | { generate: { length: number } } | { external: { key: string; property?: string } }>>;
};

export interface ResolveContext {
    /** Tiers by name; `undefined` for a tier that is defined but invalid (already reported). */
    readonly tiers: ReadonlyMap<string, Resources | undefined>;
    readonly tiersPath: string;
    /** Undefined when the environment's domain is missing or invalid (already reported). */
    readonly domain?: string;
    /** The environment's default tag and where it is written; `value` undefined when it is invalid. */
    readonly imageTag?: { readonly value?: string; readonly path: string };
    readonly ciTags?: CiTags;
    readonly registry?: NonNullable<Environment["registry"]>;
    readonly registryPath: string;
    readonly registryGiven: boolean;
    /** The stack runs mutable tags (`environment.mutableTags`, config/resolve/mutableTags.ts). */
    readonly mutableTags: boolean;
    /** `<project>:environment`, for messages that name a stack setting. */
    readonly envPath: string;
    readonly serviceNames: readonly string[];
    /** Where the service itself is declared, for messages about missing required keys. */
    readonly servicePath: string;
    /** The layers written for this service alone (its catalog entry, the stack's entry), not shared defaults. */
    readonly ownLayers: readonly string[];
    /** The catalog services this stack turns off (`enabled: false`). */
    readonly disabled: readonly string[];
    /** The catalog's `system`, a label of every object and of the default selector. */
    readonly system: string;
    /** The stack's External Secrets store, when it names one. */
    readonly externalSecretStore?: string;
    readonly externalSecretsPath: string;
    /** How the stack exposes services, for what a mode cannot express. */
    readonly exposure: Exposure & { readonly path: string; readonly gatewayCorsPath: string };
    readonly problems: Problems;
}

/** What resolution reads of one service: its merged settings, where each was written, and which were invalid. */
export interface Settings {
    readonly s: ServiceSettings;
    readonly at: Origins<ServiceSettings>;
    readonly anyInvalid: (...fields: string[]) => boolean;
}

/**
 * Checks what only the merged settings of a service can show: required keys, tier references,
 * requests vs limits, replica bounds, the disruption budget, callers and the public host.
 */
export function resolveService(name: string, merged: Merged, ctx: ResolveContext): ResolvedService | undefined {
    const parsed = service.safeParse(merged.value);
    if (!parsed.success) {
        // Each layer was checked on its own; merged valid layers are valid.
        ctx.problems.add(ctx.servicePath, `the merged settings are not valid: ${parsed.error.issues.map((i) => i.message.replace(GOT, "")).join("; ")}`);
        return undefined;
    }
    const s = parsed.data;
    const at = merged.origins as Origins<ServiceSettings>;
    const anyInvalid = (...fields: string[]) => [...merged.invalid].some((x) => fields.some((p) => x === p || x.startsWith(`${p}.`)));
    const settings: Settings = { s, at, anyInvalid };
    const problems = ctx.problems;
    const before = problems.count;
    const required = <T>(v: T | undefined, field: string, expected: string): T | undefined => {
        if (v === undefined && !anyInvalid(field)) problems.add(`${ctx.servicePath}.${field}`, `required; expected ${expected}`);
        return v;
    };

    const kind = s.kind;
    const unused = unusedSettings(kind, at, ctx.ownLayers, problems);
    const uses = (key: keyof ServiceSettings) => !unused.has(key);
    const pod: PodContext = { servicePath: ctx.servicePath, ownLayers: ctx.ownLayers, problems };
    // Web and stateful services are called on their port; a worker may have one for probes and metrics.
    const port = kind === "web" || kind === "stateful" ? required(s.port, "port", "an integer from 1 to 65535") : uses("port") ? s.port : undefined;
    const { image, build } = resolveImage(settings, { ...ctx, name });
    const { probes, refused: refusedProbes } =
        uses("probes") && !anyInvalid("probes") ? resolveProbes(s.probes, at.probes, { number: port, name: s.portName ?? containerPortName(kind), invalid: anyInvalid("port") }, pod) : { probes: {}, refused: new Set<string>() };
    const serving = kind === "web" || kind === "stateful";
    // Without a port (reported above) the probes on it cannot be judged.
    const judgeProbes = serving && port !== undefined && !anyInvalid("probes", "port");
    const liveness = judgeProbes && !refusedProbes.has("liveness") ? required(probes.liveness, "probes.liveness", "an HTTP path such as '/healthz', or {tcp: true}, {grpc: true} or {exec: [...]}") : probes.liveness;
    const readiness = judgeProbes && !refusedProbes.has("readiness") ? required(probes.readiness, "probes.readiness", "an HTTP path such as '/readyz', or {tcp: true}, {grpc: true} or {exec: [...]}") : probes.readiness;

    const resources = anyInvalid("tier", "resources") ? undefined : resolveResources(settings, ctx);
    const scalingValid = !anyInvalid("replicas", "autoscaling") && kind !== "cronjob";
    const { replicas, autoscaling } = scalingValid ? resolveScaling(settings, uses("autoscaling"), problems) : {};
    const minimum = autoscaling?.minReplicas ?? replicas ?? 0;
    const maximum = autoscaling?.maxReplicas ?? replicas ?? 0;
    const disruptionBudget = scalingValid && !anyInvalid("pdb") ? resolveBudget(settings, minimum, maximum, ctx.ownLayers, problems) : undefined;

    // A secret is replaced whole by a later layer, so where it was written is one path.
    const secretAt = (key: string) => (at.secrets as unknown as Record<string, string>)[key];
    const env = byKey(s.env ?? {});
    const secrets = byKey(s.secrets ?? {});
    for (const key of Object.keys(secrets)) {
        if (Object.hasOwn(env, key)) {
            problems.add(secretAt(key), `'${key}' is also set as a plain variable at ${at.env![key]}; a name is either plain or secret, not both`);
        }
        const external = secrets[key].external;
        if (external && external.key === undefined) problems.add(`${secretAt(key)}.external.key`, "required; expected the key of the secret in the store, such as 'trading/broker'");
        if (external && ctx.externalSecretStore === undefined) {
            problems.add(secretAt(key), `an external secret is read from the stack's External Secrets store, and none is set; set ${ctx.externalSecretsPath}.store`);
        }
    }
    // Generated passwords are named after the lower-cased secret name, so names differing only
    // by case would collide (and are easy to confuse anyway).
    const byLowerCase = new Map<string, string>();
    for (const key of Object.keys(secrets)) {
        const first = byLowerCase.get(key.toLowerCase());
        if (first === undefined) {
            byLowerCase.set(key.toLowerCase(), key);
        } else {
            problems.add(secretAt(key), `'${key}' differs from the secret '${first}' (at ${secretAt(first)}) only by case; the secrets of one service need names that differ by more than case`);
        }
    }

    const written = uses("allowFrom") ? (s.allowFrom ?? []) : [];
    const others = ctx.serviceNames.filter((n) => n !== name).join(", ");
    const callers = new Set<string>();
    const namespaces: { namespace: string; podLabels: Record<string, string> }[] = [];
    written.forEach((caller, i) => {
        const path = `${at.allowFrom}[${i}]`;
        if (caller === EVERY_SERVICE) {
            // Every other service this stack runs (a service turned off here calls nothing).
            for (const other of ctx.serviceNames) if (other !== name && !ctx.disabled.includes(other)) callers.add(other);
        } else if (typeof caller !== "string") {
            if (caller.namespace === undefined) problems.add(`${path}.namespace`, "required; expected the namespace whose pods may call the service, such as 'api-gateway'");
            else namespaces.push({ namespace: caller.namespace, podLabels: byKey(caller.podLabels ?? {}) });
        } else if (caller === name) problems.add(path, `a service does not need to allow itself; expected one of the other services: ${others}`);
        else if (!ctx.serviceNames.includes(caller)) problems.add(path, `unknown service ${JSON.stringify(caller)}; expected one of: ${others}`);
        else if (!ctx.disabled.includes(caller)) callers.add(caller); // a service turned off here calls nothing
    });

    const ingress = anyInvalid("ingress") || !uses("ingress") ? undefined : resolveIngress(settings, ctx);
    const volumes = anyInvalid("volumes") ? [] : resolveVolumes(s.volumes, at.volumes, kind, pod);
    const taken = new Map([[name, "the service's own container"]]);
    const initContainers = anyInvalid("initContainers") ? [] : resolveExtraContainers("initContainers", s.initContainers, at.initContainers, taken, volumes, pod);
    for (const c of initContainers) taken.set(c.name, `the init container at ${ctx.servicePath}.initContainers.${c.name}`);
    const sidecars = anyInvalid("sidecars") ? [] : resolveExtraContainers("sidecars", s.sidecars, at.sidecars, taken, volumes, pod);
    const job = kind === "cronjob" && !anyInvalid("job") ? resolveJob(s.job, pod) : undefined;
    const metrics = uses("metrics") && !anyInvalid("metrics") ? resolveMetrics(s.metrics, at.metrics, { number: port, judged: !anyInvalid("port") && (port !== undefined || !serving) }, pod) : undefined;
    const rbac = anyInvalid("rbac") ? [] : resolveRbac(s.rbac, at.rbac, pod);
    if (problems.count > before || merged.invalid.size > 0 || (serving && port === undefined) || !image || (serving && (!liveness || !readiness)) || !resources || (kind === "cronjob" && !job)) {
        return undefined;
    }
    return {
        name,
        kind,
        ...(port !== undefined ? { port } : {}),
        servicePort: s.servicePort,
        ...(s.command ? { command: s.command } : {}),
        ...(s.args ? { args: s.args } : {}),
        image,
        ...(build ? { build } : {}),
        probes,
        resources,
        replicas,
        autoscaling,
        disruptionBudget,
        env,
        envFrom: { configMaps: s.envFrom?.configMaps ?? [], secrets: s.envFrom?.secrets ?? [] },
        secrets: secrets as ResolvedService["secrets"],
        volumes,
        initContainers,
        sidecars,
        ...(job ? { job } : {}),
        ...(metrics ? { metrics } : {}),
        rbac,
        allowFrom: [...callers].sort(byCodePoint),
        allowFromNamespaces: namespaces,
        objectName: s.objectName ?? name,
        containerName: s.containerName ?? name,
        portName: s.portName ?? containerPortName(kind),
        selector: s.selector ? byKey(s.selector) : { "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": ctx.system },
        ingress,
        runAsUser: s.runAsUser,
    };
}

function resolveResources({ s, at }: Settings, ctx: ResolveContext): Resources | undefined {
    let base: Resources | undefined;
    if (s.tier !== undefined) {
        base = ctx.tiers.get(s.tier);
        if (ctx.tiers.has(s.tier) && !base) {
            return undefined; // defined but invalid, reported where it is defined
        }
        if (!base) {
            const known = [...ctx.tiers.keys()].join(", ") || `none (define them under ${ctx.tiersPath})`;
            ctx.problems.add(at.tier!, `unknown tier ${JSON.stringify(s.tier)}; expected one of: ${known}`);
            return undefined;
        }
    }
    const pick = (kind: "requests" | "limits", r: "cpu" | "memory"): string | undefined => s.resources?.[kind]?.[r] ?? base?.[kind][r];
    let complete = true;
    const amounts = (kind: "requests" | "limits") => {
        const out = { cpu: pick(kind, "cpu"), memory: pick(kind, "memory") };
        for (const r of ["cpu", "memory"] as const) {
            if (out[r] === undefined) {
                complete = false;
                ctx.problems.add(`${ctx.servicePath}.resources.${kind}.${r}`, "required; set 'tier' to a tier of catalog.tiers or set resources explicitly");
            }
        }
        return out as { cpu: string; memory: string };
    };
    const resources = { requests: amounts("requests"), limits: amounts("limits") };
    if (!complete) {
        return undefined;
    }
    for (const r of ["cpu", "memory"] as const) {
        // A tier is checked where it is defined; here only what a service overrides.
        const override = at.resources?.requests?.[r] ?? at.resources?.limits?.[r];
        const problem = override ? f.requestExceedsLimit(resources.requests[r], resources.limits[r]) : undefined;
        if (override && problem) ctx.problems.add(override, problem);
    }
    return resources;
}

function resolveScaling({ s, at }: Settings, autoscaled: boolean, problems: Problems): { replicas?: number; autoscaling?: Autoscaling } {
    if (!autoscaled || s.autoscaling?.enabled !== true) {
        return { replicas: s.replicas };
    }
    const { minReplicas, maxReplicas, targetCPUUtilization, targetMemoryUtilization, behavior } = s.autoscaling;
    const customMetrics: { name: string; averageValue: string }[] = [];
    for (const [metric, target] of Object.entries(s.autoscaling.customMetrics ?? {}).sort(([a], [b]) => byCodePoint(a, b))) {
        if (target.averageValue === undefined) problems.add(`${at.autoscaling!.$}.customMetrics.${metric}.averageValue`, 'required; expected a quantity such as "50"');
        else customMetrics.push({ name: metric, averageValue: target.averageValue });
    }
    for (const direction of ["scaleUp", "scaleDown"] as const) {
        for (const [policy, p] of Object.entries(behavior?.[direction]?.policies ?? {})) {
            const path = `${at.autoscaling!.$}.behavior.${direction}.policies.${policy}`;
            if (p.type === undefined) problems.add(`${path}.type`, "required; expected one of Pods, Percent");
            if (p.value === undefined) problems.add(`${path}.value`, "required; expected an integer from 1 to 1000");
        }
    }
    const autoscaling = { minReplicas, maxReplicas, targetCPUUtilization, targetMemoryUtilization, ...(customMetrics.length > 0 ? { customMetrics } : {}), ...(behavior ? { behavior } : {}) };
    if (autoscaling.minReplicas > autoscaling.maxReplicas) {
        const path = at.autoscaling?.minReplicas ?? at.autoscaling!.maxReplicas!;
        problems.add(path, `minReplicas (${autoscaling.minReplicas}) must be less than or equal to maxReplicas (${autoscaling.maxReplicas})`);
    }
    return { autoscaling };
}

function resolveBudget({ s, at }: Settings, minimum: number, maximum: number, ownLayers: readonly string[], problems: Problems): DisruptionBudget | undefined {
    const pdb = s.pdb;
    if (pdb.enabled === false || (pdb.enabled === undefined && pdb.minAvailable === undefined && maximum <= 1)) {
        return undefined;
    }
    if (maximum <= 1) {
        // A budget on a lone replica blocks every drain: asked for this service, it is an error;
        // from a shared default (production's `serviceDefaults.pdb`), it does not apply.
        const explicit = [at.pdb?.enabled, at.pdb?.minAvailable].find((p) => p !== undefined && ownPath(p, ownLayers));
        if (explicit) {
            problems.add(explicit, `a PodDisruptionBudget for a service that runs at most ${maximum} replica${maximum === 1 ? "" : "s"} would block every node drain; it needs more than one replica`);
        }
        return undefined;
    }
    if (at.pdb?.maxUnavailable !== undefined && pdb.minAvailable !== undefined) {
        problems.add(at.pdb.minAvailable!, `set either pdb.minAvailable or pdb.maxUnavailable (at ${at.pdb.maxUnavailable}), not both`);
        return undefined;
    }
    if (pdb.minAvailable !== undefined) {
        if (pdb.minAvailable >= minimum) {
            problems.add(at.pdb!.minAvailable!, `minAvailable (${pdb.minAvailable}) must be less than the minimum replica count (${minimum}), or the budget blocks every node drain`);
            return undefined;
        }
        return { minAvailable: pdb.minAvailable };
    }
    return { maxUnavailable: pdb.maxUnavailable };
}

function resolveIngress({ s, at }: Settings, ctx: ResolveContext): IngressSpec | undefined {
    const ingress = s.ingress;
    // Exposure 'none' (a local cluster) exposes nothing: the catalog's ingress settings wait for the stacks that do.
    if (ingress === undefined || ingress.enabled === false || (ingress.hostPrefix === undefined && ingress.enabled === undefined) || ctx.exposure.mode === "none") {
        return undefined;
    }
    if (ingress.hostPrefix === undefined) {
        ctx.problems.add(`${ctx.servicePath}.ingress.hostPrefix`, "required when ingress is enabled; expected a DNS-1123 label such as 'api'");
        return undefined;
    }
    if (ctx.domain === undefined) {
        return undefined;
    }
    const host = `${ingress.hostPrefix}.${ctx.domain}`;
    const hostProblem = f.hostName(host);
    if (hostProblem) {
        ctx.problems.add(at.ingress!.hostPrefix!, `the host ${JSON.stringify(host)} is not a valid host name (${hostProblem})`);
        return undefined;
    }
    const c = ingress.cors;
    if (c && !c.allowOrigins) {
        ctx.problems.add(`${ctx.servicePath}.ingress.cors.allowOrigins`, "required when CORS is configured; expected a list of origins such as 'https://app.example.com'");
    }
    const cors: Cors | undefined = c?.allowOrigins && { allowOrigins: c.allowOrigins, allowMethods: c.allowMethods, allowHeaders: c.allowHeaders, allowCredentials: c.allowCredentials };
    const paths: IngressSpec["paths"][number][] = [{ path: ingress.path, pathType: ingress.pathType }];
    const routed: RoutedPath[] = [{ ...paths[0], at: at.ingress!.path ?? `${ctx.servicePath}.ingress.path` }];
    for (const [name, p] of Object.entries(ingress.paths ?? {}).sort(([a], [b]) => byCodePoint(a, b))) {
        const path = `${at.ingress!.paths!.$}.${name}`;
        const same = p.path === undefined ? undefined : paths.find((q) => matchedRequests(q.path, q.pathType) === matchedRequests(p.path!, p.pathType));
        if (p.path === undefined) {
            ctx.problems.add(`${path}.path`, "required; expected an HTTP path such as '/health'");
        } else if (same) {
            const as = same.path === p.path ? "" : ` as ${same.path} (${same.pathType})`;
            ctx.problems.add(`${path}.path`, `the path ${p.path} (${p.pathType}) is routed already${as}; each path is routed once`);
        } else {
            paths.push({ path: p.path, pathType: p.pathType, name });
            routed.push({ path: p.path, pathType: p.pathType, at: (at.ingress!.paths as Record<string, Record<string, string>>)[name]?.path ?? `${path}.path` });
        }
    }
    checkRoutes({ paths: routed, pathsAt: at.ingress!.paths?.$, origins: c?.allowOrigins, originsAt: at.ingress!.cors?.allowOrigins }, ctx.exposure, ctx.problems);
    // What a Gateway route cannot express is refused where it is written.
    const onGateway = ctx.exposure.mode !== "ingress";
    if (onGateway && !ingress.httpsRedirect) {
        ctx.problems.add(
            at.ingress!.httpsRedirect!,
            `a Gateway route serves HTTPS only (the HTTP listener only redirects), and ${ctx.exposure.path} is '${ctx.exposure.mode}'; remove httpsRedirect: false`,
        );
    }
    if (onGateway && cors && ctx.exposure.gatewayCors === "headers" && cors.allowOrigins.length > 1) {
        ctx.problems.add(
            at.ingress!.cors!.allowOrigins!,
            `${cors.allowOrigins.length} origins, but static response headers (${ctx.exposure.gatewayCorsPath} 'headers') can name one; allow one origin, or set ${ctx.exposure.gatewayCorsPath}: filter where the Gateway's implementation supports Gateway API's CORS filter`,
        );
    }
    return {
        host,
        path: ingress.path,
        paths,
        ...(ingress.timeoutSeconds !== undefined ? { timeoutSeconds: ingress.timeoutSeconds } : {}),
        ...(ingress.tlsSecretName !== undefined ? { tlsSecretName: ingress.tlsSecretName } : {}),
        httpsRedirect: ingress.httpsRedirect,
        ...(cors ? { cors } : {}),
    };
}
