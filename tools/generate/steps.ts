import { CHECKOUT, PULUMI_ACTION, PULUMI_AUTH_ACTION, SETUP_NODE } from "./actions";
import { TokenRequest } from "./ciStacks";

/** Pieces of workflow text every generated workflow shares. */

export const GENERATED = "# Written by `npm run generate` from the stack files (environment.ci); edit its templates in tools/generate/ (workflows.ts).";
export const PULUMI_VERSION = "3.248.0";
/** The policy pack every preview and update runs with, compiled to JavaScript (docs/policies.md). */
export const POLICY_PACK = "policy-pack";

const YAML_WORDS = /^(true|false|yes|no|on|off|y|n|null)$/i;

/** A stack name as a YAML scalar: plain when YAML reads it back as the same string. */
export function scalar(s: string): string {
    return /^[A-Za-z][A-Za-z0-9._/-]*$/.test(s) && !YAML_WORDS.test(s) ? s : JSON.stringify(s);
}

/** A stack's deploy job id: its name where GitHub allows it as one. */
export function jobId(stack: string): string {
    const id = stack.replace(/[^A-Za-z0-9_-]/g, "-").replace(/^(?=[^A-Za-z_])/, "_");
    return id === "test" ? "deploy-test" : id;
}

/** A shallow checkout that leaves no token in the clone. */
export const CHECKOUT_STEP = `      - uses: ${CHECKOUT}
        with:
          persist-credentials: false`;

/** Node and the project's dependencies (the repository's tools run on them). */
export const NODE_STEPS = `      - uses: ${SETUP_NODE}
        with:
          node-version: 20
          cache: npm
      - run: npm ci --no-audit --no-fund`;

/** Step timeouts (minutes) of the steps every job holding a Pulumi token starts with. */
export const SETUP_MINUTES = { checkout: 5, node: 5, install: 10, cli: 5, token: 2, blank: 1 } as const;

/**
 * The first steps of a job that will hold a Pulumi token, each with its own timeout: the
 * checkout (`fetchDepth` 0: a rollback needs older commits), Node, `npm ci`, and the CLI. They
 * run before any credential exists, so no dependency's install script sees one.
 */
export function setupSteps(opts: { readonly fullClone: boolean; readonly fetchComment?: string; readonly cli: boolean }): string {
    const depth = opts.fullClone ? `\n          fetch-depth: 0${opts.fetchComment ? ` # ${opts.fetchComment}` : ""}` : "";
    const cli = opts.cli
        ? `
      - name: Install the Pulumi CLI
        uses: ${PULUMI_ACTION}
        timeout-minutes: ${SETUP_MINUTES.cli}
        with:
          pulumi-version: ${PULUMI_VERSION}`
        : "";
    return `      - uses: ${CHECKOUT}
        timeout-minutes: ${SETUP_MINUTES.checkout}
        with:${depth}
          persist-credentials: false
      - uses: ${SETUP_NODE}
        timeout-minutes: ${SETUP_MINUTES.node}
        with:
          node-version: 20
          cache: npm
      # Before any credential exists: no install script of a dependency sees a token.
      - run: npm ci --no-audit --no-fund
        timeout-minutes: ${SETUP_MINUTES.install}${cli}`;
}

/** The auth step's inputs, as literal text or expressions (`${{ matrix.organization }}`). */
export interface TokenInputs {
    readonly organization: string;
    readonly type: string;
    /** Empty for an organization token. */
    readonly scope: string;
}

export const tokenInputs = (organization: string, t: TokenRequest): TokenInputs => ({ organization, type: t.type, scope: t.scope ?? "" });

/** The expression of the short-lived token, for the `env:` of each step that runs Pulumi. */
export const TOKEN = "${{ steps.pulumi-token.outputs.pulumi-access-token }}";
export const TOKEN_ENV = `          PULUMI_ACCESS_TOKEN: ${TOKEN}`;

/**
 * GitHub's OIDC token (the job's `id-token: write`) exchanged for a Pulumi Cloud token that
 * expires with the job, then kept out of every step that does not name it in its `env:`.
 */
export function tokenSteps(t: TokenInputs, expiresInSeconds: number, what: string): string {
    return `      # ${what}.
      # GitHub's OIDC token (id-token: write), exchanged for a short-lived Pulumi Cloud token
      # that Pulumi Cloud issues only if its OIDC policy allows it (docs/delivery.md).
      - name: Pulumi Cloud token (OIDC)
        id: pulumi-token
        uses: ${PULUMI_AUTH_ACTION}
        timeout-minutes: ${SETUP_MINUTES.token}
        with:
          organization: ${t.organization}
          requested-token-type: ${t.type}
${t.scope ? `          scope: ${t.scope}\n` : ""}          token-expiration: ${expiresInSeconds}
          export-environment-variables: false
      # auth-actions v2.1.0 exports the token to every later step whatever the input above says:
      # blanked here, it reaches only the steps that name it in their env.
      - name: Keep the token out of the other steps
        timeout-minutes: ${SETUP_MINUTES.blank}
        run: echo "PULUMI_ACCESS_TOKEN=" >> "$GITHUB_ENV"`;
}

/** The policy pack and, when the stack has one, its config, as pulumi/actions takes them. */
export function policyInputs(config: string | undefined): string {
    return `          policyPacks: ${POLICY_PACK}${config !== undefined ? `\n          policyPackConfigs: ${config}` : ""}`;
}

/** The same, as `npm run release` takes them (the config's path is a plain word: config/formats.ts `relativePath`). */
export function policyArguments(config: string | undefined): string {
    return `--policy-pack ${POLICY_PACK}${config !== undefined ? ` --policy-pack-config ${config}` : ""}`;
}
