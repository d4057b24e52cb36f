import { z } from "zod";
import * as f from "../formats";
import { CANARY_MODES } from "../canary";
import { boolean, expecting, GOT, integer, list, MAX_REPLICAS, object, oneOf, text } from "./fields";

/**
 * Canary releases (docs/canary.md): a service's canary (`canary`, written at any layer of the
 * service settings and merged key by key; `steps` is a list, replaced whole), and how the stack
 * runs them (`environment.canary`). What the resolved settings mean is config/canary.ts.
 */

/** The placeholders a canary's Prometheus query may use, each replaced before it is sent. */
export const QUERY_PLACEHOLDERS = ["namespace", "service", "canaryPods"] as const;

/** A step's window when the step names none. */
const DEFAULT_WINDOW = "5m";

/** The steps of a canary that names none: 10%, 50%, then all traffic, each watched for the default window. */
export const DEFAULT_STEPS = [10, 50, 100].map((weight) => ({ weight, window: DEFAULT_WINDOW }));

/**
 * The image of Argo Rollouts' CLI when the stack names none: the release matching the controller
 * docs/canary-in-cluster.md targets (v1.9), its entrypoint `/bin/kubectl-argo-rollouts`, user 999.
 */
export const STATUS_IMAGE = "quay.io/argoproj/kubectl-argo-rollouts:v1.9.1";

const DURATION_EXPECTED = "a duration from 1s to 24h such as '30s', '5m' or '1h30m'";

const duration = () => text({ expected: DURATION_EXPECTED, check: f.canaryDuration, pattern: f.durationPattern("hms") });

/** The `{{...}}` in a query that are not placeholders, as written. */
export function unknownPlaceholders(query: string): string[] {
    return [...query.matchAll(/\{\{([^{}]*)\}\}/g)].filter(([, name]) => !(QUERY_PLACEHOLDERS as readonly string[]).includes(name)).map(([written]) => written);
}

const PLACEHOLDERS_ALLOWED = QUERY_PLACEHOLDERS.map((p) => `{{${p}}}`).join(", ");

function promQl(s: string): string | undefined {
    const unknown = unknownPlaceholders(s);
    return unknown.length === 0 ? undefined : `unknown placeholder${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}; the placeholders are ${PLACEHOLDERS_ALLOWED}`;
}

const step = object({
    weight: integer(1, 100, "an integer from 1 to 100, the share of traffic the new version takes").meta({ description: "The percentage of traffic the new version takes in this step (required).", examples: [10] }),
    window: duration()
        .default(DEFAULT_WINDOW)
        .meta({ description: "How long the checks watch the step before the next one (a pause when nothing is queried).", examples: ["30s", "5m", "1h30m"] }),
});

const STEPS_EXPECTED = "weights strictly increasing, the last one 100";

/** Where a list of steps goes wrong (`undefined`: nowhere): weights strictly increasing, the last one 100. */
export function stepsProblem(weights: readonly number[]): string | undefined {
    const back = weights.findIndex((w, i) => i > 0 && w <= weights[i - 1]);
    if (back > 0) return `step ${back + 1}'s weight ${weights[back]} is not above step ${back}'s ${weights[back - 1]}`;
    const last = weights[weights.length - 1];
    // An empty list is refused as one ('a non-empty list').
    return last === 100 || weights.length === 0 ? undefined : `the last weight is ${last}; the last step sends all traffic to the new version (100)`;
}

/** `canary`: a service's canary releases. */
export const canary = object({
    enabled: boolean()
        .default(false)
        .meta({ description: "Release the service through a canary in this stack (which says how in `environment.canary`); default: a rolling update." }),
    steps: list(step, { nonEmpty: true })
        .superRefine((steps, ctx) => {
            const problem = stepsProblem(steps.map((s) => s.weight));
            if (problem) ctx.addIssue({ code: "custom", message: `expected ${STEPS_EXPECTED}, got ${GOT} (${problem})`, input: steps });
        })
        .default(DEFAULT_STEPS)
        .meta({
            description: "The steps of a release, each a share of traffic (`weight`, strictly increasing, the last 100) watched for a `window` (1s to 24h, at least `environment.canary.interval`); a layer's list replaces the one before it whole.",
            examples: [[{ weight: 5, window: "10m" }, { weight: 25, window: "10m" }, { weight: 100, window: "5m" }]],
        }),
    replicas: integer(1, MAX_REPLICAS).default(1).meta({ description: "Driven mode: the pods of the canary Deployment, beside the stable one's." }),
    maxRestarts: integer(0, 1000)
        .default(0)
        .meta({ description: "Restarts of the canary's containers that fail a step (0: any restart does), counted through Prometheus (kube-state-metrics)." }),
    prometheus: object({
        query: text({ expected: `a PromQL query, with no placeholders but ${PLACEHOLDERS_ALLOWED}`, check: promQl })
            .optional()
            .meta({
                description: `A PromQL query whose result must stay at or below \`max\` during every window (required with \`prometheus\`); ${PLACEHOLDERS_ALLOWED} are replaced by the namespace, the service's object name and a regular expression matching the canary's pod names.`,
                examples: [
                    'sum(rate(http_requests_total{namespace="{{namespace}}",pod=~"{{canaryPods}}",status=~"5.."}[1m])) / sum(rate(http_requests_total{namespace="{{namespace}}",pod=~"{{canaryPods}}"}[1m]))',
                ],
            }),
        max: z
            .number(expecting("a number"))
            .optional()
            .meta({ description: "The highest value of the query that passes (required with `prometheus`).", examples: [0.01] }),
    })
        .optional()
        .meta({ description: "A check of the canary by a Prometheus query, such as its 5xx ratio, asked of `environment.canary.prometheus`." }),
});

export type CanarySettingsWritten = z.output<typeof canary>;

/** The interval of the checks when the stack names none. */
export const DEFAULT_INTERVAL = "30s";

/** `environment.canary`: how this stack runs its services' canaries. */
export const canaryEnvironment = object({
    mode: oneOf(CANARY_MODES)
        .optional()
        .meta({
            description:
                "How canaries run (required when a service has one): `in-cluster`, Argo Rollouts (installed in the cluster) runs each release as a `Rollout`; `driven`, the release driver (docs/canary.md) steps the weights of a Gateway API HTTPRoute between a stable and a canary Deployment (`exposure: gateway` only).",
            examples: ["in-cluster"],
        }),
    prometheus: text({ expected: "an http:// or https:// URL such as 'http://prometheus-operated.monitoring.svc:9090'", check: f.httpUrl })
        .optional()
        .meta({
            description:
                "Where Prometheus answers the canaries' queries: in-cluster, an address Argo Rollouts' controller reaches; driven (required there: its checks are queries), a URL the release driver reaches from where it runs.",
            examples: ["http://prometheus-operated.monitoring.svc:9090"],
        }),
    interval: duration().default(DEFAULT_INTERVAL).meta({ description: "How often the checks are evaluated during a step's window (at most the shortest window).", examples: ["30s"] }),
    statusImage: text({ expected: `an image reference such as '${STATUS_IMAGE}' or 'repo@sha256:...'`, check: f.imageReference })
        .default(STATUS_IMAGE)
        .meta({
            description:
                "In-cluster mode: the image of Argo Rollouts' CLI that each release's wait Job runs (`kubectl-argo-rollouts status`), by which `pulumi up` waits for the canary's outcome (docs/canary-in-cluster.md). A tag is looked up in the registry and run by its digest, like a service's.",
        }),
});
