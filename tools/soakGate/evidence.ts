import { capture, failed, Track } from "../processes";
import { releasesCommand, releasesJson } from "../promote/pulumi";
import { parseReleaseHistory, parseReleases, Release } from "../promote/releases";
import { PULUMI } from "../pulumi/commands";
import { parseHistory } from "../rollback/history";
import { Evidence } from "./judge";

/** What the user runs again once the source has been deployed: said at the end of a refusal. */
const AGAIN = "run the soak gate again";

/**
 * The stack a target's `promotion.from` names, as the backend knows it: a short name
 * (`staging`) is in the target's organization and project, as the program's StackReference reads it.
 */
export function sourceStack(from: string, target: string): string {
    return from.includes("/") ? from : [...target.split("/").slice(0, -1), from].join("/");
}

interface Run {
    readonly cwd: string;
    readonly env: NodeJS.ProcessEnv;
    readonly track: Track;
}

/**
 * Reads the evidence from the Pulumi backend: the source's `releases` record and its newest
 * update, and what the target runs now (its own `releases`; none when it has no such output
 * yet). A source without the output is a `Refusal`; a failing `pulumi` an `Error`.
 */
export async function readEvidence(source: string, target: string, run: Run): Promise<Evidence> {
    const opts = { cwd: run.cwd, env: run.env };
    const sourceReleases = parseReleaseHistory(releasesJson(source, await capture("pulumi", releasesCommand(source), opts, run.track), AGAIN), source, AGAIN);

    const history = PULUMI.latestUpdate(source);
    const updates = await capture("pulumi", history, opts, run.track);
    if (updates.code !== 0) throw failed("pulumi", history, updates);
    const latest = parseHistory(updates.stdout).at(-1);

    const own = await capture("pulumi", releasesCommand(target), opts, run.track);
    const current = own.code !== 0 && /does not have output property/.test(own.stderr) ? new Map<string, Release>() : parseReleases(releasesJson(target, own, AGAIN), target, AGAIN);
    return { source: sourceReleases, target: current, ...(latest ? { latest } : {}) };
}
