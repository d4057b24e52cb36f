import { ATTEST_BUILD_PROVENANCE, TRIVY_ACTION, TRIVY_VERSION, UPLOAD_SARIF } from "./actions";
import { CiStack } from "./ciStacks";
import { CHECKOUT_STEP, jobId, NODE_STEPS, scalar, TOKEN_ENV } from "./steps";
import { SHORT_MINUTES } from "./timeouts";

/**
 * The deploy workflow's image jobs for one stack (docs/ci-images.md): before its deploy, the
 * scan of the prebuilt images its configuration names; in its deploy, after `pulumi up`, the
 * provenance attestation of each image it built; after its deploy, the scan of those images.
 * A scan job holds no secret and no id-token: it reads packages and writes code scanning only.
 */

/** Job ids, from the stack's deploy job id. */
export const imagesJobId = (s: CiStack) => `images-${jobId(s.stack)}`;
export const scanJobId = (s: CiStack) => `scan-${jobId(s.stack)}`;
export const builtScanJobId = (s: CiStack) => `scan-built-${jobId(s.stack)}`;

/** The stack runs prebuilt images, so CI scans them before its deploy. */
export const scansBeforeDeploy = (s: CiStack) => (s.images?.prebuiltHosts.length ?? 0) > 0;
/** The stack builds images, so its deploy attests them. */
export const attests = (s: CiStack) => (s.images?.built.length ?? 0) > 0;
/**
 * The stack's builds push to ghcr.io, which a job's own token can read: CI scans them after the
 * deploy. Another registry would need its credentials, which a scan job never holds.
 */
export const scansAfterDeploy = (s: CiStack) => attests(s) && s.images?.registry?.server === "ghcr.io";

/** Permissions of a scan job: the job's token may pull from ghcr.io only when it must. */
function scanPermissions(ghcr: boolean): string {
    return `    permissions:
      contents: read
${ghcr ? "      packages: read\n" : ""}      security-events: write`;
}

/** Trivy on `${{ matrix.image }}`, its SARIF uploaded, then the stack's gate; the image arrives through the matrix. */
function scanSteps(s: CiStack, ghcr: boolean, category: string): string {
    return `${CHECKOUT_STEP}
${NODE_STEPS}
      - name: Scan with Trivy ${TRIVY_VERSION}
        uses: ${TRIVY_ACTION}
        with:
          image-ref: \${{ matrix.image }}
          format: sarif
          output: trivy.sarif
          version: ${TRIVY_VERSION}
${ghcr ? "        # Trivy pulls from ghcr.io with GITHUB_TOKEN (go-containerregistry's GitHub keychain), from no other host.\n        env:\n          GITHUB_TOKEN: ${{ github.token }}\n" : ""}      - name: Upload the findings to code scanning
        uses: ${UPLOAD_SARIF}
        with:
          sarif_file: trivy.sarif
          category: ${category}
      - name: Gate on ${s.scanFailOn === "none" ? "nothing (failOn is none)" : `${s.scanFailOn} and above`}
        run: npm run --silent scan-gate -- --sarif trivy.sarif --fail-on "$FAIL_ON"`;
}

/** Before the deploy: list the prebuilt images (one job), then scan each (a matrix); `when`: the listing's condition, if any. */
export function scanJobs(s: CiStack, when?: string): string {
    const ghcr = s.images!.prebuiltHosts.includes("ghcr.io");
    return `  ${imagesJobId(s)}:
    name: images (${s.stack})
${when ? `    if: ${when}\n` : ""}    runs-on: ubuntu-latest
    timeout-minutes: 10
    outputs:
      images: \${{ steps.list.outputs.images }}
    env:
      STACK: ${scalar(s.stack)}
    steps:
${CHECKOUT_STEP}
${NODE_STEPS}
      # The stack's prebuilt images, each once, as its configuration names them; a tag resolves
      # as in the deploy (the stack file's, else this push's). Built images come after the deploy.
      - name: List the images the deploy runs
        id: list
        run: npm run --silent images -- --stack "$STACK" --format github >> "$GITHUB_OUTPUT"

  ${scanJobId(s)}:
    name: scan (${s.stack}, \${{ matrix.image }})
    needs: ${imagesJobId(s)}
    runs-on: ubuntu-latest
    timeout-minutes: 20
    # No secret and no id-token here: the scanner is third-party code (GHSA-69fq-xp46-6x23).
    # A tag is resolved when Trivy pulls it; 'pulumi up' resolves it again when the deploy runs
    # (after any approval wait): if the tag moves in between, the deployed image is not the one
    # scanned. A digest the stack file pins is exact.
${scanPermissions(ghcr)}
    strategy:
      fail-fast: false
      matrix:
        image: \${{ fromJSON(needs.${imagesJobId(s)}.outputs.images) }}
    env:
      FAIL_ON: ${s.scanFailOn}
    steps:
${scanSteps(s, ghcr, `trivy-${s.stack}-\${{ matrix.image }}`)}`;
}

