import { Document } from "yaml";
import { ConfigError } from "../../config/errors";
import { Refusal } from "../cli";
import { StackConfig } from "../harness/stackFiles";
import { Row } from "./plan";
import { resolveServices, TargetService } from "./target";

/**
 * The target's configuration as the edited stack file would give it: each of the file's plain
 * keys replaces the one read before (`secure:` values stay the redacted placeholders).
 */
export function editedStack(stack: StackConfig, document: Document): StackConfig {
    const file = (document.toJS() ?? {}) as { config?: Record<string, unknown> };
    const config = { ...stack.config };
    for (const [k, v] of Object.entries(file.config ?? {})) {
        if (v !== null && typeof v === "object" && "secure" in v) continue;
        config[k.includes(":") ? k : `${stack.project}:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
    }
    return { ...stack, config };
}

/**
 * Reads the edited configuration back as the program will, and checks that every promoted service
 * runs exactly the source's image: the repository, the digest and (when the source has one) the
 * tag. A configuration the edit made invalid is a `Refusal`; an image other than the one
 * promoted (a bug here) an `Error`. Either way nothing is written.
 */
export function checkEdited(stack: StackConfig, document: Document, rows: readonly Row[], file: string): void {
    let services: TargetService[];
    try {
        services = resolveServices(editedStack(stack, document));
    } catch (e) {
        if (e instanceof ConfigError) throw new Refusal(`${file} would not be a valid configuration after promotion, nothing was written: ${e.problems.join("; ")}`);
        throw e;
    }
    const byName = new Map(services.map((s) => [s.name, s]));
    for (const row of rows) {
        const r = row.release;
        if (row.action !== "promote" || !r) continue;
        const s = byName.get(row.service);
        const image = s && s.state !== "disabled" ? s.image : undefined;
        if (!image || s?.state !== "runs" || image.repository !== r.repository || image.digest !== r.digest || (r.tag !== undefined && image.tag !== r.tag)) {
            const got = image ? `${image.repository}${image.tag ? `:${image.tag}` : ""}${image.digest ? `@${image.digest}` : ""}` : "nothing";
            throw new Error(`after the edit ${row.service} would run ${got}, not ${r.repository}@${r.digest}; nothing was written`);
        }
    }
}
