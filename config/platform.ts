import * as pulumi from "@pulumi/pulumi";
import { checkSection, validKeys } from "./check";
import { Problems } from "./errors";
import { closest, isRecord } from "./suggest";
import { byCodePoint, byKey } from "./order";
import type { CatalogFile } from "./catalogFile";
import { ciImageTags } from "./imageTags";
import { mergeLayers, Merged } from "./merge";
import { applyPinnedImages, PINNED_IMAGES_VAR } from "./pinnedImages";

/** The environment variable that accepts a stateful claim's change for one update (components/service/claims.ts). */
export const ACCEPT_CLAIM_CHANGES_VAR = "PLATFORM_ACCEPT_CLAIM_CHANGES";
import { resolveService, ResolvedService } from "./resolve/service";
import { catalog as catalogSchema } from "./schema/catalog";
import { SERVICE_MERGE } from "./schema/service";
import { awaitTimeoutOf, environment as environmentSchema } from "./schema/environment";
import { Github, github as githubSchema } from "./schema/github";
import * as f from "./formats";
import { credentialIn, CREDENTIAL_NAME } from "./credentials";
import { pastedCredentials } from "./pastedCredentials";
import { GithubConfig, PlatformConfig, Resources, ServiceConfig } from "./types";
import { requireDomain, resolveGateway } from "./resolve/exposure";
import { checkMutableTag, resolveMutableTags } from "./resolve/mutableTags";
import { isLocalRegistry } from "./localRegistry";
import { checkApiLimits } from "./limits/check";
import { sharedConfigMapData } from "./written";
import { RELEASE_TIME_VAR, resolvePromotion, resolveReleaseTime } from "./resolve/promotion";
import { KeyPaths, refuseCollisions } from "./names/collisions";
import { resolveVerification, verifySettings } from "./resolve/verify";
import { resolveCanaries } from "./resolve/canary";

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

/** The sections checked against the schema, and each service's layers merged. */
function readSections(raw: RawConfig, problems: Problems) {
    const key = (k: string) => `${raw.project}:${k}`;
    const catalogPath = raw.catalogFile ? raw.catalogFile.label : key("catalog");
    const catalog = checkSection(catalogSchema, raw.catalogFile ? raw.catalogFile.value : raw.values.catalog, catalogPath, problems);
    const environment = checkSection(environmentSchema, raw.values.environment, key("environment"), problems);
    const github = raw.values.github !== undefined ? checkSection(githubSchema, raw.values.github, key("github"), problems) : undefined;
    const cat = validKeys(catalogSchema, catalog);
    const env = validKeys(environmentSchema, environment);

    // Each service merges general to specific: catalog defaults, stack defaults, catalog service, stack service.
    const under = (section: typeof catalog | typeof environment, ...at: string[]) => ({
        value: at.reduce<unknown>((v, k) => (isRecord(v) ? v[k] : undefined), section.valid),
        invalid: section.invalid.filter((p) => at.every((k, i) => p[i] === k)).map((p) => p.slice(at.length)),
    });
    const catalogServices = isRecord(catalog.valid) && isRecord(catalog.valid.services) ? catalog.valid.services : {};
    const names = Object.keys(catalogServices).sort(byCodePoint);
    const services = new Map<string, Merged>();
    for (const name of names) {
        const layers = [
            { ...under(catalog, "defaults"), path: `${catalogPath}.defaults` },
            { ...under(environment, "serviceDefaults"), path: `${key("environment")}.serviceDefaults` },
            { ...under(catalog, "services", name), path: `${catalogPath}.services.${name}` },
            { ...under(environment, "services", name), path: `${key("environment")}.services.${name}` },
        ].filter((l) => l.value !== undefined || l.invalid.length > 0);
        services.set(name, mergeLayers(layers, SERVICE_MERGE));
    }
    return { catalogPath, catalog, environment, github, cat, env, services, names };
}

type Sections = ReturnType<typeof readSections>;

/**
 * The stack's own credentials (the cluster's kubeconfig, the registry password, the GitHub token)
 * are for the program's providers, never for a pod: a service secret taking one is refused.
 */
