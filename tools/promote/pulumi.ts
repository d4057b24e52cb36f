import { ChildProcess, spawn } from "child_process";
import { Refusal } from "../cli";
import { notFound } from "../rollback/processes";
import { RELEASES_OUTPUT } from "./releases";

export interface Captured {
    readonly code: number | null;
    readonly signal: NodeJS.Signals | null;
    readonly stdout: string;
    readonly stderr: string;
}

/**
 * Runs a program with an argument list (never through a shell) and captures its output,
 * asynchronously, so that a signal reaching this process is handled while it runs; `track`
 * receives the child, to pass a termination on to it.
 */
export function capture(command: string, args: readonly string[], opts: { cwd: string; env: NodeJS.ProcessEnv }, track: (child: ChildProcess | undefined) => void): Promise<Captured> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"] });
        track(child);
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on("data", (d: Buffer) => out.push(d));
        child.stderr.on("data", (d: Buffer) => err.push(d));
        child.on("error", (e: NodeJS.ErrnoException) => {
            track(undefined);
            reject(e.code === "ENOENT" ? notFound(command) : e);
        });
        child.on("close", (code, signal) => {
            track(undefined);
            resolve({ code, signal, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") });
        });
    });
}

/** The command that reads a stack's releases; no `--show-secrets`, so a secret could never be printed. */
export function releasesCommand(stack: string): string[] {
    return ["stack", "output", RELEASES_OUTPUT, "--json", "--stack", stack];
}

/**
 * What `pulumi stack output releases` printed, or why not: a stack without the output (never
 * deployed, or last deployed by a program from before it) or unknown to the backend is a
 * `Refusal`; any other failure an `Error`.
 */
export function releasesJson(stack: string, r: Captured): string {
    if (r.code === 0) return r.stdout;
    const said = r.stderr.trim().split("\n").filter(Boolean).slice(0, 3).join(" ");
    if (/does not have output property/.test(r.stderr)) {
        throw new Refusal(`stack ${stack} has no output '${RELEASES_OUTPUT}': it was never deployed, or last deployed by a program older than that output; deploy ${stack} first ('pulumi up --stack ${stack}'), then promote`);
    }
    if (/no stack named/i.test(r.stderr)) {
        throw new Refusal(`the Pulumi backend has no stack ${stack} (${said}); check 'pulumi whoami' and the organization, or name it in full (<organization>/<project>/<stack>)`);
    }
    throw new Error(`'pulumi ${releasesCommand(stack).join(" ")}' failed (exit ${r.code ?? r.signal}): ${said || "no error output"}`);
}
