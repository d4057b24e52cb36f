import { strict as assert } from "assert";
import YAML from "yaml";
import { Refusal } from "../tools/cli";
import { pinImages } from "../tools/promote/edit";
import { diffLines, keepLayout } from "../tools/promote/layout";
import { planPromotion } from "../tools/promote/plan";
import { releasesJson } from "../tools/promote/pulumi";
import { parseReleases, Release } from "../tools/promote/releases";
import { stackNameProblem } from "../tools/pulumi/stacks";
import { shortImage, summaryTable } from "../tools/promote/summary";
import { TargetService } from "../tools/promote/target";

/** Promotion's parts, in-process; tests/e2e/promote.test.ts runs the tool against the repository's stack files. */

const hex = (c: string) => c.repeat(64);
const DIGEST_A = `sha256:${hex("a")}`;
const DIGEST_B = `sha256:${hex("b")}`;

describe("promotion: reading a stack's releases", () => {
    const refused = (json: string, message: string) => assert.throws(() => parseReleases(json, "staging"), (e: Error) => e instanceof Refusal && e.message === message);
    const then = "; deploy staging with this program first ('pulumi up --stack staging'), then promote";

    it("takes each service's newest entry: repository, digest, tag and since", () => {
        const releases = parseReleases(
            JSON.stringify({
                web: [
                    { image: `ghcr.io/acme/web@${DIGEST_A}`, tag: "1.5.0", source: "registry", since: "2026-11-28T10:00:00Z" },
                    { image: `ghcr.io/acme/web@${DIGEST_B}`, tag: "1.4.0", source: "registry", since: "2026-11-20T10:00:00Z" },
                ],
                api: [{ image: `registry.example.com:5000/api@${DIGEST_B}`, source: "build" }],
            }),
            "staging",
        );
        assert.deepEqual([...releases.values()], [
            { service: "api", repository: "registry.example.com:5000/api", digest: DIGEST_B, source: "build" },
            { service: "web", repository: "ghcr.io/acme/web", digest: DIGEST_A, tag: "1.5.0", source: "registry", since: "2026-11-28T10:00:00Z" },
        ]);
    });

    it("refuses an output that is not JSON, a secret, not an object, or empty", () => {
        refused("oops", `stack staging's output 'releases' is not JSON${then}`);
        refused('"[secret]"', `stack staging's output 'releases' is a secret; image references are not secret and the program exports them in the clear${then}`);
        refused("[1, 2]", `stack staging's output 'releases' is not an object of services (got a list of 2)${then}`);
        refused("{}", `stack staging's output 'releases' lists no service${then}`);
    });

    it("refuses a service without a release, an image not pinned by digest, and an invalid tag, naming the service", () => {
        refused('{"web": []}', `stack staging's output 'releases' has no release for web (releases.web: expected a list, newest first, got a list of 0)${then}`);
        refused('{"web": [{"tag": "1.0"}]}', `stack staging's output 'releases' has no image for web (releases.web[0].image: expected "<repository>@sha256:<64 hex digits>", got nothing)${then}`);
        refused(
            '{"web": [{"image": "ghcr.io/acme/web:1.0"}]}',
            `stack staging's output 'releases' names an image that is not pinned by digest for web (releases.web[0].image: expected "<repository>@sha256:<64 hex digits>", got "ghcr.io/acme/web:1.0")${then}`,
        );
        refused(`{"web": [{"image": "ghcr.io/acme/web@${DIGEST_A}", "tag": "latest"}]}`, `stack staging's output 'releases' has a tag that is not a valid image tag for web (releases.web[0].tag: got "latest")${then}`);
    });

    it("tells a stack without the output, and a stack the backend does not know, from a failing CLI", () => {
        const failed = (stderr: string) => ({ code: 255, signal: null, stdout: "", stderr });
        assert.throws(
            () => releasesJson("staging", failed("error: current stack does not have output property 'releases'\n")),
            (e: Error) =>
                e instanceof Refusal &&
                e.message === "stack staging has no output 'releases': it was never deployed, or last deployed by a program older than that output; deploy staging first ('pulumi up --stack staging'), then promote",
        );
        assert.throws(() => releasesJson("acme/x/staging", failed("error: no stack named 'acme/x/staging' found\n")), (e: Error) => e instanceof Refusal && /^the Pulumi backend has no stack acme\/x\/staging /.test(e.message));
        assert.throws(
            () => releasesJson("staging", failed("error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions\n")),
            (e: Error) =>
                !(e instanceof Refusal) &&
                e.message === "'pulumi stack output releases --json --stack staging' failed (exit 255): error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions",
        );
        assert.equal(releasesJson("staging", { code: 0, signal: null, stdout: "{}\n", stderr: "" }), "{}\n");
    });

    it("takes stack names short, with an organization, or fully qualified", () => {
        for (const name of ["staging", "acme/staging", "acme-trading/hft-platform/staging"]) assert.equal(stackNameProblem(name), undefined, name);
        for (const name of ["a/b/c/d", "acme//staging", "../staging", "staging.yaml/"]) {
            assert.equal(stackNameProblem(name), `expected a stack name such as 'staging' or 'acme/hft-platform/staging', got ${JSON.stringify(name)}`);
        }
    });
});

