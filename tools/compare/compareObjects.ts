/**
 * The comparison itself: what an overlay renders against what a stack renders, object by
 * object (match.ts, align.ts), each matched pair field by field (semanticDiff.ts) after what the
 * pods get is resolved (resolve.ts) and the defaults are set aside (defaults.ts), each difference sorted into real or expected hardening
 * (hardening.ts), and the immutable fields among them named (immutable.ts).
 */
import { Manifest } from "../harness/manifests";
import { withoutDefaults } from "./defaults";
import { FieldRow, hardeningObject, hardeningRow, HardeningContext, isPlatformConfigMap, ObjectRow } from "./hardening";
import { ImmutableHit, immutableHits } from "./immutable";
import { alignPair, pairBindings } from "./align";
import { CLUSTER_SCOPED, generatedBase, matchObjects, namespaceOf, withGeneratedNames } from "./match";
import { Path } from "./path";
import { objectKey, resolveSide } from "./resolve";
import { hasPlaceholder } from "./secrets";
import { FieldChange, semanticDiff } from "./semanticDiff";
import { isMap } from "./walk";

export interface ObjectComparison {
    readonly kind: string;
    readonly namespace?: string;
    /** The overlay's name and the stack's (they differ for generated ConfigMaps and Secrets). */
    readonly overlayName?: string;
    readonly stackName?: string;
    readonly status: "equal" | "changed" | "stack-only" | "overlay-only";
    /** The differences to review. */
    readonly real: readonly FieldChange[];
    /** The differences the platform makes on purpose, each with its row. */
    readonly hardening: readonly { readonly change: FieldChange; readonly row: FieldRow; readonly at: Path }[];
    readonly immutable: readonly ImmutableHit[];
    /** For an object only the stack has: the row that makes it expected. */
    readonly expected?: ObjectRow;
    /** Secret values that could not be compared (the offline render holds placeholders). */
    readonly secretsUncompared: boolean;
}

/** A generated object of the overlay that stays in the cluster after the switch, unless deleted. */
export interface Leftover {
    readonly kind: string;
    readonly namespace?: string;
    readonly name: string;
    /** The stack's object that takes its place, if any. */
    readonly replacedBy?: string;
    /** A ConfigMap or Secret the overlay's workloads read: compared as what the pods get. */
    readonly readByWorkloads?: boolean;
}

export interface Comparison {
    readonly objects: readonly ObjectComparison[];
    readonly leftovers: readonly Leftover[];
    /** How many of the overlay's objects had no namespace and were given the stack's. */
    readonly namespaced: number;
    /** The ConfigMaps and Secrets each side's workloads read (`ConfigMap name`), compared through them, not as objects. */
    readonly read: { readonly overlay: readonly string[]; readonly stack: readonly string[] };
}

/** Whether the comparison holds something a team must review (what exit 4 means). */
export function differs(c: Comparison): boolean {
    return c.objects.some((o) => o.status === "changed" || (o.status === "stack-only" && !o.expected) || (o.status === "overlay-only" && !isLeftover(c, o)));
}

function isLeftover(c: Comparison, o: ObjectComparison): boolean {
    return c.leftovers.some((l) => l.kind === o.kind && l.namespace === o.namespace && l.name === o.overlayName);
}

/**
 * Compares the overlay's objects with the stack's, in the stack's namespace `namespace`.
 * `lookups` are the stack's registry lookups (`<repository>:<tag>` -> digest): an overlay's tag
 * the stack runs by that digest is the same image, pinned.
 */
