import { Problems } from "../errors";
import type { Environment } from "../schema/environment";
import { byKey } from "../order";
import { GatewayConfig } from "../types";

/**
 * The stack's Gateway, for the `gateway` and `both` exposure modes: required there, refused
 * elsewhere (a Gateway the program would not use is a mistake, not a setting to ignore).
 */
export function resolveGateway(env: Partial<Environment>, envPath: string, problems: Problems): GatewayConfig | undefined {
    const mode = env.exposure ?? "ingress";
    const g = env.gateway;
    if (mode === "ingress") {
        if (g !== undefined) problems.add(`${envPath}.gateway`, `set, but ${envPath}.exposure is 'ingress', so no route would use it; set exposure: gateway (or both, to move over), or remove it`);
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