describe("promotion: the plan", () => {
    const image = (repository: string, tag?: string, digest?: string) => ({ repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}), buildTags: [] });
    const release = (service: string, repository: string, digest = DIGEST_A, tag = "2.0.0"): Release => ({ service, repository, digest, tag });
    const target: TargetService[] = [
        { name: "api", state: "runs", image: image("ghcr.io/acme/api", "1.0.0", DIGEST_B) },
        { name: "cache", state: "disabled" },
        { name: "web", state: "builds", image: image("ghcr.io/acme/web", "1.0.0") },
        { name: "worker", state: "runs", image: image("ghcr.io/acme/worker", "1.0.0") },
    ];
    const stacks = { from: "staging", to: "production", file: "Pulumi.production.yaml" };
    const releases = (...list: Release[]) => new Map(list.map((r) => [r.service, r]));

    it("promotes what the target runs from prebuilt images, and leaves services turned off or built from source alone", () => {
        const plan = planPromotion(
            releases(release("api", "ghcr.io/acme/api"), release("cache", "docker.io/library/redis"), release("web", "ghcr.io/acme/web"), release("worker", "ghcr.io/acme/worker"), release("old", "ghcr.io/acme/old")),
            target,
            stacks,
            false,
        );
        assert.deepEqual(plan.rows.map((r) => [r.service, r.action]), [["api", "promote"], ["cache", "disabled"], ["web", "builds"], ["worker", "promote"]]);
        assert.deepEqual(plan.unknown, ["old"]);
        assert.equal(
            summaryTable(plan, ["worker"], stacks),
            [
                "SERVICE  PRODUCTION NOW             FROM STAGING                                    IN STAGING SINCE",
                "api      1.0.0@sha256:bbbbbbbbbbbb  unchanged                                       -",
                "cache    -                          not promoted: enabled: false in production      -",
                "web      1.0.0                      not promoted: builds from source in production  -",
                "worker   1.0.0                      2.0.0@sha256:aaaaaaaaaaaa                       -",
            ].join("\n"),
        );
    });

    it("refuses, naming every problem at once: another repository (both references) and services the source never ran", () => {
        assert.throws(
            () => planPromotion(releases(release("api", "ghcr.io/other/api")), target, stacks, false),
            (e: Error) =>
                e instanceof Refusal &&
                e.message ===
                    "cannot promote staging to production, nothing was written (2 problems):\n" +
                        `  - api: staging runs ghcr.io/other/api@${DIGEST_A}, but production pulls api from ghcr.io/acme/api (the image.repository that Pulumi.yaml and Pulumi.production.yaml give it); a digest names an image only within its repository, so make the two repositories agree first\n` +
                        "  - worker: runs in production but never ran in staging (no entry in its 'releases' output); deploy to staging first, or pass --allow-missing to keep production's current image",
        );
    });

    it("with --allow-missing keeps the image of a service the source never ran", () => {
        const plan = planPromotion(releases(release("api", "ghcr.io/acme/api")), target, stacks, true);
        assert.deepEqual(plan.rows.map((r) => [r.service, r.action]), [["api", "promote"], ["cache", "disabled"], ["web", "builds"], ["worker", "kept"]]);
    });

    it("shows images short: the tag, the first 12 hex digits of the digest, never CI's stand-in tag", () => {
        assert.equal(shortImage({ tag: "1.4.2", digest: DIGEST_A }), "1.4.2@sha256:aaaaaaaaaaaa");
        assert.equal(shortImage({ digest: DIGEST_A }), "@sha256:aaaaaaaaaaaa");
        assert.equal(shortImage({ tag: "promote-0000000" }), "(tag from CI)");
        assert.equal(shortImage({}), "(tag from CI)");
    });
});

