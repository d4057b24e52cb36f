import { isRecord } from "./node";

/**
 * The secret config keys a raw configuration names (services' `secrets.*.fromConfig`, the
 * environment's `cluster.kubeconfigSecret` and `registry.passwordSecret`, and GitHub's
 * `secrets.*.fromConfig` and `tokenSecret`), read leniently: validation proper happens in
 * `readPlatformConfig`. The offline renderer uses it to put placeholders where a real user
 * would have run `pulumi config set --secret`.
 */
export function referencedSecretKeys(values: Readonly<Record<string, unknown>>): string[] {
    const keys = new Set<string>();
    const fromLayer = (layer: unknown) => {
        const secrets = isRecord(layer) ? layer.secrets : undefined;
        for (const source of isRecord(secrets) ? Object.values(secrets) : []) {
            if (isRecord(source) && typeof source.fromConfig === "string") keys.add(source.fromConfig);
        }
    };
    for (const root of [values.catalog, values.environment]) {
        if (!isRecord(root)) continue;
        fromLayer(root.defaults);
        fromLayer(root.serviceDefaults);
        for (const svc of isRecord(root.services) ? Object.values(root.services) : []) fromLayer(svc);
        const cluster = root.cluster;
        if (isRecord(cluster) && typeof cluster.kubeconfigSecret === "string") keys.add(cluster.kubeconfigSecret);
        const registry = root.registry;
        if (isRecord(registry) && typeof registry.passwordSecret === "string") keys.add(registry.passwordSecret);
    }
    const github = values.github;
    if (isRecord(github)) {
        fromLayer(github);
        fromLayer({ secrets: github.repositorySecrets });
        if (typeof github.tokenSecret === "string") keys.add(github.tokenSecret);
    }
    return [...keys].sort();
}
