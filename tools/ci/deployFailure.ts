/**
 * After a failed `pulumi up` in a deploy job: decides whether the failure is one CI rolls back
 * (docs/runbook.md, "What rolls back by itself"). A rollout of this commit that failed, a canary
 * Argo Rollouts aborted (its wait Job, docs/canary-in-cluster.md), a check of its release that
 * failed (a verification Job, docs/verification.md), or an update that ran
 * past its step's timeout, rolls back; any other failure (GitHub's API, a lookup, the program
 * itself) leaves the release running in the cluster alone, since rolling a healthy release back
 * would be the second outage.
 *
 *   pulumi stack export --stack <stack> --file state.json
 *   npm run --silent deploy-failure -- --state state.json [--timed-out] >> "$GITHUB_OUTPUT"
 */
import * as fs from "fs";
import { CommandSpec, EXIT, parseCommandLine, Parsed, Refusal, runCommand } from "../cli";
import { CANARY_WAIT_COMPONENT, VERIFICATION_COMPONENT } from "../../components/labels";

export interface FailureOptions {
    /** The stack's state after the failed update (`pulumi stack export`). */
    readonly state: string;
    /** The update ran past its step's timeout (and was cancelled). */
    readonly timedOut: boolean;
}

export const SPEC = {
    name: "deploy-failure",
    usage: "npm run deploy-failure -- --state <file> [--timed-out]",
    summary:
        "Reads the state of a stack whose 'pulumi up' failed ('pulumi stack export') and prints, for $GITHUB_OUTPUT,\n" +
        "rollback=true when a Kubernetes object of the update failed to become ready (the provider records its\n" +
        "initErrors) or the update timed out, else rollback=false, and reason=<why> on one line.",
    options: {
        state: { type: "string", value: "<file>", help: "the stack's state, as 'pulumi stack export --file' writes it" },
        "timed-out": { type: "boolean", help: "the update ran past its step's timeout and was cancelled" },
    },
    exits: [[EXIT.refused, "the file is missing or is not a 'pulumi stack export'"]],
} as const satisfies CommandSpec;

export function parseArgs(argv: readonly string[]): Parsed<FailureOptions> {
    return parseCommandLine(SPEC, argv, (v) => {
        if (v.state === undefined || v.state === "") return "--state is required";
        return { state: v.state, timedOut: v["timed-out"] === true };
    });
}

export interface Decision {
    readonly rollback: boolean;
    /** One line: what failed, and so what CI does. */
    readonly reason: string;
}

/** The objects named in a failure's reason; the rest are counted. */
const NAMED = 3;

interface StateResource {
    readonly type?: unknown;
    readonly urn?: unknown;
    readonly outputs?: { readonly metadata?: { readonly name?: unknown; readonly namespace?: unknown; readonly labels?: Readonly<Record<string, unknown>> } };
    readonly initErrors?: unknown;
}

/** The resources of a `pulumi stack export` (deployment version 3). */
function resourcesOf(state: unknown): StateResource[] {
    const resources = (state as { deployment?: { resources?: unknown } } | null)?.deployment?.resources;
    if (resources !== undefined && !Array.isArray(resources)) throw new Refusal("not a 'pulumi stack export': deployment.resources is not a list");
    if (resources === undefined && (state as { deployment?: unknown } | null)?.deployment === undefined) {
        throw new Refusal("not a 'pulumi stack export': no deployment");
    }
    return (resources ?? []) as StateResource[];
}

/** `Deployment hft-staging/orchestrator`, from the type and the object's metadata (else the URN's name). */
function describe(r: StateResource): string {
    const kind = String(r.type).split(":").at(-1);
    const meta = r.outputs?.metadata;
    const name = typeof meta?.name === "string" ? `${typeof meta.namespace === "string" ? `${meta.namespace}/` : ""}${meta.name}` : String(r.urn).split("::").at(-1);
    const first = String((r.initErrors as unknown[])[0]).split("\n")[0].trim();
    return `${kind} ${name}${first ? ` (${first.length > 160 ? `${first.slice(0, 159)}…` : first})` : ""}`;
}

/** The Kubernetes objects the update created or changed that never became ready (a verification Job: never completed). */
export function failedRollouts(state: unknown): string[] {
    return failedObjects(state).map(describe);
}

function failedObjects(state: unknown): StateResource[] {
    return resourcesOf(state).filter((r) => typeof r.type === "string" && r.type.startsWith("kubernetes:") && Array.isArray(r.initErrors) && r.initErrors.length > 0);
}

/** A Job of the platform's, by its `app.kubernetes.io/component` label. */
const isJob = (component: string) => (r: StateResource) => r.type === "kubernetes:batch/v1:Job" && r.outputs?.metadata?.labels?.["app.kubernetes.io/component"] === component;
/** A release's verification Job (components/service/verification.ts). */
const isVerification = isJob(VERIFICATION_COMPONENT);
/** An in-cluster canary's wait Job (components/service/canary/wait.ts): it fails when Argo Rollouts aborts the canary. */
const isCanaryWait = isJob(CANARY_WAIT_COMPONENT);

/** Up to NAMED descriptions, then how many more. */
const named = (failed: readonly string[]) => failed.slice(0, NAMED).join("; ") + (failed.length > NAMED ? `; and ${failed.length - NAMED} more` : "");

export function decide(state: unknown, timedOut: boolean): Decision {
    const failed = failedObjects(state);
    if (timedOut) {
        return { rollback: true, reason: `the update ran past its step's timeout and was cancelled${failed.length > 0 ? `; not ready: ${named(failed.map(describe))}` : ""}` };
    }
    // A check that failed after the rollouts is the release failing, like a rollout that did.
    const checks = failed.filter(isVerification).map(describe);
    const canaries = failed.filter(isCanaryWait).map(describe);
    const rollouts = failed.filter((r) => !isVerification(r) && !isCanaryWait(r)).map(describe);
    if (failed.length > 0) {
        const what = [
            ...(rollouts.length > 0 ? [`a rollout of this commit failed: ${named(rollouts)}`] : []),
            ...(canaries.length > 0 ? [`a canary of this commit was aborted or did not finish: ${named(canaries)}`] : []),
            ...(checks.length > 0 ? [`a check of its release failed: ${named(checks)}`] : []),
        ];
        return { rollback: true, reason: what.join("; ") };
    }
    return {
        rollback: false,
        reason: "no Kubernetes object of the update failed to become ready: the failure was elsewhere (GitHub's API, a lookup, another provider or the program), so the release running in the cluster was left as it is",
    };
}

/** The lines for $GITHUB_OUTPUT. */
export function formatDecision(d: Decision): string {
    return `rollback=${d.rollback}\nreason=${d.reason.replace(/[\r\n]+/g, " ")}\n`;
}

export function deployFailure(options: FailureOptions, write: (text: string) => void = (t) => process.stdout.write(t)): number {
    let state: unknown;
    try {
        state = JSON.parse(fs.readFileSync(options.state, "utf8"));
    } catch (e) {
        throw new Refusal(`${options.state}: cannot read the state: ${(e as Error).message}`);
    }
    write(formatDecision(decide(state, options.timedOut)));
    return EXIT.done;
}

if (require.main === module) {
    runCommand(SPEC, parseArgs(process.argv.slice(2)), (options) => Promise.resolve(deployFailure(options)));
}
