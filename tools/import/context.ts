import { Affixes, baseName } from "./names";
import { isRecord, K8sObject, objectId, Segment, showPath, Tracker } from "./manifests";

/** Settings written as YAML: a service layer, an environment, as plain objects. */
export type Layer = { [key: string]: unknown };

/** Something the import could not carry over, or did differently: the report's lines. */
export interface Finding {
    /** `Deployment/prod-api`, or `overlay` for the overlay as a whole. */
    readonly object: string;
    /** The field path in the object, when it is one field. */
    readonly path?: string;
    readonly note: string;
}

/** A secret config key the stack needs, and where its value lives in the cluster. */
export interface SecretKey {
    readonly configKey: string;
    /** The Secret's name as the overlay builds it, and its key. */
    readonly secret: string;
    readonly key: string;
}

/** Environment-wide values found in services' variables (ENVIRONMENT, LOG_LEVEL, ...), with who set them. */
export type EnvironmentValues = Map<string, Map<string, string[]>>;

/** One overlay being mapped: its objects, each read through a Tracker, and what mapping found. */
export class Overlay {
    readonly trackers = new Map<K8sObject, Tracker>();
    readonly findings: Finding[] = [];
    readonly secretKeys = new Map<string, SecretKey>();
    readonly environmentValues: EnvironmentValues = new Map();
    /** Objects mapped as a whole (their remaining fields are reported), against ones left out entirely. */
    readonly used = new Set<K8sObject>();

    constructor(
        readonly stack: string,
        readonly objects: readonly K8sObject[],
        readonly affixes: Affixes,
    ) {
        for (const o of objects) this.trackers.set(o, new Tracker(o));
    }

    tracker(o: K8sObject): Tracker {
        return this.trackers.get(o)!;
    }

    find(kind: string, name: string): K8sObject | undefined {
        return this.objects.find((o) => o.kind === kind && o.metadata.name === name);
    }

    ofKind(...kinds: string[]): K8sObject[] {
        return this.objects.filter((o) => kinds.includes(o.kind));
    }

    base(name: string): string {
        return baseName(name, this.affixes);
    }

    note(o: K8sObject | string, at: readonly Segment[] | undefined, note: string): void {
        this.findings.push({ object: typeof o === "string" ? o : objectId(o), ...(at ? { path: showPath(at) } : {}), note });
    }

    /** Records a value a service set for an environment-wide setting. */
    environmentValue(setting: string, value: string, service: string): void {
        const values = this.environmentValues.get(setting) ?? new Map<string, string[]>();
        values.set(value, [...(values.get(value) ?? []), service]);
        this.environmentValues.set(setting, values);
    }
}

/** Sets `value` at `at` in a layer, creating the objects on the way. */
export function put(layer: Layer, at: readonly string[], value: unknown): void {
    let cur = layer;
    for (const k of at.slice(0, -1)) {
        if (!isRecord(cur[k])) cur[k] = {};
        cur = cur[k] as Layer;
    }
    cur[at[at.length - 1]] = value;
}
