import { describe, listSetting, ofKind, record, ResourceRule } from "./common";
import { credentialShape, secretWord } from "./secretShapes";

// Every version, and the Patch, which sets the entries it names.
const CONFIG_MAP = ["core:ConfigMap"];

/** Why a ConfigMap entry looks like a secret, or undefined; binaryData values are judged decoded. */
export function secretLooking(key: string, value: unknown): string | undefined {
    const word = secretWord(key);
    if (word) return `its key names a secret ('${word}')`;
    return typeof value === "string" ? credentialShape(value) : undefined;
}

export const configMapSecretsRule: ResourceRule = {
    kind: "resource",
    name: "no-secrets-in-configmaps",
    description:
        "No ConfigMap (or ConfigMapPatch) entry looks like a secret: no key with PASSWORD, PASSWD, PASS, TOKEN, SECRET, KEY, CREDENTIALS, JWT, KUBECONFIG... and no value holding a private key, a cloud or code-host token, a JSON Web Token, a URL with a password or a line setting a password; binaryData is read decoded.",
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
        if (!ofKind(r.type, CONFIG_MAP)) return [];
        const allowed = listSetting(this, config, "allowKeys");
        const decoded = Object.entries(record(r.props.binaryData)).map(([k, v]) => [k, typeof v === "string" ? Buffer.from(v, "base64").toString("latin1") : undefined] as const);
        const entries = [...Object.entries(record(r.props.data)), ...decoded];
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
