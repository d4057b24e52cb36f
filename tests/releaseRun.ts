import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Interrupts } from "../tools/interrupts";
import { drive } from "../tools/release/drive";
import { ReleasePlan } from "../tools/release/plan";
import { Answer } from "../tools/release/prometheus";
import { StackUpdates } from "../tools/release/workspace";

/**
 * The release's flow in-process (tools/release/drive.ts), with stand-ins for the stack's updates
 * and for Prometheus, writing the job summary and `$GITHUB_OUTPUT` to temporary files.
 */

export const STABLE = `ghcr.io/acme/api@sha256:${"a".repeat(64)}`;
export const ID = "abc1234-20261130T120000Z";
export const PLAN: ReleasePlan = {
    kind: "canary",
    namespace: "hft-production",
    prometheusUrl: "http://prometheus.example:9090",
    intervalSeconds: 0.01,
    steps: [
        { weight: 10, windowSeconds: 0.02 },
        { weight: 50, windowSeconds: 0.02 },
        { weight: 100, windowSeconds: 0.02 },
    ],
    services: [{ name: "api", objectName: "api", stable: STABLE, canary: { steps: [], replicas: 1, maxRestarts: 0, prometheus: { query: 'errors{pod=~"{{canaryPods}}"}', max: 0.05 } } }],
    firstDeploys: [],
};

export interface Run {
    readonly code: number;
    /** Each update: its message's tail after the id, and its variables. */
    readonly updates: { message: string; env: Record<string, string> }[];
    readonly out: string[];
    readonly err: string[];
    readonly summary: string;
    /** What the release appended to $GITHUB_OUTPUT. */
    readonly output: string;
}

/** Drives PLAN: `fail(message)` makes an update fail, `errorRatio(weight)` is Prometheus's answer at the last weight applied. */
export async function release(opts: { fail?: (message: string) => boolean; errorRatio?: (weight: number) => number }): Promise<Run> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "release-drive-"));
    const summaryFile = path.join(dir, "summary.md");
    const outputFile = path.join(dir, "output.txt");
    const updates: Run["updates"] = [];
    let weight = 0;
    const stack: StackUpdates = {
        outputs: () => Promise.resolve({}),
        up: (env, message) => {
            updates.push({ message: message.replace(`canary release ${ID}: `, ""), env: { ...env } });
            if (opts.fail?.(message)) return Promise.reject(new Error("code: -2\n stdout: \n stderr: Command failed with exit code 255: pulumi up --yes\nerror: update failed"));
            weight = env.PLATFORM_CANARY ? (JSON.parse(env.PLATFORM_CANARY) as { weight: number }).weight : 0;
            return Promise.resolve();
        },
    };
    const ask = (q: string): Promise<Answer> => Promise.resolve({ values: [q.startsWith("sum(kube_pod") ? 0 : (opts.errorRatio?.(weight) ?? 0)] });
    const out: string[] = [];
    const err: string[] = [];
    const interrupts = Interrupts.listen();
    try {
        const read = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "");
        const code = await drive(
            { stack: "production", id: ID, plan: PLAN, updates: stack, interrupts, ask },
            { env: { GITHUB_STEP_SUMMARY: summaryFile, GITHUB_OUTPUT: outputFile }, out: (l) => out.push(l), err: (l) => err.push(l), show: { out: () => undefined, err: () => undefined } },
        );
        return { code, updates, out, err, summary: read(summaryFile), output: read(outputFile) };
    } finally {
        interrupts.close();
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

