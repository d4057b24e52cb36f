import * as path from "path";
import { parseYaml, showKeyPath, YAML_LIMITS, YamlProblem } from "./boundedYaml";
import { ConfigError, show } from "./errors";
import { FileRefusal, readProjectFile } from "./projectFile";

/** How many aliases (`*name`) a catalog file may hold (config/boundedYaml.ts); bench/yamlParse.ts reads it too. */
export const MAX_ALIASES = YAML_LIMITS.aliases;

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
    const label = relative.split(path.sep).join("/");
    try {
        return { label, value: parseYaml(text) };
    } catch (e) {
        if (!(e instanceof YamlProblem)) throw e;
        // A problem inside the file is where the file's other problems are: `catalog.yaml.services...`.
        const at = e.path.length === 0 ? label : `${label}${typeof e.path[0] === "number" ? "" : "."}${showKeyPath(e.path)}`;
        throw new ConfigError([`${at}: ${e.detail}`]);
    }
}
