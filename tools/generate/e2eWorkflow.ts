import { KIND_ACTION, KIND_VERSION, KUBECTL_VERSION, SETUP_GO, UPLOAD_ARTIFACT } from "./actions";
import { GENERATED, setupSteps } from "./steps";

/** The Go release the test image (e2e/app) is built with. */
export const GO_VERSION = "1.24.6";
/** The e2e stack's kind cluster (Pulumi.e2e.yaml's `kind-hft-e2e` context). */
const CLUSTER = "hft-e2e";

/**
 * e2e.yml: scripts/e2e.sh on a GitHub runner, which has Docker and network (docs/e2e.md). No
 * secret and no token: a fork's pull request runs it as it is, with read-only contents.
 */
export function e2eWorkflow(): string {
    return `${GENERATED}
# The program end to end on a kind cluster (docs/e2e.md): scripts/e2e.sh renders the e2e stack
# and judges it with the policy pack, creates the cluster with a local registry, ingress-nginx and
# cert-manager, then with the Pulumi CLI and a local backend (no Pulumi Cloud account, no secret:
# a fork's pull request runs it too) previews, updates, changes a setting, deploys a broken
# release that must fail and be rolled back by npm run rollback, and destroys, with kubectl checks
# after each. Its logs and the rendered objects are uploaded as the run's artifact.
name: e2e

on:
  pull_request:
    branches: [main]
  schedule:
    - cron: "17 4 * * *"
  workflow_dispatch:

permissions:
  contents: read

concurrency:
  group: e2e-\${{ github.ref }}
  cancel-in-progress: true

jobs:
  e2e:
    name: e2e (kind)
    runs-on: ubuntu-latest
    timeout-minutes: 45
    env:
      E2E_ARTIFACTS: \${{ github.workspace }}/e2e-artifacts
    steps:
${setupSteps({ fullClone: false, cli: true })}
      - uses: ${SETUP_GO}
        timeout-minutes: 5
        with:
          go-version: ${GO_VERSION}
          cache: false
      # kind and kubectl only; the script creates the cluster (as on a laptop), the post step deletes it.
      - uses: ${KIND_ACTION}
        timeout-minutes: 5
        with:
          version: ${KIND_VERSION}
          kubectl_version: ${KUBECTL_VERSION}
          install_only: true
          cluster_name: ${CLUSTER}
          ignore_failed_clean: true
      - name: End to end
        timeout-minutes: 35
        run: scripts/e2e.sh
      - name: Upload logs and rendered objects
        if: always()
        uses: ${UPLOAD_ARTIFACT}
        timeout-minutes: 5
        with:
          name: e2e-artifacts
          path: e2e-artifacts/
          if-no-files-found: warn
          retention-days: 14
`;
}
