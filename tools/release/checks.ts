import { ReleasedService } from "./plan";
import { Answer } from "./prometheus";

/** One check of a step: a PromQL query whose value must stay at or below `max`. */
export interface Check {
    /** `api: restarts` or `api: prometheus`. */
    readonly name: string;
    readonly query: string;
    readonly max: number;
}

/** A check evaluated once: its value, or why there is none (no data, NaN, Prometheus unreachable): a failure too. */
export interface CheckResult {
    readonly check: Check;
    readonly passed: boolean;
    readonly value?: number;
    readonly problem?: string;
}

/** A regular expression matching the names of a service's canary pods in driven mode (`<objectName>-canary-<hash>-<id>`), for PromQL's `=~`. */
export function canaryPods(objectName: string): string {
    return `${objectName.replace(/\./g, "\\\\.")}-canary-[a-z0-9]+-[a-z0-9]+`;
}

/** A service's query with `{{namespace}}`, `{{service}}` and `{{canaryPods}}` replaced. */
export function substitute(query: string, namespace: string, objectName: string): string {
    const values: Record<string, string> = { namespace, service: objectName, canaryPods: canaryPods(objectName) };
    return query.replace(/\{\{\s*(namespace|service|canaryPods)\s*\}\}/g, (_, key: string) => values[key]);
}

/** The checks of one released service: its canary's restarts (kube-state-metrics), and its own query when it has one. */
export function checksOf(service: ReleasedService, namespace: string): Check[] {
    const restarts = substitute('sum(kube_pod_container_status_restarts_total{namespace="{{namespace}}",pod=~"{{canaryPods}}"})', namespace, service.objectName);
    const own = service.canary.prometheus;
    return [
        { name: `${service.name}: restarts`, query: restarts, max: service.canary.maxRestarts },
        ...(own ? [{ name: `${service.name}: prometheus`, query: substitute(own.query, namespace, service.objectName), max: own.max }] : []),
    ];
}

const NO_DATA_HINT = "the query returned no data (append 'or vector(0)' to the query if no data means none happened)";

/**
 * A check against Prometheus's answer: the highest value of the series it returned must be at or
 * below the threshold. No series, a NaN, or no answer at all fails: a check that cannot be
 * evaluated never lets a canary through.
 */
export function evaluate(check: Check, answer: Answer): CheckResult {
    if ("problem" in answer) return { check, passed: false, problem: answer.problem };
    if (answer.values.length === 0) return { check, passed: false, problem: NO_DATA_HINT };
    if (answer.values.some((v) => Number.isNaN(v))) return { check, passed: false, problem: "the query returned NaN (a ratio over no requests?)" };
    const value = Math.max(...answer.values);
    return { check, passed: value <= check.max, value };
}

/** A result for a message or a summary: `api: restarts = 2 (max 0)`, or the problem. */
export function describeResult(r: CheckResult): string {
    return r.value !== undefined ? `${r.check.name} = ${formatValue(r.value)} (max ${formatValue(r.check.max)})` : `${r.check.name}: ${r.problem} (max ${formatValue(r.check.max)})`;
}

function formatValue(v: number): string {
    return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
}
