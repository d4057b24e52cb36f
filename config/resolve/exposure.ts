import { Problems } from "../errors";
import { DOMAIN_EXPECTED, type Environment } from "../schema/environment";
import { isRecord } from "../suggest";
import { byKey } from "../order";
import { GatewayConfig } from "../types";

/**
 * The stack's Gateway, for the `gateway` and `both` exposure modes: required there, refused
 * with `ingress` and `none` (a Gateway the program would not use is a mistake, not a setting to ignore).
 */
export function resolveGateway(env: Partial<Environment>, envPath: string, problems: Problems): GatewayConfig | undefined {
    const mode = env.exposure ?? "ingress";
    const g = env.gateway;
    if (mode === "ingress" || mode === "none") {
        if (g !== undefined) problems.add(`${envPath}.gateway`, `set, but ${envPath}.exposure is '${mode}', so no route would use it; set exposure: gateway (or both, to move over), or remove it`);
        return undefined;
    }
    if (g?.name === undefined) {
        problems.add(`${envPath}.gateway.name`, `required with exposure '${mode}'; expected the name of the Gateway the services' routes attach to`);
        return undefined;
    }
    if (g.create && g.create.className === undefined) {
        problems.add(`${envPath}.gateway.create.className`, "required to create a Gateway; expected a GatewayClass name such as 'eg'");
        return undefined;
    }
    if (env.namespace === undefined) return undefined;
    const namespace = g.namespace ?? env.namespace;
    return {
        name: g.name,
        namespace,
        listener: g.listener,
        ...(g.httpListener ? { httpListener: g.httpListener } : g.create ? { httpListener: "http" } : {}),
        cors: g.cors,
        dataPlane: {
            namespace: g.dataPlane.namespace ?? namespace,
            podLabels: byKey(g.dataPlane.podLabels ?? {}),
        },
        ...(g.create ? { create: { className: g.create.className! } } : {}),
    };
}

/** The domain public hosts are under: required unless nothing is exposed (`exposure: none`). Invalid, it was reported already. */
export function requireDomain(written: unknown, mode: Environment["exposure"] | undefined, envPath: string, problems: Problems): void {
    const domain = isRecord(written) ? written.domain : undefined;
    if ((domain === undefined || domain === null) && mode !== "none") {
        problems.add(`${envPath}.domain`, `required; expected ${DOMAIN_EXPECTED}`);
    }
}
