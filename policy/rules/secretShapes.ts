/**
 * What makes a setting look like a secret: a key whose words name one, or a value shaped like a
 * credential (a private key, a cloud or code-host token, a JSON Web Token, a URL with a password,
 * a line of a configuration file that sets a password). Each function says why, never the value.
 * Every pattern is matched on one token or anchored at a fixed prefix, so a megabyte of hostile
 * text is judged in linear time.
 */

import { PRIVATE_KEY_BEGIN, TOKEN_SHAPES } from "./tokenShapes";

// Words that name a secret, matched against a key's words (`DB_PASSWORD`, `apiKey`, `auth-token`).
const SECRET_WORDS = new Set([
    "PWD",
    "KEY",
    "KEYS",
    "PRIVATE",
    "CREDS",
    "JWT",
    "BEARER",
    "KUBECONFIG",
    "DOCKERCFG",
    "DOCKERCONFIGJSON",
    "NETRC",
    "NPMRC",
]);
/** Parts of a word that name a secret wherever they stand in it (`PGPASSWORD`, `htpasswd`, `dbSecrets`). */
const SECRET_STEMS = ["PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "CREDENTIAL"];
/** Endings of a word that name a secret (`GITHUBTOKEN`, `DBPASS`, `privkey`, `signingkey`). */
const SECRET_ENDINGS = ["TOKEN", "TOKENS", "PASS", "APIKEY", "ACCESSKEY", "SECRETKEY", "PRIVATEKEY", "PRIVKEY", "SIGNINGKEY", "ENCRYPTIONKEY", "MASTERKEY"];
/** Words that end like a secret and are not one. */
const NOT_SECRET = new Set(["BYPASS", "COMPASS", "ENCOMPASS", "OVERPASS", "UNDERPASS", "SURPASS", "TRESPASS"]);

/** The upper-cased words of a key: `DB_PASSWORD` -> DB, PASSWORD; `apiKey` -> API, KEY. */
export function keyWords(key: string): string[] {
    return key
        .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
        .split(/[^A-Za-z0-9]+/)
        .filter((w) => w !== "")
        .map((w) => w.toUpperCase());
}

/** The word of a key that names a secret, or undefined. */
export function secretWord(key: string): string | undefined {
    return keyWords(key).find(
        (w) => !NOT_SECRET.has(w) && (SECRET_WORDS.has(w) || SECRET_STEMS.some((s) => w.includes(s)) || SECRET_ENDINGS.some((e) => w.endsWith(e))),
    );
}

/** Credentials with a shape of their own (tokenShapes.ts), each matched as one whole token of a value. */
const SHAPES: readonly (readonly [RegExp, string])[] = TOKEN_SHAPES.map(({ kind, pattern }) => [new RegExp(`^(?:${pattern})$`), `holds ${kind}`]);

/** A value that stands for another one (`${DB_PASSWORD}`, `{{ .Values.x }}`, `$(SECRET)`, `<password>`), or none at all, or a file's path. */
const PLACEHOLDER = /^(?:\$\{.*|\$\(.*|\$[A-Za-z_][A-Za-z0-9_]*|\{\{.*|%\(.*|<.*>|\/.*|\*+|null|nil|none|~|)$/i;

/** A URL with a password in its user info: `postgres://app:<password>@db/app`. */
const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]{0,30}:\/\/[^/@:?#]*:([^/@?#]+)@/i;

/** `key: value` or `key=value` in a value, as a YAML, JSON, properties or .env file, or a query string, writes it; the key and the value it sets. */
const ASSIGNMENT = /(?:^|[\s{,;?&(])["']?([A-Za-z][A-Za-z0-9_.-]{0,100})["']?[ \t]*[:=][ \t]*("[^"\n]*"|'[^'\n]*'|[^\s,;&?}]*)/g;
/** How a key that sets a password ends, its words joined: `spring.datasource.password`, `auth_token`, `aws_secret_access_key`. */
const SETS_SECRET = /(?:PASSWORD|PASSWD|PWD|PASSPHRASE|SECRET|TOKEN|APIKEY|SECRETKEY|PRIVATEKEY|SECRETACCESSKEY)$/;

/** Why a value looks like a credential, or undefined. */
export function credentialShape(value: string): string | undefined {
    if (new RegExp(PRIVATE_KEY_BEGIN).test(value)) return "its value is a private key";
    for (const token of value.split(/[\s"'`,;=()<>[\]{}|\\]+/)) {
        const shape = SHAPES.find(([re]) => re.test(token));
        if (shape) return `its value ${shape[1]}`;
        const url = URL_WITH_PASSWORD.exec(token);
        if (url && !PLACEHOLDER.test(url[1])) return "its value is a URL with a password in it";
    }
    for (const m of value.matchAll(ASSIGNMENT)) {
        const set = m[2].replace(/^(["'])(.*)\1$/, "$2").trim();
        if (SETS_SECRET.test(keyWords(m[1]).join("")) && !PLACEHOLDER.test(set)) {
            const line = value.slice(0, m.index).split("\n").length + (/^\n/.test(m[0]) ? 1 : 0);
            return `its value sets '${m[1]}' (line ${line})`;
        }
    }
    return undefined;
}
