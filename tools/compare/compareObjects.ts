/**
 * The comparison itself: what an overlay renders against what a stack renders, object by
 * object (match.ts), each matched pair field by field (semanticDiff.ts) after the defaults are
 * set aside (defaults.ts), each difference sorted into real or expected hardening
 * (hardening.ts), and the immutable fields among them named (immutable.ts).
 */
import { Manifest } from "../harness/manifests";
import { withoutDefaults } from "./defaults";
import { FieldRow, hardeningObject, hardeningRow, HardeningContext, isPlatformConfigMap, ObjectRow } from "./hardening";
import { ImmutableHit, immutableHits } from "./immutable";
import { CLUSTER_SCOPED, generatedBase, HASH, matchObjects, namespaceOf, withGeneratedNames } from "./match";
import { Path } from "./path";
import { hasPlaceholder, redactSecret } from "./secrets";
import { FieldChange, semanticDiff } from "./semanticDiff";

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
}

export interface Comparison {
    readonly objects: readonly ObjectComparison[];
    readonly leftovers: readonly Leftover[];
    /** How many of the overlay's objects had no namespace and were given the stack's. */
    readonly namespaced: number;
}

/** Whether the comparison holds something a team must review (what exit 4 means). */
export function differs(c: Comparison): boolean {
    return c.objects.some((o) => o.status === "changed" || (o.status === "stack-only" && !o.expected) || (o.status === "overlay-only" && !isLeftover(c, o)));
}

function isLeftover(c: Comparison, o: ObjectComparison): boolean {
    return c.leftovers.some((l) => l.kind === o.kind && l.namespace === o.namespace && l.name === o.overlayName);
}

/** Compares the overlay's objects with the stack's, in the stack's namespace `namespace`. */
export function compareManifests(overlayObjects: readonly Manifest[], stackObjects: readonly Manifest[], namespace: string): Comparison {
    let namespaced = 0;
    const overlayIn = overlayObjects.map((m) => {
        if (CLUSTER_SCOPED.has(m.kind) || namespaceOf(m) !== undefined) return m;
        namespaced++;
        return { ...m, metadata: { ...m.metadata, namespace } };
    });
    const { pairs, overlayOnly, stackOnly } = matchObjects(overlayIn, stackObjects);
    // The objects as compared: generated names with <hash>, defaults gone, secret values digested.
    const prepare = (side: readonly Manifest[]) => {
        const renamed = withGeneratedNames(side);
        return new Map(side.map((m, i) => [m, redactSecret(withoutDefaults(renamed[i]))]));
    };
    const [o, s] = [prepare(overlayIn), prepare(stackObjects)];
    const context: HardeningContext = {
        platformConfigMaps: new Set(stackOnly.filter(isPlatformConfigMap).map((m) => `${generatedBase(m) ?? m.metadata.name}${generatedBase(m) ? `-${HASH}` : ""}`)),
    };

    const objects: ObjectComparison[] = [];
    for (const pair of pairs) {
        const [before, after] = [o.get(pair.overlay)!, s.get(pair.stack)!];
        const changes = semanticDiff(before, after);
        const real: FieldChange[] = [];
        const hardening: { change: FieldChange; row: FieldRow; at: Path }[] = [];
        for (const change of changes) {
            const found = hardeningRow(pair.stack.kind, change, context);
            if (found) hardening.push({ change, ...found });
            else real.push(change);
        }
        // A generated object under a new name is a new object: nothing of the old one is updated.
        const sameName = pair.overlay.metadata.name === pair.stack.metadata.name;
        const immutable = sameName ? immutableHits(before, after, changes) : [];
        objects.push({
            kind: pair.stack.kind,
            namespace: namespaceOf(pair.stack),
            overlayName: pair.overlay.metadata.name,
            stackName: pair.stack.metadata.name,
            status: real.length > 0 || immutable.length > 0 ? "changed" : "equal",
            real,
            hardening,
            immutable,
            secretsUncompared: hasPlaceholder(before) || hasPlaceholder(after),
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
    for (const m of overlayIn.filter((x) => generatedBase(x) !== undefined)) {
        const pair = pairs.find((p) => p.overlay === m);
        if (pair && pair.stack.metadata.name === m.metadata.name) continue;
        leftovers.push({ kind: m.kind, namespace: namespaceOf(m), name: m.metadata.name, ...(pair ? { replacedBy: pair.stack.metadata.name } : {}) });
    }
    return { objects, leftovers, namespaced };
}
