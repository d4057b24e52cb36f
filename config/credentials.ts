/**
 * Credentials where the configuration is plain: how the program recognises one (never showing
 * it). A plain setting is written into a ConfigMap or a GitHub variable, printed in every diff and
 * readable by anyone who can read the namespace or the repository.
 */
import { PRIVATE_KEY_BEGIN, TOKEN_SHAPES } from "../policy/rules/tokenShapes";

/**
 * Whether a plain setting carries a credential, and which kind (never the value itself): a
 * password in a URL's user info (`mongodb://app:pw@host/db`), or a credential parameter with a
 * value (`...?password=...`, `api_key=...`). Such a value would be written into a ConfigMap.
 */
export function credentialIn(value: string): string | undefined {
    if (/^[a-z][a-z0-9+.-]*:\/\/[^/\s@:?#]*:[^/\s@?#]+@/i.test(value)) return "a password in the URL";
    const param = /(?:^|[?&;\s])(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|client[_-]?secret)=([^&;\s]+)/i.exec(value);
    return param ? `${param[1]}= in the value` : undefined;
}

/** A variable's name that says it holds a credential: `NPM_TOKEN`, `DB_PASSWORD`, `GH_API_KEY`, `CLIENT_SECRET`. */
export const CREDENTIAL_NAME = /(^|_)(TOKEN|PASSWORD|PASSWD|SECRET|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)$/i;

/**
 * The shapes in which providers issue credentials, each with its kind (the policy pack's list,
 * policy/rules/tokenShapes.ts), found anywhere in a text. A private key's block is matched to its
 * end (or to the end of the text, when it was cut short).
 */
const SHAPES: readonly (readonly [string, RegExp])[] = [
    ["a private key", new RegExp(`${PRIVATE_KEY_BEGIN}[\\s\\S]*?(?:-----END[A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----|$)`, "g")],
    ...TOKEN_SHAPES.map(({ kind, pattern }) => [kind, new RegExp(`(?<![A-Za-z0-9_])(?:${pattern})(?![A-Za-z0-9_])`, "g")] as const),
];

/**
 * Any of the shapes, in one pattern: every string of the configuration is asked (and every
 * message), and almost none holds a credential, so one test spares the shapes one by one.
 */
const ANY_SHAPE = new RegExp(SHAPES.map(([, re]) => re.source).join("|"));

/** Each credential-shaped part of a text, with its kind, in the order of the shapes. */
export function tokensIn(text: string): { readonly kind: string; readonly token: string }[] {
    if (!ANY_SHAPE.test(text)) return [];
    return SHAPES.flatMap(([kind, re]) => [...text.matchAll(re)].map((m) => ({ kind, token: m[0] })));
}

/** The text with every credential-shaped part replaced by `<its kind, not shown>`. */
export function redactTokens(text: string): string {
    if (!ANY_SHAPE.test(text)) return text;
    return SHAPES.reduce((t, [kind, re]) => t.replace(re, `<${kind}, not shown>`), text);
}
