/**
 * Credentials with a shape of their own, in one place for the two that look for them: the policy
 * pack, in a ConfigMap's values (secretShapes.ts), and the configuration check, anywhere in the
 * configuration and in every message it prints (config/credentials.ts). Prefixes and lengths no
 * name or setting has, so a match is a credential. No imports: the program reads this file too,
 * and the compiled pack stands alone.
 */

/** Each kind, and the pattern of one token of it, without anchors (each reader adds its own). */
export const TOKEN_SHAPES: readonly { readonly kind: string; readonly pattern: string }[] = [
    { kind: "an AWS access key ID", pattern: "(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}" },
    { kind: "a GitHub token", pattern: "(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,247})" },
    { kind: "a GitLab token", pattern: "glpat-[A-Za-z0-9_-]{20,}" },
    { kind: "a Slack token", pattern: "xox[abposr]-[A-Za-z0-9-]{10,}" },
    { kind: "a Slack webhook URL", pattern: "https://hooks\\.slack\\.com/services/[A-Za-z0-9_/]+" },
    { kind: "a Stripe secret key", pattern: "[sr]k_live_[A-Za-z0-9]{16,}" },
    { kind: "a Google API key", pattern: "AIza[A-Za-z0-9_-]{35}" },
    { kind: "an npm token", pattern: "npm_[A-Za-z0-9]{36}" },
    { kind: "a Pulumi access token", pattern: "pul-[a-f0-9]{40}" },
    { kind: "a JSON Web Token", pattern: "eyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*" },
];

/** How a private key block begins: PEM (`RSA`, `EC`, `OPENSSH`, `ENCRYPTED`, none) and PGP (`PGP PRIVATE KEY BLOCK`). */
export const PRIVATE_KEY_BEGIN = "-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY";
