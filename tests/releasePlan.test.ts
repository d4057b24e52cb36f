import { strict as assert } from "assert";
import { CanaryConfig, CanarySettings } from "../config/canary";
import { EXIT, execute, Refusal } from "../tools/cli";
import { canaryPods, checksOf, substitute } from "../tools/release/checks";
import { describePlan, parseArgs, percentages, SPEC } from "../tools/release/main";
import { planRelease, ReleaseConfig, ReleasePlan, stableImages } from "../tools/release/plan";
import { stableFromReleases } from "../tools/release/stable";

const image = (name: string, n: number) => `ghcr.io/acme/${name}@sha256:${String(n).repeat(64)}`;
const DRIVEN: CanarySettings = { mode: "driven", prometheusUrl: "http://prometheus.example:9090", intervalSeconds: 30 };
const canary = (over: Partial<CanaryConfig> = {}): CanaryConfig => ({
    steps: [
        { weight: 10, windowSeconds: 300 },
        { weight: 50, windowSeconds: 600 },
        { weight: 100, windowSeconds: 300 },
    ],
    replicas: 1,
    maxRestarts: 0,
    ...over,
});
const config = (services: ReleaseConfig["services"], settings: CanarySettings = DRIVEN): ReleaseConfig => ({ environment: { namespace: "hft-production", canary: settings }, services });
const refusal = (f: () => unknown) => {
    try {
        f();
    } catch (e) {
        assert.ok(e instanceof Refusal, String(e));
        return e.message;
    }
    return assert.fail("expected a refusal");
};

describe("the release's command line", () => {
    it("takes --stack, short or qualified, and --dry-run", () => {
        assert.deepEqual(parseArgs(["--stack", "production"]), { kind: "run", options: { stack: "production", dryRun: false } });
        assert.deepEqual(parseArgs(["-s", "acme/hft-platform/production", "--dry-run"]), { kind: "run", options: { stack: "acme/hft-platform/production", dryRun: true } });
    });

    it("takes --percentage as this release's weights, adding the final 100; refuses anything but increasing whole percentages", () => {
        assert.deepEqual(parseArgs(["--stack", "production", "--percentage", "10"]), { kind: "run", options: { stack: "production", dryRun: false, weights: [10, 100] } });
        assert.deepEqual(parseArgs(["-s", "production", "--percentage=5, 25,100"]), { kind: "run", options: { stack: "production", dryRun: false, weights: [5, 25, 100] } });
        assert.deepEqual(percentages("100"), [100], "straight to all traffic: one step, then the promotion");
        const expected = "expected whole percentages from 1 to 100, strictly increasing, separated by commas (e.g. 10 or 5,25,100)";
        assert.equal(percentages("10%"), `--percentage: ${expected}, got "10%"`);
        assert.equal(percentages("0"), `--percentage: ${expected}, got "0"`);
        assert.equal(percentages("101"), `--percentage: ${expected}, got "101"`);
        assert.equal(percentages("10,,50"), `--percentage: ${expected}, got "10,,50" ("")`);
        assert.equal(percentages("2.5,50"), `--percentage: ${expected}, got "2.5,50" ("2.5")`);
        assert.equal(percentages("50,10"), `--percentage: ${expected}, got "50,10" (step 2's weight 10 is not above step 1's 50)`);
        assert.equal(percentages("10,50,50"), `--percentage: ${expected}, got "10,50,50" (step 3's weight 50 is not above step 2's 50)`);
        assert.equal(percentages("1,2,3,4,5,6,7,8,9,10"), "--percentage: at most 10 steps, the final 100 included; got 11");
        const p = parseArgs(["--stack", "production", "--percentage", "-5"]);
        assert.equal(p.kind, "usage", "a negative number is not an option's value either");
    });

    it("refuses a missing stack, a malformed one, and unknown options, as usage errors", () => {
        const problem = (argv: string[]) => {
            const p = parseArgs(argv);
            return p.kind === "usage" ? p.problem : p.kind;
        };
        assert.equal(problem([]), "--stack is required");
        assert.equal(problem(["--stack", "a/b/c/d"]), `--stack: expected a stack name such as 'staging' or 'acme/hft-platform/staging', got "a/b/c/d"`);
        assert.equal(problem(["--stack", "production", "--weight", "10"]), "unknown option --weight");
        assert.equal(problem(["--stack", "production", "extra"]), `unexpected argument "extra"; this command takes options only`);
    });

    it("--help says every flag, the steps, the abort, Ctrl-C once and twice, and each exit code, 4 for a failed check", async () => {
        let out = "";
        const code = await execute(SPEC, parseArgs(["--help"]), () => Promise.resolve(EXIT.failed), { out: (t) => (out += t), err: () => undefined });
        assert.equal(code, EXIT.done);
        for (const text of ["usage: npm run release -- --stack <stack> [--percentage <weight>[,<weight>...]] [--policy-pack <dir> [--policy-pack-config <file>]] [--dry-run]", "--stack <stack>", "--percentage <weight>[,<weight>...]", "--policy-pack <dir>", "--policy-pack-config <file>", "--dry-run", "PLATFORM_CANARY", "PLATFORM_PINNED_IMAGES", "Ctrl-C (SIGINT, SIGTERM,\nSIGHUP) once", "GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT"]) {
            assert.ok(out.includes(text), text);
        }
        const exits = out.split("exit codes (docs/exit-codes.md):\n")[1].split("\n").filter(Boolean).map((l) => Number(l.trim().split(" ")[0]));
        assert.deepEqual(exits, [0, 1, 2, 3, 4, 129, 130, 143]);
        assert.match(out, /\n {4}4 {2}findings: a check failed \(the check, its value, the threshold and the step are printed\): aborted to the stable version\n/);
    });
});

