import * as pulumi from "@pulumi/pulumi";
import { ServiceConfig } from "../../config/types";
import { byKey } from "../../config/order";
import { ACCEPT_CLAIM_CHANGES_VAR } from "../../config/platform";
import { LastUpdate } from "../lastUpdate";

/**
 * A StatefulSet's claim templates cannot change: Kubernetes refuses the update, so Pulumi
 * replaces the StatefulSet (delete first, its name being fixed: the database goes down), and the
 * new one adopts the old claims at their old size anyway. So a changed claim is refused at
 * preview, before anything happens. The claims each update deployed are a stack output
 * (`claims`); the next run reads them back through a reference to its own stack.
 */

/** Each stateful service's claims as deployed, by `<service>/<volume>`. */
export type Claims = Record<string, { readonly size: string; readonly storageClass?: string; readonly accessMode: string; readonly labels?: Readonly<Record<string, string>> }>;


export function claimsOf(services: readonly ServiceConfig[]): Claims {
    const out: Claims = {};
    for (const svc of services) {
        for (const v of svc.volumes) {
            if ("claim" in v) {
                out[`${svc.name}/${v.name}`] = {
                    size: v.claim.size,
                    accessMode: v.claim.accessMode,
                    ...(v.claim.storageClass ? { storageClass: v.claim.storageClass } : {}),
                    ...(v.claim.labels ? { labels: v.claim.labels } : {}),
                };
            }
        }
    }
    return byKey(out);
}

/** The claims that differ from what the last update deployed, explained; `accepted` lists `<service>/<volume>` keys let through. */
export function changedClaims(previous: unknown, current: Claims, accepted: readonly string[], where: { readonly stack: string; readonly namespace: string }): string[] {
    const before = previous !== null && typeof previous === "object" ? (previous as Record<string, Claims[string] | undefined>) : {};
    const problems: string[] = [];
    for (const [key, now] of Object.entries(current)) {
        const was = before[key];
        if (was === undefined || accepted.includes(key)) continue;
        const shown = (c: Claims[string], k: "size" | "storageClass" | "accessMode" | "labels") => (c[k] === undefined ? "(default)" : typeof c[k] === "string" ? c[k] : JSON.stringify(c[k]));
        const changes = (["size", "storageClass", "accessMode", "labels"] as const).filter((k) => shown(was, k) !== shown(now, k)).map((k) => `${k} ${shown(was, k)} -> ${shown(now, k)}`);
        if (changes.length === 0) continue;
        const [service, volume] = key.split("/");
        problems.push(
            `${service}: the claim '${volume}' changes (${changes.join(", ")}), but a StatefulSet's claim templates are immutable: Pulumi would delete and recreate the StatefulSet ` +
                `(downtime), and its pods would keep the old claims anyway. To resize: expand each claim (kubectl -n ${where.namespace} patch pvc ${volume}-${service}-<n> -p '{"spec":{"resources":{"requests":{"storage":"${now.size}"}}}}', ` +
                `if the StorageClass allows expansion), 'kubectl -n ${where.namespace} delete statefulset ${service} --cascade=orphan' (the pods keep running), then run this update once with ` +
                `${ACCEPT_CLAIM_CHANGES_VAR}=${key} (stack ${where.stack}). Otherwise put the setting back.`,
        );
    }
    return problems;
}

/** A refused claim change: printed without a stack trace, like a configuration error. */
export class ClaimChangeError extends pulumi.RunError {
    constructor(public readonly problems: readonly string[]) {
        super(`Refused (${problems.length} claim change${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "ClaimChangeError";
    }
}

/**
 * The claims of this update, resolved only when none changed since the last one (else it fails
 * with ClaimChangeError). Without stateful claims there is nothing to check and no reference.
 */
export function guardClaims(services: readonly ServiceConfig[], accepted: readonly string[], namespace: string, lastUpdate: LastUpdate): pulumi.Output<Claims> | undefined {
    const current = claimsOf(services);
    if (Object.keys(current).length === 0) {
        return undefined;
    }
    return lastUpdate.output("claims").apply((previous) => {
        const problems = changedClaims(previous, current, accepted, { stack: pulumi.getStack(), namespace });
        if (problems.length > 0) {
            throw new ClaimChangeError(problems);
        }
        return current;
    });
}