function credentialsHandedToPods(raw: RawConfig, s: Sections, problems: Problems): void {
    const named = (section: unknown, field: string) => (isRecord(section) && typeof section[field] === "string" ? (section[field]) : undefined);
    const environment = isRecord(raw.values.environment) ? raw.values.environment : {};
    const credentials = new Map<string, string>();
    for (const [k, where] of [
        [named(environment.cluster, "kubeconfigSecret"), "environment.cluster.kubeconfigSecret"],
        [named(environment.registry, "passwordSecret"), "environment.registry.passwordSecret"],
        [named(raw.values.github, "tokenSecret"), "github.tokenSecret"],
    ] as const) {
        if (k !== undefined && !credentials.has(k)) credentials.set(k, where);
    }
    for (const { key, path } of configSecrets(s)) {
        const where = credentials.get(key);
        if (where !== undefined) {
            problems.add(
                `${path}.fromConfig`,
                `'${key}' holds the stack's own credentials (${where}), which no pod may get; give the service a secret key of its own ('pulumi config set --secret <key> <value>')`,
            );
        }
    }
}

/** Each secret an enabled service takes from config (`{fromConfig: <key>}`), with the key path where it is written. */
function* configSecrets(s: Sections): Generator<{ readonly key: string; readonly path: string }> {
    for (const merged of s.services.values()) {
        if (merged.value.enabled === false) continue; // a service turned off needs none of its secrets
        const secrets = isRecord(merged.value.secrets) ? merged.value.secrets : {};
        const at = (merged.origins as Record<string, unknown>).secrets as Record<string, string> | undefined;
        for (const [name, source] of Object.entries(secrets)) {
            if (isRecord(source) && typeof source.fromConfig === "string") yield { key: source.fromConfig, path: at![name] };
        }
    }
}

/** Plain settings (a service's `env`, `commonEnv`, build arguments, GitHub variables) that carry a credential, refused without showing it. */
function plainCredentials(raw: RawConfig, s: Sections, problems: Problems): void {
    const setIt = `keep it in a secret: 'pulumi config set --secret <key> <value> --stack ${raw.stack}', then`;
    for (const merged of s.services.values()) {
        if (merged.value.enabled === false) continue;
        const env = isRecord(merged.value.env) ? merged.value.env : {};
        const at = (merged.origins as Record<string, unknown>).env as Record<string, string> | undefined;
        for (const [name, value] of Object.entries(env)) {
            const reason = typeof value === "string" ? credentialIn(value) : undefined;
            if (reason && at) {
                problems.add(at[name], `holds a credential (${reason}) in a plain setting, written into a ConfigMap; ${setIt} 'secrets: {${name}: {fromConfig: <key>}}' instead of 'env' (the value is not shown here)`);
            }
        }
    }
    for (const merged of s.services.values()) {
        if (merged.value.enabled === false || !isRecord(merged.value.build) || !isRecord(merged.value.build.args)) continue;
        const at = ((merged.origins as Record<string, unknown>).build as Record<string, unknown> | undefined)?.args as Record<string, string> | undefined;
        for (const [name, value] of Object.entries(merged.value.build.args)) {
            const reason = CREDENTIAL_NAME.test(name) ? "its name says it does" : typeof value === "string" ? credentialIn(value) : undefined;
            if (reason && at) {
                problems.add(
                    at[name],
                    `a build argument is kept in the image's history and its provenance, readable by anyone who can pull it, so it cannot carry a credential (${reason}; the value is not shown here); pass it as a BuildKit secret in CI instead`,
                );
            }
        }
    }
    for (const [section, path] of [
        [s.cat.commonEnv, `${s.catalogPath}.commonEnv`],
        [s.env.commonEnv, `${raw.project}:environment.commonEnv`],
    ] as const) {
        for (const [name, value] of Object.entries(section ?? {})) {
            const reason = credentialIn(String(value));
            if (reason) {
                problems.add(`${path}.${name}`, `holds a credential (${reason}) in a plain setting, written into a ConfigMap; ${setIt} a service's 'secrets: {${name}: {fromConfig: <key>}}' instead of 'commonEnv' (the value is not shown here)`);
            }
        }
    }
    const variables = isRecord(raw.values.github) && isRecord(raw.values.github.variables) ? raw.values.github.variables : {};
    for (const name of Object.keys(variables).sort(byCodePoint)) {
        const value = variables[name];
        const reason = CREDENTIAL_NAME.test(name) ? "its name says it does" : typeof value === "string" ? credentialIn(value) : undefined;
        if (reason) {
            problems.add(
                `${raw.project}:github.variables.${name}`,
                `a GitHub variable is shown in plain text to anyone who can read the repository, and in workflow logs, so it cannot carry a credential (${reason}; the value is not shown here); make it an environment secret: 'github.secrets: {${name}: {fromConfig: <key>}}' and 'pulumi config set --secret <key> <value> --stack ${raw.stack}'`,
            );
        }
    }
}

