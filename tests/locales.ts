/**
 * Output must not depend on the machine's locale: `localeCompare` follows LANG (Estonian sorts
 * "ZONE" before "TZ", Lithuanian "YEAR" before "J_X"), so a laptop and CI would compute different
 * `checksum/config` annotations. Names and keys are ordered by code point instead (order.test.ts,
 * e2e/locale.test.ts; eslint.config.mjs forbids localeCompare outside the tests).
 */
import { createHash } from "crypto";

export const KEYS = { ZONE: "eu-1", TZ: "UTC", YEAR: "2024", J_X: "on" };
const CODE_POINT_ORDER = [
    ["J_X", "on"],
    ["TZ", "UTC"],
    ["YEAR", "2024"],
    ["ZONE", "eu-1"],
];
/** What digest() gives KEYS: their entries hashed in code-point order. */
export const expectedDigest = createHash("sha256").update(JSON.stringify(CODE_POINT_ORDER)).digest("hex").slice(0, 16);
