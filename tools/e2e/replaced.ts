/**
 * Reads `pulumi preview --json` on standard input and prints each resource it would replace,
 * `<type> <name>`; exits 1 when one is not a ConfigMap. A ConfigMap is immutable and named for its
 * content, so a changed setting replaces it and rolls the pods that read it; anything else
 * replaced (a Deployment, a Service) would be an outage scripts/e2e.sh must catch.
 *
 *   pulumi preview --json --stack e2e | node -r ts-node/register tools/e2e/replaced.ts
 */
import * as fs from "fs";

/** What `pulumi preview --json` says it would do to one resource. */
interface Step {
    readonly op?: string;
    readonly urn?: string;
}

const REPLACING = new Set(["replace", "create-replacement", "delete-replaced"]);
/** A replacement a changed setting may make without an outage. */
const EXPECTED = new Set(["kubernetes:core/v1:ConfigMap"]);

/** The resources a preview replaces, each once, as `<type> <name>` (the type without its parents). */
export function replacedIn(previewJson: string): string[] {
    const steps = (JSON.parse(previewJson) as { steps?: Step[] }).steps ?? [];
    const found = steps
        .filter((s) => REPLACING.has(s.op ?? "") && s.urn !== undefined)
        .map((s) => {
            // urn:pulumi:<stack>::<project>::<parent types>$<type>::<name>
            const parts = s.urn!.split("::");
            return `${(parts[2] ?? "").split("$").at(-1)} ${parts.slice(3).join("::")}`;
        });
    return [...new Set(found)].sort();
}

/** The replacements that are not expected of a changed setting. */
export const unexpected = (replaced: readonly string[]) => replaced.filter((r) => !EXPECTED.has(r.split(" ")[0]));

if (require.main === module) {
    const replaced = replacedIn(fs.readFileSync(0, "utf8"));
    for (const r of replaced) process.stdout.write(`replaced: ${r}\n`);
    const bad = unexpected(replaced);
    if (bad.length > 0) {
        process.stderr.write(`replaced, and not a ConfigMap: ${bad.join(", ")}\n`);
        process.exit(1);
    }
}
