import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { readCatalogFile } from "./catalogFile";
import { ConfigError } from "./errors";
import { PINNED_IMAGES_VAR } from "./pinnedImages";
import { CONFIG_KEYS, readPlatformConfig } from "./platform";
import { PlatformConfig } from "./types";
import { requireDockerDaemon } from "./dockerDaemon";

/**
 * Reads this stack's configuration from the Pulumi runtime (`pulumi config`, Pulumi.yaml and
 * Pulumi.<stack>.yaml), validated. The only place the program touches `pulumi.Config`.
 * `ciEnv` is where image tags come from when no tag is configured (GitHub Actions variables);
 * `projectDir` is where a `catalogFile` is read from (the project's root directory).
 */
export function loadPlatformConfig(ciEnv: Readonly<Record<string, string | undefined>> = process.env, projectDir: string = rootDirectory()): PlatformConfig {
    const project = pulumi.getProject();
    const prefix = `${project}:`;
    // No prototype: a key such as `__proto__` is kept (and reported as unknown), not swallowed.
    const values = Object.create(null) as Record<string, unknown>;
    const all = pulumi.runtime.allConfig();
    // Structured settings end up in plain ConfigMaps, labels and messages: they cannot be secret.
    const secretStructured = CONFIG_KEYS.filter((k) => all[prefix + k] !== undefined && runtimeInternals.isConfigSecret?.(prefix + k) === true);
    if (secretStructured.length > 0) {
        throw new ConfigError(
            secretStructured.map(
                (k) =>
                    `${prefix}${k}: is held as a secret, but its settings end up in plain Kubernetes objects and labels; ` +
                    `set it without --secret and keep each secret in a key of its own ({fromConfig: <key>})`,
            ),
        );
    }
    if (ciEnv[PINNED_IMAGES_VAR]) {
        void pulumi.log.warn(`${PINNED_IMAGES_VAR} is set, so services run the images it pins (a rollback sets it): ${ciEnv[PINNED_IMAGES_VAR]}`);
    }
    for (const fullKey of Object.keys(all)) {
        if (fullKey.startsWith(prefix)) {
            const key = fullKey.slice(prefix.length);
            values[key] = (CONFIG_KEYS as readonly string[]).includes(key) ? parse(fullKey, all[fullKey]) : all[fullKey];
        }
    }
    const catalogFile = values.catalogFile !== undefined ? readCatalogFile(projectDir, project, values.catalogFile, values.catalog !== undefined) : undefined;
    const config = new pulumi.Config();
    const platform = readPlatformConfig(
        { project, stack: pulumi.getStack(), values, dryRun: pulumi.runtime.isDryRun(), ciEnv, catalogFile },
        {
            isSet: (key) => all[prefix + key] !== undefined,
            isSecret: (key) => isConfigSecret(prefix + key),
            value: (key) => config.requireSecret(key),
        },
    );
    requireDockerDaemon(platform, ciEnv);
    for (const warning of platform.warnings) void pulumi.log.warn(warning);
    return platform;
}

/** The project's directory as the language host passes it (--root-directory); else the working directory. */
function rootDirectory(): string {
    const dir = pulumi.runtime.getRootDirectory();
    return path.isAbsolute(dir) ? dir : process.cwd();
}

// The SDK marks this helper internal; the engine passes the secret keys with the config.
const runtimeInternals = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };

/** Whether the stack holds a key as a secret; when the SDK cannot tell, assume it does. */
function isConfigSecret(fullKey: string): boolean {
    return runtimeInternals.isConfigSecret ? runtimeInternals.isConfigSecret(fullKey) : true;
}

/** Pulumi passes structured values as JSON text; a plain string is kept for validation to report. */
function parse(key: string, text: string): unknown {
    if (!/^\s*[[{]/.test(text)) {
        return text;
    }
    try {
        return JSON.parse(text);
    } catch {
        throw new ConfigError([`${key}: expected a YAML object, got text that is not valid JSON: ${JSON.stringify(text.slice(0, 80))}`]);
    }
}
