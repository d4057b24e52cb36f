/**
 * Pairs that names alone would miss. A pod's only container is the other side's only container
 * whatever its name, and so is a container's or a Service's only port: the new name is one
 * changed field. A Role and its RoleBinding are the other side's pair that binds the same
 * subjects (the platform names them after the service).
 */
import { Manifest } from "../harness/manifests";
import { Path } from "./path";
import { podSpec } from "./resolve";
import { POD_TEMPLATE } from "./scopes";
import { FieldChange } from "./semanticDiff";
import { isMap } from "./walk";

type Node = Record<string, unknown>;
const only = (v: unknown): Node | undefined => (Array.isArray(v) && v.length === 1 && isMap(v[0]) && typeof v[0].name === "string" ? v[0] : undefined);

/** Renames the stack's only element of a named list to the overlay's only element's name; the rename as a change. */
function alignOnly(before: unknown, after: unknown, path: Path): FieldChange[] {
    const [b, a] = [only(before), only(after)];
    if (!b || !a || b.name === a.name) return [];
    const at: Path = [...path, { field: "name", id: b.name as string }, { key: "name" }];
    const change: FieldChange = { op: "changed", path: at, before: b.name, after: a.name, root: at };
    a.name = b.name;
    return [change];
}

/** Aligns the stack's copy `after` (changed in place) with the overlay's `before`; returns the renames. */
export function alignPair(before: Manifest, after: Manifest): FieldChange[] {
    const changes: FieldChange[] = [];
    if (before.kind === "Service" && isMap(before.spec) && isMap(after.spec)) changes.push(...alignOnly(before.spec.ports, after.spec.ports, [{ key: "spec" }, { key: "ports" }]));
    const [b, a] = [podSpec(before), podSpec(after)];
    if (!b || !a) return changes;
    const spec: Path = [...POD_TEMPLATE[before.kind].split(".").map((key) => ({ key })), { key: "spec" }];
    changes.push(...alignOnly(b.containers, a.containers, [...spec, { key: "containers" }]));
    const [bc, ac] = [only(b.containers), only(a.containers)];
    if (bc && ac) changes.push(...alignOnly(bc.ports, ac.ports, [...spec, { key: "containers" }, { field: "name", id: bc.name as string }, { key: "ports" }]));
    return changes;
}

const text = (v: unknown) => (typeof v === "string" ? v : "");
const subjectsOf = (m: Manifest) => (Array.isArray(m.subjects) ? m.subjects.filter(isMap).map((s) => `${text(s.kind)}/${text(s.namespace)}/${text(s.name)}`).sort().join(",") : "");
const roleRefOf = (m: Manifest) => (isMap(m.roleRef) ? m.roleRef : {});

/**
 * RoleBindings only one side has, paired when exactly one on each side binds the same subjects
 * to the same kind of role, with the Roles they name (when each is only on its side).
 */
export function pairBindings(overlayOnly: readonly Manifest[], stackOnly: readonly Manifest[]): { overlay: Manifest; stack: Manifest }[] {
    const pairs: { overlay: Manifest; stack: Manifest }[] = [];
    const bindings = (side: readonly Manifest[], b: Manifest) => side.filter((m) => m.kind === b.kind && m.metadata.namespace === b.metadata.namespace && subjectsOf(m) === subjectsOf(b) && roleRefOf(m).kind === roleRefOf(b).kind);
    for (const o of overlayOnly.filter((m) => m.kind === "RoleBinding" && subjectsOf(m) !== "")) {
        const [os, ss] = [bindings(overlayOnly, o), bindings(stackOnly, o)];
        if (os.length !== 1 || ss.length !== 1) continue;
        pairs.push({ overlay: o, stack: ss[0] });
        const role = (side: readonly Manifest[], b: Manifest) => side.find((m) => m.kind === roleRefOf(b).kind && m.metadata.name === roleRefOf(b).name && m.metadata.namespace === b.metadata.namespace);
        const [or, sr] = [role(overlayOnly, o), role(stackOnly, ss[0])];
        if (or && sr) pairs.push({ overlay: or, stack: sr });
    }
    return pairs;
}
