import { byCodePoint } from "../../config/order";
import { Finding, SecretKey } from "./context";
import type { ImportedOverlay } from "./overlay";

/** The settings this import writes that the platform's schema may not have yet (added on main in parallel). */
export const IDENTITY_SETTINGS = ["objectName", "selector", "sharedNamespace", "adopt"] as const;

/**
 * A shell command that moves one secret from the cluster into a stack's secret config without
 * the value passing through this tool, the terminal or the shell's history: kubectl reads it,
 * pulumi reads it from standard input.
 */
export function secretCommand(k: SecretKey, namespace: string, stack: string): string {
    const jsonpathKey = k.key.replace(/\./g, "\\.");
    return `kubectl get secret ${k.secret} -n ${namespace} -o jsonpath='{.data.${jsonpathKey}}' | base64 -d | pulumi config set --secret ${k.configKey} --stack ${stack}`;
}

/** The report, as Markdown: the secret keys to set, then what was not imported or was imported differently, per stack. */
export function formatReport(overlays: readonly ImportedOverlay[], sources: Readonly<Record<string, string>>): string {
    const lines = [
        "# Import report",
        "",
        `Imported from Kustomize by \`npm run import\`: ${overlays.map((o) => `\`${sources[o.stack]}\` as stack \`${o.stack}\``).join(", ")}.`,
        "Everything below was not carried over, or was carried over differently; nothing else was left out.",
        "",
        "## Secret config keys",
        "",
        "Each Secret key the workloads read is a secret config key of the stack. The values were not read; copy each from the",
        "cluster (or, with `< /path/to/file`, from a file) straight into the stack's configuration:",
        "",
    ];
    for (const o of overlays) {
        const keys = [...o.overlay.secretKeys.values()].sort((a, b) => byCodePoint(a.configKey, b.configKey));
        if (keys.length === 0) continue;
        lines.push("```sh", ...keys.map((k) => secretCommand(k, String(o.environment.namespace), o.stack)), "```", "");
    }
    lines.push(
        "## Identity of the existing objects",
        "",
        `The stacks adopt the objects Kustomize made (\`adopt: true\`): each service keeps its workload's selector (\`selector\`) and,`,
        `where Kustomize prefixed or suffixed its name, that name (\`objectName\`); \`sharedNamespace: true\` leaves a namespace the`,
        `overlay did not create alone. These settings (${IDENTITY_SETTINGS.map((s) => `\`${s}\``).join(", ")}) need a platform version that has them.`,
        "",
    );
    for (const o of overlays) {
        lines.push(`## Stack \`${o.stack}\`: not imported, or imported differently`, "");
        const { labels, rest } = splitLabels(o.overlay.findings);
        if (o.withoutResources.length > 0) {
            lines.push(`- ${o.withoutResources.map((s) => `\`${s}\``).join(", ")}: no cpu or memory amounts; given the catalog's tier \`imported\` (review it)`);
        }
        for (const f of rest) lines.push(`- \`${f.object}\`${f.path ? ` \`${f.path}\`` : ""}: ${f.note}`);
        if (labels.size > 0) {
            lines.push("", "Labels and annotations not carried over (the platform sets its own labels; selectors are kept):", "");
            for (const [label, objects] of labels) lines.push(`- \`${label}\` on ${objects.length === 1 ? `\`${objects[0]}\`` : `${objects.length} objects`}`);
        }
        lines.push("");
    }
    return lines.join("\n");
}

/** Leftover labels and annotations, grouped by `path=value` with the objects carrying them. */
function splitLabels(findings: readonly Finding[]): { labels: Map<string, string[]>; rest: Finding[] } {
    const labels = new Map<string, string[]>();
    const rest: Finding[] = [];
    for (const f of findings) {
        const m = f.path && f.note === "not imported" ? /(?:^|\.)(labels|annotations)(\[.*|\.[^.[]*)$/.exec(f.path) : null;
        if (m && f.path!.includes("=")) {
            const label = `${m[1]}${m[2]}`;
            labels.set(label, [...(labels.get(label) ?? []), f.object]);
        } else {
            rest.push(f);
        }
    }
    return { labels, rest };
}
