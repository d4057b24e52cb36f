import { Finding } from "../harness/policy";

/**
 * The policy pack's findings as the render prints them: a count, then one line per finding,
 * mandatory ones first, each with its level and policy; the message names the resource and the fix.
 */
export function formatFindings(findings: readonly Finding[], rules: number): string {
    if (findings.length === 0) return `policy: no findings (${rules} rules)\n`;
    const mandatory = findings.filter((f) => f.level === "mandatory");
    const others = findings.filter((f) => f.level !== "mandatory");
    const counts = [`${mandatory.length} mandatory`, `${others.length} advisory`].join(", ");
    const lines = [...mandatory, ...others].map((f) => `  ${f.level} ${f.policy}: ${f.message}`);
    return `policy: ${findings.length} finding${findings.length === 1 ? "" : "s"} (${counts}):\n${lines.join("\n")}\n`;
}

/** Whether any finding blocks: a mandatory one fails `pulumi preview`, and makes the render exit 4. */
export function blocks(findings: readonly Finding[]): boolean {
    return findings.some((f) => f.level === "mandatory");
}