/**
 * What a deploy job that attests adds to its permissions (its `id-token: write` also signs: the
 * attestation's short-lived Sigstore certificate is issued for this workflow's OIDC token).
 */
export const ATTESTING_PERMISSION = "      attestations: write\n";

/** The outputs of a deploy job that attests: the images it built, for the scan after it. */
export const ATTESTING_OUTPUTS = `    outputs:
      built: \${{ steps.built.outputs.images }}
`;

/** Timeouts of the steps attestSteps writes. */
export const attestMinutes = (s: CiStack) => (attests(s) ? SHORT_MINUTES * (2 + s.images!.built.length) : 0);

/** After `pulumi up`: the built images' digests from the stack outputs, and one attestation per image. */
export function attestSteps(s: CiStack): string {
    const reg = s.images!.registry!;
    const steps = s.images!.built.map(
        (svc) => `      - name: Attest the provenance of ${svc}'s image
        if: steps.built.outputs.${svc}-digest != ''
        uses: ${ATTEST_BUILD_PROVENANCE}
        timeout-minutes: ${SHORT_MINUTES}
        with:
          subject-name: \${{ steps.built.outputs.${svc}-name }}
          subject-digest: \${{ steps.built.outputs.${svc}-digest }}
          push-to-registry: true
          create-storage-record: false`,
    );
    return `      # The digests this update pushed, from the stack outputs (releases, else services).
      - name: Images this update built
        id: built
        timeout-minutes: ${SHORT_MINUTES}
        env:
${TOKEN_ENV}
        run: |
          pulumi stack output --json --stack "$QUALIFIED_STACK" > "$RUNNER_TEMP/outputs.json"
          npm run --silent images -- --stack "$STACK" --outputs "$RUNNER_TEMP/outputs.json" --format github >> "$GITHUB_OUTPUT"
      # The attestations go to the registry beside the images, with the credentials the build pushed with.
      - name: Log in to ${reg.server} to push the attestations
        timeout-minutes: ${SHORT_MINUTES}
        env:
${TOKEN_ENV}
          REGISTRY: ${reg.server}
          REGISTRY_USER: ${scalar(reg.username)}
          PASSWORD_KEY: ${scalar(reg.passwordSecret)}
        run: pulumi config get "$PASSWORD_KEY" --stack "$QUALIFIED_STACK" | docker login "$REGISTRY" --username "$REGISTRY_USER" --password-stdin
${steps.join("\n")}`;
}

/** After the deploy: scan each image it built (they exist only now), with the stack's gate. */
export function builtScanJob(s: CiStack): string {
    const deploy = jobId(s.stack);
    return `  ${builtScanJobId(s)}:
    name: scan built (${s.stack}, \${{ matrix.image }})
    needs: ${deploy}
    runs-on: ubuntu-latest
    timeout-minutes: 20
    # The images ${s.stack} built exist only after its deploy: their findings hold back the
    # stacks deployed after it, not this one. No secret and no id-token here.
${scanPermissions(true)}
    strategy:
      fail-fast: false
      matrix:
        image: \${{ fromJSON(needs.${deploy}.outputs.built) }}
    env:
      FAIL_ON: ${s.scanFailOn}
    steps:
${scanSteps(s, true, `trivy-${s.stack}-\${{ matrix.image }}`)}`;
}
