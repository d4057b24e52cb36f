import { Problems } from "../errors";
import type { Merged, Origins } from "../merge";
import type { ResolvedService } from "../resolve/service";
import type { ServiceSettings } from "../schema/service";
import type { ExposureMode } from "../schema/exposure";
import type { IngressDefaults } from "../types";
import { ingressAnnotations, serviceConfigMapData, waitAnnotations } from "../written";
import { GATEWAY_MAX_ITEMS } from "./routes";
import { checkCanaryName, checkExtendedName } from "./names";
import { lowPorts } from "./ports";
import { checkAnnotationsSize, checkConfigMapSize } from "./sizes";

/**
 * The limits the API server enforces on the objects the program would write from the resolved
 * services (issue 18, class 10), each refused at the key path that would break it; and the
 * ports below 1024, which only some container runtimes let the pods bind (warnings). The paths
 * an Ingress or a route takes are checked where they are resolved (limits/routes.ts).
 */
export interface LimitsContext {
    readonly services: readonly ResolvedService[];
    /** Each service's merged settings, for where each was written. */
    readonly merged: ReadonlyMap<string, Merged>;
    /** Where a catalog service is declared: `<catalog>.services.<name>`. */
    readonly servicePath: (name: string) => string;
    /** The environment's shared ConfigMap, the stack's `commonEnv`, and where the catalog and the stack are written. */
    readonly shared: { readonly data: Readonly<Record<string, string>>; readonly stackCommonEnv?: Readonly<Record<string, string>>; readonly catalogPath: string; readonly envPath: string };
    readonly exposure: ExposureMode;
    /** Undefined when invalid (already reported). */
    readonly ingress?: IngressDefaults;
    readonly awaitTimeoutSeconds?: number;
    /** Where `environment.gateway.create` is written, when the stack creates its Gateway. */
    readonly gatewayCreate?: string;
    /** Whether a service has a driven canary, whose objects' names are longer (config/canaryRelease.ts). */
    readonly drivenCanary?: (svc: ResolvedService) => boolean;
}

/** Records what the API server would refuse; returns the warnings. */
export function checkApiLimits(ctx: LimitsContext, problems: Problems): string[] {
    checkConfigMapSize("the environment's shared ConfigMap", ctx.shared.data, (key) => sharedAt(key, ctx.shared), problems);
    const warnings: string[] = [];
    for (const svc of ctx.services) {
        const at = ctx.merged.get(svc.name)!.origins as Origins<ServiceSettings>;
        checkExtendedName(svc.kind, svc.objectName, at.objectName ?? ctx.servicePath(svc.name), problems);
        if (ctx.drivenCanary?.(svc)) checkCanaryName(svc.objectName, at.objectName ?? ctx.servicePath(svc.name), problems);
        // SERVICE_NAME and PORT are the platform's, from the service's name and port.
        const env = at.env as Record<string, string> | undefined;
        checkConfigMapSize("the service's ConfigMap", serviceConfigMapData(svc), (key) => env?.[key] ?? ctx.servicePath(svc.name), problems);
        for (const v of svc.volumes) {
            const files = (at.volumes as Record<string, Record<string, Record<string, string>>> | undefined)?.[v.name]?.files;
            if ("files" in v) checkConfigMapSize(`the ConfigMap of the volume '${v.name}'`, v.files, (key) => files?.[key] ?? `${ctx.servicePath(svc.name)}.volumes.${v.name}`, problems);
        }
        const cors = at.ingress?.cors;
        if (svc.ingress && cors && ctx.exposure !== "gateway" && ctx.ingress && ctx.awaitTimeoutSeconds !== undefined) {
            const annotations = ingressAnnotations(svc.ingress, ctx.ingress, waitAnnotations(ctx.awaitTimeoutSeconds));
            // Only CORS lists grow without bound; the other annotations are a few words each.
            const source = (key: string) => (key.endsWith("cors-allow-headers") ? { at: cors.allowHeaders ?? cors.$, fewer: "headers" } : { at: cors.allowOrigins ?? cors.$, fewer: "origins" });
            checkAnnotationsSize("the Ingress's annotations", annotations, source, problems);
        }
        warnings.push(...lowPorts(svc, at));
    }
    const exposed = ctx.services.filter((svc) => svc.ingress).length;
    if (ctx.gatewayCreate !== undefined && ctx.exposure !== "ingress" && exposed + 1 > GATEWAY_MAX_ITEMS) {
        problems.add(
            ctx.gatewayCreate,
            `the Gateway would have ${exposed + 1} listeners (the HTTP one and an HTTPS one for each of the ${exposed} exposed services), and a Gateway has at most ${GATEWAY_MAX_ITEMS} (Gateway API); expose at most ${GATEWAY_MAX_ITEMS - 1} services through a Gateway the stack creates, or attach them to a shared one (without 'create')`,
        );
    }
    return warnings;
}

/** The settings the platform's own variables of the shared ConfigMap come from, under `environment`. */
const PLATFORM_SETTINGS: Readonly<Record<string, string>> = { ENVIRONMENT: "name", LOG_LEVEL: "logLevel", OTEL_EXPORTER_OTLP_ENDPOINT: "telemetryEndpoint" };

/** Where a value of the shared ConfigMap is written: the stack's `commonEnv`, the platform's setting, or the catalog's `commonEnv`. */
function sharedAt(key: string, shared: LimitsContext["shared"]): string {
    if (shared.stackCommonEnv && Object.hasOwn(shared.stackCommonEnv, key)) return `${shared.envPath}.commonEnv.${key}`;
    return Object.hasOwn(PLATFORM_SETTINGS, key) ? `${shared.envPath}.${PLATFORM_SETTINGS[key]}` : `${shared.catalogPath}.commonEnv.${key}`;
}
