import * as pulumi from "@pulumi/pulumi";
import { Problems } from "./errors";
import { closest, Node } from "./node";
import { byCodePoint } from "./order";
import { isValid, Layer } from "./serviceSettings";
import { readCatalog } from "./catalog";
import type { CatalogFile } from "./catalogFile";
import { readEnvironment } from "./environment";
import { readGithub } from "./github";
import { ciImageTags } from "./imageTags";
import { applyPinnedImages, PINNED_IMAGES_VAR } from "./pinnedImages";
import { resolveService } from "./resolveService";
import { PlatformConfig, ServiceConfig } from "./types";

/** The raw configuration of one stack, as Pulumi holds it. */
export interface RawConfig {
    readonly project: string;
    readonly stack: string;
    /** Parsed values of the project's own config keys (`<project>:<key>`), by key. */
    readonly values: Readonly<Record<string, unknown>>;
    /** True for `pulumi preview`: nothing is pushed, so registry credentials are optional. */
    readonly dryRun: boolean;
    /** The process environment: image tags from CI (`GITHUB_SHA`, `GITHUB_REF`, ...) and a rollback's pinned images. */
    readonly ciEnv: Readonly<Record<string, string | undefined>>;
    /** The catalog, when it lives in the file `catalogFile` names instead of in `catalog`. */
    readonly catalogFile?: CatalogFile;
}

/** Access to the stack's secret config values. */
export interface SecretSource {
    isSet(key: string): boolean;
    isSecret(key: string): boolean;
    value(key: string): pulumi.Output<string>;
}

/** The config keys of the program itself; secret keys named by the catalog are allowed too. */
export const CONFIG_KEYS = ["catalog", "catalogFile", "environment", "github"] as const;

/**
 * Reads, merges and validates the whole configuration. Throws a `ConfigError` listing every
 * problem, before anything else runs, so no resource is created from a bad configuration.
 */
