import { Refusal } from "../cli";

/** Trivy's severities, highest first. */
export const SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** One result of a Trivy scan: a vulnerability in a package, or a misconfiguration or secret. */
export interface Finding {
    /** The vulnerability or rule: `CVE-2024-1234`, `DS002`. */
    readonly id: string;
    readonly severity: Severity;
    readonly pkg?: string;
    readonly installed?: string;
    /** Empty when no fixed version exists yet. */
    readonly fixed?: string;
}

/** What one Trivy SARIF file says. */
export interface TrivyReport {
    /** The image scanned, as Trivy was given it (`imageName`). */
    readonly image?: string;
    /** The digests the scanned reference resolved to (`repoDigests`). */
    readonly digests: readonly string[];
    readonly findings: readonly Finding[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const isSeverity = (s: unknown): s is Severity => (SEVERITIES as readonly unknown[]).includes(s);

/** `Key: value` from a Trivy result message (`Severity: HIGH`), or undefined. */
function field(text: string, key: string): string | undefined {
    const m = new RegExp(`^${key}: ?(.*)$`, "m").exec(text);
    return m ? m[1].trim() : undefined;
}

/**
 * Reads a SARIF log written by Trivy (`--format sarif`, as trivy-action writes it). Each
 * result's severity is Trivy's own, from its message (`Severity: HIGH`), else from its rule's
 * tags; never from `level` (CRITICAL and HIGH are both `error`) nor from `security-severity`
 * (a CVSS score, which may disagree with the severity Trivy reports). Refuses, naming `file`
 * and the place, anything that is not such a log, so a broken scan never passes as a clean one.
 */
export function readTrivySarif(text: string, file: string): TrivyReport {
    let log: unknown;
    try {
        log = JSON.parse(text);
    } catch (e) {
        throw new Refusal(`${file}: not a SARIF file: it is not JSON (${(e as Error).message})`);
    }
    if (!isRecord(log) || !Array.isArray(log.runs)) throw new Refusal(`${file}: not a SARIF file: expected an object with a 'runs' array`);
    if (log.runs.length === 0) throw new Refusal(`${file}: holds no run: did the scan finish?`);
    let image: string | undefined;
    const digests: string[] = [];
    const findings: Finding[] = [];
    log.runs.forEach((run: unknown, r) => {
        const at = `runs[${r}]`;
        const driver = isRecord(run) && isRecord(run.tool) && isRecord(run.tool.driver) ? run.tool.driver : undefined;
        if (!isRecord(run) || driver?.name !== "Trivy") {
            throw new Refusal(`${file}: ${at} is not from Trivy (tool.driver.name: ${JSON.stringify(driver?.name)}): this gate reads Trivy's severities`);
        }
        if (!Array.isArray(run.results)) throw new Refusal(`${file}: ${at} has no 'results' array: did the scan finish?`);
        const rules: unknown[] = Array.isArray(driver.rules) ? driver.rules : [];
        const props = isRecord(run.properties) ? run.properties : {};
        if (typeof props.imageName === "string") image ??= props.imageName;
        if (Array.isArray(props.repoDigests)) digests.push(...props.repoDigests.filter((d): d is string => typeof d === "string"));
        run.results.forEach((result: unknown, i) => {
            const where = `${at}.results[${i}]`;
            if (!isRecord(result) || typeof result.ruleId !== "string") throw new Refusal(`${file}: ${where}: expected a result with a 'ruleId'`);
            const message = isRecord(result.message) && typeof result.message.text === "string" ? result.message.text : "";
            const rule: unknown = typeof result.ruleIndex === "number" ? rules[result.ruleIndex] : rules.find((x) => isRecord(x) && x.id === result.ruleId);
            const tags: unknown[] = isRecord(rule) && isRecord(rule.properties) && Array.isArray(rule.properties.tags) ? rule.properties.tags : [];
            const severity = field(message, "Severity") ?? tags.find(isSeverity);
            if (!isSeverity(severity)) {
                throw new Refusal(`${file}: ${where} (${result.ruleId}) names no Trivy severity (${SEVERITIES.join(", ")}) in its message or its rule's tags`);
            }
            const pkg = field(message, "Package");
            const installed = field(message, "Installed Version");
            const fixed = field(message, "Fixed Version");
            findings.push({ id: result.ruleId, severity, ...(pkg ? { pkg } : {}), ...(installed ? { installed } : {}), ...(fixed !== undefined ? { fixed } : {}) });
        });
    });
    return { ...(image !== undefined ? { image } : {}), digests: [...new Set(digests)].sort(), findings };
}
