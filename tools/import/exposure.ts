import { containerPortName, Kind } from "../../config/schema/kinds";
import { K8sObject } from "./manifests";
import { Layer, Overlay, put } from "./context";
import { dnsLabel } from "./names";
import type { IngressRuleShape } from "./shapes";
import { ImportedService, selects } from "./workloads";
import { objectName } from "../../config/names/derive";

/**
 * Services and Ingresses: a Service selecting a Deployment's pods makes it `web` (its port the
 * `servicePort`, the container port it targets the `port`); an Ingress rule routing to it gives
 * `ingress` (host prefix, paths, CORS). Returns the environment's domain and ingress settings.
 */

/** ingress-nginx's annotations: CORS, the read timeout and the HTTPS redirect map to `ingress`. */
const NGINX = "nginx.ingress.kubernetes.io/";

export interface ExposureResult {
    readonly domain?: string;
    readonly className?: string;
    readonly clusterIssuer?: string;
}

export function mapServices(ov: Overlay, services: readonly ImportedService[]): Map<string, ImportedService> {
    const byServiceObject = new Map<string, ImportedService>();
    const named: { o: K8sObject; target: ImportedService; name: string }[] = [];
    for (const o of ov.ofKind("Service")) {
        const t = ov.tracker(o);
        const selector = t.peek<Record<string, string>>("spec", "selector");
        const target = services.find((s) => s.workload.kind !== "CronJob" && selects(selector, s.podLabels));
        if (!target || target.settings.servicePort !== undefined) {
            ov.note(o, undefined, target ? `a second Service for ${target.name}: not imported (the platform makes one Service per service)` : "selects no imported workload: not imported");
            continue;
        }
        ov.used.add(o);
        t.mark(["spec", "selector"]);
        const type = t.take<string>("spec", "type") ?? "ClusterIP";
        if (type !== "ClusterIP") ov.note(o, ["spec", "type"], `type ${type}: the platform makes a ClusterIP Service; expose it with ingress instead`);
        const headless = t.take<string>("spec", "clusterIP") === "None";
        if (headless !== (target.workload.kind === "StatefulSet")) ov.note(o, ["spec", "clusterIP"], headless ? "headless: the platform's Service for a Deployment has a cluster IP" : "the platform's Service for a StatefulSet is headless");
        const ports = t.peek<{ name?: string; port: number; targetPort?: number | string }[]>("spec", "ports") ?? [];
        if (ports[0]) {
            t.mark(["spec", "ports", 0]);
            if (ports[0].name !== undefined) named.push({ o, target, name: ports[0].name });
            target.settings.servicePort = ports[0].port;
            const tp = ports[0].targetPort ?? ports[0].port;
            const containerPort = typeof tp === "number" ? tp : target.ports.get(tp);
            if (containerPort !== undefined) target.settings.port = containerPort;
        }
        if (target.workload.kind === "Deployment") target.settings.kind = "web";
        byServiceObject.set(o.metadata.name, target);
    }
    for (const s of services) if (s.settings.kind === "web" && s.settings.servicePort === undefined) s.settings.kind = "worker";
    // The Service's port name is kept (portName: the container's port and the Service's carry
    // it), so what refers to it by name keeps working; a container port of another name is reported.
    for (const { target, name } of named) {
        const expected = containerPortName(target.settings.kind as Kind);
        if (name !== expected) target.settings.portName = name;
        const containers = (target.workload.spec as { template?: { spec?: { containers?: { ports?: { name?: string; containerPort: number }[] }[] } } } | undefined)?.template?.spec?.containers ?? [];
        containers.forEach((c, ci) =>
            (c.ports ?? []).forEach((p, pi) => {
                if (p.containerPort === target.settings.port && p.name !== undefined && p.name !== name) {
                    ov.note(target.workload, ["spec", "template", "spec", "containers", ci, "ports", pi, "name"], `container port name '${p.name}': the Service calls it '${name}', which the platform gives both`);
                }
            }),
        );
    }
    return byServiceObject;
}

