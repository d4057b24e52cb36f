/**
 * The release's updates through the Automation API (decision 0008): a `LocalWorkspace` over the
 * project folder, with two of its methods replaced so that it keeps decision 0006's rules.
 */
import { LocalWorkspace, OutputMap, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { CANARY_VAR } from "../../config/canary";
import { PINNED_IMAGES_VAR } from "../../config/pinnedImages";
import { capture, failed, Track } from "../processes";
import { oneLine } from "../rollback/outcome";
import { PULUMI } from "../pulumi/commands";

/** How the release reads and updates one stack. */
export interface StackUpdates {
    /** The stack's outputs, secrets masked (`[secret]`): never decrypted. */
    outputs(): Promise<Record<string, unknown>>;
    /** One `pulumi up`, with `env` added to the CLI's environment; `stop` sends it SIGINT (see `Stopper`). */
    up(env: Readonly<Record<string, string>>, message: string, stop: Stopper, show: Show): Promise<void>;
}

/** Where pulumi's output goes while an update runs. */
export interface Show {
    readonly out: (text: string) => void;
    readonly err: (text: string) => void;
}

/**
 * Sends the running update SIGINT through the Automation API's `signal` option: `cancel()` once,
 * as pulumi's first Ctrl-C (it finishes the operations in flight, then stops); `terminate()` again
 * and again until the update ends, pulumi's "terminate immediately" at the second. The option's
 * listener (automation/cmd.js `exec`: `signal.addEventListener("abort", () => proc.kill("SIGINT"))`)
 * runs for each `abort` event the signal dispatches, which is how the later ones are sent; the
 * repetition also reaches a CLI the API had not started yet when `terminate()` came.
 */
export class Stopper {
    private readonly controller = new AbortController();
    private repeat: NodeJS.Timeout | undefined;

    get signal(): AbortSignal {
        return this.controller.signal;
    }

    cancel(): void {
        if (!this.controller.signal.aborted) this.controller.abort();
    }

    terminate(): void {
        this.cancel();
        // pulumi reads one signal at a time: the next must not arrive with the first.
        this.repeat ??= setInterval(() => this.controller.signal.dispatchEvent(new Event("abort")), 250).unref();
    }

    /** The update ended: nothing more to send. */
    ended(): void {
        clearInterval(this.repeat);
    }
}

/**
 * The variables the release alone sets for each update. The Automation API's CLI inherits this
 * process's environment (execa's `extendEnv`), so values the user's shell holds are removed from it
 * first; returns the names that were set.
 */
export function clearReleaseVariables(env: NodeJS.ProcessEnv = process.env): string[] {
    const set = [CANARY_VAR, PINNED_IMAGES_VAR].filter((name) => env[name] !== undefined);
    set.forEach((name) => delete env[name]);
    return set;
}

/**
 * A workspace of the project folder `cwd` for stack `stack` (short or qualified, passed as
 * `--stack` to every command the Automation API runs):
 * - `selectStack` does nothing: `Stack.select` would run `pulumi stack select`, changing the
 *   current stack of whoever runs `pulumi` on this machine next;
 * - `stackOutputs` reads the outputs once, masked: the API's own reads them a second time with
 *   `--show-secrets`, after every `up()` too.
 */
async function workspace(cwd: string, pulumi: PulumiCommand, envVars: Readonly<Record<string, string>>, masked: () => Promise<Record<string, unknown>>): Promise<LocalWorkspace> {
    const ws = await LocalWorkspace.create({ workDir: cwd, pulumiCommand: pulumi, envVars: { ...envVars } });
    ws.selectStack = async () => {};
    ws.stackOutputs = async (): Promise<OutputMap> => Object.fromEntries(Object.entries(await masked()).map(([key, value]) => [key, { value, secret: value === "[secret]" }]));
    return ws;
}

/** The policy packs every update of a release runs with (`pulumi up --policy-pack`), as a plain update in CI does; paths from the project folder. */
export interface UpdatePolicy {
    readonly policyPacks?: readonly string[];
    readonly policyPackConfigs?: readonly string[];
}

/**
 * The updates of stack `stack` from the project folder `cwd`, with the Pulumi CLI on PATH (its
 * version checked once: `pulumi version`, a CLI of another major refused), each judged by the
 * policy packs of `policy`. `track` receives the child of each read, to pass a signal on to it.
 */
export async function stackUpdates(stack: string, cwd: string, track: Track, policy: UpdatePolicy = {}): Promise<StackUpdates> {
    // The Automation API's UpOptions: each pack and config passed as --policy-pack / --policy-pack-config (automation/stack.js `up`).
    const packs = {
        ...(policy.policyPacks?.length ? { policyPacks: [...policy.policyPacks] } : {}),
        ...(policy.policyPackConfigs?.length ? { policyPackConfigs: [...policy.policyPackConfigs] } : {}),
    };
    const pulumi = await PulumiCommand.get();
    const outputs = async () => {
        const args = PULUMI.outputs(stack);
        const r = await capture(pulumi.command, args, { cwd, env: process.env }, track);
        if (r.code !== 0) throw failed("pulumi", args, r);
        return JSON.parse(r.stdout) as Record<string, unknown>;
    };
    return {
        outputs,
        async up(env, message, stop, show) {
            const selected = await Stack.select(stack, await workspace(cwd, pulumi, env, outputs));
            // showSecrets false: the summary read after the update (`stack history`) stays masked.
            try {
                await selected.up({ message, showSecrets: false, signal: stop.signal, onOutput: show.out, onError: show.err, ...packs });
            } finally {
                stop.ended();
            }
        },
    };
}

/**
 * Why an update failed, in one line. The Automation API wraps execa's error (automation/cmd.js
 * `exec`: `code: -2`, then execa's "Command failed with exit code N: <command>" and pulumi's
 * output); pulumi's own output has reached the user already, through `Show`.
 */
export function updateFailure(e: unknown): string {
    const text = e instanceof Error ? e.message : String(e);
    const exit = /Command failed with exit code (\d+)/.exec(text);
    if (exit) return `'pulumi up' exited ${exit[1]} (its output is above)`;
    const killed = /was killed with (SIG[A-Z]+)/.exec(text);
    if (killed) return `'pulumi up' was stopped by ${killed[1]}`;
    return oneLine(text.split("\n").slice(0, 3).join("\n"));
}
