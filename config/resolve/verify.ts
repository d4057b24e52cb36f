import { Problems } from "../errors";
import * as f from "../formats";
import type { Merged } from "../merge";
import { byCodePoint } from "../order";
import { closest, isRecord } from "../suggest";
import type { Environment } from "../schema/environment";
import { CheckSettings, checks as checksSchema, MAX_CHECKS } from "../schema/verify";
import type { PlatformConfig, ServiceVerification, VerifiedCall, VerifyCheck, VerifySettings } from "../types";
import { ownLeaves } from "./kind";
import { statusLookup } from "../inCluster";
import type { ResolvedService } from "./service";

/**
 * The services' checks (`verify`), judged once every service is resolved: an HTTP check calls a
 * service through its Service, so the service it names must exist, run in this stack and have a
 * Service, and the port it names must be one of that Service's (docs/verification.md).
 */

export interface VerifyContext {
    /** The services this stack runs, resolved. */
    readonly services: readonly ResolvedService[];
    /** Every catalog service's merged settings and where each was written, by name. */
    readonly merged: ReadonlyMap<string, Merged>;
    /** Every service of the catalog, by name. */
    readonly names: readonly string[];
    /** The catalog services this stack turns off. */
    readonly disabled: readonly string[];
    /** The layers written for one service alone (its catalog entry, the stack's entry). */
    readonly ownLayers: (service: string) => readonly string[];
    readonly namespace: string;
    readonly problems: Problems;
}

/** `environment.verify` as the program reads it; the image's parts were checked by the schema. */
export function verifySettings(v: Environment["verify"]): VerifySettings {
    return { image: f.imageParts(v.image)!, timeoutSeconds: v.timeoutSeconds, backoffLimit: v.backoffLimit };
}

/** Each service's checks, for the services that have any (none when `enabled` is false). */
export function resolveVerification(enabled: boolean, ctx: VerifyContext): ServiceVerification[] {
    if (!enabled) return [];
    const byName = new Map(ctx.services.map((svc) => [svc.name, svc]));
    const out: ServiceVerification[] = [];
    for (const svc of ctx.services) {
        const merged = ctx.merged.get(svc.name);
        const written = merged?.value.verify;
        if (!merged || !isRecord(written)) continue;
        const origins = (merged.origins as Record<string, unknown>).verify as Origin;
        const own = ctx.ownLayers(svc.name);
        // Where this service's own checks are written, if anywhere (else a shared default wrote them).
        const ownLayer = own.find((l) => ownLeaves(origins, [l]).length > 0);
        if (svc.kind === "cronjob") {
            // A cronjob has no rollout to verify: its runs succeed or fail on their own.
            if (ownLayer) ctx.problems.add(`${ownLayer}.verify`, "does not apply to a 'cronjob' service: it has no rollout to verify, and each of its runs succeeds or fails on its own");
            continue;
        }
        const parsed = checksSchema.parse(written) ?? {};
        const count = Object.values(parsed).filter((c) => c.enabled !== false).length;
        if (count > MAX_CHECKS) {
            ctx.problems.add(ownLayer ? `${ownLayer}.verify` : origins.$, `${count} checks, more than ${MAX_CHECKS}: each is a container of the one pod that runs them all at once; check fewer paths, or one path that covers several`);
            continue;
        }
        const checks: VerifyCheck[] = [];
        const calls = new Map<string, Set<number>>();
        const call = (service: string, port: number) => calls.set(service, (calls.get(service) ?? new Set()).add(port));
        for (const name of Object.keys(parsed).sort(byCodePoint)) {
            const c = parsed[name];
            const at = origins[name] as Origin;
            if (c.enabled === false) continue;
            if (c.http !== undefined && c.command !== undefined) {
                ctx.problems.add(at.$, "expected exactly one of 'http' or 'command', not both");
            } else if (c.command !== undefined) {
                checks.push({ name, command: c.command });
                // The command runs with the service's settings: it may call the service itself.
                if (hasService(svc)) call(svc.name, svc.port!);
            } else if (c.http !== undefined) {
                const http = resolveHttp(svc, c.http, at.http as Origin, byName, own, ctx);
                if (http) {
                    checks.push({ name, http: { service: http.target.name, url: http.url, status: c.http.status } });
                    call(http.target.name, http.containerPort);
                }
            } else {
                ctx.problems.add(`${at.$}.http`, "required; expected 'http' (a path such as '/healthz', or {path, status, port, service}) or 'command' (a list such as [redis-cli, ping])");
            }
        }
        if (checks.length === 0) continue;
        const targets = checks.flatMap((c) => ("http" in c ? [c.http.service] : []));
        out.push({
            service: svc.name,
            checks,
            covers: [...new Set([svc.name, ...reach(targets, ctx.services)])].sort(byCodePoint),
            calls: [...calls].sort(([a], [b]) => byCodePoint(a, b)).map(([service, ports]): VerifiedCall => ({ service, ports: [...ports].sort((a, b) => a - b) })),
        });
    }
    return out;
}

/** Where a merged value was written: `$` for the object, and each key. */
type Origin = { readonly $: string } & Readonly<Record<string, unknown>>;

type HttpSettings = NonNullable<CheckSettings["http"]>;