/** The secret config keys the configuration names, each with the key path of its first use, by key. */
function secretUses(raw: RawConfig, s: Sections): Map<string, string> {
    const uses = new Map<string, string>();
    const use = (k: string | undefined, path: string) => {
        if (k !== undefined && !uses.has(k)) uses.set(k, path);
    };
    for (const { key, path } of configSecrets(s)) use(key, path);
    // Named even where the rest of the section is invalid, so the key is not also called unknown.
    const named = (section: unknown, field: string) => {
        const k = isRecord(section) ? section[field] : undefined;
        return typeof k === "string" && f.configKey(k) === undefined ? k : undefined;
    };
    const environment = isRecord(raw.values.environment) ? raw.values.environment : {};
    const kubeconfig = named(environment.cluster, "kubeconfigSecret");
    if (kubeconfig) uses.set(kubeconfig, `${raw.project}:environment.cluster.kubeconfigSecret`);
    // GitHub's settings name their keys entry by entry, even beside an entry or a rule that failed.
    const gh = isRecord(raw.values.github) ? raw.values.github : {};
    const ghPath = `${raw.project}:github`;
    use(named(gh, "tokenSecret"), `${ghPath}.tokenSecret`);
    for (const section of ["secrets", "repositorySecrets"] as const) {
        for (const [name, source] of Object.entries(isRecord(gh[section]) ? gh[section] : {})) use(named(source, "fromConfig"), `${ghPath}.${section}.${name}`);
    }
    use(named(environment.registry, "passwordSecret"), `${raw.project}:environment.registry.passwordSecret`);
    return new Map([...uses].sort(([a], [b]) => byCodePoint(a, b)));
}

/**
 * The secret config keys a configuration names, read leniently (a configuration with problems
 * still names its keys). The offline renderer puts placeholders where a real user would have
 * run `pulumi config set --secret`.
 */
export function referencedSecretKeys(values: Readonly<Record<string, unknown>>): string[] {
    return [...secretKeyUses("", values).keys()];
}

/** Each secret config key a configuration names, with the key path of its first use, by key. */
export function secretKeyUses(project: string, values: Readonly<Record<string, unknown>>): Map<string, string> {
    const raw: RawConfig = { project, stack: "", values, dryRun: true, ciEnv: {} };
    return secretUses(raw, readSections(raw, new Problems()));
}

/**
 * Reads, merges and validates the whole configuration. Throws a `ConfigError` listing every
 * problem, before anything else runs, so no resource is created from a bad configuration. Names
 * that collide (config/names/) are judged once the rest is valid: they come from the resolved
 * configuration, the one the program declares its resources from.
 */
export function readPlatformConfig(raw: RawConfig, secrets: SecretSource): PlatformConfig {
    const { config, keyPaths } = resolvePlatformConfig(raw, secrets);
    refuseCollisions(config, keyPaths);
    return config;
}

/**
 * Everything `readPlatformConfig` checks except names that collide, and where each setting is
 * written: what the tests that compare config/names/declared.ts with the program's resources read.
 */