export function compareManifests(overlayObjects: readonly Manifest[], stackObjects: readonly Manifest[], namespace: string, lookups: ReadonlyMap<string, string> = new Map()): Comparison {
    let namespaced = 0;
    const overlayIn = overlayObjects.map((m) => {
        if (CLUSTER_SCOPED.has(m.kind) || namespaceOf(m) !== undefined) return m;
        namespaced++;
        return { ...m, metadata: { ...m.metadata, namespace } };
    });
    // Each side as compared: generated names with <hash>, what the pods get resolved (resolve.ts), secret values redacted.
    const resolve = (side: readonly Manifest[]) => {
        const resolved = resolveSide(withGeneratedNames(side));
        const copies = new Map(side.map((m, i) => [m, resolved.objects[i]]));
        const read = side.filter((m) => resolved.read.has(objectKey(m.kind, namespaceOf(m), copies.get(m)!.metadata.name)));
        return { copies, read };
    };
    const [o, s] = [resolve(overlayIn), resolve(stackObjects)];
    // ConfigMaps and Secrets the workloads read are compared as what the pods get, not as objects.
    const matching = matchObjects(
        overlayIn.filter((m) => !o.read.includes(m)),
        stackObjects.filter((m) => !s.read.includes(m)),
    );
    const bound = pairBindings(matching.overlayOnly, matching.stackOnly);
    const pairs = [...matching.pairs, ...bound];
    const overlayOnly = matching.overlayOnly.filter((m) => !bound.some((p) => p.overlay === m));
    const stackOnly = matching.stackOnly.filter((m) => !bound.some((p) => p.stack === m));
    const platformConfigMaps = stackObjects.filter(isPlatformConfigMap);
    const context: HardeningContext = {
        platformVariables: new Set(platformConfigMaps.flatMap((m) => (isMap(m.data) ? Object.keys(m.data) : []))),
        lookups,
    };

    const objects: ObjectComparison[] = [];
    for (const pair of pairs) {
        const [before, after] = [o.copies.get(pair.overlay)!, s.copies.get(pair.stack)!];
        // A pair under two names (a renamed Role) is compared by content; the report's title and leftovers show the names.
        after.metadata.name = before.metadata.name;
        const renamedRole = bound.find((p) => p.overlay.kind !== "RoleBinding" && isMap(pair.stack.roleRef) && p.stack.metadata.name === pair.stack.roleRef.name);
        if (pair.stack.kind === "RoleBinding" && renamedRole && isMap(after.roleRef)) after.roleRef.name = renamedRole.overlay.metadata.name;
        const renames = alignPair(before, after);
        const [b, a] = [withoutDefaults(before), withoutDefaults(after)];
        const changes = [...renames, ...semanticDiff(b, a)];
        const real: FieldChange[] = [];
        const hardening: { change: FieldChange; row: FieldRow; at: Path }[] = [];
        for (const change of changes) {
            const found = hardeningRow(pair.stack.kind, change, context);
            if (found) hardening.push({ change, ...found });
            else real.push(change);
        }
        // A generated object under a new name is a new object: nothing of the old one is updated.
        const sameName = pair.overlay.metadata.name === pair.stack.metadata.name;
        const immutable = sameName ? immutableHits(b, a, changes) : [];
        objects.push({
            kind: pair.stack.kind,
            namespace: namespaceOf(pair.stack),
            overlayName: pair.overlay.metadata.name,
            stackName: pair.stack.metadata.name,
            status: real.length > 0 || immutable.length > 0 ? "changed" : "equal",
            real,
            hardening,
            immutable,
            secretsUncompared: hasPlaceholder(b) || hasPlaceholder(a),
        });
    }
    for (const m of stackOnly) {
        const expected = hardeningObject(m);
        objects.push({ kind: m.kind, namespace: namespaceOf(m), stackName: m.metadata.name, status: "stack-only", real: [], hardening: [], immutable: [], ...(expected ? { expected } : {}), secretsUncompared: false });
    }
    for (const m of overlayOnly) {
        objects.push({ kind: m.kind, namespace: namespaceOf(m), overlayName: m.metadata.name, status: "overlay-only", real: [], hardening: [], immutable: [], secretsUncompared: false });
    }

    const leftovers: Leftover[] = [];
    for (const m of overlayIn) {
        const pair = pairs.find((p) => p.overlay === m);
        if (o.read.includes(m)) {
            if (!stackObjects.some((x) => x.kind === m.kind && namespaceOf(x) === namespaceOf(m) && x.metadata.name === m.metadata.name)) leftovers.push({ kind: m.kind, namespace: namespaceOf(m), name: m.metadata.name, readByWorkloads: true });
        } else if (pair ? pair.stack.metadata.name !== m.metadata.name : generatedBase(m) !== undefined) {
            leftovers.push({ kind: m.kind, namespace: namespaceOf(m), name: m.metadata.name, ...(pair ? { replacedBy: pair.stack.metadata.name } : {}) });
        }
    }
    const read = (side: readonly Manifest[]) => side.map((m) => `${m.kind} ${m.metadata.name}`);
    return { objects, leftovers, namespaced, read: { overlay: read(o.read), stack: read(s.read) } };
}
