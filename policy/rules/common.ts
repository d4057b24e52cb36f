/**
 * What every rule of the pack shares: the shape of a rule, the resource it sees, and helpers to
 * name resources and environments in messages. Rules are plain functions over a resource's type
 * and properties, so tests run them without the Pulumi CLI; `../pack.ts` wires them into
 * CrossGuard.
 */

/** A resource as a rule sees it: inputs for resource rules, outputs for stack rules. */
export interface PolicyResource {
    /** The Pulumi type token, such as `kubernetes:apps/v1:Deployment`. */
    readonly type: string;
    /** The Pulumi resource name. */
    readonly name: string;
    /** `urn:pulumi:<stack>::<project>::<type chain>::<name>`; the stack is read from it. */
    readonly urn: string;
    readonly props: Readonly<Record<string, unknown>>;
}

/** A violation found by a stack rule, with the resource it is about. */
export interface Violation {
    readonly message: string;
    readonly urn?: string;
}

/** A rule's configuration, as the pack config gives it (schema defaults filled in). */
export type RuleConfig = Readonly<Record<string, unknown>>;

interface RuleBase {
    /** The policy name, the key of its pack config. */
    readonly name: string;
    readonly description: string;
    /** The level unless the pack config says otherwise (`advisory`, `mandatory` or `disabled`). */
    readonly enforcementLevel: "advisory" | "mandatory";
    /** Settings besides `enforcementLevel`; each has a `default`. */
    readonly config: Readonly<Record<string, ConfigProperty>>;
}

export interface ConfigProperty {
    readonly type: "array" | "integer";
    readonly description: string;
    readonly default: readonly string[] | number;
    readonly items?: { readonly type: "string" };
    readonly minimum?: number;
}

/** Judges one resource at a time, from its inputs, before it is created or changed. */
export interface ResourceRule extends RuleBase {
    readonly kind: "resource";
    check(resource: PolicyResource, config: RuleConfig): string[];
}

/** Judges the resources together (a Deployment and its budget), from their outputs. */
export interface StackRule extends RuleBase {
    readonly kind: "stack";
    check(resources: readonly PolicyResource[], config: RuleConfig): Violation[];
}

export type Rule = ResourceRule | StackRule;

/** A list setting of a rule, falling back to its declared default. */
export function listSetting(rule: Rule, config: RuleConfig, key: string): string[] {
    const v = config[key];
    if (Array.isArray(v) && v.every((x) => typeof x === "string")) {
        return v;
    }
    return [...(rule.config[key].default as readonly string[])];
}

/** A number setting of a rule, falling back to its declared default. */
export function numberSetting(rule: Rule, config: RuleConfig, key: string): number {
    const v = config[key];
    return typeof v === "number" && Number.isFinite(v) ? v : (rule.config[key].default as number);
}

/** The stack a resource belongs to, from its URN (`urn:pulumi:<stack>::...`). */
export function stackOf(urn: string): string {
    const head = urn.split("::")[0] ?? "";
    return head.startsWith("urn:pulumi:") ? head.slice("urn:pulumi:".length) : "";
}

/** The production environments setting shared by the rules that treat production differently. */
export const PRODUCTION_ENVIRONMENTS: ConfigProperty = {
    type: "array",
    items: { type: "string" },
    description:
        "Stacks (or values of the resources' 'environment' label) that are production; a resource is in production when either matches.",
    default: ["production"],
};

/**
 * Whether a resource is in production: its stack or its `environment` label is listed. Either
 * suffices, so a mislabelled object in a production stack is still judged as production.
 */
export function inProduction(r: PolicyResource, environments: readonly string[]): boolean {
    const label = labelsOf(r).environment;
    return environments.includes(stackOf(r.urn)) || (typeof label === "string" && environments.includes(label));
}

/** Kubernetes object metadata, as far as the rules read it. */
export interface Metadata {
    readonly name?: unknown;
    readonly namespace?: unknown;
    readonly labels?: Readonly<Record<string, unknown>>;
    readonly annotations?: Readonly<Record<string, unknown>>;
}

export function metadataOf(r: PolicyResource): Metadata {
    return record(r.props.metadata);
}

export function labelsOf(r: PolicyResource): Readonly<Record<string, unknown>> {
    return record(metadataOf(r).labels);
}

/** The Kubernetes kind of a type token: `kubernetes:apps/v1:Deployment` -> `Deployment`. */
export function kindOf(type: string): string {
    return type.slice(type.lastIndexOf(":") + 1);
}

/** A Kubernetes type token read apart: `kubernetes:apps/v1:DeploymentPatch` is Deployment in apps/v1, as a Patch. */
export interface KubernetesType {
    /** The API group; `core` for the core group. */
    readonly group: string;
    readonly version: string;
    /** The kind, without `Patch`. */
    readonly kind: string;
    /**
     * A `...Patch` resource: a server-side apply of the fields it sets onto an object that exists,
     * so what it leaves out keeps its value and only what it sets can be judged.
     */
    readonly patch: boolean;
}

/**
 * A `kubernetes:` type token read apart, or undefined for another package's. The core group is
 * `core/v1` in the SDK's tokens and plain `v1` in a CustomResource's (`kubernetes:<apiVersion>:<kind>`),
 * and both are `core` here.
 */
export function kubernetesType(type: string): KubernetesType | undefined {
    const m = /^kubernetes:([^:]+):([A-Za-z0-9]+)$/.exec(type);
    if (!m) return undefined;
    const slash = m[1].lastIndexOf("/");
    const patch = m[2].endsWith("Patch");
    return { group: slash < 0 ? "core" : m[1].slice(0, slash), version: m[1].slice(slash + 1), kind: patch ? m[2].slice(0, -"Patch".length) : m[2], patch };
}

/**
 * The type token read apart when it is one of `kinds` (`<group>:<Kind>`), in any version of the
 * group, whole or as a Patch; undefined for any other type. Any version, because the provider
 * offers older ones (apps/v1beta1, extensions/v1beta1, batch/v1beta1...) with the same fields,
 * and a CustomResource takes any apiVersion.
 */
export function ofKind(type: string, kinds: readonly string[]): KubernetesType | undefined {
    const t = kubernetesType(type);
    return t && kinds.includes(`${t.group}:${t.kind}`) ? t : undefined;
}

/** Whether the type is one of `kinds` as a whole object, not a Patch (what the stack rules count). */
export function isWhole(type: string, kinds: readonly string[]): boolean {
    return ofKind(type, kinds)?.patch === false;
}

/** Names a Kubernetes object for a message: `Deployment 'hft-production/orchestrator'`. */
export function describe(r: PolicyResource): string {
    const m = metadataOf(r);
    const name = typeof m.name === "string" ? m.name : r.name;
    const ns = typeof m.namespace === "string" ? `${m.namespace}/` : "";
    return `${kindOf(r.type)} '${ns}${name}'`;
}

export function namespaceOf(r: PolicyResource): string | undefined {
    const ns = metadataOf(r).namespace;
    return typeof ns === "string" ? ns : undefined;
}

export function nameOf(r: PolicyResource): string {
    const n = metadataOf(r).name;
    return typeof n === "string" ? n : r.name;
}

/** An object value, or an empty one for anything else (absent, a list, a scalar). */
export function record(v: unknown): Readonly<Record<string, unknown>> {
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** Whether a field is set: Kubernetes treats undefined and null alike. */
export function isSet(v: unknown): boolean {
    return v !== undefined && v !== null;
}

/** A list value, or an empty one for anything else. */
export function list(v: unknown): readonly unknown[] {
    return Array.isArray(v) ? v : [];
}
