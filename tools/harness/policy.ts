/**
 * The policy pack (policy/rules) run in-process against an evaluation, the way the engine runs
 * it at `pulumi preview --policy-pack policy-pack`: each resource rule on each resource's inputs, each
 * stack rule on all outputs, at the level the pack config gives it. The render uses this; the
 * tests also run the pack's CrossGuard objects (tests/policyRunner.ts) and check they agree.
 */
import type { EnforcementLevel } from "@pulumi/policy";
import { byCodePoint } from "../../config/order";
import { PolicyResource, Rule, RULES } from "../../policy/rules";
import { Evaluation, isSecretEnvelope, RecordedResource, unwrapSecrets } from "./evaluate";
import { REDACTED } from "./stackFiles";

/** A pack config as `pulumi preview --policy-pack-config <file>` reads it. */
export type PackConfig = Readonly<Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>>;

/** One reported violation. */
export interface Finding {
    readonly policy: string;
    readonly level: EnforcementLevel;
    readonly message: string;
    readonly urn: string;
}

export interface PolicyInput {
    readonly inputs: readonly PolicyResource[];
    readonly outputs: readonly PolicyResource[];
}

/** The resources of an evaluated stack as the engine gives them to policies: plain inputs, and outputs for stack rules. */
export function policyResources(ev: Evaluation, project: string, stack: string): PolicyInput {
    const toPolicy = (r: RecordedResource, props: Record<string, unknown>): PolicyResource => ({ type: r.type, name: r.name, urn: urnOf(project, stack, r.type, r.name), props });
    return {
        inputs: ev.resources.map((r) => toPolicy(r, unwrapSecrets(r.inputs) as Record<string, unknown>)),
        outputs: ev.resources.map((r) => toPolicy(r, unwrapSecrets(r.state) as Record<string, unknown>)),
    };
}

export function urnOf(project: string, stack: string, type: string, name: string): string {
    return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}

/** The level the engine gives a policy: its own entry, then `all`, then the policy's default. */
export function levelOf(rule: Rule, config: PackConfig): EnforcementLevel {
    const level = (e: PackConfig[string] | undefined) => (typeof e === "string" ? e : e?.enforcementLevel);
    return level(config[rule.name]) ?? level(config.all) ?? rule.enforcementLevel;
}

/** The settings a policy's `getConfig()` returns: its schema defaults, overridden by the pack config. */
export function settingsOf(rule: Rule, config: PackConfig): Record<string, unknown> {
    const entry = config[rule.name];
    const given = typeof entry === "object" ? Object.fromEntries(Object.entries(entry).filter(([k]) => k !== "enforcementLevel")) : {};
    return { ...Object.fromEntries(Object.entries(rule.config).map(([k, v]) => [k, v.default])), ...given };
}

/**
 * Every rule of the pack against the resources; disabled rules are skipped. The findings come in
 * the pack's order of rules, then by resource URN and message, whatever order the resources were
 * declared in.
 */
export function checkRules(resources: PolicyInput, config: PackConfig = {}): Finding[] {
    const findings: Finding[] = [];
    for (const rule of RULES) {
        const level = levelOf(rule, config);
        if (level === "disabled") continue;
        const settings = settingsOf(rule, config);
        if (rule.kind === "stack") {
            for (const v of rule.check(resources.outputs, settings)) findings.push({ policy: rule.name, level, message: v.message, urn: v.urn ?? "" });
            continue;
        }
        const found = resources.inputs.flatMap((r) => rule.check(r, settings).map((message) => ({ policy: rule.name, level, message, urn: r.urn })));
        findings.push(...found.sort((a, b) => byCodePoint(a.urn, b.urn) || byCodePoint(a.message, b.message)));
    }
    return findings;
}

/**
 * The findings with every secret value of the evaluation replaced by the redacted placeholder:
 * rules see plain values, as under the engine, but what the render prints never holds one.
 */
export function redactFindings(findings: readonly Finding[], ev: Evaluation): Finding[] {
    const secrets = new Set<string>();
    const collect = (v: unknown, secret: boolean): void => {
        if (isSecretEnvelope(v)) return collect(v.value, true);
        if (Array.isArray(v)) return v.forEach((x) => collect(x, secret));
        if (v !== null && typeof v === "object") return Object.values(v).forEach((x) => collect(x, secret));
        if (secret && typeof v === "string" && v !== "") secrets.add(v);
    };
    ev.resources.forEach((r) => collect([r.inputs, r.state], false));
    collect(ev.outputs, false);
    // Longest first, so that a secret containing another is replaced whole.
    const ordered = [...secrets].sort((a, b) => b.length - a.length);
    return findings.map((f) => ({ ...f, message: ordered.reduce((m, s) => m.split(s).join(REDACTED), f.message) }));
}
