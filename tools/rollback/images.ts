import { byKey } from "../../config/order";

const PINNED = /@sha256:[0-9a-f]{64}$/;

/**
 * The images an earlier stack version ran, from its exported state (`pulumi stack export
 * --version N`), by service: its `releases` output (every kind: Deployments, StatefulSets,
 * CronJobs), else, for a version from before that output, every Deployment whose container image
 * is pinned by digest.
 */
export function pinnedImagesFromState(stateJson: string): Record<string, string> {
    type Outputs = { releases?: unknown; metadata?: { name?: unknown }; spec?: { template?: { spec?: { containers?: { image?: unknown }[] } } } };
    const state = JSON.parse(stateJson) as { deployment?: { resources?: { type?: string; outputs?: Outputs }[] } };
    const resources = state.deployment?.resources ?? [];
    const releases = resources.find((r) => r.type === "pulumi:pulumi:Stack")?.outputs?.releases;
    const pins: Record<string, string> = {};
    if (releases !== null && typeof releases === "object" && !Array.isArray(releases)) {
        for (const [service, list] of Object.entries(releases as Record<string, unknown>)) {
            const image = Array.isArray(list) ? (list[0] as { image?: unknown } | undefined)?.image : undefined;
            if (typeof image === "string" && PINNED.test(image)) pins[service] = image;
        }
        return byKey(pins);
    }
    for (const r of resources) {
        if (r.type !== "kubernetes:apps/v1:Deployment") continue;
        const name = r.outputs?.metadata?.name;
        const image = r.outputs?.spec?.template?.spec?.containers?.[0]?.image;
        if (typeof name === "string" && typeof image === "string" && PINNED.test(image)) {
            pins[name] = image;
        }
    }
    return byKey(pins);
}
