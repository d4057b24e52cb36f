import { Problems, show } from "../errors";
import type { ExposureMode, IngressController } from "../schema/exposure";

/**
 * What an exposed service's routing must fit beyond the API server's own Ingress checks (those
 * are in the schema: formats.ts `routedPath`): the paths ingress-nginx's admission webhook
 * refuses, and Gateway API's limits on an HTTPRoute.
 */

/** How the stack exposes services, as far as these limits care. */
export interface Exposure {
    readonly mode: ExposureMode;
    readonly controller: IngressController;
    readonly gatewayCors: "headers" | "filter";
}

/** One routed path, and where it is written. */
export interface RoutedPath {
    readonly path: string;
    readonly pathType: "Prefix" | "Exact";
    readonly at: string;
}

// ingress-nginx's admission webhook (internal/ingress/inspector): with `strict-validate-path-type`,
// on by default since v1.12, an Exact or Prefix path matches `(?i)^/[[:alnum:]\._\-/]*$` (v1.12.0
// to v1.12.5 and v1.13.0 to v1.13.1 also refused '.'); and any path containing one of these is
// refused as an attempt on the controller's files or its Lua.
const NGINX_PATH = /^\/[A-Za-z0-9._\-/]*$/;
const NGINX_BLOCKED = ["/etc/passwd", "/etc/shadow", "/etc/group", "/etc/nginx", "/etc/ingress-controller", "/var/run/secrets", "_by_lua"];

// Gateway API (v1.6 standard channel): an HTTPRoute rule has at most 64 matches, its CORS
// filter at most 64 origins; a path's '%' starts an escape of two hex digits (its CEL rule).
export const GATEWAY_MAX_ITEMS = 64;
const ESCAPES = /^(?:[^%]|%[0-9A-Fa-f]{2})*$/;

/** A service's routes: every path, and its CORS origins, with where the `paths` map and the origins are written. */
export interface Routes {
    readonly paths: readonly RoutedPath[];
    readonly pathsAt?: string;
    readonly origins?: readonly string[];
    readonly originsAt?: string;
}

/** Refuses what the stack's controller or Gateway API would refuse of a service's paths and CORS origins. */
export function checkRoutes(routes: Routes, exposure: Exposure, problems: Problems): void {
    const nginx = exposure.mode !== "gateway" && exposure.controller === "ingress-nginx";
    const gateway = exposure.mode !== "ingress";
    for (const p of routes.paths) {
        const blocked = NGINX_BLOCKED.find((b) => p.path.includes(b));
        if (nginx && blocked) {
            problems.add(p.at, `ingress-nginx (environment.ingress.controller) refuses ${show(p.path)}: its admission webhook blocks any path containing '${blocked}'`);
        } else if (nginx && !NGINX_PATH.test(p.path)) {
            problems.add(
                p.at,
                `ingress-nginx (environment.ingress.controller) refuses ${show(p.path)} as a ${p.pathType} path: its 'strict-validate-path-type' (on by default since v1.12) allows only letters, digits, '/', '_', '-' and '.'`,
            );
        }
        if (gateway && !ESCAPES.test(p.path)) {
            problems.add(p.at, `Gateway API refuses ${show(p.path)} in an HTTPRoute (environment.exposure is '${exposure.mode}'): a '%' starts an escape of two hexadecimal digits, such as '%20'`);
        }
    }
    if (gateway && routes.pathsAt && routes.paths.length > GATEWAY_MAX_ITEMS) {
        problems.add(
            routes.pathsAt,
            `${routes.paths.length} paths with 'path', but an HTTPRoute rule matches at most ${GATEWAY_MAX_ITEMS} (Gateway API), and environment.exposure is '${exposure.mode}'; route fewer paths`,
        );
    }
    if (gateway && exposure.gatewayCors === "filter" && routes.origins && routes.originsAt && routes.origins.length > GATEWAY_MAX_ITEMS) {
        problems.add(routes.originsAt, `${routes.origins.length} origins, but Gateway API's CORS filter takes at most ${GATEWAY_MAX_ITEMS} (environment.gateway.cors is 'filter'); allow fewer origins`);
    }
}
