/** Values and walks shared by the secrets tests in-process (secrets.test.ts) and through the render CLI (e2e/render.test.ts). */
import { createHash } from "node:crypto";
import { isSecretEnvelope } from "../tools/harness/evaluate";

/** A plain value of the catalog that must show up wherever the walks look. */
export const PLAIN = "wss://feed.example-exchange.com/v2";
export const SECRETS: Record<string, string[]> = {
    execution: ["BROKER_API_KEY"],
    ingestion: ["MARKET_DATA_API_KEY"],
    orchestrator: ["SESSION_SIGNING_KEY"],
    "position-reconciler": ["BROKER_API_KEY"],
};

/** Every string reachable from `v`, with its path; secret envelopes are skipped unless `intoSecrets`. */
export function strings(v: unknown, at: string, intoSecrets = false, out: Array<[string, string]> = []): Array<[string, string]> {
    if (isSecretEnvelope(v)) {
        if (intoSecrets) strings(v.value, `${at}<secret>`, intoSecrets, out);
    } else if (typeof v === "string") {
        out.push([at, v]);
    } else if (Array.isArray(v)) {
        v.forEach((x, i) => strings(x, `${at}[${i}]`, intoSecrets, out));
    } else if (v && typeof v === "object") {
        for (const [k, x] of Object.entries(v)) {
            out.push([`${at}.${k}<key>`, k]);
            strings(x, `${at}.${k}`, intoSecrets, out);
        }
    }
    return out;
}

/** The value the harness's mock gives a RandomPassword of that name. */
export const mockedPassword = (name: string) => `generated-${createHash("sha256").update(JSON.stringify(name)).digest("hex").slice(0, 24)}`;

/** Paths in a parsed manifest where `needle` occurs; a Secret's stringData values are skipped when `skipSecretData`. */
export function manifestHits(doc: any, needle: string, skipSecretData: boolean): string[] {
    const body = skipSecretData && doc.kind === "Secret" ? { ...doc, stringData: Object.keys(doc.stringData ?? {}) } : doc;
    return strings(body, `${doc.kind}/${doc.metadata.name}`).filter(([, s]) => s.includes(needle)).map(([at]) => at);
}
