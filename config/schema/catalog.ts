import { z } from "zod";
import * as f from "../formats";
import { map, object, text } from "./fields";
import { commonEnv, DNS_LABEL, quantity, service } from "./service";

/** Resource requests or limits of a tier: both amounts are required. */
const tierAmounts = (kind: "requests" | "limits") => {
    const required = 'a Kubernetes quantity such as "250m" or "512Mi"';
    const amount = (r: "cpu" | "memory", description: string) => quantity(r).optional().meta({ description });
    return object({ cpu: amount("cpu", "CPU, in cores or millicores (required)."), memory: amount("memory", "Memory, in bytes with a suffix such as Mi or Gi (required).") })
        .superRefine((a, ctx) => {
            for (const r of ["cpu", "memory"] as const) {
                if (a[r] === undefined) ctx.addIssue({ code: "custom", path: [r], message: `required; expected ${required}` });
            }
        })
        .meta({ description: `The tier's ${kind}.` });
};

export const tier = object({ requests: tierAmounts("requests").prefault({}), limits: tierAmounts("limits").prefault({}) }, { required: "an object with 'requests' and 'limits'" }).superRefine((t, ctx) => {
    for (const r of ["cpu", "memory"] as const) {
        // An amount refused on its own is not compared as well.
        const amount = r === "cpu" ? f.cpuAmount : f.memoryAmount;
        const both = t.requests[r] !== undefined && t.limits[r] !== undefined && amount(t.requests[r]) === undefined && amount(t.limits[r]) === undefined;
        const problem = both ? f.requestExceedsLimit(t.requests[r]!, t.limits[r]!) : undefined;
        if (problem) ctx.addIssue({ code: "custom", path: ["requests", r], message: problem });
    }
}).meta({ examples: [{ requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } }] });

const SYSTEM = "a DNS-1123 label naming the whole system, such as 'hft'";

/** The shared part of the configuration: `<project>:catalog` in Pulumi.yaml, or the file `catalogFile` names. */
export const catalog = object(
    {
        system: text({ expected: SYSTEM, required: SYSTEM, check: f.dnsLabel, pattern: DNS_LABEL }).meta({
            description: "Names the whole system; a label on every object.",
            examples: ["hft"],
        }),
        tiers: map(tier, { check: f.dnsLabel, expected: "a tier name (DNS-1123 label)", example: "small", pattern: DNS_LABEL })
            .optional()
            .meta({ description: "Resource tiers (requests and limits) a service or a stack picks with `tier`.", examples: [{ standard: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } } }] }),
        commonEnv: commonEnv.optional().meta({ description: "Variables every service of every environment receives (in the environment's shared ConfigMap)." }),
        defaults: service.optional().meta({ description: "Service settings every service starts from." }),
        services: map(service, { check: f.serviceName, expected: "a service name (DNS-1123 label: lowercase letters, digits and '-', at most 63)", example: "api", pattern: /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/ })
            .refine((s) => Object.keys(s).length > 0, { error: () => "expected at least one service, got {}" })
            .meta({ description: "The services, by name (the name of their Kubernetes objects).", examples: [{ api: { port: 8000, image: { repository: "ghcr.io/acme/api", tag: "1.4.0" } } }] }),
    },
    { required: "the service catalog (an object with 'services'), set in Pulumi.yaml, or in a YAML file named by catalogFile" },
);

export type Catalog = z.output<typeof catalog>;
