import * as path from "path";
import { Evaluation } from "../harness/evaluate";
import { REGISTRY_FIXTURE } from "../harness/registry";
import { promotionSource, StackConfig } from "../harness/stackFiles";

/**
 * Where the render's digests came from, in a line or two: an offline render cannot ask a
 * registry, so its lookups are answered from a committed fixture (or derived from the name),
 * and a promotion source is rendered from its own stack file.
 */
export function describeImages(evaluation: Evaluation, config: StackConfig): string {
    const lines: string[] = [];
    const names = [...new Set(evaluation.lookups.map((l) => l.name))];
    if (names.length > 0) {
        const derived = [...new Set(evaluation.lookups.filter((l) => l.from === "derived").map((l) => l.name))];
        const fixture = path.relative(process.cwd(), REGISTRY_FIXTURE) || REGISTRY_FIXTURE;
        lines.push(
            `images: ${names.length} tag${names.length === 1 ? "" : "s"} looked up in the registry, answered offline from ${fixture} (not real digests)` +
                (derived.length > 0 ? `; not in it, so given a digest derived from the name: ${derived.join(", ")}` : ""),
        );
    }
    const promotion = promotionSource(config);
    if (promotion) {
        lines.push(`promotion: every image checked against what ${promotion.from} ran (its releases, rendered from Pulumi.${promotion.short}.yaml)`);
    }
    return lines.map((l) => `${l}\n`).join("");
}
