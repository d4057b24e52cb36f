/**
 * How `pulumi preview --policy-pack <folder>` starts a policy pack, reproduced without the CLI,
 * and how long the pack takes to serve. pulumi-language-nodejs (RunPlugin for an analyzer)
 * resolves `@pulumi/pulumi/cmd/run-policy-pack` from the pack's folder and runs
 * `node <runner> <engine address> <absolute folder>` in that folder, with the CLI's environment,
 * PULUMI_NODEJS_TYPESCRIPT (PulumiPolicy.yaml's `typescript` option, true unless set false) and
 * what its policy proxy received from the engine's ConfigureStack (PULUMI_NODEJS_ORGANIZATION,
 * _PROJECT, _STACK, _DRY_RUN, PULUMI_CONFIG). The pack serves when it prints its gRPC port; the
 * proxy then forwards ConfigureStack, and the engine asks GetAnalyzerInfo.
 */
import * as grpc from "@grpc/grpc-js";
import * as rpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import * as path from "path";
import type { StackConfig } from "../tools/harness/stackFiles";
import type { Command } from "./measure";
import { childEnv, REPO } from "./runner";
import { summarize, Summary } from "./stats";

/** The pack as written (TypeScript, which the runner type-checks) and as shipped (compiled by `npm run generate`). */
export const POLICY_PACK_FOLDERS = { source: "policy", compiled: "policy-pack" } as const;

/** The engine's address comes first; the runner drops it (a pack never calls the engine). */
const ENGINE_ADDRESS = "127.0.0.1:0";

/** The command pulumi-language-nodejs runs for the pack in `folder` (relative to the repository) during a preview of `stack`. */
export function policyPackCommand(folder: string, stack: StackConfig): Command {
    const dir = path.join(REPO, folder);
    const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [dir] });
    const env: NodeJS.ProcessEnv = {
        ...childEnv(),
        PULUMI_NODEJS_TYPESCRIPT: "true",
        PULUMI_NODEJS_ORGANIZATION: "organization",
        PULUMI_NODEJS_PROJECT: stack.project,
        PULUMI_NODEJS_STACK: stack.stack,
        PULUMI_NODEJS_DRY_RUN: "true",
        // The engine's ConfigureStack keys, `<namespace>:<key>`.
        PULUMI_CONFIG: JSON.stringify(stack.config),
    };
    return { file: process.execPath, args: [runner, ENGINE_ADDRESS, dir], cwd: dir, env };
}

/** A pack process that printed its port. */
export interface ServingPack {
    readonly child: ChildProcess;
    readonly port: string;
    /** When it was spawned (process.hrtime.bigint()). */
    readonly started: bigint;
    /** From spawn to the port on stdout: the gRPC server listens. */
    readonly listeningMs: number;
    /** CPU time (user + system) the process had used by then; NaN where /proc is missing. Less sensitive than wall time to a busy machine. */
    readonly listeningCpuMs: number;
    stderr(): string;
    /** Kills it and waits for it to exit. */
    stop(): Promise<void>;
}

/** Spawns `command` and waits for the port line, as the policy proxy reads it. */
export function startPolicyPack(command: Command, timeoutMs = 90_000): Promise<ServingPack> {
    const started = process.hrtime.bigint();
    const child = spawn(command.file, [...command.args], { cwd: command.cwd, env: command.env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    let out = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const stop = async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill();
        await exited;
    };
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
            child.kill();
            reject(new Error(`the policy pack in ${command.cwd} did not serve within ${timeoutMs / 1000} s:\n${stderr}${out}`));
        }, timeoutMs);
        child.stdout.on("data", (d: Buffer) => {
            out += d.toString();
            const line = /^([0-9]+)\n/.exec(out);
            if (!line) return;
            clearTimeout(timer);
            const listeningMs = Number(process.hrtime.bigint() - started) / 1e6;
            resolve({ child, port: line[1], started, listeningMs, listeningCpuMs: cpuMs(child.pid), stderr: () => stderr, stop });
        });
        child.on("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`the policy pack in ${command.cwd} exited (${String(code)}) before serving:\n${stderr}${out}`));
        });
    });
}

/** User plus system CPU time of a running process, from /proc/<pid>/stat (in USER_HZ ticks, 100 a second on Linux). */
function cpuMs(pid: number | undefined): number {
    try {
        // The fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
        const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "").split(" ");
        return (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
        return NaN;
    }
}

/** What the policy proxy forwards to the pack once it serves: the stack it judges. */
export function stackConfigureRequest(stack: StackConfig): pb.AnalyzerStackConfigureRequest {
    const req = new pb.AnalyzerStackConfigureRequest();
    req.setOrganization("organization");
    req.setProject(stack.project);
    req.setStack(stack.stack);
    req.setDryRun(true);
    for (const [k, v] of Object.entries(stack.config)) req.getConfigMap().set(k, v);
    req.setConfigSecretKeysList([...stack.secretKeys]);
    return req;
}

