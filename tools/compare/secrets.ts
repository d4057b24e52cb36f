/**
 * Secret values never reach the report: before a Secret is compared, each value of its `data`
 * (base64, decoded) and `stringData` becomes a `Redacted` holding only a digest, so two sides
 * compare by equality and the report prints "<redacted>".
 */
import { createHash } from "crypto";
import { Manifest } from "../harness/manifests";
import { REDACTED } from "../harness/stackFiles";
import { isMap } from "./walk";

export class Redacted {
    /** A digest of the value, or undefined when the side holds a placeholder (the offline render's secrets). */
    constructor(readonly digest: string | undefined) {}
    toJSON(): string {
        return REDACTED;
    }
}

/** Whether two redacted values are the same: equal digests; a placeholder on either side cannot be told apart, so it counts as the same. */
export function sameSecret(a: Redacted, b: Redacted): boolean {
    return a.digest === undefined || b.digest === undefined || a.digest === b.digest;
}

function redactValue(plain: string): Redacted {
    return new Redacted(plain === REDACTED ? undefined : createHash("sha256").update(plain).digest("hex"));
}

/**
 * A Secret with `data` and `stringData` merged into one `data` map of `Redacted` values (as the
 * API server merges them); any other object as it is.
 */
export function redactSecret(m: Manifest): Manifest {
    if (m.kind !== "Secret") return m;
    const data: Record<string, Redacted> = {};
    if (isMap(m.data)) {
        for (const [k, v] of Object.entries(m.data)) {
            const text = typeof v === "string" ? (v === REDACTED ? v : Buffer.from(v, "base64").toString("utf8")) : JSON.stringify(v);
            data[k] = redactValue(text);
        }
    }
    if (isMap(m.stringData)) {
        for (const [k, v] of Object.entries(m.stringData)) data[k] = redactValue(typeof v === "string" ? v : JSON.stringify(v));
    }
    const rest: Record<string, unknown> = { ...m };
    delete rest.stringData;
    return { ...rest, data } as unknown as Manifest;
}

/** Whether an object holds a placeholder secret value (a Secret's, or a variable read from one), so those values were not compared. */
export function hasPlaceholder(v: unknown): boolean {
    if (v instanceof Redacted) return v.digest === undefined;
    if (Array.isArray(v)) return v.some(hasPlaceholder);
    return isMap(v) && Object.values(v).some(hasPlaceholder);
}
