import {
    describe,
    inProduction,
    isWhole,
    kindOf,
    list,
    listSetting,
    nameOf,
    namespaceOf,
    numberSetting,
    PolicyResource,
    PRODUCTION_ENVIRONMENTS,
    record,
    StackRule,
    Violation,
} from "./common";
import { stableSiblingOf } from "./canary";

/**
 * The workloads that keep a number of replicas serving: what a budget and the production minimum
 * are about (not Jobs, CronJobs or DaemonSets), in any API version, and an Argo Rollout. Whole
 * objects only: a Patch's replica count may be absent because it leaves the count alone.
 */
const REPLICATED = ["apps:Deployment", "apps:StatefulSet", "extensions:Deployment", "argoproj.io:Rollout"];
const HPA = ["autoscaling:HorizontalPodAutoscaler"];
const PDB = ["policy:PodDisruptionBudget"];

/** How many replicas a Deployment or StatefulSet runs: its autoscaler's bounds, or its fixed count. */
interface ReplicaRange {
    readonly min: number;
    readonly max: number;
    /** Where the numbers come from, for messages. */
    readonly source: string;
}

function replicaRange(d: PolicyResource, all: readonly PolicyResource[]): ReplicaRange {
    const hpa = all.find((r) => {
        if (!isWhole(r.type, HPA) || namespaceOf(r) !== namespaceOf(d)) return false;
        const target = record(record(r.props.spec).scaleTargetRef);
        return target.kind === kindOf(d.type) && target.name === nameOf(d);
    });
    if (hpa) {
        const spec = record(hpa.props.spec);
        const min = typeof spec.minReplicas === "number" ? spec.minReplicas : 1;
        const max = typeof spec.maxReplicas === "number" ? spec.maxReplicas : min;
        return { min, max, source: `its ${describe(hpa)} scales it from ${min} to ${max}` };
    }
    const replicas = record(d.props.spec).replicas;
    const n = typeof replicas === "number" ? replicas : 1;
    return { min: n, max: n, source: replicas === undefined ? "it sets no replica count (Kubernetes runs 1)" : `it runs ${n} replica${n === 1 ? "" : "s"}` };
}

/** Whether a label selector (matchLabels and matchExpressions) selects pods with these labels. */
export function selects(selector: unknown, labels: Readonly<Record<string, unknown>>): boolean {
    if (selector === undefined || selector === null) return false;
    const s = record(selector);
    const matchLabels = Object.entries(record(s.matchLabels)).every(([k, v]) => labels[k] === v);
    const matchExpressions = list(s.matchExpressions).every((e) => {
        const { key, operator, values } = record(e);
        const has = typeof key === "string" && key in labels;
        const vals = list(values);
        switch (operator) {
            case "In":
                return has && vals.includes(labels[key]);
            case "NotIn":
                return !has || !vals.includes(labels[key]);
            case "Exists":
                return has;
            case "DoesNotExist":
                return !has;
            default:
                return false;
        }
    });
    return matchLabels && matchExpressions;
}

/** Kubernetes' scaling of an int-or-percent against a replica count (rounded up, as the disruption controller does). */
function scaled(v: unknown, replicas: number): number | undefined {
    if (typeof v === "number") return v;
    const m = typeof v === "string" ? /^([0-9]+)%$/.exec(v) : null;
    return m ? Math.ceil((Number(m[1]) * replicas) / 100) : undefined;
}