/** A web or stateful service with a port has a Service of its own name. */
function hasService(svc: ResolvedService): boolean {
    return (svc.kind === "web" || svc.kind === "stateful") && svc.port !== undefined;
}

/** An HTTP check's target, URL and the container port its requests reach; undefined when refused (reported) or not applicable. */
function resolveHttp(
    svc: ResolvedService,
    http: HttpSettings,
    at: Origin,
    byName: ReadonlyMap<string, ResolvedService>,
    own: readonly string[],
    ctx: VerifyContext,
): { target: ResolvedService; url: string; containerPort: number } | undefined {
    const named = http.service ?? svc.name;
    // Where the target is written: its own key, else the check's settings written for this service.
    const serviceAt = typeof at.service === "string" ? at.service : (ownLeaves(at, own)[0] ?? at.$);
    if (!ctx.names.includes(named)) {
        const hint = closest(named, ctx.names);
        ctx.problems.add(serviceAt, `unknown service ${JSON.stringify(named)}${hint ? ` (did you mean '${hint}'?)` : ""}; expected one of the catalog's services: ${ctx.names.join(", ")}`);
        return undefined;
    }
    if (ctx.disabled.includes(named)) {
        ctx.problems.add(serviceAt, `${JSON.stringify(named)} is turned off in this stack (enabled: false), so it cannot be checked; turn this check off here (enabled: false) or call another service`);
        return undefined;
    }
    const target = byName.get(named);
    if (!target) return undefined; // its own problems are reported
    if (!hasService(target)) {
        // A check of itself from a shared default does not apply to a service without a Service.
        if (http.service === undefined && ownLeaves(at, own).length === 0) return undefined;
        ctx.problems.add(serviceAt, `service ${JSON.stringify(named)} is a '${target.kind}' and has no Service to call; give it a command check in its own 'verify' instead`);
        return undefined;
    }
    if (http.path === undefined) {
        ctx.problems.add(`${at.$}.path`, "required; expected an HTTP path such as '/healthz'");
        return undefined;
    }
    // The Service's ports, each with the container port behind it. A headless (stateful) Service
    // resolves to the pods, so it is called on the container's own ports.
    const metrics = target.metrics && target.metrics.port !== target.port ? [{ port: target.metrics.port, container: target.metrics.port }] : [];
    const ports = [{ port: target.kind === "stateful" ? target.port! : target.servicePort, container: target.port! }, ...metrics];
    const port = http.port === undefined ? ports[0] : ports.find((p) => p.port === http.port);
    if (port === undefined) {
        const listed = ports.map((p, i) => (i === 0 ? String(p.port) : `${p.port} (its metrics)`)).join(" or ");
        ctx.problems.add(typeof at.port === "string" ? at.port : at.$, `expected a port of service ${JSON.stringify(named)}'s Service, ${listed} (or no 'port'), got ${http.port}`);
        return undefined;
    }
    const host = `${target.objectName}.${ctx.namespace}.svc.cluster.local${port.port === 80 ? "" : `:${port.port}`}`;
    return { target, url: `http://${host}${http.path}`, containerPort: port.container };
}

/**
 * The services a request to `targets` can reach: each target, and every service it may call (a
 * service whose `allowFrom` names it), transitively. An end-to-end path through the orchestrator
 * reaches everything the orchestrator calls, so its check waits for all of their rollouts.
 */
function reach(targets: readonly string[], services: readonly ResolvedService[]): string[] {
    const seen = new Set<string>();
    const queue = [...targets];
    while (queue.length > 0) {
        const next = queue.shift()!;
        if (seen.has(next)) continue;
        seen.add(next);
        for (const callee of services) if (callee.allowFrom.includes(next)) queue.push(callee.name);
    }
    return [...seen];
}

/** The verification Jobs whose pods call `service`, each with the container ports: what its NetworkPolicy admits. */
export function verifiersOf(verification: readonly ServiceVerification[], service: string): VerifiedCall[] {
    return verification.flatMap((v) => v.calls.filter((c) => c.service === service).map((c) => ({ service: v.service, ports: c.ports })));
}

/** The services with an HTTP check, in order: their Jobs run the checker image. */
export function httpCheckers(config: Pick<PlatformConfig, "verification">): string[] {
    return config.verification.filter((v) => v.checks.some((c) => "http" in c)).map((v) => v.service);
}

/** Whether an HTTP check runs in this stack: the checker image then runs too. */
export function checksOverHttp(config: Pick<PlatformConfig, "verification">): boolean {
    return httpCheckers(config).length > 0;
}

/** The HTTP checker's image when its tag is looked up in the registry: an HTTP check runs, and the stack pins no digest. */
export function checkerLookup(config: Pick<PlatformConfig, "verification" | "environment">): VerifySettings["image"] | undefined {
    return checksOverHttp(config) && config.environment.verify.image.digest === undefined ? config.environment.verify.image : undefined;
}

/** Whether the program looks image tags up in registries: a prebuilt service's without a digest, the HTTP checker's, or the canaries' status image. */
export function registryLookupsNeeded(config: Pick<PlatformConfig, "services" | "verification" | "environment">): boolean {
    return config.services.some((svc) => !svc.build && !svc.image.digest) || checkerLookup(config) !== undefined || statusLookup(config) !== undefined;
}