export function resolvePlatformConfig(raw: RawConfig, secrets: SecretSource): { readonly config: PlatformConfig; readonly keyPaths: KeyPaths } {
    const problems = new Problems();
    pastedCredentials(raw, problems);
    const s = readSections(raw, problems);
    const { cat, env } = s;
    const envPath = `${raw.project}:environment`;
    // Services cannot be judged without both halves of their configuration.
    if (!isRecord(s.catalog.valid) || !isRecord(s.environment.valid)) {
        problems.throwIfAny();
    }
    const envServices = isRecord(s.environment.valid) && isRecord(s.environment.valid.services) ? Object.keys(s.environment.valid.services).sort(byCodePoint) : [];
    for (const name of envServices) {
        if (!s.services.has(name)) {
            problems.add(`${envPath}.services.${name}`, `unknown service; the catalog (${s.catalogPath}.services) has: ${s.names.join(", ") || "none"}`);
        }
    }

    // The stack's tiers replace the catalog's of the same name; an invalid one is known but unusable.
    const tiers = new Map<string, Resources | undefined>();
    for (const [section, typed] of [
        [s.catalog, cat.tiers],
        [s.environment, env.tiers],
    ] as const) {
        const written = isRecord(section.valid) && isRecord(section.valid.tiers) ? Object.keys(section.valid.tiers) : [];
        const invalid = section.invalid.filter((p) => p[0] === "tiers" && p.length > 1).map((p) => String(p[1]));
        for (const name of [...written, ...invalid]) tiers.set(name, invalid.includes(name) ? undefined : (typed?.[name] as Resources | undefined));
    }
    const sortedTiers = new Map([...tiers].sort(([a], [b]) => byCodePoint(a, b)));

    const registryGiven = isRecord(raw.values.environment) && raw.values.environment.registry !== undefined;
    const imageTagInvalid = s.environment.invalid.some((p) => p[0] === "imageTag");
    const mutableTags = resolveMutableTags(env, envPath, problems);
    checkMutableTag(env.imageTag, `${envPath}.imageTag`, mutableTags, envPath, problems);
    const ciTags = ciImageTags(raw.ciEnv);
    const resolved: ResolvedService[] = [];
    const disabled = [...s.services].filter(([, m]) => m.value.enabled === false).map(([name]) => name);
    const ownLayers = (name: string) => [`${s.catalogPath}.services.${name}`, `${envPath}.services.${name}`];
    for (const [name, merged] of s.services) {
        // A service turned off in this stack (`enabled: false`) is left out, unchecked beyond its schema.
        if (merged.value.enabled === false && !merged.invalid.has("enabled")) continue;
        const service = resolveService(name, merged, {
            tiers: sortedTiers,
            tiersPath: `${s.catalogPath}.tiers`,
            domain: env.domain,
            imageTag: env.imageTag !== undefined || imageTagInvalid ? { value: env.imageTag, path: `${envPath}.imageTag` } : undefined,
            ciTags,
            registry: env.registry,
            registryPath: `${envPath}.registry`,
            registryGiven,
            mutableTags,
            envPath,
            serviceNames: s.names,
            servicePath: `${s.catalogPath}.services.${name}`,
            ownLayers: ownLayers(name),
            disabled,
            system: cat.system ?? "",
            externalSecretStore: env.externalSecrets?.store,
            externalSecretsPath: `${envPath}.externalSecrets`,
            exposure: {
                mode: env.exposure ?? "ingress",
                path: `${envPath}.exposure`,
                controller: env.ingress?.controller ?? "ingress-nginx",
                gatewayCors: env.gateway?.cors ?? "headers",
                gatewayCorsPath: `${envPath}.gateway.cors`,
            },
            problems,
        });
        if (service) resolved.push(service);
    }
    const canaries = resolveCanaries({
        services: applyPinnedImages(resolved, raw.ciEnv[PINNED_IMAGES_VAR], problems),
        merged: s.services,
        ownLayers,
        env,
        envInvalid: (key) => s.environment.invalid.some((p) => p[0] === "canary" && (p.length === 1 || p[1] === key)),
        envPath,
        problems,
    });
    const pinned = canaries.services;
    // Without a valid domain no service has a host (unless none is exposed anyway), and without services none is exposed: nothing to judge.
    const publicService = (env.domain === undefined && env.exposure !== "none") || s.names.length === 0 ? env.publicService : resolvePublicService(env.publicService, pinned, s.names, disabled, `${envPath}.publicService`, problems);

    requireDomain(raw.values.environment, env.exposure, envPath, problems);
    const verification = resolveVerification(env.verify?.enabled !== false, {
        services: pinned,
        merged: s.services,
        names: s.names,
        disabled,
        ownLayers,
        namespace: env.namespace ?? "",
        problems,
    });
    const gateway = resolveGateway(env, envPath, problems);
    const promotion = resolvePromotion(env.promotion, { path: `${envPath}.promotion`, stack: raw.stack, services: s.names, disabled }, problems);
    const releaseTime = resolveReleaseTime(raw.ciEnv[RELEASE_TIME_VAR], problems);
    const uses = secretUses(raw, s);
    credentialsHandedToPods(raw, s, problems);
    plainCredentials(raw, s, problems);
    const name = env.name ?? dnsSafe(raw.stack)!;
    const commonEnv = sharedConfigMapData({ ENVIRONMENT: name, LOG_LEVEL: env.logLevel, OTEL_EXPORTER_OTLP_ENDPOINT: env.telemetryEndpoint }, cat.commonEnv, env.commonEnv);
    const warnings = checkApiLimits(
        {
            services: pinned,
            merged: s.services,
            servicePath: (svc) => `${s.catalogPath}.services.${svc}`,
            shared: { data: commonEnv, stackCommonEnv: env.commonEnv, catalogPath: s.catalogPath, envPath },
            exposure: env.exposure ?? "ingress",
            ingress: env.ingress,
            awaitTimeoutSeconds: env.rollout && awaitTimeoutOf(env.rollout),
            ...(env.gateway?.create ? { gatewayCreate: `${envPath}.gateway.create` } : {}),
        },
        problems,
    );
    const registryPassword = env.registry?.passwordSecret;
    const builders = pinned.filter((svc) => svc.build).map((svc) => svc.name);
    // A registry on this machine (kind's local one) takes pushes without credentials.
    if (builders.length > 0 && env.registry && !registryPassword && !raw.dryRun && !isLocalRegistry(env.registry.server)) {
        problems.add(
            `${envPath}.registry`,
            `${builders.join(", ")} build images that 'pulumi up' pushes to ${env.registry.server}, which needs credentials; set 'username' and 'passwordSecret' (a preview pushes nothing and needs none)`,
        );
    }
    for (const [k, usedBy] of uses) {
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
    const secretKeys = [...uses.keys()];
    const known = [...CONFIG_KEYS, ...secretKeys];
    // Without services nothing names a secret key, so no key can be judged unknown.
    for (const k of s.services.size > 0 ? Object.keys(raw.values).sort() : []) {
        if (!known.includes(k)) {
            const hint = closest(k, known);
            problems.add(
                `${raw.project}:${k}`,
                `unknown config key${hint ? ` (did you mean '${hint}'?)` : ""}; expected ${CONFIG_KEYS.join(", ")} or a secret key the configuration names (${secretKeys.join(", ") || "none"})`,
            );
        }
    }
    problems.throwIfAny();

    const value = (k: string) => secrets.value(k);
    const optional = (k: string | undefined) => (k !== undefined && secrets.isSet(k) ? value(k) : undefined);
    const rollout = env.rollout!;
    const cluster = env.cluster!;
    const registry = env.registry && { ...env.registry, ...(registryPassword ? { password: optional(registryPassword) } : {}) };

    const config: PlatformConfig = {
        environment: {
            name,
            namespace: env.namespace!,
            ...(env.domain !== undefined ? { domain: env.domain } : {}),
            system: cat.system!,
            sharedNamespace: env.sharedNamespace!,
            adopt: env.adopt!,
            protect: env.protect!,
            exposure: env.exposure!,
            ingress: env.ingress!,
            ...(gateway ? { gateway } : {}),
            commonEnv,
            ...(registry ? { registry } : {}),
            buildOnPreview: env.buildOnPreview!,
            ...(publicService ? { publicService } : {}),
            rollout: { progressDeadlineSeconds: rollout.progressDeadlineSeconds, awaitTimeoutSeconds: awaitTimeoutOf(rollout) },
            monitoring: { operator: env.monitoring!.operator, namespace: env.monitoring!.namespace, labels: byKey(env.monitoring!.labels ?? {}) },
            ...(env.externalSecrets?.store ? { externalSecrets: { ...env.externalSecrets, store: env.externalSecrets.store } } : {}),
            promotion,
            verify: verifySettings(env.verify!),
            ...(canaries.settings ? { canary: canaries.settings } : {}),
        },
        cluster: cluster.context !== undefined ? { context: cluster.context } : { kubeconfig: value(cluster.kubeconfigSecret!) },
        services: pinned.map((svc): ServiceConfig => ({
            ...svc,
            secrets: Object.fromEntries(Object.entries(svc.secrets).map(([n, src]) => [n, "fromConfig" in src ? { fromConfig: src.fromConfig, value: value(src.fromConfig) } : src])),
        })),
        verification,
        ...(s.github?.data ? { github: githubConfig(s.github.data, name, value) } : {}),
        acceptedClaimChanges: (raw.ciEnv[ACCEPT_CLAIM_CHANGES_VAR] ?? "").split(",").map((k) => k.trim()).filter((k) => k !== "").sort(byCodePoint),
        ...(releaseTime ? { releaseTime } : {}),
        ...(raw.ciEnv.DOCKER_HOST ? { dockerHost: raw.ciEnv.DOCKER_HOST } : {}),
        warnings,
    };
    return { config, keyPaths: keyPaths(s, envPath) };
}

/** Where a service's settings are written (the merged layers' origins), and the environment's. */
function keyPaths(s: Sections, envPath: string): KeyPaths {
    return {
        service: (name, settings) => {
            const origins = s.services.get(name)?.origins;
            for (const setting of settings) {
                const o = setting.reduce<unknown>((v, k) => (isRecord(v) && Object.hasOwn(v, k) ? v[k] : undefined), origins);
                if (typeof o === "string") return o;
                if (isRecord(o) && typeof o.$ === "string") return o.$;
            }
            return `${s.catalogPath}.services.${name}`;
        },
        environment: (setting) => [envPath, ...setting].join("."),
    };
}

function githubConfig(gh: Github, environment: string, value: (k: string) => pulumi.Output<string>): GithubConfig {
    const { tokenSecret, secrets, repositorySecrets, preventSelfReview, ...rest } = gh;
    const values = (m: Record<string, { fromConfig?: string }>) => Object.fromEntries(Object.entries(m).map(([n, src]) => [n, value(src.fromConfig!)]));
    return {
        ...rest,
        ...(tokenSecret ? { token: value(tokenSecret) } : {}),
        environment,
        // Reviewers who could approve their own deploys would make the approval a formality.
        preventSelfReview: preventSelfReview ?? rest.reviewers.teams.length + rest.reviewers.users.length > 0,
        secrets: values(secrets),
        repositorySecrets: values(repositorySecrets),
    };
}

/**
 * The service whose URL is the environment's public URL: the one the stack names, else the only
 * exposed one. Several exposed and none named is refused, so adding a service never silently
 * changes the URL CI shows.
 */
function resolvePublicService(named: string | undefined, services: readonly ResolvedService[], all: readonly string[], disabled: readonly string[], path: string, problems: Problems): string | undefined {
    const exposed = services.filter((svc) => svc.ingress).map((svc) => svc.name);
    const choose = `expected one of the services with an Ingress: ${exposed.join(", ") || "none"}`;
    if (named !== undefined && !all.includes(named)) {
        problems.add(path, `unknown service ${JSON.stringify(named)}; ${choose}`);
    } else if (named !== undefined && disabled.includes(named)) {
        problems.add(path, `${JSON.stringify(named)} is turned off in this stack (enabled: false); ${choose}`);
    } else if (named !== undefined && services.some((svc) => svc.name === named) && !exposed.includes(named)) {
        problems.add(path, `${JSON.stringify(named)} has no Ingress, so no public URL; ${choose}`);
    } else if (named === undefined && exposed.length > 1) {
        const listed = exposed.length > 8 ? `${exposed.slice(0, 8).join(", ")} and ${exposed.length - 8} more` : exposed.join(", ");
        problems.add(path, `required when several services have an Ingress (${listed}): name the one whose URL is the environment's public URL`);
    }
    return named ?? (exposed.length === 1 ? exposed[0] : undefined);
}

/** The stack name as a DNS label, when the environment does not name itself. */
function dnsSafe(stack: string): string | undefined {
    const s = stack.toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/^-+|-+$/g, "").slice(0, 63);
    return s.length > 0 ? s : undefined;
}
