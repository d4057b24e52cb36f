import { Problems } from "../errors";
import type { PlatformConfig } from "../types";
import { Declared, declaredNames, Owner, Space } from "./declared";

/** Where the settings of a configuration are written, for messages. */
export interface KeyPaths {
    /** The first of a service's `settings` that is written (`["secrets", "B_C"]`); the service itself when none is. */
    service(name: string, settings: readonly (readonly string[])[]): string;
    /** A setting of the environment: `<project>:environment.gateway.httpListener`. */
    environment(setting: readonly string[]): string;
}

/**
 * Refuses a configuration that gives one name twice: two Pulumi resources of one type and name,
 * two Kubernetes objects of one kind and name in the namespace (the platform's and Kubernetes'
 * own included), two listeners of one name or host, two services routing the same requests.
 */
export function refuseCollisions(config: PlatformConfig, paths: KeyPaths): void {
    const problems = new Problems();
    // Every driven canary counted as released: a release must never find its names taken.
    for (const c of nameCollisions(declaredNames(config, { everyCanary: true }), paths)) problems.add(c.path, c.message);
    problems.throwIfAny();
}

/** One name given twice: where the second is configured, and the message. */
export interface Collision {
    readonly path: string;
    readonly message: string;
}

/**
 * The names given twice in one space (config/names/declared.ts), each reported once at the later
 * of the two, naming both and what to change. Two names of one pair of settings are one problem
 * (two services of one objectName collide in every object they have: the first is reported).
 */
export function nameCollisions(declared: readonly Declared[], paths: KeyPaths): Collision[] {
    const first = new Map<string, Declared>();
    const reported = new Set<string>();
    const out: Collision[] = [];
    for (const d of declared) {
        const key = `${spaceKey(d.space)}\u0000${d.name}`;
        const a = first.get(key);
        if (a === undefined) {
            first.set(key, d);
            continue;
        }
        const pathA = pathOf(a.owner, paths);
        const pathB = pathOf(d.owner, paths) ?? "";
        if ((a.shares !== undefined && a.shares === d.shares) || (pathA === pathB && a.owner.what === d.owner.what)) continue;
        const pair = `${pathB}\u0000${pathA ?? a.owner.what}`;
        if (reported.has(pair)) continue;
        reported.add(pair);
        const { be, why } = described(d.space, d.shown ?? d.name);
        const fix = [d.owner.fix, a.owner.fix].filter((f) => f !== undefined).join(", or ");
        out.push({ path: pathB, message: `${d.owner.what} and ${a.owner.what}${pathA ? ` (${pathA})` : ""} would both ${be}; ${why}${fix ? `; ${fix}` : ""}` });
    }
    return out;
}

function pathOf(owner: Owner, paths: KeyPaths): string | undefined {
    const at = owner.at;
    if (at === undefined) return undefined;
    return "service" in at ? paths.service(at.service, at.settings) : paths.environment(at.environment);
}

function spaceKey(space: Space): string {
    if ("pulumi" in space) return `pulumi ${space.pulumi.parent ?? ""}$${space.pulumi.type}`;
    if ("kubernetes" in space) {
        const k = space.kubernetes;
        // One object whatever the version it is written in.
        const group = k.apiVersion.includes("/") ? k.apiVersion.slice(0, k.apiVersion.lastIndexOf("/")) : "";
        return `kubernetes ${group} ${k.kind} ${k.namespace ?? ""}`;
    }
    if ("listener" in space) return `listener ${space.listener} ${space.gateway}`;
    return `route ${space.route}`;
}

/** What sharing a name in this space would be, and why it cannot be. */
function described(space: Space, name: string): { be: string; why: string } {
    if ("pulumi" in space) {
        return { be: `be the Pulumi resource '${name}' (${space.pulumi.type})`, why: "Pulumi refuses a second resource of one type and name (a duplicate URN)" };
    }
    if ("kubernetes" in space) {
        const k = space.kubernetes;
        return {
            be: `be the ${k.kind} '${name}'${k.namespace !== undefined ? ` in the namespace ${k.namespace}` : ""}`,
            why: "two objects of one kind cannot share a name in a namespace: 'pulumi up' fails on the second, or one replaces the other",
        };
    }
    if ("listener" in space) {
        return space.listener === "name"
            ? { be: `be the listener '${name}' of the Gateway ${space.gateway}`, why: "a Gateway's listeners need names of their own" }
            : { be: `need an HTTPS listener for ${name} on the Gateway ${space.gateway}`, why: "the Gateway the stack creates has one HTTPS listener per exposed service, and two listeners for one host conflict" };
    }
    return { be: `route ${name}`, why: "the Gateway or the ingress controller sends those requests to one of them only" };
}