describe("promotion: writing the stack file", () => {
    const FILE = [
        "# The production stack.",
        "config:",
        "  demo:environment:",
        "    namespace: demo # where it runs",
        "    services:",
        "      # The API, pinned.",
        '      api:',
        '        image: { tag: "1.0.0", digest: "sha256:' + hex("1") + '" }',
        "        replicas: 3",
        "      worker:",
        "        image:",
        "          repository: ghcr.io/acme/worker # its own repository",
        "          tag: '1.0.0'",
        "        env: { MODE: batch }",
        "      web: { replicas: 2 }",
        "  demo:github:",
        "    teams: [leads]",
        "",
    ].join("\n");

    it("replaces values in place, keeping quotes, comments and the layout of every other line", () => {
        const edited = pinImages(FILE, "demo", "Pulumi.production.yaml", [
            { service: "api", tag: "2.0.0", digest: DIGEST_A },
            { service: "worker", tag: "2.0.0", digest: DIGEST_B },
        ]);
        assert.deepEqual(edited.changed, ["api", "worker"]);
        assert.equal(edited.relaidOut, false);
        const expected = FILE.replace(`"1.0.0", digest: "sha256:${hex("1")}"`, `"2.0.0", digest: "${DIGEST_A}"`).replace("tag: '1.0.0'", `tag: '2.0.0'\n          digest: "${DIGEST_B}"`);
        assert.equal(edited.text, expected);
    });

    it("adds an image in flow style to a service without one, and one service to a file without it", () => {
        const edited = pinImages(FILE, "demo", "Pulumi.production.yaml", [
            { service: "web", tag: "2.0.0", digest: DIGEST_A },
            { service: "batch", digest: DIGEST_B },
        ]);
        assert.equal(edited.relaidOut, false);
        const config = YAML.parse(edited.text).config["demo:environment"];
        assert.deepEqual(config.services.web, { replicas: 2, image: { tag: "2.0.0", digest: DIGEST_A } });
        assert.deepEqual(config.services.batch, { image: { digest: DIGEST_B } });
        assert.match(edited.text, new RegExp(`\\n {6}batch:\\n {8}image: \\{ digest: "${DIGEST_B}" \\}\\n {2}demo:github:`));
        assert.match(edited.text, /\n {4}teams: \[leads\]\n/, "an untouched flow sequence keeps its spacing");
    });

    it("removes a tag the release does not have (it would name another build)", () => {
        const edited = pinImages(FILE, "demo", "Pulumi.production.yaml", [{ service: "api", digest: DIGEST_A }]);
        assert.match(edited.text, new RegExp(`\\n {8}image: \\{ digest: "${DIGEST_A}" \\}\\n`));
    });

    it("changes nothing, and returns the same text, when the file already names the release", () => {
        const pins = [{ service: "api", tag: "1.0.0", digest: `sha256:${hex("1")}` }];
        const edited = pinImages(FILE, "demo", "Pulumi.production.yaml", pins);
        assert.deepEqual(edited.changed, []);
        assert.equal(edited.text, FILE);
    });

    it("writes under the short key 'environment' where the file uses it", () => {
        const short = "config:\n  environment:\n    services:\n      api: {}\n";
        const edited = pinImages(short, "demo", "Pulumi.production.yaml", [{ service: "api", digest: DIGEST_A }]);
        assert.deepEqual(YAML.parse(edited.text), { config: { environment: { services: { api: { image: { digest: DIGEST_A } } } } } });
    });

    it("keeps layout by matching lines through the package's printing; a file it cannot match is printed whole, and says so", () => {
        assert.deepEqual(diffLines(["a", "b", "c"], ["a", "x", "c", "d"]), [
            { kind: "same", from: 0, to: 0 },
            { kind: "changed", from: 1, to: 1 },
            { kind: "same", from: 2, to: 2 },
            { kind: "added", to: 3 },
        ]);
        // A flow map over two lines is printed on one: the lines no longer correspond.
        const folded = "a: { b: 1,\n  c: 2 }\nd: 1\n";
        const before = YAML.parseDocument(folded);
        const after = before.clone();
        after.set("d", 2);
        assert.deepEqual(keepLayout(folded, before, after), { text: "a: { b: 1, c: 2 }\nd: 2\n", relaidOut: true });
    });
});
