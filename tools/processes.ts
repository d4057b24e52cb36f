/**
 * How the tools run other programs (git, npm, the Pulumi CLI): always with an argument list, never
 * through a shell; quick ones synchronously (`run`, `output`), long ones asynchronously
 * (`capture`, `runLive`) so that a signal reaching the tool is handled while they run.
 */
import { ChildProcess, spawn, spawnSync, SpawnSyncReturns } from "child_process";
import { constants as osConstants } from "os";

export interface Run {
    readonly cwd: string;
    readonly env?: NodeJS.ProcessEnv;
    /** Show the command's output to the user instead of capturing it. */
    readonly inherit?: boolean;
}

/** Receives the child a long step runs (undefined once it has exited), to pass a signal on to it. */
export type Track = (child: ChildProcess | undefined) => void;

/** How to get a program the tools run, for the message when it is missing. */
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

export interface Captured {
    readonly code: number | null;
    readonly signal: NodeJS.Signals | null;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs a program and captures its output, asynchronously; `track` receives the child. */
export function capture(command: string, args: readonly string[], opts: { cwd: string; env: NodeJS.ProcessEnv }, track: Track): Promise<Captured> {
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

/** The failure of a captured run, as `output` says it. */
export function failed(command: string, args: readonly string[], r: Captured): Error {
    return new Error(`'${command} ${args.join(" ")}' failed (exit ${r.code ?? r.signal}): ${(r.stderr || r.stdout || "").trim()}`);
}

/**
 * Runs a long step (npm ci, pulumi preview/up) in front of the user, asynchronously; the exit
 * code, 128 plus the signal's number when a signal ended it. Its output goes to a terminal as it
 * is (pulumi's progress display needs one); to anything else (a pipe, a file) it is relayed
 * through this process, so that a reader that goes away (`| head -n1`) ends the output, not the
 * step: written to directly, a closed pipe would kill pulumi in the middle of an update.
 */
export function runLive(command: string, args: readonly string[], opts: Run, track: Track): Promise<number> {
    return new Promise((resolve, reject) => {
        const relay = (stream: NodeJS.WriteStream) => (stream.isTTY ? "inherit" : "pipe");
        const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ["inherit", relay(process.stdout), relay(process.stderr)] });
        child.stdout?.on("data", (d: Buffer) => writeQuietly(process.stdout, d));
        child.stderr?.on("data", (d: Buffer) => writeQuietly(process.stderr, d));
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

/** Writes unless the stream has gone (its reader closed the pipe): relayed output is then dropped. */
function writeQuietly(stream: NodeJS.WriteStream, data: Buffer): void {
    if (!stream.destroyed && stream.writable) stream.write(data);
}
