import { createHash } from "crypto";
import { byCodePoint } from "../config/order";

/** A short, stable digest of plain settings (never of secrets), independent of key order. */
export function digest(data: Readonly<Record<string, string>>): string {
    const canonical = JSON.stringify(Object.entries(data).sort(([a], [b]) => byCodePoint(a, b)));
    return createHash("sha256").update(canonical).digest("hex").slice(0, 16);
}
