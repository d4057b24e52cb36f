/**
 * Runs one command as a whole process and measures it: wall time from spawn to exit, and CPU
 * time and peak resident memory from GNU time (`/usr/bin/time -f "%U %S %M"`, about a
 * millisecond of its own), or, where that is missing, memory from the kernel's high-water mark
 * (VmHWM) read while the process runs.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export interface Sample {
    readonly wallMs: number;
    /** User plus system CPU time; NaN without GNU time. Less sensitive than wall time to a busy machine. */
    readonly cpuMs: number;
    /** Peak resident set size in KiB. */
    readonly peakKiB: number;
    readonly exitCode: number;
    readonly stdout: string;
    readonly stderr: string;
}

export interface Command {
    readonly file: string;
    readonly args: readonly string[];
    readonly cwd: string;
    readonly env: NodeJS.ProcessEnv;
}

const GNU_TIME = "/usr/bin/time";
export const memorySource = fs.existsSync(GNU_TIME) ? "GNU time %M (maxrss)" : "VmHWM polled every 5 ms (a lower bound; no CPU time)";

export function runOnce(cmd: Command): Promise<Sample> {
    // GNU time's report goes to a directory of this run's own, removed once it has been read.
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "platform-bench-time-"));
    const timeFile = path.join(scratch, "rss");
    const [file, args] = fs.existsSync(GNU_TIME) ? [GNU_TIME, ["-f", "%U %S %M", "-o", timeFile, cmd.file, ...cmd.args]] : [cmd.file, [...cmd.args]];
    return new Promise((resolve, reject) => {
        const started = process.hrtime.bigint();
        const child = spawn(file, args, { cwd: cmd.cwd, env: cmd.env, stdio: ["ignore", "pipe", "pipe"] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on("data", (b: Buffer) => out.push(b));
        child.stderr.on("data", (b: Buffer) => err.push(b));
        let polled = 0;
        const poll = file === GNU_TIME ? undefined : setInterval(() => (polled = Math.max(polled, vmHwm(child.pid))), 5);
        child.on("error", (e) => {
            fs.rmSync(scratch, { recursive: true, force: true });
            reject(e);
        });
        child.on("exit", () => {
            // Only the exit counts: reading the pipes to their end is the benchmark's own work.
            const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
            if (poll) clearInterval(poll);
            child.on("close", (code) => {
                // GNU time's last line; a line before it reports a non-zero exit status.
                const [user, system, rss] = poll ? [NaN, NaN, polled] : (fs.readFileSync(timeFile, "utf8").trim().split("\n").pop() ?? "").split(" ").map(Number);
                fs.rmSync(scratch, { recursive: true, force: true });
                const cpuMs = (user + system) * 1000;
                resolve({ wallMs, cpuMs, peakKiB: rss, exitCode: code ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
            });
        });
    });
}

function vmHwm(pid: number | undefined): number {
    try {
        const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
        return m ? parseInt(m[1], 10) : 0;
    } catch {
        return 0;
    }
}
