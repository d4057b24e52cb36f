import * as fs from "fs";
import YAML from "yaml";

/** Top-level stack-file keys that hold the stack's secrets-provider state. */
const PROVIDER_KEYS = ["secretsprovider", "encryptedkey", "encryptionsalt"];

/**
 * Makes the worktree's stack file use today's secret values: every `secure:` value of the
 * current stack file replaces the old commit's value of the same key, together with the
 * secrets-provider settings that encrypt them. A rollback restores the program and its
 * settings, not credentials rotated since (an old kubeconfig or token may be revoked).
 * Returns the keys taken from the current file. Both files must exist (the rollback refuses
 * before this otherwise): a missing one is an error, never a silent "nothing to overlay".
 */
export function overlayCurrentSecrets(currentFile: string, oldFile: string): string[] {
    const current = (YAML.parse(fs.readFileSync(currentFile, "utf8")) ?? {}) as Record<string, unknown>;
    const doc = YAML.parseDocument(fs.readFileSync(oldFile, "utf8"));
    const currentConfig = (current.config ?? {}) as Record<string, unknown>;
    const taken: string[] = [];
    for (const [key, value] of Object.entries(currentConfig)) {
        if (typeof value === "object" && value !== null && "secure" in value) {
            doc.setIn(["config", key], doc.createNode(value));
            taken.push(key);
        }
    }
    if (taken.length === 0) {
        return [];
    }
    for (const key of PROVIDER_KEYS) {
        if (current[key] !== undefined) doc.set(key, current[key]);
    }
    fs.writeFileSync(oldFile, doc.toString());
    return taken.sort();
}
