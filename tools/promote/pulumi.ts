import { Refusal } from "../cli";
import { Captured } from "../processes";
import { PULUMI } from "../pulumi/commands";
import { RELEASES_OUTPUT } from "./releases";

/** The command that reads a stack's releases; no `--show-secrets`, so a secret could never be printed. */
export function releasesCommand(stack: string): string[] {
    return PULUMI.output(stack, RELEASES_OUTPUT);
}

/**
 * What `pulumi stack output releases` printed, or why not: a stack without the output (never
 * deployed, or last deployed by a program from before it) or unknown to the backend is a
 * `Refusal` (ending with `next`, what the user runs again); any other failure an `Error`.
 */
export function releasesJson(stack: string, r: Captured, next = "promote"): string {
    if (r.code === 0) return r.stdout;
    const said = r.stderr.trim().split("\n").filter(Boolean).slice(0, 3).join(" ");
    if (/does not have output property/.test(r.stderr)) {
        throw new Refusal(`stack ${stack} has no output '${RELEASES_OUTPUT}': it was never deployed, or last deployed by a program older than that output; deploy ${stack} first ('pulumi up --stack ${stack}'), then ${next}`);
    }
    if (/no stack named/i.test(r.stderr)) {
        throw new Refusal(`the Pulumi backend has no stack ${stack} (${said}); check 'pulumi whoami' and the organization, or name it in full (<organization>/<project>/<stack>)`);
    }
    throw new Error(`'pulumi ${releasesCommand(stack).join(" ")}' failed (exit ${r.code ?? r.signal}): ${said || "no error output"}`);
}