describe("the release's plan, from the stack's configuration and its releases output", () => {
    it("releases every service with a canary that runs a stable image, in the steps they share, each watched as long as the longest window", () => {
        const services = [
            { name: "web", objectName: "web", canary: canary() },
            { name: "api", objectName: "hft-api", canary: canary({ steps: [{ weight: 10, windowSeconds: 60 }, { weight: 50, windowSeconds: 900 }, { weight: 100, windowSeconds: 60 }], maxRestarts: 1 }) },
            { name: "batch", objectName: "batch" },
            { name: "new", objectName: "new", canary: canary() },
        ];
        const plan = planRelease(config(services), new Map([["api", image("api", 1)], ["web", image("web", 2)], ["batch", image("batch", 3)]]), "production") as ReleasePlan;
        assert.equal(plan.kind, "canary");
        assert.deepEqual(plan.steps, [
            { weight: 10, windowSeconds: 300 },
            { weight: 50, windowSeconds: 900 },
            { weight: 100, windowSeconds: 300 },
        ]);
        assert.deepEqual(plan.services.map((s) => [s.name, s.objectName, s.stable]), [["api", "hft-api", image("api", 1)], ["web", "web", image("web", 2)]]);
        assert.deepEqual(plan.firstDeploys, ["new"]);
        assert.deepEqual(stableImages(plan), { api: image("api", 1), web: image("web", 2) });
        assert.deepEqual([plan.namespace, plan.prometheusUrl, plan.intervalSeconds], ["hft-production", "http://prometheus.example:9090", 30]);
    });

    it("takes the weights given (--percentage) in place of the configured ones, each step watched as long as the longest configured window", () => {
        const services = [
            { name: "web", objectName: "web", canary: canary() },
            { name: "api", objectName: "api", canary: canary({ steps: [{ weight: 10, windowSeconds: 60 }, { weight: 50, windowSeconds: 900 }, { weight: 100, windowSeconds: 60 }] }) },
        ];
        const stable = new Map([["api", image("api", 1)], ["web", image("web", 2)]]);
        const plan = planRelease(config(services), stable, "production", [25, 100]) as ReleasePlan;
        assert.deepEqual(plan.steps, [
            { weight: 25, windowSeconds: 900 },
            { weight: 100, windowSeconds: 900 },
        ]);
        assert.equal(describePlan(plan)[0], "steps: 25% for 900s, 100% for 900s; checks every 30s through http://prometheus.example:9090");
        assert.deepEqual((planRelease(config(services), stable, "production") as ReleasePlan).steps.map((s) => s.weight), [10, 50, 100], "without it, the configured steps");
        assert.deepEqual(planRelease(config(services), new Map(), "production", [25, 100]), { kind: "first-deploy", services: ["api", "web"] }, "nothing to put a canary in front of yet");
    });

    it("is a first deploy when no service with a canary runs anything yet", () => {
        assert.deepEqual(planRelease(config([{ name: "api", objectName: "api", canary: canary() }]), new Map(), "production"), { kind: "first-deploy", services: ["api"] });
        assert.deepEqual(describePlan({ kind: "first-deploy", services: ["api"] }), ["first deploy: api run nothing yet; one plain update, no canary"]);
    });

    it("refuses in-cluster mode (plain pulumi up releases it), a stack without canaries, no Prometheus URL, and steps that differ", () => {
        const api = { name: "api", objectName: "api", canary: canary() };
        assert.equal(
            refusal(() => planRelease(config([api], { mode: "in-cluster", intervalSeconds: 30 }), new Map(), "production")),
            "stack production runs its canaries in-cluster (environment.canary.mode): in-cluster mode releases through a plain 'pulumi up --stack production', which waits for Argo Rollouts' outcome; this tool drives 'driven' mode only",
        );
        assert.equal(refusal(() => planRelease(config([{ name: "api", objectName: "api" }]), new Map(), "staging")), "stack staging has no service with a canary (canary.enabled); release it with a plain 'pulumi up --stack staging'");
        assert.equal(refusal(() => planRelease({ environment: { namespace: "hft-staging" }, services: [api] }, new Map(), "staging")), "stack staging has no service with a canary (canary.enabled); release it with a plain 'pulumi up --stack staging'");
        assert.equal(
            refusal(() => planRelease(config([api], { mode: "driven", intervalSeconds: 30 }), new Map(), "production")),
            "stack production: environment.canary.prometheusUrl is not set; driven mode needs a Prometheus URL this machine reaches, to evaluate the checks",
        );
        const web = { name: "web", objectName: "web", canary: canary({ steps: [{ weight: 25, windowSeconds: 60 }, { weight: 100, windowSeconds: 60 }] }) };
        assert.equal(
            refusal(() => planRelease(config([api, web]), new Map(), "production")),
            "stack production: the release steps every canary together, so every service's canary.steps must have the same weights; api has 10, 50, 100, web has 25, 100",
        );
    });

    it("takes each service's newest release as its stable image; none without the output; refuses a malformed one", () => {
        const releases = { api: [{ image: image("api", 2), source: "registry" }, { image: image("api", 1), source: "registry" }] };
        assert.deepEqual([...stableFromReleases(releases, "production")], [["api", image("api", 2)]]);
        assert.equal(stableFromReleases(undefined, "production").size, 0);
        assert.match(refusal(() => stableFromReleases({ api: [{ image: "ghcr.io/acme/api:1.0" }] }, "production")), /^stack production's output 'releases' names an image that is not pinned by digest for api .* then release$/);
    });
});

describe("the release's checks: queries with the service's names", () => {
    it("matches the canary's pods of driven mode, <objectName>-canary-<hash>-<id>, and none of the stable Deployment's", () => {
        const pods = new RegExp(`^${canaryPods("hft-api").replace(/\\\\/g, "\\")}$`);
        assert.ok(pods.test("hft-api-canary-7d9f8b6c5-x2x4q"));
        for (const other of ["hft-api-7d9f8b6c5-x2x4q", "hft-api-canary-7d9f8b6c5", "other-hft-api-canary-7d9f8b6c5-x2x4q"]) assert.ok(!pods.test(other), other);
    });

    it("substitutes {{namespace}}, {{service}} and {{canaryPods}} wherever they are, and leaves other braces", () => {
        assert.equal(
            substitute('sum(rate(http_requests_total{namespace="{{namespace}}",service="{{ service }}",pod=~"{{canaryPods}}",code=~"5.."}[1m])) / sum(rate(http_requests_total{pod=~"{{canaryPods}}"}[1m])) {{other}}', "hft-production", "api"),
            'sum(rate(http_requests_total{namespace="hft-production",service="api",pod=~"api-canary-[a-z0-9]+-[a-z0-9]+",code=~"5.."}[1m])) / sum(rate(http_requests_total{pod=~"api-canary-[a-z0-9]+-[a-z0-9]+"}[1m])) {{other}}',
        );
    });

    it("checks each service's canary restarts against maxRestarts, and its own query against its max", () => {
        const service = { name: "api", objectName: "hft-api", stable: image("api", 1), canary: canary({ maxRestarts: 2, prometheus: { query: 'error_ratio{namespace="{{namespace}}",pod=~"{{canaryPods}}"}', max: 0.05 } }) };
        assert.deepEqual(checksOf(service, "hft-production"), [
            { name: "api: restarts", query: 'sum(kube_pod_container_status_restarts_total{namespace="hft-production",pod=~"hft-api-canary-[a-z0-9]+-[a-z0-9]+"})', max: 2 },
            { name: "api: prometheus", query: 'error_ratio{namespace="hft-production",pod=~"hft-api-canary-[a-z0-9]+-[a-z0-9]+"}', max: 0.05 },
        ]);
        assert.deepEqual(checksOf({ ...service, canary: canary() }, "ns").map((c) => c.name), ["api: restarts"]);
    });
});
