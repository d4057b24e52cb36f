import { describe, listSetting, record, ResourceRule } from "./common";

const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";

// Words that name a secret, matched against a key's words (`DB_PASSWORD`, `apiKey`, `auth-token`).
const SECRET_WORDS = new Set([
    "PASSWORD",
    "PASSWORDS",
    "PASSWD",
    "PASSPHRASE",
    "PASS",
    "PWD",
    "SECRET",
    "SECRETS",
    "TOKEN",
    "TOKENS",
    "KEY",
    "KEYS",
    "APIKEY",
    "ACCESSKEY",
    "SECRETKEY",
    "PRIVATEKEY",
    "PRIVATE",
    "CREDENTIAL",
    "CREDENTIALS",
    "CREDS",
    "AUTHTOKEN",
    "ACCESSTOKEN",
    "CLIENTSECRET",
]);

/** The upper-cased words of a key: `DB_PASSWORD` -> DB, PASSWORD; `apiKey` -> API, KEY. */
export function keyWords(key: string): string[] {
    return key
        .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
        .split(/[^A-Za-z0-9]+/)
        .filter((w) => w !== "")
        .map((w) => w.toUpperCase());
}

/** Why a ConfigMap entry looks like a secret, or undefined. */
export function secretLooking(key: string, value: unknown): string | undefined {
    const word = keyWords(key).find((w) => SECRET_WORDS.has(w) || w.includes("PASSWORD") || w.includes("SECRET"));
    if (word) {
        return `its key names a secret ('${word}')`;
    }
    if (typeof value === "string" && /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(value)) {
        return "its value is a private key";
    }
    if (typeof value === "string" && /^[a-z][a-z0-9+.-]*:\/\/[^/@\s:]*:[^/@\s]+@/i.test(value)) {
        return "its value is a URL with a password in it";
    }
    return undefined;
}

export const configMapSecretsRule: ResourceRule = {
    kind: "resource",
    name: "no-secrets-in-configmaps",
    description:
        "No ConfigMap entry looks like a secret: no key with PASSWORD, TOKEN, SECRET, KEY, CREDENTIALS... and no private key or password-bearing URL as a value.",
    enforcementLevel: "mandatory",
    config: {
        allowKeys: {
            type: "array",
            items: { type: "string" },
            description: "ConfigMap keys that look like secrets but are not (such as 'PUBLIC_KEY_URL').",
            default: [],
        },
    },
    check(r, config) {
        if (r.type !== CONFIG_MAP) return [];
        const allowed = listSetting(this, config, "allowKeys");
        const entries = [...Object.entries(record(r.props.data)), ...Object.keys(record(r.props.binaryData)).map((k) => [k, undefined] as const)];
        return entries.flatMap(([key, value]) => {
            const why = allowed.includes(key) ? undefined : secretLooking(key, value);
            return why === undefined
                ? []
                : [
                      `${describe(r)} entry '${key}' looks like a secret: ${why}. Fix: move it to the service's 'secrets' ({fromConfig: <key>} set with 'pulumi config set --secret', or {generate: {length: 32}}), which become a Kubernetes Secret; if it is not secret, list '${key}' in this policy's 'allowKeys'.`,
                  ];
        });
    },
};
