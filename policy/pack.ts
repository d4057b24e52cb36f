import { PolicyPackArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { PolicyResource, Rule, RULES } from "./rules";

export const PACK_NAME = "hft-platform-guardrails";

/** What CrossGuard hands a policy about one resource (inputs for resource policies, outputs for stack policies). */
interface CrossGuardResource {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    readonly props: Record<string, unknown>;
}

function asResource(r: CrossGuardResource): PolicyResource {
    return { type: r.type, name: r.name, urn: r.urn, props: r.props };
}

/**
 * One rule as a CrossGuard policy. Its enforcement level is the default; the pack config
 * (`--policy-pack-config`) can make it advisory, mandatory or disabled, and set its settings.
 */
export function crossGuardPolicy(rule: Rule): ResourceValidationPolicy | StackValidationPolicy {
    const base = {
        name: rule.name,
        description: rule.description,
        enforcementLevel: rule.enforcementLevel,
        ...(Object.keys(rule.config).length > 0
            ? { configSchema: { properties: Object.fromEntries(Object.entries(rule.config).map(([k, v]) => [k, { ...v }])) } }
            : {}),
    };
    if (rule.kind === "resource") {
        return {
            ...base,
            validateResource: (args, reportViolation) => {
                for (const message of rule.check(asResource(args), args.getConfig<Record<string, unknown>>())) {
                    reportViolation(message);
                }
            },
        };
    }
    return {
        ...base,
        validateStack: (args, reportViolation) => {
            for (const v of rule.check(args.resources.map(asResource), args.getConfig<Record<string, unknown>>())) {
                reportViolation(v.message, v.urn);
            }
        },
    };
}

/** The pack: every rule, mandatory unless a rule or the pack config says otherwise. */
export function policyPackArgs(): PolicyPackArgs {
    return {
        description: "Guardrails for the hft-platform stacks: pod security, resources and probes, pinned images, disruption budgets, TLS, exposure, Gateway API routes, secrets and GitHub environments.",
        enforcementLevel: "mandatory",
        policies: RULES.map(crossGuardPolicy),
    };
}
