import * as fs from "fs";
import * as path from "path";
import { parseYaml, YamlProblem } from "../../config/boundedYaml";
import { FileRefusal, readProjectFile } from "../../config/projectFile";
import { Refusal } from "../cli";
import { stacksOf } from "../harness/stackFiles";

/**
 * Stacks as the tools that drive the Pulumi CLI take them (promote, rollback): by short name
 * (`production`) or organization-qualified (`acme/hft-platform/production`, the form CI uses).
 */

/** A stack as the user named it, and the stack file that configures it. */
export interface StackRef {
    /** As given (`staging` or `acme/hft-platform/staging`): what `pulumi --stack` is passed. */
    readonly name: string;
    /** The last segment: `Pulumi.<short>.yaml`. */
    readonly short: string;
    readonly file: string;
}

/** A stack name as Pulumi takes it: `<stack>`, `<organization>/<stack>` or `<organization>/<project>/<stack>`. */
export function stackNameProblem(name: string): string | undefined {
    const segments = name.split("/");
    if (segments.length > 3 || segments.some((s) => !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(s))) {
        return `expected a stack name such as 'staging' or 'acme/hft-platform/staging', got ${JSON.stringify(name)}`;
    }
    return undefined;
}

/** The stack a required option names (`--stack production`), or its usage problem: missing, or not a stack name. */
export function stackOption(flag: string, name: string | undefined): { readonly name: string } | { readonly problem: string } {
    if (name === undefined || name === "") return { problem: `${flag} is required` };
    const problem = stackNameProblem(name);
    return problem ? { problem: `${flag}: ${problem}` } : { name };
}

/** The stack file's name for a stack named short or qualified: `Pulumi.<last segment>.yaml`. */
export function stackFileName(name: string): string {
    return `Pulumi.${name.split("/").pop()}.yaml`;
}

/** Refuses a qualified name of another project than `project`. */
export function checkProject(name: string, project: string, role: string): void {
    const segments = name.split("/");
    if (segments.length === 3 && segments[1] !== project) {
        throw new Refusal(`${role} ${name} is a stack of project ${segments[1]}; this project (Pulumi.yaml) is ${project}`);
    }
}

/**
 * The stack file of a stack named short or organization-qualified, in the project folder `dir`
 * of project `project`. Refuses a qualified name of another project, and a missing stack file
 * (naming the stacks that have one, then `why` the tool needs it, when given).
 */
export function stackRef(dir: string, project: string, name: string, role: string, why?: string): StackRef {
    checkProject(name, project, role);
    const file = path.join(dir, stackFileName(name));
    if (!fs.existsSync(file)) {
        const known = stacksOf(dir);
        throw new Refusal(`${role} ${name}: no stack file ${path.basename(file)} in ${dir}; stacks here: ${known.join(", ") || "none"}${why ? `. ${why}` : ""}`);
    }
    return { name, short: name.split("/").pop()!, file };
}

/** The project's name, from `Pulumi.yaml` in the project folder `dir`. */
export function projectName(dir: string): string {
    const file = path.join(dir, "Pulumi.yaml");
    if (!fs.existsSync(file)) {
        throw new Refusal(`no Pulumi.yaml in ${dir}; run this from the project folder`);
    }
    let doc: unknown;
    try {
        doc = parseYaml(readProjectFile(dir, "Pulumi.yaml"));
    } catch (e) {
        if (e instanceof FileRefusal) throw new Refusal(`cannot read Pulumi.yaml in ${dir} (${e.message})`);
        if (e instanceof YamlProblem) throw new Refusal(`Pulumi.yaml in ${dir}: ${e.message}`);
        throw e;
    }
    const name = (doc as { name?: unknown } | null)?.name;
    if (typeof name !== "string" || name === "") {
        throw new Refusal(`Pulumi.yaml in ${dir} has no project name ('name:')`);
    }
    return name;
}
