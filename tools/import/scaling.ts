import { Layer, Overlay, put } from "./context";
import type { MetricShape, ScalingRulesShape } from "./shapes";
import { ImportedService, selects } from "./workloads";

/**
 * HorizontalPodAutoscalers (`autoscaling`, replacing `replicas`) and PodDisruptionBudgets
 * (`pdb`). A service without a budget gets `pdb.enabled: false`, as it had none.
 */
export function mapAutoscalers(ov: Overlay, services: readonly ImportedService[]): void {
    for (const o of ov.ofKind("HorizontalPodAutoscaler")) {
        const t = ov.tracker(o);
        const ref = t.peek<{ kind: string; name: string }>("spec", "scaleTargetRef");
        const s = services.find((x) => x.workload.kind === ref?.kind && x.workload.metadata.name === ref?.name);
        if (!s) {
            ov.note(o, ["spec", "scaleTargetRef"], "scales no imported workload: not imported");
            continue;
        }
        ov.used.add(o);
        t.mark(["spec", "scaleTargetRef"]);
        const a: Layer = { enabled: true, minReplicas: t.take<number>("spec", "minReplicas") ?? 1, maxReplicas: t.take<number>("spec", "maxReplicas") };
        const seen = new Set<string>();
        (t.peek<MetricShape[]>("spec", "metrics") ?? []).forEach((m, i) => {
            const resource = m.type === "Resource" ? m.resource?.name : undefined;
            const target = m.resource?.target ?? m.pods?.target;
            const metric = m.type === "Pods" ? m.pods?.metric?.name : undefined;
            if ((resource === "cpu" || resource === "memory") && target?.type === "Utilization") {
                a[resource === "cpu" ? "targetCPUUtilization" : "targetMemoryUtilization"] = target.averageUtilization;
                seen.add(resource);
                t.mark(["spec", "metrics", i]);
            } else if (metric !== undefined && target?.type === "AverageValue") {
                put(a, ["customMetrics", metric], { averageValue: String(target.averageValue) });
                t.mark(["spec", "metrics", i]);
            }
        });
        for (const r of ["cpu", "memory"]) {
            if (!seen.has(r)) ov.note(o, ["spec", "metrics"], `no ${r} target: the platform's autoscaler always has one (default ${r === "cpu" ? 70 : 80}%)`);
        }
        for (const direction of ["scaleUp", "scaleDown"] as const) {
            const b = t.peek<ScalingRulesShape>("spec", "behavior", direction);
            if (!b) continue;
            const rules: Layer = {};
            for (const k of ["stabilizationWindowSeconds", "selectPolicy"]) {
                const v = t.take("spec", "behavior", direction, k);
                if (v !== undefined) rules[k] = v;
            }
            (b.policies ?? []).forEach((p, i) => {
                put(rules, ["policies", `${p.type.toLowerCase()}-${i + 1}`], { type: p.type, value: p.value, periodSeconds: p.periodSeconds });
                t.mark(["spec", "behavior", direction, "policies", i]);
            });
            put(a, ["behavior", direction], rules);
        }
        s.settings.autoscaling = a;
        delete s.settings.replicas;
    }
}

export function mapBudgets(ov: Overlay, services: readonly ImportedService[]): void {
    for (const o of ov.ofKind("PodDisruptionBudget")) {
        const t = ov.tracker(o);
        const s = services.find((x) => selects(t.peek("spec", "selector", "matchLabels"), x.podLabels));
        if (!s) {
            ov.note(o, ["spec", "selector"], "selects no imported workload: not imported");
            continue;
        }
        ov.used.add(o);
        t.mark(["spec", "selector", "matchLabels"]);
        const pdb: Layer = { enabled: true };
        for (const k of ["maxUnavailable", "minAvailable"]) {
            const v = t.peek(...["spec", k]);
            if (typeof v === "number" && v >= 1) {
                pdb[k] = t.take("spec", k);
            }
        }
        s.settings.pdb = pdb;
    }
    for (const s of services) if (s.settings.pdb === undefined && s.settings.kind !== "cronjob") s.settings.pdb = { enabled: false };
}
