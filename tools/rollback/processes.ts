import { ChildProcess, spawn, spawnSync, SpawnSyncReturns } from "child_process";
import { constants as osConstants } from "os";

export interface Run {
    readonly cwd: string;
    readonly env?: NodeJS.ProcessEnv;
    /** Show the command's output to the user instead of capturing it. */
    readonly inherit?: boolean;
}

/** How to get a program the rollback runs, for the message when it is missing. */
const INSTALL: Readonly<Record<string, string>> = {
    pulumi: "install the Pulumi CLI (https://www.pulumi.com/docs/iac/download-install/, e.g. 'curl -fsSL https://get.pulumi.com | sh' or 'brew install pulumi/tap/pulumi') and log in to the stack's backend",
    git: "install git",
    npm: "install Node.js 20 or later, which brings npm",
};

/** The error for a program that is not on PATH, saying how to get it. */
export function notFound(command: string): Error {
    return new Error(`'${command}' was not found on PATH${Object.hasOwn(INSTALL, command) ? `; ${INSTALL[command]}` : ""}`);
}

/** Runs a program with an argument list (never through a shell). */
export function run(command: string, args: readonly string[], opts: Run): SpawnSyncReturns<string> {
    const r = spawnSync(command, args, {
        cwd: opts.cwd,
        env: opts.env ?? process.env,
        encoding: "utf8",
        stdio: opts.inherit ? ["inherit", "inherit", "inherit"] : ["ignore", "pipe", "pipe"],
        maxBuffer: 256 * 1024 * 1024,
    });
    if (r.error && (r.error as NodeJS.ErrnoException).code === "ENOENT") {
        throw notFound(command);
    }
    return r;
}

/** Runs a program and returns its output, or throws with its error output. */
export function output(command: string, args: readonly string[], opts: Run): string {
    const r = run(command, args, opts);
    if (r.status !== 0) {
        throw new Error(`'${command} ${args.join(" ")}' failed (exit ${r.status ?? r.signal}): ${(r.stderr || r.stdout || "").trim()}`);
    }
    return r.stdout;
}

/**
 * Runs a long step (npm ci, pulumi preview/up) with the user's terminal, asynchronously, so
 * that a signal reaching this process can be handled while the step runs. `track` receives the
 * child, to forward a termination to it.
 */
export function runLive(command: string, args: readonly string[], opts: Run, track: (child: ChildProcess | undefined) => void): Promise<number> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: "inherit" });
        track(child);
        child.on("error", (e: NodeJS.ErrnoException) => {
            track(undefined);
            reject(e.code === "ENOENT" ? notFound(command) : e);
        });
        child.on("close", (code, signal) => {
            track(undefined);
            resolve(code ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : 1));
        });
    });
}
