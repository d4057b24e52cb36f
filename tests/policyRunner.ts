import { EnforcementLevel, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { crossGuardPolicy } from "../policy/pack";
import { PolicyResource, Rule, RULES } from "../policy/rules";
import { Evaluation, RecordedResource } from "../tools/harness/evaluate";
import { PROJECT, unwrap } from "./support";

/** A pack config as `pulumi preview --policy-pack-config <file>` reads it. */
export type PackConfig = Readonly<Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>>;

/** One reported violation. */
export interface Finding {
    readonly policy: string;
    readonly level: EnforcementLevel;
    readonly message: string;
    readonly urn: string;
}

/** The resources of an evaluated stack as the engine gives them to policies: inputs, and outputs for stack policies. */
export function policyResources(ev: Evaluation, stack: string): { inputs: PolicyResource[]; outputs: PolicyResource[] } {
    const toPolicy = (r: RecordedResource, props: Record<string, unknown>): PolicyResource => ({ type: r.type, name: r.name, urn: urnOf(stack, r.type, r.name), props });
    return {
        inputs: ev.resources.map((r) => toPolicy(r, unwrap(r.inputs))),
        outputs: ev.resources.map((r) => toPolicy(r, unwrap(r.state))),
    };
}

export function urnOf(stack: string, type: string, name: string): string {
    return `urn:pulumi:${stack}::${PROJECT}::${type}::${name}`;
}

/** The level the engine gives a policy: its own entry, then `all`, then the policy's default. */
function levelOf(rule: Rule, config: PackConfig): EnforcementLevel {
    const entry = config[rule.name];
    const all = config.all;
    const level = (e: PackConfig[string] | undefined) => (typeof e === "string" ? e : e?.enforcementLevel);
    return level(entry) ?? level(all) ?? rule.enforcementLevel;
}

/** The settings a policy's `getConfig()` returns: its schema defaults, overridden by the pack config. */
function settingsOf(rule: Rule, config: PackConfig): Record<string, unknown> {
    const entry = config[rule.name];
    const given = typeof entry === "object" ? Object.fromEntries(Object.entries(entry).filter(([k]) => k !== "enforcementLevel")) : {};
    return { ...Object.fromEntries(Object.entries(rule.config).map(([k, v]) => [k, v.default])), ...given };
}

/**
 * Runs the pack's CrossGuard policies (the objects `policy/index.ts` hands to `PolicyPack`)
 * the way the engine does: each resource policy on each resource's inputs, each stack policy
 * on all outputs, at the level the pack config gives it.
 */
export function runPack(resources: { inputs: readonly PolicyResource[]; outputs: readonly PolicyResource[] }, config: PackConfig = {}): Finding[] {
    const findings: Finding[] = [];
    for (const rule of RULES) {
        const level = levelOf(rule, config);
        if (level === "disabled") continue;
        const policy = crossGuardPolicy(rule);
        const getConfig = <T extends object>() => settingsOf(rule, config) as T;
        if ("validateStack" in policy) {
            const args = { resources: resources.outputs, getConfig } as unknown as StackValidationArgs;
            void policy.validateStack(args, (message, urn) => findings.push({ policy: rule.name, level, message, urn: urn ?? "" }));
            continue;
        }
        const validate = policy.validateResource;
        for (const r of resources.inputs) {
            const args = { ...r, getConfig } as unknown as ResourceValidationArgs;
            for (const v of Array.isArray(validate) ? validate : validate ? [validate] : []) {
                void v(args, (message) => findings.push({ policy: rule.name, level, message, urn: r.urn }));
            }
        }
    }
    return findings;
}
