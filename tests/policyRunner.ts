import { ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import * as path from "path";
import { crossGuardPolicy } from "../policy/pack";
import { Rule, RULES } from "../policy/rules";
import { Evaluation } from "../tools/harness/evaluate";
import * as harness from "../tools/harness/policy";
import { Finding, levelOf, PackConfig, PolicyInput, settingsOf } from "../tools/harness/policy";
import { PROJECT, REPO } from "./support";

export type { Finding, PackConfig, PolicyInput };

/** The resources of an evaluated repo stack as the engine gives them to policies. */
export function policyResources(ev: Evaluation, stack: string): PolicyInput {
    return harness.policyResources(ev, PROJECT, stack);
}

export function urnOf(stack: string, type: string, name: string): string {
    return harness.urnOf(PROJECT, stack, type, name);
}

/** What runPack needs of a pack: its rules, and how it makes one a CrossGuard policy. */
export interface PackModules {
    readonly RULES: readonly Rule[];
    readonly crossGuardPolicy: typeof crossGuardPolicy;
}

/** The TypeScript source, policy/. */
export const SOURCE_PACK: PackModules = { RULES, crossGuardPolicy };

/**
 * policy-pack/, the JavaScript `npm run generate` compiles from policy/, loaded as node loads it
 * under Pulumi's runner (plain `require`; ts-node leaves .js files alone).
 */
export function compiledPack(): PackModules {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const rules = require(path.join(REPO, "policy-pack", "rules")) as { RULES: readonly Rule[] };
    const pack = require(path.join(REPO, "policy-pack", "pack")) as { crossGuardPolicy: typeof crossGuardPolicy };
    /* eslint-enable @typescript-eslint/no-require-imports */
    return { RULES: rules.RULES, crossGuardPolicy: pack.crossGuardPolicy };
}

/**
 * Runs the pack's CrossGuard policies (the objects `policy/index.ts` hands to `PolicyPack`)
 * the way the engine does: each resource policy on each resource's inputs, each stack policy
 * on all outputs, at the level the pack config gives it. The render runs the rules directly
 * (tools/harness/policy.ts checkRules); tests check both agree. `pack`: the source by default.
 */
export function runPack(resources: PolicyInput, config: PackConfig = {}, pack: PackModules = SOURCE_PACK): Finding[] {
    const findings: Finding[] = [];
    for (const rule of pack.RULES) {
        const level = levelOf(rule, config);
        if (level === "disabled") continue;
        const policy = pack.crossGuardPolicy(rule);
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
