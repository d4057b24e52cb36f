import * as fs from "fs";
import * as path from "path";
import { parseYaml, YamlProblem } from "../../config/boundedYaml";
import { readCatalogFile } from "../../config/catalogFile";
import { FileRefusal, readProjectFile } from "../../config/projectFile";
import { referencedSecretKeys } from "../../config/platform";
import { deepFreeze, memo } from "../memo";

/** Stack configuration as the Pulumi engine hands it to the program. */
export interface StackConfig {
    readonly project: string;
    readonly stack: string;
    /** The project directory: where a `catalogFile` is read from (default: the working directory). */
    readonly dir?: string;
    /** `<namespace>:<key>` -> value; objects as JSON text, as the engine passes them. */
    readonly config: Record<string, string>;
    readonly secretKeys: string[];
    /** Secret keys that had no value here and received a redacted placeholder. */
    readonly placeholders: string[];
    /** The file each config key was read from (`<namespace>:<key>` -> `Pulumi.yaml` or the stack file). */
    readonly files?: Readonly<Record<string, string>>;
}

export const REDACTED = "<redacted>";

/** A project or stack file that cannot be read or is not YAML the engine would take: the message names the file. */
export class StackFileError extends Error {}

/** The stacks of a project: its Pulumi.<stack>.yaml files, by name. */
export function stacksOf(dir: string): string[] {
    return fs
        .readdirSync(dir)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/**
 * The stack a stack file's `environment.promotion.from` names, as written (`staging` or
 * `acme/hft-platform/staging`), and its short name (its stack file is `Pulumi.<short>.yaml`);
 * undefined when it names none that could be a stack name.
 */
export function promotionSource(stack: Pick<StackConfig, "project" | "config">): { readonly from: string; readonly short: string } | undefined {
    const from = (projectValues(stack).environment as { promotion?: { from?: unknown } } | undefined)?.promotion?.from;
    return typeof from === "string" && /^[A-Za-z0-9_./-]+$/.test(from) ? { from, short: from.split("/").pop()! } : undefined;
}

/**
 * The project's own keys of a stack's configuration, without the `<project>:` prefix, as the
 * program reads them: structured values (which the engine passes as JSON text) parsed, any
 * other text kept as it is.
 */
export function projectValues(stack: Pick<StackConfig, "project" | "config">): Record<string, unknown> {
    const prefix = `${stack.project}:`;
    const values: Record<string, unknown> = {};
    for (const [k, text] of Object.entries(stack.config)) {
        if (!k.startsWith(prefix)) continue;
        let value: unknown = text;
        try {
            if (/^\s*[[{]/.test(text)) value = JSON.parse(text);
        } catch {
            // Not JSON after all: the program reports it; here it stays text.
        }
        values[k.slice(prefix.length)] = value;
    }
    return values;
}

/**
 * Reads Pulumi.yaml and Pulumi.<stack>.yaml the way the engine merges them: project-level
 * config first, the stack's keys replacing it key by key. Encrypted values (`secure:`) cannot
 * be decrypted without the CLI; they, and with `fillSecrets` every secret key the catalog names
 * but the stack does not set, become a redacted placeholder held as a secret.
 */
export function readStackFiles(dir: string, stack: string, opts: { fillSecrets: boolean }): StackConfig {
    const projectDoc = readYamlFile(dir, "Pulumi.yaml");
    if (!isMapping(projectDoc) || typeof projectDoc.name !== "string" || projectDoc.name === "") {
        throw new StackFileError(`Pulumi.yaml: expected a mapping with the project's name (name: <project>), got ${kindOf(projectDoc)}`);
    }
    const project = { name: projectDoc.name };
    const stackFile = path.join(dir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(stackFile)) {
        throw new StackFileError(`no stack file ${path.basename(stackFile)}; stacks here: ${stacksOf(dir).join(", ")}`);
    }
    const stackDoc = readYamlFile(dir, path.basename(stackFile)) ?? {};
    if (!isMapping(stackDoc)) {
        throw new StackFileError(`${path.basename(stackFile)}: expected a mapping with the stack's settings (config: ...), got ${kindOf(stackDoc)}`);
    }
    const projectConfig = configOf(projectDoc, "Pulumi.yaml");
    const stackConfig = configOf(stackDoc, path.basename(stackFile));

    const values: Record<string, unknown> = {};
    const files: Record<string, string> = {};
    const secretKeys = new Set<string>();
    const fullKey = (k: string) => (k.includes(":") ? k : `${project.name}:${k}`);
    for (const [k, v] of Object.entries(projectConfig)) {
        const declared = v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
        values[fullKey(k)] = declared && ("value" in declared || "default" in declared) ? (declared.value ?? declared.default) : v;
        files[fullKey(k)] = "Pulumi.yaml";
    }
    for (const [k, v] of Object.entries(stackConfig)) {
        files[fullKey(k)] = path.basename(stackFile);
        if (v !== null && typeof v === "object" && "secure" in v) {
            values[fullKey(k)] = REDACTED;
            secretKeys.add(fullKey(k));
        } else {
            values[fullKey(k)] = v;
        }
    }

    const placeholders: string[] = [];
    if (opts.fillSecrets) {
        const prefix = `${project.name}:`;
        const own: Record<string, unknown> = Object.fromEntries(Object.entries(values).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
        if (own.catalogFile !== undefined && own.catalog === undefined) {
            try {
                own.catalog = readCatalogFile(dir, project.name, own.catalogFile, false).value;
            } catch {
                // The program reports a bad catalogFile; it names no secret then.
            }
        }
        for (const key of secretKeysNamed(JSON.stringify(own))) {
            if (values[prefix + key] === undefined) {
                values[prefix + key] = REDACTED;
                secretKeys.add(prefix + key);
                placeholders.push(key);
            }
        }
    }

    const config: Record<string, string> = {};
    for (const [k, v] of Object.entries(values)) {
        config[k] = typeof v === "string" ? v : JSON.stringify(v);
    }
    return { project: project.name, stack, dir: path.resolve(dir), config, secretKeys: [...secretKeys].sort(), placeholders, files };
}

/** A file of the project directory, read and parsed within the limits (docs/limits.md); a problem names the file. */
function readYamlFile(dir: string, name: string): unknown {
    let text: string;
    try {
        text = readProjectFile(dir, name);
    } catch (e) {
        if (e instanceof FileRefusal) throw new StackFileError(`cannot read ${name} in the project directory (${e.message})`);
        throw e;
    }
    try {
        return parsed(text);
    } catch (e) {
        if (e instanceof YamlProblem) throw new StackFileError(`${name}: ${e.message}`);
        throw e;
    }
}

/** A file's text parsed (frozen: callers share it), once per text. */
const parsed = memo((text: string) => deepFreeze(parseYaml(text)));

/** The secret keys a configuration (its project keys as JSON) names, once per configuration. */
const secretKeysNamed = memo((own: string) => Object.freeze(referencedSecretKeys(JSON.parse(own) as Record<string, unknown>)));

/** The `config` mapping of a file (none: empty). */
function configOf(doc: Record<string, unknown>, file: string): Record<string, unknown> {
    if (doc.config === undefined || doc.config === null) return {};
    if (!isMapping(doc.config)) throw new StackFileError(`${file}: config: expected a mapping of configuration keys, got ${kindOf(doc.config)}`);
    return doc.config;
}

function isMapping(v: unknown): v is Record<string, unknown> {
    return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** What a value is, for a message that must not quote it. */
function kindOf(v: unknown): string {
    if (v === null || v === undefined) return "nothing";
    if (Array.isArray(v)) return "a list";
    if (typeof v === "string") return "text";
    return typeof v === "object" ? "a mapping" : `a ${typeof v}`;
}
