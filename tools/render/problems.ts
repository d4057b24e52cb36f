import { ConfigError } from "../../config/errors";
import type { StackConfig } from "../harness/stackFiles";

/**
 * A configuration error as the render prints it: each problem starts with the file that set its
 * key (`Pulumi.staging.yaml: hft-platform:environment...`), which the render knows because it
 * reads the files itself (under the Pulumi CLI the program sees only merged configuration, so
 * the key path is all it can say). A key no file sets (a secret not set yet) belongs in the stack
 * file; a problem in a catalogFile or an environment variable already names its source.
 */
export function problemsWithFiles(error: ConfigError, stack: Pick<StackConfig, "project" | "stack" | "files">): string {
    const prefix = `${stack.project}:`;
    const lines = error.problems.map((problem) => {
        if (!problem.startsWith(prefix)) return problem;
        const key = /^[^.:[]*/.exec(problem.slice(prefix.length))?.[0] ?? "";
        const file = stack.files?.[prefix + key] ?? `Pulumi.${stack.stack}.yaml`;
        return `${file}: ${problem}`;
    });
    return `Invalid configuration (${lines.length} problem${lines.length === 1 ? "" : "s"}):\n` + lines.map((l) => `  - ${l}`).join("\n");
}
