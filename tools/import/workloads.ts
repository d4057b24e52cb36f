import { K8sObject, Segment } from "./manifests";
import { Layer, Overlay } from "./context";
import { NamedPorts } from "./container";
import { mapPodTemplate } from "./pod";
import type { ClaimTemplateShape } from "./shapes";

/** A workload of the overlay mapped into a catalog service. */
export interface ImportedService {
    /** The name in the catalog: the object's name without the overlay's prefix and suffix. */
    readonly name: string;
    readonly workload: K8sObject;
    readonly settings: Layer;
    /** The labels of its pods, which Services, budgets and policies select. */
    readonly podLabels: Readonly<Record<string, string>>;
    readonly ports: NamedPorts;
    readonly serviceAccount?: string;
}

export const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "CronJob"] as const;

/** Kubernetes' defaults for a CronJob where the platform's differ: written when the object leaves them out, so nothing changes. */
const CRONJOB_DEFAULTS = { concurrencyPolicy: "Allow", failedJobsHistoryLimit: 1, backoffLimit: 6 } as const;

export function mapWorkload(ov: Overlay, o: K8sObject): ImportedService {
    const t = ov.tracker(o);
    const name = ov.base(o.metadata.name);
    const settings: Layer = {};
    if (name !== o.metadata.name) settings.objectName = o.metadata.name;
    ov.used.add(o);
    let template: Segment[] = ["spec", "template"];
    const claims = new Map<string, Layer>();
    if (o.kind === "CronJob") {
        settings.kind = "cronjob";
        template = ["spec", "jobTemplate", "spec", "template"];
        const job: Layer = {};
        for (const k of ["schedule", "timeZone", "concurrencyPolicy", "suspend", "startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"]) {
            const v = t.take(...["spec", k]);
            if (v !== undefined) job[k] = v;
        }
        for (const k of ["backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished"]) {
            const v = t.take(...["spec", "jobTemplate", "spec", k]);
            if (v !== undefined) job[k] = v;
        }
        for (const [k, v] of Object.entries(CRONJOB_DEFAULTS)) job[k] ??= v;
        // A Job's pods restart Never (the platform's default) or OnFailure; the latter is kept.
        if (t.take<string>(...template, "spec", "restartPolicy") === "OnFailure") job.restartPolicy = "OnFailure";
        settings.job = job;
    } else {
        settings.kind = o.kind === "StatefulSet" ? "stateful" : "web";
        const replicas = t.take<number>("spec", "replicas");
        settings.replicas = replicas ?? 1;
        const selector = t.take<Record<string, string>>("spec", "selector", "matchLabels");
        if (selector) settings.selector = selector;
        if (t.peek("spec", "selector", "matchExpressions") !== undefined) ov.note(o, ["spec", "selector", "matchExpressions"], "a selector with expressions cannot be kept; the platform selects by labels");
        if (o.kind === "StatefulSet") {
            t.mark(["spec", "serviceName"]);
            (t.peek<ClaimTemplateShape[]>("spec", "volumeClaimTemplates") ?? []).forEach((c, i) => {
                const here = ["spec", "volumeClaimTemplates", i];
                const claim: Layer = {};
                const size = t.take<string>(...here, "spec", "resources", "requests", "storage");
                if (size !== undefined) claim.size = size;
                const storageClass = t.take<string>(...here, "spec", "storageClassName");
                if (storageClass !== undefined) claim.storageClass = storageClass;
                const modes = t.take<string[]>(...here, "spec", "accessModes") ?? [];
                if (modes[0] !== undefined) claim.accessMode = modes[0];
                if (modes.length > 1) ov.note(o, [...here, "spec", "accessModes"], `only the first access mode (${modes[0]}) is kept`);
                // Claim templates are immutable: their labels are kept as they are, none as none.
                claim.labels = t.take<Record<string, string>>(...here, "metadata", "labels") ?? {};
                t.mark([...here, "metadata", "name"]);
                t.mark([...here, "apiVersion"]);
                t.mark([...here, "kind"]);
                claims.set(c.metadata.name, claim);
            });
        }
    }
    const podLabels = t.peek<Record<string, string>>(...template, "metadata", "labels") ?? {};
    // The labels the selector keeps are carried over; others are reported with the rest.
    for (const k of Object.keys((settings.selector as Record<string, string> | undefined) ?? {})) t.mark([...template, "metadata", "labels", k]);
    t.mark([...template, "metadata", "creationTimestamp"]);
    const pod = mapPodTemplate(ov, o, template, settings, name, claims);
    return { name, workload: o, settings, podLabels, ports: pod.ports, ...(pod.serviceAccount ? { serviceAccount: pod.serviceAccount } : {}) };
}

/** Whether a selector picks the pods with these labels. */
export function selects(selector: Readonly<Record<string, string>> | undefined, labels: Readonly<Record<string, string>>): boolean {
    if (!selector || Object.keys(selector).length === 0) return false;
    return Object.entries(selector).every(([k, v]) => labels[k] === v);
}
