import { Release } from "../promote/releases";
import { TargetService } from "../promote/target";
import { Update } from "../rollback/history";

/**
 * The soak gate's decision, from evidence already read (tools/soakGate/evidence.ts): for each
 * service of the target, whether the source stack has run the exact image the target is to run
 * for long enough (docs/decisions/0007-soak-gate-evidence.md). No clock here: `now` is given.
 */

/** What the gate reads, all of it from the Pulumi backend. */
export interface Evidence {
    /** The source stack's `releases` record, by service, newest first. */
    readonly source: ReadonlyMap<string, readonly Release[]>;
    /** What the target runs now (its own `releases`, entry [0]); empty for a stack not deployed yet. */
    readonly target: ReadonlyMap<string, Release>;
    /** The source stack's newest update; undefined when it has none. */
    readonly latest?: Update;
}

/** Why a service passes, is left out, or holds the deploy back. */
export type Verdict =
    | { readonly kind: "disabled" | "builds" | "unchanged" | "never-ran" | "no-since" }
    | { readonly kind: "exception"; readonly reason: string }
    /** Ran for `ran` seconds from `since`, until `until` when the source moved on; long enough. */
    | { readonly kind: "soaked"; readonly since: string; readonly ran: number; readonly until?: string }
    /** Still running, for `ran` seconds: deployable at `at`. */
    | { readonly kind: "fresh"; readonly since: string; readonly ran: number; readonly at: string }
    /** The source ran it from `since` until `until`, too short, and runs something else now. */
    | { readonly kind: "stopped"; readonly since: string; readonly ran: number; readonly until: string }
    /** The source rolled back from it at `until`. */
    | { readonly kind: "rolled-back"; readonly since: string; readonly until: string }
    /** The entry after it has no time: when the source stopped running it is not recorded. */
    | { readonly kind: "end-unknown"; readonly since: string };

export interface Row {
    readonly service: string;
    /** The image the target is to run, as its configuration names it; none for a service turned off. */
    readonly image?: string;
    readonly verdict: Verdict;
}

export interface Judgement {
    readonly rows: readonly Row[];
    /** Whether the source's newest update succeeded (an update or refresh, not a destroy). */
    readonly healthy: boolean;
    /** Every service passes, and the source is healthy or no service needs its evidence. */
    readonly passes: boolean;
}

const PASSING: readonly Verdict["kind"][] = ["disabled", "builds", "unchanged", "exception", "soaked"];
/** Verdicts that rest on the source's record, and so on its being healthy now. */
const FROM_EVIDENCE: readonly Verdict["kind"][] = ["soaked", "fresh", "stopped", "rolled-back", "end-unknown", "no-since", "never-ran"];

export const passes = (v: Verdict) => PASSING.includes(v.kind);

const seconds = (time: string) => Date.parse(time) / 1000;
const iso = (s: number) => new Date(s * 1000).toISOString().replace(/\.000Z$/, "Z");

/**
 * Judges every service of the target (`services`, as its configuration resolves them) against
 * the evidence: `exceptions` let a service through with their reason; `soak` is in seconds,
 * `now` in milliseconds since the epoch.
 */
export function judge(services: readonly TargetService[], exceptions: Readonly<Record<string, string>>, evidence: Evidence, soak: number, now: number): Judgement {
    const rows = services.map((t): Row => {
        if (t.state === "disabled") return { service: t.name, verdict: { kind: "disabled" } };
        const { repository, tag, digest } = t.image;
        const image = digest ? `${repository}@${digest}` : `${repository}:${tag ?? ""}`;
        if (t.state === "builds") return { service: t.name, image, verdict: { kind: "builds" } };
        const record = evidence.source.get(t.name) ?? [];
        // A pinned digest is matched exactly; a tag by the newest entry the source ran under that tag.
        const i = record.findIndex((r) => r.repository === repository && (digest ? r.digest === digest : r.tag === tag));
        const current = evidence.target.get(t.name);
        const same = current !== undefined && current.repository === repository && (digest ? current.digest === digest : i >= 0 ? current.digest === record[i].digest : current.tag === tag);
        if (same) return { service: t.name, image, verdict: { kind: "unchanged" } };
        if (Object.hasOwn(exceptions, t.name)) return { service: t.name, image, verdict: { kind: "exception", reason: exceptions[t.name] } };
        return { service: t.name, image, verdict: i < 0 ? { kind: "never-ran" } : window(record, i, soak, now / 1000) };
    });
    const latest = evidence.latest;
    const healthy = latest !== undefined && latest.result === "succeeded" && latest.kind !== "destroy";
    const needsSource = rows.some((r) => FROM_EVIDENCE.includes(r.verdict.kind));
    return { rows, healthy, passes: rows.every((r) => passes(r.verdict)) && (healthy || !needsSource) };
}

/** How long entry `i` of a record ran: from its `since` to the next newer entry's (or to now, for the newest). */
function window(record: readonly Release[], i: number, soak: number, now: number): Verdict {
    const since = record[i].since;
    if (since === undefined) return { kind: "no-since" };
    const next = i > 0 ? record[i - 1] : undefined;
    if (next?.source === "rollback") return { kind: "rolled-back", since, until: next.since ?? "an unrecorded time" };
    if (next && next.since === undefined) return { kind: "end-unknown", since };
    const end = next?.since !== undefined ? seconds(next.since) : now;
    const ran = Math.floor(end - seconds(since));
    if (ran >= soak) return { kind: "soaked", since, ran, ...(next?.since !== undefined ? { until: next.since } : {}) };
    if (next?.since !== undefined) return { kind: "stopped", since, ran, until: next.since };
    return { kind: "fresh", since, ran, at: iso(seconds(since) + soak) };
}