/** Why a budget blocks every drain of a workload running at least `min` replicas, or undefined. */
export function blocksDrain(pdb: PolicyResource, min: number): string | undefined {
    const spec = record(pdb.props.spec);
    if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
        const n = scaled(spec.maxUnavailable, min);
        if (n === undefined) return `its maxUnavailable ${JSON.stringify(spec.maxUnavailable)} is not a number or percentage`;
        return n < 1 ? `its maxUnavailable ${JSON.stringify(spec.maxUnavailable)} lets no pod be evicted` : undefined;
    }
    if (spec.minAvailable !== undefined && spec.minAvailable !== null) {
        const n = scaled(spec.minAvailable, min);
        if (n === undefined) return `its minAvailable ${JSON.stringify(spec.minAvailable)} is not a number or percentage`;
        return n >= min ? `its minAvailable ${JSON.stringify(spec.minAvailable)} keeps all of the ${min} replica${min === 1 ? "" : "s"} it may run with` : undefined;
    }
    return "it sets neither maxUnavailable nor minAvailable";
}

const PDB_FIX =
    "set the service's 'pdb' (maxUnavailable 1, or minAvailable below its minimum replica count); this program adds one when more than one replica can run unless 'pdb.enabled' is false";

export const disruptionBudgetRule: StackRule = {
    kind: "stack",
    name: "pod-disruption-budget",
    description: "A Deployment, StatefulSet or Argo Rollout that can run more than one replica has exactly one PodDisruptionBudget, and it still lets a node drain evict a pod.",
    enforcementLevel: "mandatory",
    config: {},
    check(resources) {
        const out: Violation[] = [];
        for (const d of resources.filter((r) => isWhole(r.type, REPLICATED) && stableSiblingOf(r, resources) === undefined)) {
            const range = replicaRange(d, resources);
            if (range.max <= 1) continue;
            const podLabels = record(record(record(record(d.props.spec).template).metadata).labels);
            const budgets = resources.filter((r) => isWhole(r.type, PDB) && namespaceOf(r) === namespaceOf(d) && selects(record(r.props.spec).selector, podLabels));
            if (budgets.length === 0) {
                out.push({ urn: d.urn, message: `${describe(d)} can run ${range.max} replicas (${range.source}) but no PodDisruptionBudget covers its pods. Fix: ${PDB_FIX}.` });
            } else if (budgets.length > 1) {
                out.push({
                    urn: d.urn,
                    message: `${describe(d)} is covered by ${budgets.length} PodDisruptionBudgets (${budgets.map(describe).join(", ")}); the eviction API refuses pods under more than one, so drains stall. Fix: keep one budget per service.`,
                });
            } else {
                const reason = blocksDrain(budgets[0], range.min);
                if (reason) {
                    out.push({ urn: budgets[0].urn, message: `${describe(budgets[0])} blocks every node drain of ${describe(d)}: ${reason} (${range.source}). Fix: ${PDB_FIX}.` });
                }
            }
        }
        return out;
    },
};

export const productionReplicasRule: StackRule = {
    kind: "stack",
    name: "production-min-replicas",
    description: "In production every Deployment, StatefulSet and Argo Rollout runs at least two replicas (its fixed count, or its autoscaler's minimum).",
    enforcementLevel: "mandatory",
    config: {
        productionEnvironments: PRODUCTION_ENVIRONMENTS,
        minReplicas: { type: "integer", minimum: 1, description: "The fewest replicas a production Deployment or StatefulSet may run.", default: 2 },
    },
    check(resources, config) {
        const environments = listSetting(this, config, "productionEnvironments");
        const least = numberSetting(this, config, "minReplicas");
        return resources
            // A driven canary's few pods run beside its stable sibling, which is judged itself (./canary.ts).
            .filter((r) => isWhole(r.type, REPLICATED) && inProduction(r, environments) && stableSiblingOf(r, resources) === undefined)
            .flatMap((d) => {
                const range = replicaRange(d, resources);
                return range.min >= least
                    ? []
                    : [
                          {
                              urn: d.urn,
                              message: `${describe(d)} may run ${range.min} replica${range.min === 1 ? "" : "s"} in production (${range.source}); at least ${least} are required. Fix: set 'replicas: ${least}' or 'autoscaling.minReplicas: ${least}' for the service in the production stack's config.`,
                          },
                      ];
            });
    },
};
