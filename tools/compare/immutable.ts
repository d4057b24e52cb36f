/**
 * Fields Kubernetes refuses to change on a running object. When the overlay and the stack
 * differ on one, taking the object over cannot be an update in place: the API server refuses
 * the change, and Pulumi replaces the object (deletes it, then creates it) instead.
 */
import { Manifest } from "../harness/manifests";
import { matches, parsePattern, Path } from "./path";
import { FieldChange } from "./semanticDiff";

export interface ImmutableRow {
    readonly kinds: readonly string[];
    readonly field: string;
    /** What happens, beyond "the update fails or replaces". */
    readonly note: string;
    /** A condition on the two objects, as the documentation says it; the row applies only when it holds. */
    readonly condition?: string;
    readonly applies?: (overlay: Manifest, stack: Manifest) => boolean;
}

const serviceType = (m: Manifest) => (m.spec as { type?: string } | undefined)?.type;
const isImmutable = (m: Manifest) => m.immutable === true;

export const IMMUTABLE: readonly ImmutableRow[] = [
    { kinds: ["Deployment", "ReplicaSet", "DaemonSet", "StatefulSet"], field: "spec.selector", note: "the pods are selected anew: all of them are replaced at once" },
    { kinds: ["StatefulSet"], field: "spec.serviceName", note: "the pods' DNS names change" },
    { kinds: ["StatefulSet"], field: "spec.volumeClaimTemplates", note: "the claims keep their old size and class until recreated" },
    { kinds: ["StatefulSet"], field: "spec.podManagementPolicy", note: "" },
    { kinds: ["Job"], field: "spec.selector", note: "" },
    { kinds: ["Job"], field: "spec.template", note: "a Job runs the template it was created with" },
    { kinds: ["Job"], field: "spec.completionMode", note: "" },
    { kinds: ["Service"], field: "spec.clusterIP", note: "the Service's address changes" },
    { kinds: ["Service"], field: "spec.clusterIPs", note: "the Service's addresses change" },
    {
        kinds: ["Service"],
        field: "spec.type",
        note: "an ExternalName Service has no cluster IP",
        condition: "one side is ExternalName",
        applies: (o, s) => serviceType(o) === "ExternalName" || serviceType(s) === "ExternalName",
    },
    { kinds: ["PersistentVolumeClaim"], field: "spec.storageClassName", note: "the data stays on the old volume" },
    { kinds: ["PersistentVolumeClaim"], field: "spec.accessModes", note: "the data stays on the old volume" },
    { kinds: ["PersistentVolumeClaim"], field: "spec.volumeName", note: "" },
    { kinds: ["PersistentVolumeClaim"], field: "spec.volumeMode", note: "" },
    { kinds: ["PersistentVolumeClaim"], field: "spec.selector", note: "" },
    { kinds: ["ConfigMap", "Secret"], field: "data", note: "", condition: "the overlay's object is `immutable: true`", applies: isImmutable },
    { kinds: ["ConfigMap"], field: "binaryData", note: "", condition: "the overlay's object is `immutable: true`", applies: isImmutable },
    { kinds: ["ConfigMap", "Secret"], field: "immutable", note: "an immutable object cannot be made mutable", condition: "the overlay's object is `immutable: true`", applies: isImmutable },
    { kinds: ["Secret"], field: "type", note: "" },
    { kinds: ["RoleBinding", "ClusterRoleBinding"], field: "roleRef", note: "" },
];

export interface ImmutableHit {
    readonly row: ImmutableRow;
    readonly paths: readonly Path[];
}

/** Each immutable field on which the two versions of one object differ, with the changed paths under it. */
export function immutableHits(overlay: Manifest, stack: Manifest, changes: readonly FieldChange[]): ImmutableHit[] {
    const hits: ImmutableHit[] = [];
    for (const row of IMMUTABLE) {
        if (!row.kinds.includes(stack.kind) || !(row.applies?.(overlay, stack) ?? true)) continue;
        const pattern = parsePattern(row.field);
        const paths = changes.filter((c) => matches(pattern, c.path)).map((c) => c.path);
        if (paths.length > 0) hits.push({ row, paths });
    }
    return hits;
}
