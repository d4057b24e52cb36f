/**
 * Credentials where the configuration is plain: how the program recognises one (never showing
 * it). A plain setting is written into a ConfigMap or a GitHub variable, printed in every diff and
 * readable by anyone who can read the namespace or the repository.
 */

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
 * The shapes in which providers issue credentials, each with its kind: prefixes and lengths that
 * no name or setting of a catalog has, so a match is a credential pasted in the wrong place. A
 * private key's block is matched to its end (or to the end of the text, when it was cut short).
 */
const TOKEN_SHAPES: readonly (readonly [string, RegExp])[] = [
    ["a private key", /-----BEGIN[A-Z ]*PRIVATE KEY-----(?:[\s\S]*?-----END[A-Z ]*PRIVATE KEY-----|[\s\S]*)/g],
    ["a GitHub token", /\b(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,247})\b/g],
    ["a GitLab token", /\bglpat-[A-Za-z0-9_-]{20,}/g],
    ["an AWS access key ID", /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g],
    ["a Slack token", /\bxox[abposr]-[A-Za-z0-9-]{10,}/g],
    ["a Slack webhook URL", /hooks\.slack\.com\/services\/[A-Za-z0-9_/]+/g],
    ["a Stripe key", /\b[rs]k_live_[A-Za-z0-9]{16,}/g],
    ["a Google API key", /\bAIza[0-9A-Za-z_-]{35}/g],
    ["an npm token", /\bnpm_[A-Za-z0-9]{36}\b/g],
    ["a Pulumi access token", /\bpul-[a-f0-9]{40}\b/g],
    ["a JSON Web Token", /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g],
];

/** Each credential-shaped part of a text, with its kind, in the order of the shapes. */
export function tokensIn(text: string): { readonly kind: string; readonly token: string }[] {
    return TOKEN_SHAPES.flatMap(([kind, re]) => [...text.matchAll(re)].map((m) => ({ kind, token: m[0] })));
}

/** The text with every credential-shaped part replaced by `<its kind, not shown>`. */
export function redactTokens(text: string): string {
    return TOKEN_SHAPES.reduce((t, [kind, re]) => t.replace(re, `<${kind}, not shown>`), text);
}
