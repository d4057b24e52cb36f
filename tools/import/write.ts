import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { Refusal } from "../cli";
import { Layer } from "./context";
import { ProjectSplit } from "./split";

/** The report's file: also how the tool knows an --out folder is its own. */
export const REPORT_FILE = "IMPORT-REPORT.md";
export const CATALOG_FILE = "catalog.yaml";
/**
 * Pulumi hands the program its configuration in one environment variable, which Linux caps at
 * 128 KiB (config/catalogFile.ts); a catalog over half of that goes into its own file.
 */
export const CATALOG_FILE_ABOVE_BYTES = 64 * 1024;

export interface ProjectFiles {
    readonly [file: string]: string;
}

const yaml = (v: unknown) => YAML.stringify(v, { lineWidth: 0, aliasDuplicateObjects: false });

/** The project's files: Pulumi.yaml (the catalog, or a catalogFile), one stack file per overlay, and the report. */
export function projectFiles(project: string, split: ProjectSplit, report: string, secretKeys: Readonly<Record<string, readonly string[]>>, sources: string): ProjectFiles {
    const files: Record<string, string> = {};
    const inFile = JSON.stringify(split.catalog).length > CATALOG_FILE_ABOVE_BYTES;
    const config: Layer = inFile ? { [`${project}:catalogFile`]: { value: CATALOG_FILE } } : { [`${project}:catalog`]: { value: split.catalog } };
    files["Pulumi.yaml"] =
        `# Imported from Kustomize (${sources}) by 'npm run import'; what it could not map is in ${REPORT_FILE}.\n` +
        yaml({ name: project, runtime: "nodejs", description: `${project}, imported from Kustomize`, config });
    if (inFile) files[CATALOG_FILE] = `# The catalog of ${project} (Pulumi.yaml's catalogFile), imported from Kustomize.\n${yaml(split.catalog)}`;
    for (const [stack, environment] of Object.entries(split.stacks)) {
        const keys = secretKeys[stack] ?? [];
        const header = [
            `# Stack ${stack}: what differs from the catalog in Pulumi.yaml, imported from Kustomize.`,
            ...(keys.length > 0 ? [`# Secret config keys to set (${REPORT_FILE} has the commands): ${keys.join(", ")}`] : []),
        ];
        files[`Pulumi.${stack}.yaml`] = `${header.join("\n")}\n${yaml({ config: { [`${project}:environment`]: environment } })}`;
    }
    files[REPORT_FILE] = report;
    return files;
}

/** Writes the files into `out`, replacing an earlier import there; refuses a folder holding anything else. */
export function writeProject(out: string, files: ProjectFiles): void {
    if (fs.existsSync(out)) {
        const entries = fs.readdirSync(out);
        if (entries.length > 0 && !entries.includes(REPORT_FILE)) {
            throw new Refusal(`${out} is not empty and holds no ${REPORT_FILE}: not a folder this tool wrote; choose another --out`);
        }
        for (const e of entries) if (e === REPORT_FILE || e === CATALOG_FILE || /^Pulumi(\..+)?\.yaml$/.test(e)) fs.rmSync(path.join(out, e));
    }
    fs.mkdirSync(out, { recursive: true });
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(out, name), text);
}
