import { declaredNames } from "../config/names/declared";
import { objectName } from "../config/names/derive";
import { inClusterCanaries } from "../config/inCluster";
import { PlatformConfig } from "../config/types";
import { Evaluation } from "../tools/harness/evaluate";

/**
 * The names a configuration gives, two ways: predicted by config/names/declared.ts without
 * declaring anything, and recorded from what the program declared under the mocks. Each is a
 * sorted list of comparable lines, duplicates kept: the URNs, the Kubernetes objects the program
 * names itself (`<group> <kind> <namespace> <name>`), and the Secrets cert-manager and the
 * External Secrets Operator write from them.
 */
export interface Names {
    readonly urns: readonly string[];
    readonly objects: readonly string[];
    readonly othersSecrets: readonly string[];
}

const sorted = (lines: Iterable<string>) => [...lines].sort();
const object = (group: string, kind: string, namespace: string | undefined, name: string) => `${group} ${kind} ${namespace ?? "-"} ${name}`;
const groupOf = (apiVersion: string) => (apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.lastIndexOf("/")) : "");

export function predictedNames(config: PlatformConfig, project: string, stack: string): Names {
    const urns: string[] = [];
    const objects: string[] = [];
    const othersSecrets = new Set<string>();
    for (const d of declaredNames(config)) {
        if ("pulumi" in d.space) {
            const { type, parent } = d.space.pulumi;
            urns.push(`urn:pulumi:${stack}::${project}::${parent ? `${parent}$` : ""}${type}::${d.name}`);
        } else if ("kubernetes" in d.space && d.madeBy === undefined) {
            const k = d.space.kubernetes;
            objects.push(object(groupOf(k.apiVersion), k.kind, k.namespace, d.name));
        } else if ("kubernetes" in d.space && d.madeBy !== "Kubernetes") {
            othersSecrets.add(object("", "Secret", d.space.kubernetes.namespace, d.name));
        }
    }
    // A verification Job's name ends with its release's digest, known once the images' digests are: compared by the rest.
    for (const v of config.verification) {
        const svc = config.services.find((s) => s.name === v.service)!;
        objects.push(object("batch", "Job", config.environment.namespace, objectName.verificationJob(svc.objectName, RELEASE)));
    }
    for (const svc of inClusterCanaries(config)) objects.push(object("batch", "Job", config.environment.namespace, objectName.canaryWaitJob(svc.objectName, RELEASE)));
    return { urns: sorted(urns), objects: sorted(objects), othersSecrets: sorted(othersSecrets) };
}

/** Stands for the release digest at the end of a verification Job's name. */
const RELEASE = "*";

export function recordedNames(ev: Evaluation): Names {
    const objects: string[] = [];
    const othersSecrets = new Set<string>();
    for (const r of ev.resources.filter((x) => x.type.startsWith("kubernetes:"))) {
        const body = r.inputs as { apiVersion: string; kind: string; metadata?: { name?: string; namespace?: string }; spec?: any };
        const namespace = body.metadata?.namespace;
        const name = body.kind === "Job" ? body.metadata?.name?.replace(/-[0-9a-f]{10}$/, `-${RELEASE}`) : body.metadata?.name;
        if (name !== undefined) objects.push(object(groupOf(body.apiVersion), body.kind, namespace, name));
        const secrets: string[] =
            body.kind === "Ingress"
                ? (body.spec.tls ?? []).map((t: { secretName: string }) => t.secretName)
                : body.kind === "Gateway"
                  ? body.spec.listeners.flatMap((l: any) => (l.tls?.certificateRefs ?? []).map((c: { name: string }) => c.name))
                  : body.kind === "ExternalSecret"
                    ? [body.spec.target.name]
                    : [];
        for (const s of secrets) othersSecrets.add(object("", "Secret", namespace, s));
    }
    return { urns: sorted(ev.urns), objects: sorted(objects), othersSecrets: sorted(othersSecrets) };
}

/** The lines given more than once. */
export function duplicated(lines: readonly string[]): string[] {
    return [...new Set(lines.filter((l, i) => lines.indexOf(l) !== i))];
}
