import * as path from "path";
import YAML from "yaml";
import { ConfigError, show } from "./errors";
import { FileRefusal, readProjectFile } from "./projectFile";

/**
 * How many aliases (`*name`) a catalog file may resolve, nested ones counted by what they expand
 * to (the `yaml` package's maxAliasCount). A large catalog may reference a shared anchor from
 * every service (200 services, 200 aliases), which the package's default of 100 would refuse;
 * 1000 still stops an alias bomb (aliases of aliases, exponential) after about that many
 * expansions, in milliseconds. docs/decisions/0002-yaml-library.md.
 */
export const MAX_ALIASES = 1000;

/** YAML 1.2 core schema, as Pulumi reads Pulumi.yaml; a key twice is an error. */
export const YAML_OPTIONS = { schema: "core", uniqueKeys: true } as const;

/** A catalog read from the YAML file `<project>:catalogFile` names, and the label its key paths start with. */
export interface CatalogFile {
    readonly label: string;
    readonly value: unknown;
}

/**
 * Pulumi hands a program its whole configuration in one environment variable, and Linux refuses
 * any one variable over 128 KiB (pulumi/pulumi#8680): a catalog of a few hundred services does
 * not fit in Pulumi.yaml. `<project>:catalogFile` names a YAML file inside the project directory
 * instead, holding what `catalog` would (same keys, same checks). `inline` is whether `catalog`
 * is set too, which is refused.
 */
export function readCatalogFile(projectDir: string, project: string, file: unknown, inline: boolean): CatalogFile {
    const key = `${project}:catalogFile`;
    const refuse = (message: string): never => {
        throw new ConfigError([`${key}: ${message}`]);
    };
    if (inline) {
        refuse(`set either ${project}:catalog or ${key}, not both`);
    }
    if (typeof file !== "string" || file.trim() === "") {
        return refuse(`expected the path of a YAML file inside the project directory, such as 'catalog.yaml', got ${show(file)}`);
    }
    const relative = path.relative(projectDir, path.resolve(projectDir, file));
    if (path.isAbsolute(file) || relative === "" || relative.split(path.sep)[0] === "..") {
        refuse(`expected a path relative to the project directory and inside it, such as 'catalog.yaml', got ${show(file)}`);
    }
    let text = "";
    try {
        text = readProjectFile(projectDir, relative);
    } catch (e) {
        if (!(e instanceof FileRefusal)) throw e;
        refuse(`cannot read ${show(file)} in the project directory (${e.message})`);
    }
    let value: unknown;
    try {
        value = parseYaml(text);
    } catch (e) {
        refuse(`${relative} is not valid YAML: ${(e as Error).message}`);
    }
    return { label: relative.split(path.sep).join("/"), value };
}

/** One YAML document; throws with a one-line message on an error or a warning (an unknown tag). */
export function parseYaml(text: string): unknown {
    const doc = YAML.parseDocument(text, YAML_OPTIONS);
    const problem = doc.errors[0] ?? doc.warnings[0];
    if (problem) {
        throw new Error(problem.message.split("\n")[0].replace(/:$/, ""));
    }
    try {
        return doc.toJS({ maxAliasCount: MAX_ALIASES });
    } catch (e) {
        if ((e as Error).message.startsWith("Excessive alias count")) {
            throw new Error(`its aliases expand too far: more than ${MAX_ALIASES} alias resolutions, counting aliases inside aliased nodes by what they expand to (a guard against alias bombs)`);
        }
        throw e;
    }
}
