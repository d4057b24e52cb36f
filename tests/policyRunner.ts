import { ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { crossGuardPolicy } from "../policy/pack";
import { RULES } from "../policy/rules";
import { Evaluation } from "../tools/harness/evaluate";
import * as harness from "../tools/harness/policy";
import { Finding, levelOf, PackConfig, PolicyInput, settingsOf } from "../tools/harness/policy";
import { PROJECT } from "./support";

export type { Finding, PackConfig };

/** The resources of an evaluated repo stack as the engine gives them to policies. */
export function policyResources(ev: Evaluation, stack: string): PolicyInput {
    return harness.policyResources(ev, PROJECT, stack);
}

export function urnOf(stack: string, type: string, name: string): string {
    return harness.urnOf(PROJECT, stack, type, name);
}

/**
 * Runs the pack's CrossGuard policies (the objects `policy/index.ts` hands to `PolicyPack`)
 * the way the engine does: each resource policy on each resource's inputs, each stack policy
 * on all outputs, at the level the pack config gives it. The render runs the rules directly
 * (tools/harness/policy.ts checkRules); tests check both agree.
 */
export function runPack(resources: PolicyInput, config: PackConfig = {}): Finding[] {
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