export function mapIngresses(ov: Overlay, byServiceObject: ReadonlyMap<string, ImportedService>): ExposureResult {
    const hosts: { host: string; service: ImportedService; ingress: K8sObject; rule: number }[] = [];
    const classes = new Set<string>();
    const issuers = new Set<string>();
    for (const o of ov.ofKind("Ingress")) {
        const t = ov.tracker(o);
        const rules = t.peek<IngressRuleShape[]>("spec", "rules") ?? [];
        let mapped = false;
        rules.forEach((r, i) => {
            const paths = r.http?.paths ?? [];
            paths.forEach((p, j) => {
                const here = ["spec", "rules", i, "http", "paths", j];
                const s = byServiceObject.get(p.backend?.service?.name ?? "");
                if (!s || typeof r.host !== "string") {
                    ov.note(o, here, s ? "a rule without a host: not imported" : `routes to ${p.backend?.service?.name ?? "a non-Service backend"}, which is not an imported service`);
                    return;
                }
                const ingress = (s.settings.ingress as Layer | undefined) ?? {};
                const prefix = r.host.split(".")[0];
                if (ingress.hostPrefix !== undefined && ingress.hostPrefix !== prefix) {
                    ov.note(o, [...here.slice(0, 3), "host"], `a second host for ${s.name} (${r.host}): the platform routes one host per service`);
                    return;
                }
                mapped = true;
                t.mark(here);
                t.mark(["spec", "rules", i, "host"]);
                hosts.push({ host: r.host, service: s, ingress: o, rule: i });
                ingress.hostPrefix = prefix;
                let pathType: string = p.pathType ?? "Prefix";
                if (pathType === "ImplementationSpecific") {
                    ov.note(o, [...here, "pathType"], "ImplementationSpecific is imported as Prefix");
                    pathType = "Prefix";
                }
                if (ingress.path === undefined) {
                    ingress.path = p.path ?? "/";
                    ingress.pathType = pathType;
                } else {
                    put(ingress, ["paths", dnsLabel(p.path ?? "/", "root")], { path: p.path ?? "/", pathType });
                }
                s.settings.ingress = ingress;
                mapAnnotations(ov, o, ingress, issuers);
            });
        });
        if (!mapped) continue;
        ov.used.add(o);
        const cls = t.take<string>("spec", "ingressClassName");
        if (cls) classes.add(cls);
        t.mark(["spec", "tls"]);
        const platformSecret = objectName.tlsSecret(o.metadata.name, {});
        (t.peek<{ secretName?: string }[]>("spec", "tls") ?? []).forEach((tls, i) => {
            if (tls.secretName === undefined || tls.secretName === platformSecret) return;
            // Kept, so the certificate the Ingress serves today keeps serving (no re-issue): the
            // first TLS entry's, for the service this Ingress routes to.
            const owner = hosts.find((h) => h.ingress === o)?.service;
            const ingress = owner?.settings.ingress as Layer | undefined;
            if (i === 0 && ingress !== undefined) ingress.tlsSecretName = tls.secretName;
            else ov.note(o, ["spec", "tls", i, "secretName"], `'${tls.secretName}': one certificate Secret per service is kept; the platform's is '${platformSecret}'`);
        });
        if (t.peek("spec", "tls") === undefined) ov.note(o, ["spec", "tls"], "no TLS: the platform's Ingresses always serve HTTPS with a cert-manager certificate");
    }
    const domains = new Map<string, number>();
    for (const h of hosts) {
        const d = h.host.split(".").slice(1).join(".");
        domains.set(d, (domains.get(d) ?? 0) + 1);
    }
    const domain = [...domains.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
    for (const h of hosts) {
        if (h.host.split(".").slice(1).join(".") !== domain) {
            ov.note(h.ingress, ["spec", "rules", h.rule, "host"], `${h.host} is not in the overlay's domain ${domain}: imported as ${String((h.service.settings.ingress as Layer).hostPrefix)}.${domain}`);
        }
    }
    if (classes.size > 1) ov.note("overlay", undefined, `Ingress classes ${[...classes].join(", ")}: the platform uses one per environment (${[...classes][0]})`);
    if (issuers.size > 1) ov.note("overlay", undefined, `cluster issuers ${[...issuers].join(", ")}: the platform uses one per environment (${[...issuers][0]})`);
    return { ...(domain ? { domain } : {}), ...(classes.size > 0 ? { className: [...classes][0] } : {}), ...(issuers.size > 0 ? { clusterIssuer: [...issuers][0] } : {}) };
}

function mapAnnotations(ov: Overlay, o: K8sObject, ingress: Layer, issuers: Set<string>): void {
    const t = ov.tracker(o);
    const a = o.metadata.annotations ?? {};
    const take = (k: string) => t.take<string>("metadata", "annotations", k);
    const list = (v: string) => v.split(",").map((x) => x.trim()).filter((x) => x !== "");
    if (a[`${NGINX}enable-cors`] === "true") {
        take(`${NGINX}enable-cors`);
        const cors: Layer = {};
        const origin = take(`${NGINX}cors-allow-origin`);
        if (origin !== undefined) cors.allowOrigins = list(origin);
        const methods = take(`${NGINX}cors-allow-methods`);
        if (methods !== undefined) cors.allowMethods = list(methods).map((m) => m.toUpperCase());
        const headers = take(`${NGINX}cors-allow-headers`);
        if (headers !== undefined) cors.allowHeaders = list(headers);
        const credentials = take(`${NGINX}cors-allow-credentials`);
        if (credentials !== undefined) cors.allowCredentials = credentials === "true";
        ingress.cors = cors;
    }
    const timeout = a[`${NGINX}proxy-read-timeout`];
    if (timeout !== undefined && /^\d+$/.test(timeout)) ingress.timeoutSeconds = Number(take(`${NGINX}proxy-read-timeout`));
    for (const k of ["ssl-redirect", "force-ssl-redirect"]) {
        if (a[`${NGINX}${k}`] === "false") {
            take(`${NGINX}${k}`);
            ingress.httpsRedirect = false;
        }
    }
    const issuer = take("cert-manager.io/cluster-issuer");
    if (issuer) issuers.add(issuer);
}
