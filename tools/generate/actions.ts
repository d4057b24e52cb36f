/**
 * Every action the generated workflows use, pinned by the full commit SHA its release tag named
 * when it was looked up (`git rev-list -n1 <tag>` in a clone of the action's repository), the
 * tag kept as a comment. A tag can be moved; a commit cannot. docs/ci-images.md says how the
 * scanning pins were checked.
 */

export const CHECKOUT = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2";
export const SETUP_NODE = "actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020 # v4.4.0";
/**
 * v7.0.0 (Node 24). Its inputs, read from that commit's action.yml and src/config.ts: `command`
 * (up, preview, ...), `stack-name`, `refresh`, `diff`, `policyPacks`, `policyPackConfigs`,
 * `comment-on-pr`, `edit-pr-comment`, `comment-on-summary`, `github-token`, `pulumi-version`.
 * It runs the command through the Automation API (`up` is `pulumi up --yes --skip-preview`).
 */
export const PULUMI_ACTION = "pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d # v7.0.0";

/**
 * Exchanges GitHub's OIDC token for a short-lived Pulumi Cloud token: inputs `organization`,
 * `requested-token-type`, `scope`, `token-expiration`, `export-environment-variables`; output
 * `pulumi-access-token`. v2.1.0 exports PULUMI_ACCESS_TOKEN to every later step of the job
 * whatever `export-environment-variables` says (src/main.ts reads the input as
 * `getBooleanInput(...) || true`), so the workflows blank it right after (steps.ts).
 */
export const PULUMI_AUTH_ACTION = "pulumi/auth-actions@141415910c3beb54e03b48e9057c204c97b956f2 # v2.1.0";

/**
 * On 2026-03-19 75 of 76 trivy-action tags were moved to credential-stealing code
 * (GHSA-69fq-xp46-6x23); Aqua's advisory names v0.35.0, this commit, as never compromised.
 * It installs Trivy through aquasecurity/setup-trivy pinned by commit
 * (e6c2c5e321ed9123bda567646e2f96565e34abe1), which a moved setup-trivy tag cannot change.
 */
export const TRIVY_ACTION = "aquasecurity/trivy-action@57a97c7e7821a5776cebc9bb87c984fa69cba8f1 # v0.35.0";

/**
 * The Trivy release the action installs, pinned rather than left to the action's default. The
 * compromised release is v0.69.4 (and the v0.69.5 and v0.69.6 images on Docker Hub); v0.69.3
 * (tagged 2026-03-03, before the attack) is the last release the advisory calls clean, and the
 * default trivy-action v0.35.0 itself was released and tested with.
 */
export const TRIVY_VERSION = "v0.69.3";

export const UPLOAD_SARIF = "github/codeql-action/upload-sarif@8aad20d150bbac5944a9f9d289da16a4b0d87c1e # v4.36.2";
export const ATTEST_BUILD_PROVENANCE = "actions/attest-build-provenance@a2bbfa25375fe432b6a289bc6b6cd05ecd0c4c32 # v4.1.0";

/**
 * Installs kind and kubectl (`install_only`: scripts/e2e.sh creates the cluster, as on a laptop);
 * its post step deletes the cluster named `cluster_name`. v1.14.0's defaults are kind v0.31.0 and
 * kubectl v1.35.0; the e2e workflow pins both (KIND_VERSION, KUBECTL_VERSION).
 */
export const KIND_ACTION = "helm/kind-action@ef37e7f390d99f746eb8b610417061a60e82a6cc # v1.14.0";
/** kind v0.24.0 or later: its default network plugin enforces NetworkPolicies. */
export const KIND_VERSION = "v0.31.0";
export const KUBECTL_VERSION = "v1.35.0";
export const SETUP_GO = "actions/setup-go@b7ad1dad31e06c5925ef5d2fc7ad053ef454303e # v7.0.0";
export const UPLOAD_ARTIFACT = "actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f # v7.0.0";
