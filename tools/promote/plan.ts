import { ImageConfig } from "../../config/types";
import { Refusal } from "../cli";
import { ImagePin } from "./edit";
import { Release, RELEASES_OUTPUT } from "./releases";
import { TargetService } from "./target";

/**
 * What promotion does with one service of the target's catalog: `promote` takes the source's
 * release (`release`, both set); `disabled` and `builds` leave a service the target turns off or
 * builds from source alone; `kept` (with --allow-missing) keeps the image of a service the source
 * never ran.
 */
export interface Row {
    readonly service: string;
    readonly action: "promote" | "disabled" | "builds" | "kept";
    /** The image the target's configuration names now; none for a service turned off. */
    readonly current?: ImageConfig;
    /** The source's current release of the service, when it has one. */
    readonly release?: Release;
}

export interface Plan {
    readonly rows: readonly Row[];
    /** Services the source runs that the target's catalog does not have. */
    readonly unknown: readonly string[];
}

export interface Stacks {
    readonly from: string;
    readonly to: string;
    /** The target's stack file, for messages. */
    readonly file: string;
}

/**
 * Decides, for every service of the target's catalog, what promotion does: a service the target
 * runs from a prebuilt image takes the source's current release; one turned off, or built from
 * source, in the target is left alone. Refuses, naming every such service at once, a release from
 * another repository than the one the target pulls from, and a service the target runs that the
 * source never ran (unless `allowMissing`).
 */
export function planPromotion(releases: ReadonlyMap<string, Release>, target: readonly TargetService[], stacks: Stacks, allowMissing: boolean): Plan {
    const rows: Row[] = [];
    const problems: string[] = [];
    const missing: string[] = [];
    for (const t of target) {
        const release = releases.get(t.name);
        if (t.state === "disabled") {
            rows.push({ service: t.name, action: "disabled", ...(release ? { release } : {}) });
        } else if (t.state === "builds") {
            rows.push({ service: t.name, action: "builds", current: t.image, ...(release ? { release } : {}) });
        } else if (!release) {
            missing.push(t.name);
            rows.push({ service: t.name, action: "kept", current: t.image });
        } else if (release.repository !== t.image.repository) {
            problems.push(
                `${t.name}: ${stacks.from} runs ${release.repository}@${release.digest}, but ${stacks.to} pulls ${t.name} from ${t.image.repository} ` +
                    `(the image.repository that Pulumi.yaml and ${stacks.file} give it); a digest names an image only within its repository, so make the two repositories agree first`,
            );
        } else {
            rows.push({ service: t.name, action: "promote", current: t.image, release });
        }
    }
    if (missing.length > 0 && !allowMissing) {
        problems.push(
            `${missing.join(", ")}: run${missing.length === 1 ? "s" : ""} in ${stacks.to} but never ran in ${stacks.from} (no entry in its '${RELEASES_OUTPUT}' output); ` +
                `deploy to ${stacks.from} first, or pass --allow-missing to keep ${stacks.to}'s current image`,
        );
    }
    if (problems.length === 1) {
        throw new Refusal(`cannot promote ${stacks.from} to ${stacks.to}, nothing was written: ${problems[0]}`);
    }
    if (problems.length > 1) {
        throw new Refusal(`cannot promote ${stacks.from} to ${stacks.to}, nothing was written (${problems.length} problems):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    }
    const known = new Set(target.map((t) => t.name));
    return { rows, unknown: [...releases.keys()].filter((name) => !known.has(name)) };
}

/** What the stack file is to say for each promoted service. */
export function pinsOf(plan: Plan): ImagePin[] {
    return plan.rows.flatMap(({ action, service, release }) => (action === "promote" && release ? [{ service, digest: release.digest, ...(release.tag !== undefined ? { tag: release.tag } : {}) }] : []));
}
