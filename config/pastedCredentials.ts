import { keyPath, Segments } from "./check";
import { tokensIn } from "./credentials";
import { Problems } from "./errors";
import { isRecord } from "./suggest";
import type { RawConfig } from "./platform";

/**
 * Credentials pasted into the configuration: a token as a service's name, an environment
 * variable's name or a config key, or as any plain value (an `env` value, a GitHub variable, a
 * build argument, an image repository). The configuration is in files anyone with the repository
 * reads, so each is refused where it is written, once, and never shown: every later problem at
 * that place is the same mistake again and is left out (config/errors.ts). Runs before the
 * other checks, so theirs do not come first.
 *
 * The values of secret config keys are not read: they are where credentials belong.
 */
export function pastedCredentials(raw: RawConfig, problems: Problems): void {
    const report = (path: string, text: string, where: "a name" | "a value") => {
        const found = tokensIn(text);
        if (found.length === 0) return false;
        problems.pastedCredential(
            path,
            found.map((t) => t.token),
            `${found[0].kind} (by its shape) where ${where} is expected, not shown here; it has been written into the configuration, so revoke it and keep the new one as a secret: 'pulumi config set --secret <key> <value> --stack ${raw.stack}'`,
        );
        return true;
    };
    const walk = (value: unknown, base: string, at: Segments): void => {
        if (typeof value === "string") {
            report(keyPath(base, at), value, "a value");
        } else if (Array.isArray(value)) {
            value.forEach((item, i) => walk(item, base, [...at, i]));
        } else if (isRecord(value)) {
            for (const [k, v] of Object.entries(value)) {
                if (!report(keyPath(base, [...at, k]), k, "a name")) walk(v, base, [...at, k]);
            }
        }
    };
    const project = (k: string) => `${raw.project}:${k}`;
    for (const k of Object.keys(raw.values).sort()) report(project(k), k, "a name");
    if (raw.catalogFile) walk(raw.catalogFile.value, raw.catalogFile.label, []);
    for (const section of ["catalog", "environment", "github"] as const) walk(raw.values[section], project(section), []);
}