export function readPlatformConfig(raw: RawConfig, secrets: SecretSource): PlatformConfig {
    const problems = new Problems();
    const key = (k: string) => new Node(raw.values[k], `${raw.project}:${k}`, problems);
    const catalogNode = raw.catalogFile ? new Node(raw.catalogFile.value, raw.catalogFile.label, problems) : key("catalog");
    const catalog = readCatalog(catalogNode);
    const env = readEnvironment(key("environment"), raw.stack);
    // A bad environment name is reported already; GitHub's settings are still read for their keys.
    const { config: github, secretKeys: githubSecretKeys } = readGithub(key("github"), env.name ?? raw.stack);
    const serviceNames = [...catalog.services.keys()];
    const ciTags = ciImageTags(raw.ciEnv);
    // Services cannot be judged without both halves of their configuration.
    if (!catalog.readable || !env.readable) {
        problems.throwIfAny();
    }

    for (const [name, override] of env.services) {
        if (!catalog.services.has(name)) {
            problems.add(override.path, `unknown service; the catalog (${catalogNode.path}.services) has: ${serviceNames.join(", ") || "none"}`);
        }
    }

    let services: ServiceConfig[] = [];
    // Secret config keys the services read, with the key path of the first use.
    const secretUses = new Map<string, string>();
    for (const [name, declared] of catalog.services) {
        const override = env.services.get(name);
        // General before specific, shared before stack: a stack's per-service override wins.
        const layers = [catalog.defaults, env.serviceDefaults, declared.layer, ...(override ? [override.layer] : [])];
        const resolved = resolveService(name, layers, {
            tiers: catalog.tiers,
            tiersPath: catalog.tiersPath,
            domain: env.domain,
            imageTag: env.imageTag,
            ciTags,
            registry: env.registry,
            registryPath: env.registryPath,
            registryGiven: env.registryGiven,
            serviceNames,
            servicePath: declared.path,
            problems,
        });
        if (resolved) services.push(resolved);
        for (const [key, path] of secretConfigKeys(layers)) {
            if (!secretUses.has(key)) secretUses.set(key, path);
        }
    }
    if (env.kubeconfigSecretKey) {
        secretUses.set(env.kubeconfigSecretKey, `${raw.project}:environment.cluster.kubeconfigSecret`);
    }
    services = applyPinnedImages(services, raw.ciEnv[PINNED_IMAGES_VAR], problems);
    for (const [k, path] of githubSecretKeys) {
        if (!secretUses.has(k)) secretUses.set(k, path);
    }
    const registryPassword = env.registryPasswordSecret;
    if (registryPassword && !secretUses.has(registryPassword)) {
        secretUses.set(registryPassword, `${env.registryPath}.passwordSecret`);
    }
    const builders = services.filter((s) => s.build).map((s) => s.name);
    if (builders.length > 0 && env.registry && !registryPassword && !raw.dryRun) {
        problems.add(
            env.registryPath,
            `${builders.join(", ")} build images that 'pulumi up' pushes to ${env.registry.server}, which needs credentials; set 'username' and 'passwordSecret' (a preview pushes nothing and needs none)`,
        );
    }
    for (const [k, usedBy] of [...secretUses].sort(([a], [b]) => byCodePoint(a, b))) {
        const setIt = `set it with 'pulumi config set --secret ${k} <value> --stack ${raw.stack}'`;
        if (!secrets.isSet(k) && k === registryPassword && raw.dryRun) {
            continue; // a preview pushes nothing; without credentials it also pulls with none
        }
        if (!secrets.isSet(k)) {
            problems.add(`${raw.project}:${k}`, `required secret is not set (used by ${usedBy}); ${setIt}`);
        } else if (!secrets.isSecret(k)) {
            problems.add(`${raw.project}:${k}`, `is set as plain text but holds a secret (used by ${usedBy}); ${setIt}`);
        }
    }
    const known = [...CONFIG_KEYS, ...[...secretUses.keys()].sort()];
    // Without services nothing names a secret key, so no key can be judged unknown.
    for (const k of catalog.services.size > 0 ? Object.keys(raw.values).sort() : []) {
        if (!known.includes(k)) {
            const hint = closest(k, known);
            problems.add(
                `${raw.project}:${k}`,
                `unknown config key${hint ? ` (did you mean '${hint}'?)` : ""}; expected ${CONFIG_KEYS.join(", ")} or a secret key the configuration names (${[...secretUses.keys()].sort().join(", ") || "none"})`,
            );
        }
    }

    problems.throwIfAny();

    const commonEnv: Record<string, string> = { ENVIRONMENT: env.name!, LOG_LEVEL: env.logLevel };
    if (env.telemetryEndpoint) commonEnv.OTEL_EXPORTER_OTLP_ENDPOINT = env.telemetryEndpoint;
    for (const [n, v] of [...catalog.commonEnv, ...env.commonEnv]) commonEnv[n] = v;

    return {
        environment: {
            name: env.name!,
            namespace: env.namespace!,
            domain: env.domain!,
            system: catalog.system!,
            cluster: env.cluster!,
            ingress: env.ingress,
            commonEnv: sortKeys(commonEnv),
            ...(env.registry ? { registry: env.registry } : {}),
            buildOnPreview: env.buildOnPreview,
            rollout: env.rollout!,
        },
        services,
        ...(github ? { github } : {}),
        secretValues: new Map([...secretUses.keys()].filter((k) => secrets.isSet(k)).sort().map((k) => [k, secrets.value(k)])),
    };
}

/** The secret config keys a service's merged layers name (`secrets.<VAR>.fromConfig`). */
function secretConfigKeys(layers: readonly Layer[]): Map<string, string> {
    const winners = new Map<string, { key?: string; path: string }>();
    for (const layer of layers) {
        for (const [field, leaf] of layer) {
            if (!field.startsWith("secrets.")) continue;
            const source = isValid(leaf) ? (leaf.value as { fromConfig?: string }) : {};
            winners.set(field, { key: source.fromConfig, path: leaf.path });
        }
    }
    const keys = new Map<string, string>();
    for (const { key, path } of winners.values()) {
        if (key !== undefined && !keys.has(key)) keys.set(key, path);
    }
    return keys;
}

function sortKeys(o: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(o).sort(([a], [b]) => byCodePoint(a, b)));
}
