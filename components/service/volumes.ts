import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ServiceConfig, Volume } from "../../config/types";
import { serviceResource } from "../../config/names/derive";

type PodVolume = k8s.types.input.core.v1.Volume;
type ClaimTemplate = k8s.types.input.core.v1.PersistentVolumeClaim;

/** A writable /tmp on an emptyDir, since the root filesystem is read-only. */
export const TMP_VOLUME = { name: "tmp", mountPath: "/tmp", sizeLimit: "256Mi" } as const;

/** What every pod has: the writable /tmp, and nothing else. */
export function tmpOnly(): PodVolumes {
    return { volumes: [{ name: TMP_VOLUME.name, emptyDir: { sizeLimit: TMP_VOLUME.sizeLimit } }], mounts: [{ name: TMP_VOLUME.name, mountPath: TMP_VOLUME.mountPath }], claimTemplates: [] };
}

/** The pod's volumes, the main container's mounts, and a StatefulSet's claim templates. */
export interface PodVolumes {
    readonly volumes: PodVolume[];
    readonly mounts: { name: string; mountPath: string; readOnly?: boolean }[];
    /** `claim` volumes: one claim per pod, a StatefulSet's volumeClaimTemplates. */
    readonly claimTemplates: ClaimTemplate[];
}

/**
 * The volumes of a service's pods: the platform's /tmp, then the service's own by name. Files
 * the platform writes (`files`) go into an auto-named, immutable ConfigMap per volume, so a
 * changed file rolls the pods like a changed setting does.
 */
export function createVolumes(
    name: string,
    svc: ServiceConfig,
    meta: { namespace: pulumi.Input<string>; labels: Record<string, string>; selector: Record<string, string> },
    opts: pulumi.CustomResourceOptions,
): PodVolumes {
    const { volumes, mounts, claimTemplates } = tmpOnly();
    for (const v of svc.volumes) {
        mounts.push({ name: v.name, mountPath: v.mountPath, ...(v.readOnly ? { readOnly: true } : {}) });
        if ("claim" in v) {
            claimTemplates.push({
                // Claim templates are immutable: only labels that never change (no version); an
                // adopted StatefulSet's own, when the configuration keeps them.
                metadata: { name: v.name, ...(Object.keys(v.claim.labels ?? meta.selector).length > 0 ? { labels: { ...(v.claim.labels ?? meta.selector) } } : {}) },
                spec: {
                    accessModes: [v.claim.accessMode],
                    ...(v.claim.storageClass ? { storageClassName: v.claim.storageClass } : {}),
                    resources: { requests: { storage: v.claim.size } },
                },
            });
            continue;
        }
        volumes.push(podVolume(name, v, meta, opts));
    }
    return { volumes, mounts, claimTemplates };
}

function podVolume(name: string, v: Exclude<Volume, { claim: unknown }>, meta: { namespace: pulumi.Input<string>; labels: Record<string, string> }, opts: pulumi.CustomResourceOptions): PodVolume {
    if ("emptyDir" in v) return { name: v.name, emptyDir: { sizeLimit: v.emptyDir.sizeLimit, ...(v.emptyDir.medium ? { medium: v.emptyDir.medium } : {}) } };
    if ("configMap" in v) return { name: v.name, configMap: { name: v.configMap } };
    if ("secret" in v) return { name: v.name, secret: { secretName: v.secret } };
    if ("existingClaim" in v) return { name: v.name, persistentVolumeClaim: { claimName: v.existingClaim, ...(v.readOnly ? { readOnly: true } : {}) } };
    const files = new k8s.core.v1.ConfigMap(serviceResource.files(name, v.name), { metadata: { namespace: meta.namespace, labels: meta.labels }, immutable: true, data: { ...v.files } }, opts);
    return { name: v.name, configMap: { name: files.metadata.name } };
}
