import { byKey } from "../../config/order";

/**
 * The images an earlier stack version ran, from its exported state (`pulumi stack export
 * --version N`): every Deployment whose container image is pinned by digest, by service.
 */
export function pinnedImagesFromState(stateJson: string): Record<string, string> {
    type DeploymentOutputs = { metadata?: { name?: unknown }; spec?: { template?: { spec?: { containers?: { image?: unknown }[] } } } };
    const state = JSON.parse(stateJson) as { deployment?: { resources?: { type?: string; outputs?: DeploymentOutputs }[] } };
    const pins: Record<string, string> = {};
    for (const r of state.deployment?.resources ?? []) {
        if (r.type !== "kubernetes:apps/v1:Deployment") continue;
        const name = r.outputs?.metadata?.name;
        const image = r.outputs?.spec?.template?.spec?.containers?.[0]?.image;
        if (typeof name === "string" && typeof image === "string" && /@sha256:[0-9a-f]{64}$/.test(image)) {
            pins[name] = image;
        }
    }
    return byKey(pins);
}
