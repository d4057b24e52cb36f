import { createHash } from "crypto";

/** A short, stable digest of plain settings (never of secrets), independent of key order. */
export function digest(data: Readonly<Record<string, string>>): string {
    const canonical = JSON.stringify(Object.entries(data).sort(([a], [b]) => a.localeCompare(b)));
    return createHash("sha256").update(canonical).digest("hex").slice(0, 16);
}