export function unary<Req, Res>(method: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown, req: Req): Promise<Res> {
    return new Promise((resolve, reject) => method(req, (err, res) => (err ? reject(err) : resolve(res))));
}

/** One start, timed: to listening, and to the answer to GetAnalyzerInfo after ConfigureStack. */
export interface StartSample {
    readonly listeningMs: number;
    readonly listeningCpuMs: number;
    readonly answeredMs: number;
    /** `<name>@<version>: <policy>, ...`: both folders must serve the same pack. */
    readonly served: string;
}

export async function timeStart(command: Command, stack: StackConfig): Promise<StartSample> {
    const pack = await startPolicyPack(command);
    const client = new rpc.AnalyzerClient(`127.0.0.1:${pack.port}`, grpc.credentials.createInsecure());
    try {
        await unary((r, cb) => client.configureStack(r, cb), stackConfigureRequest(stack));
        const info = await unary<Empty, pb.AnalyzerInfo>((r, cb) => client.getAnalyzerInfo(r, cb), new Empty());
        const answeredMs = Number(process.hrtime.bigint() - pack.started) / 1e6;
        const served = `${info.getName()}@${info.getVersion()}: ${info.getPoliciesList().map((p) => p.getName()).join(", ")}`;
        return { listeningMs: pack.listeningMs, listeningCpuMs: pack.listeningCpuMs, answeredMs, served };
    } finally {
        client.close();
        await pack.stop();
    }
}

export interface PolicyPackCase {
    readonly folder: string;
    readonly label: string;
    readonly command: Command;
    readonly samples: StartSample[];
}

/**
 * Starts the pack from each folder `runs` times, alternating, after one warm-up start of each;
 * refuses when the two do not serve the same pack.
 */
export async function benchPolicyPack(runs: number, stack: StackConfig, progress: (s: string) => void): Promise<PolicyPackCase[]> {
    const cases: PolicyPackCase[] = [
        { folder: POLICY_PACK_FOLDERS.source, label: "before: policy/ (TypeScript, type-checked by ts-node)", command: policyPackCommand(POLICY_PACK_FOLDERS.source, stack), samples: [] },
        { folder: POLICY_PACK_FOLDERS.compiled, label: "after: policy-pack/ (compiled to JavaScript)", command: policyPackCommand(POLICY_PACK_FOLDERS.compiled, stack), samples: [] },
    ];
    for (let round = 0; round <= runs; round++) {
        progress(round === 0 ? "policy pack: warm-up start" : `\rpolicy pack: start ${round}/${runs}  `);
        for (const c of cases) {
            const sample = await timeStart(c.command, stack);
            if (round > 0) c.samples.push(sample);
        }
    }
    progress("\n");
    const [source, compiled] = cases.map((c) => c.samples[0].served);
    if (source !== compiled) throw new Error(`policy/ and policy-pack/ serve different packs:\n  ${source}\n  ${compiled}`);
    return cases;
}

/** The section of the bench's report: start to listening and to the first answer, before and after. */
export function policyPackReport(cases: readonly PolicyPackCase[]): string[] {
    const cell = (w: Summary) => `${s(w.median)} [${s(w.min)} - ${s(w.max)}]`;
    const rows = cases.map((c) => {
        const listening = summarize(c.samples.map((x) => x.listeningMs));
        const cpu = summarize(c.samples.map((x) => x.listeningCpuMs));
        const answered = summarize(c.samples.map((x) => x.answeredMs));
        return { c, cells: [c.label, cell(listening), Number.isNaN(cpu.median) ? "-" : cell(cpu), cell(answered)], answered };
    });
    const [before, after] = rows;
    const header = ["", "listening", "cpu by then", "answering"];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r.cells[i].length)));
    const line = (cells: readonly string[]) => "  " + cells.map((x, i) => x.padEnd(widths[i])).join("  ").trimEnd();
    return [
        `policy pack start, as 'pulumi preview --policy-pack <folder>' starts it (${cases[0].samples.length} starts each, alternating, after a warm-up start;`,
        "  wall from spawn to the gRPC port on stdout, the process's CPU time (user + system) by then, and wall to the answer to",
        "  GetAnalyzerInfo after ConfigureStack; median [min - max])",
        line(header),
        ...rows.map((r) => line(r.cells)),
        `  compiled: ${s(before.answered.median - after.answered.median)} less (${(before.answered.median / after.answered.median).toFixed(2)}x as fast) to the first answer; the engine loads`,
        "  policy packs before it runs the program, so every preview and update with --policy-pack waits for it",
        "",
    ];
}

function s(ms: number): string {
    return `${(ms / 1000).toFixed(2)} s`;
}
