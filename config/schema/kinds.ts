import { z } from "zod";
import * as f from "../formats";
import { boolean, expecting, integer, list, map, object, oneOf, text } from "./fields";
import { RBAC_ACKNOWLEDGED, RBAC_VERBS, RISKY_SUBRESOURCE_NAMES, RISKY_VERB_NAMES } from "../rbac";

/**
 * The workload kinds a catalog service can be, and the settings only some kinds take. Which
 * settings each kind uses is in config/resolve/kind.ts.
 */

export const KINDS = ["web", "worker", "cronjob", "stateful"] as const;
export type Kind = (typeof KINDS)[number];

/** What each kind deploys, for messages and the reference. */
export const KIND_DESCRIPTIONS: Readonly<Record<Kind, string>> = {
    web: "a Deployment behind a Service (and an Ingress when exposed)",
    worker: "a Deployment with no Service and no Ingress (background work)",
    cronjob: "a CronJob (scheduled work that runs to completion)",
    stateful: "a StatefulSet with a headless Service and a claim per pod (a database, a broker)",
};

/** The name of the main container's port: `http` on a web service (as before kinds existed), `main` on the others. */
export function containerPortName(kind: Kind): string {
    return kind === "web" ? "http" : "main";
}

export const kind = oneOf(KINDS)
    .default("web")
    .meta({ description: `What the service deploys: ${KINDS.map((k) => `\`${k}\`, ${KIND_DESCRIPTIONS[k]}`).join("; ")}.` });

/** A `cronjob`'s schedule and how its runs are kept and retried. */
export const job = object({
    schedule: text({ expected: "a cron schedule such as '0 2 * * *' or '@daily'", check: f.cronSchedule })
        .optional()
        .meta({ description: "When it runs: five cron fields or a macro such as `@daily` (required for `cronjob`).", examples: ["0 2 * * *"] }),
    timeZone: text({ expected: "an IANA time zone name such as 'Etc/UTC'", check: f.timeZone }).default("Etc/UTC").meta({ description: "The time zone of the schedule." }),
    concurrencyPolicy: oneOf(["Forbid", "Allow", "Replace"]).default("Forbid").meta({ description: "What happens when a run is due while the last one still runs." }),
    suspend: boolean().default(false).meta({ description: "Stop scheduling runs (a stack can pause a job)." }),
    startingDeadlineSeconds: integer(10, 86400).default(300).meta({ description: "A run that could not start this long after its time is skipped." }),
    successfulJobsHistoryLimit: integer(0, 100).default(3).meta({ description: "Finished runs kept." }),
    failedJobsHistoryLimit: integer(0, 100).default(3).meta({ description: "Failed runs kept (their pods hold the logs)." }),
    backoffLimit: integer(0, 100).default(2).meta({ description: "Retries of a failed run." }),
    restartPolicy: oneOf(["Never", "OnFailure"])
        .default("Never")
        .meta({ description: "`Never`: a failed run's pod stays for its logs and a new pod retries; `OnFailure`: the container restarts in place." }),
    activeDeadlineSeconds: integer(1, 604800).optional().meta({ description: "A run taking longer than this is stopped and failed." }),
    ttlSecondsAfterFinished: integer(0, 2592000).optional().meta({ description: "Delete a finished run after this long (instead of by the history limits)." }),
})
    .optional()
    .meta({ description: "The schedule of a `cronjob`.", examples: [{ schedule: "0 2 * * *", timeZone: "Europe/London" }] });

/** Names as code, for a description: `a`, `b` or `c`. */
const code = (names: readonly string[]) => names.map((n) => `\`${n}\``).join(", ").replace(/, ([^,]*)$/, " or $1");

