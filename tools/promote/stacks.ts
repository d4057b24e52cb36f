import * as fs from "fs";
import * as path from "path";
import { Refusal } from "../cli";
import { stacksOf } from "../harness/stackFiles";

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

/**
 * The stack file of a stack named short or organization-qualified, in the project folder `dir`
 * of project `project`. Refuses a qualified name of another project, and a missing stack file
 * (naming the stacks that have one).
 */
export function stackRef(dir: string, project: string, name: string, role: "--from" | "--to"): StackRef {
    const segments = name.split("/");
    const short = segments[segments.length - 1];
    if (segments.length === 3 && segments[1] !== project) {
        throw new Refusal(`${role} ${name} is a stack of project ${segments[1]}; this project (Pulumi.yaml) is ${project}`);
    }
    const file = path.join(dir, `Pulumi.${short}.yaml`);
    if (!fs.existsSync(file)) {
        const known = stacksOf(dir);
        throw new Refusal(`${role} ${name}: no stack file ${path.basename(file)} in ${dir}; stacks here: ${known.join(", ") || "none"}`);
    }
    return { name, short, file };
}