/** A permission of the service's account in its namespace (a rule of its Role). */
export const rbacRule = object({
    apiGroups: list(z.string(expecting("an API group such as 'apps', or \"\" for the core group")).meta({ examples: ["coordination.k8s.io"] }), { nonEmpty: true })
        .default([""])
        .meta({ description: "API groups; `\"\"` is the core group (pods, configmaps)." }),
    resources: list(text({ expected: "a resource such as 'pods' or 'configmaps'", check: (s) => (/^[a-z*][a-z0-9/*-]*$/.test(s) ? undefined : "lowercase resource name") }), { nonEmpty: true })
        .optional()
        .meta({ description: "Resources (required).", examples: [["pods"]] }),
    verbs: list(oneOf(RBAC_VERBS), { nonEmpty: true })
        .optional()
        .meta({ description: "Verbs (required).", examples: [["get", "list", "watch"]] }),
    resourceNames: list(text({ expected: "an object name", example: "orders-leader" }), { nonEmpty: true }).optional().meta({ description: "Only these objects." }),
    acknowledge: text({ expected: "why the service needs this permission", check: f.reason })
        .optional()
        .meta({
            description: `Why the service needs this rule, required for a rule that reaches past its own work (and refused on any other): a wildcard in \`apiGroups\`, \`resources\` or \`verbs\`, reading \`secrets\`, the verbs ${code(RISKY_VERB_NAMES)}, or the resources ${code(RISKY_SUBRESOURCE_NAMES)}. The Role carries each reason, \`<rule>: <reason>\` a line, in the annotation \`${RBAC_ACKNOWLEDGED}\`, which the policy pack looks for.`,
            examples: ["rotates the broker credentials it reads (INC-2291)"],
        }),
});

export const rbac = map(rbacRule, { check: f.dnsLabel, expected: "a rule name (DNS-1123 label)", example: "read-leases" })
    .optional()
    .meta({
        description: "Permissions of the service's account in its namespace (a Role and RoleBinding); the account's token is mounted only when there are some.",
        examples: [{ "read-pods": { resources: ["pods"], verbs: ["get", "list", "watch"] } }],
    });

/** Prometheus scraping of the service's metrics endpoint. */
export const metrics = object({
    enabled: boolean().optional().meta({ description: "Default: scraped when `metrics` is set." }),
    path: text({ expected: "an HTTP path such as '/metrics'", check: f.httpPath }).default("/metrics").meta({ description: "The metrics path." }),
    port: integer(1, 65535).optional().meta({ description: "The metrics port; default: the service's `port`." }),
    interval: text({ expected: "a duration such as '30s' or '1m'", check: (s) => (/^[0-9]+(ms|s|m|h)$/.test(s) ? undefined : "a number and a unit: ms, s, m or h") })
        .default("30s")
        .meta({ description: "How often Prometheus scrapes." }),
})
    .optional()
    .meta({
        description: "Prometheus scraping: a ServiceMonitor (a PodMonitor for a `worker`) when the stack says the Prometheus Operator is installed (`environment.monitoring.operator`), `prometheus.io/*` annotations otherwise.",
        examples: [{ path: "/metrics" }],
    });

/** ConfigMaps and Secrets that exist in the namespace and are owned by someone else, read as environment variables. */
export const envFrom = object({
    configMaps: list(text({ expected: "a ConfigMap name", check: f.dnsSubdomain }))
        .optional()
        .meta({ description: "Existing ConfigMaps, read first (the service's own settings win).", examples: [["trading-common-config"]] }),
    secrets: list(text({ expected: "a Secret name", check: f.dnsSubdomain }))
        .optional()
        .meta({ description: "Existing Secrets, read after the ConfigMaps.", examples: [["shared-credentials"]] }),
})
    .optional()
    .meta({ description: "Environment from ConfigMaps and Secrets the platform does not own (it never changes or deletes them)." });

/** How a HorizontalPodAutoscaler changes the replica count in one direction. */
const scalingRules = (direction: "up" | "down") =>
    object({
        stabilizationWindowSeconds: integer(0, 3600).optional().meta({ description: `Seconds of recommendations considered before scaling ${direction}.` }),
        selectPolicy: oneOf(["Max", "Min", "Disabled"]).optional().meta({ description: "Which policy wins when several allow a change; `Disabled` never scales this way." }),
        policies: map(
            object({
                type: oneOf(["Pods", "Percent"]).optional().meta({ description: "Count in pods or in percent of the current replicas (required)." }),
                value: integer(1, 1000).optional().meta({ description: "How many pods or percent (required)." }),
                periodSeconds: integer(1, 1800).default(60).meta({ description: "Per this many seconds." }),
            }),
            { check: f.dnsLabel, expected: "a policy name (DNS-1123 label)", example: "double" },
        )
            .optional()
            .meta({ description: "How fast to scale, by name.", examples: [{ pods: { type: "Pods", value: 4, periodSeconds: 60 } }] }),
    })
        .optional()
        .meta({ description: `Scaling ${direction}.` });

export const behavior = object({ scaleUp: scalingRules("up"), scaleDown: scalingRules("down") })
    .optional()
    .meta({ description: "The autoscaler's `behavior`: how fast it scales up and down." });

export const customMetrics = map(
    object({
        averageValue: z
            .preprocess((v) => (typeof v === "number" ? String(v) : v), text({ expected: 'a quantity such as "100" or "500m"', check: f.quantity }))
            .optional()
            .meta({ type: ["string", "number"], description: "The per-pod average the autoscaler aims for (required)." }),
    }),
    { check: (s) => (/^[a-z][a-z0-9_:.-]*$/.test(s) ? undefined : "lowercase letters, digits, '_', ':', '.' and '-'"), expected: "a metric name", example: "http_requests_per_second" },
)
    .optional()
    .meta({ description: "Per-pod metrics from a custom metrics API (such as prometheus-adapter), by name.", examples: [{ orders_in_flight: { averageValue: "50" } }] });
