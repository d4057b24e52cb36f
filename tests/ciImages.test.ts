import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { EXIT, execute, Refusal } from "../tools/cli";
import * as images from "../tools/ci/images";
import { PUSH_TO_MAIN, pushedImages, registryHost, stackImages } from "../tools/ci/stackImages";
import { REPO } from "./support";

/** tests/fixtures/ci-project: qa builds api and checkout, runs web (twice: admin too) and redis; legacy is off there. */
const FIXTURE = path.join(REPO, "tests", "fixtures", "ci-project");
const SHA = "3f9c2ab8e51d0c7a9b6f4e2d1c0b9a8f7e6d5c4b";
const DIGEST = "sha256:4f3c2b1a09f8e7d6c5b4a3928170f6e5d4c3b2a19f8e7d6c5b4a3928170f6e5d";
const API = "sha256:" + "a".repeat(64);
const CHECKOUT = "sha256:" + "c".repeat(64);

const list = (stack: string, more: Partial<images.ImagesOptions> = {}, ciEnv: Record<string, string> = {}) =>
    images.listImages({ stack, dir: FIXTURE, format: "lines", ...more }, ciEnv);

/** The message a call refuses with. */
function refusal(f: () => unknown): string {
    try {
        f();
    } catch (e) {
        assert.ok(e instanceof Refusal, `expected a Refusal, got ${String(e)}`);
        return e.message;
    }
    return assert.fail("expected a refusal");
}

/** A copy of the fixture project in a temp dir, with `edit` applied to Pulumi.<stack>.yaml's environment. */
function editedFixture(stack: string, edit: (env: any) => void): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ci-images-"));
    fs.cpSync(FIXTURE, dir, { recursive: true });
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    const doc = YAML.parse(fs.readFileSync(file, "utf8"));
    edit(doc.config["ci-fixture:environment"]);
    fs.writeFileSync(file, YAML.stringify(doc));
    return dir;
}

describe("npm run images", () => {
    describe("the prebuilt images a stack runs, from its configuration", () => {
        it("lists each image once, by tag, sorted; services that build and services turned off are not listed", () => {
            assert.equal(list("qa"), "docker.io/library/redis:7.4.1\nghcr.io/acme/shop-web:qa-7\n");
            assert.deepEqual(stackImages(FIXTURE, "qa", {}).prebuilt, [
                { ref: "docker.io/library/redis:7.4.1", repository: "docker.io/library/redis", services: ["cache"] },
                { ref: "ghcr.io/acme/shop-web:qa-7", repository: "ghcr.io/acme/shop-web", services: ["admin", "web"] },
            ]);
        });

        it("lists an image the stack pins by digest as <repository>@sha256:..., beside the same repository by tag", () => {
            assert.equal(
                list("prod"),
                ["docker.io/library/redis:7.4.1", "ghcr.io/acme/shop-web:2.0.0", `ghcr.io/acme/shop-web@${DIGEST}`, "registry.example.com/legacy/app:2.0.0", ""].join("\n"),
            );
        });

        it("names the services that build and where they push, for the workflows", () => {
            assert.deepEqual(stackImages(FIXTURE, "qa", {}).built, [
                { service: "api", repository: "ghcr.io/acme/api" },
                { service: "checkout", repository: "ghcr.io/acme/checkout" },
            ]);
            assert.deepEqual(
                stackImages(FIXTURE, "prod", {}).built.map((b) => b.repository),
                ["registry.example.com/shop/api", "registry.example.com/shop/checkout"],
            );
        });

        it("resolves a tag the stack file does not set as a deploy in CI does: from GITHUB_SHA and GITHUB_REF", () => {
            const dir = editedFixture("qa", (env) => delete env.imageTag);
            try {
                const ci = { GITHUB_SHA: SHA, GITHUB_REF: "refs/heads/main", GITHUB_REF_NAME: "main", GITHUB_EVENT_NAME: "push" };
                assert.equal(images.listImages({ stack: "qa", dir, format: "lines" }, ci), "docker.io/library/redis:7.4.1\nghcr.io/acme/shop-web:main-3f9c2ab\n");
                const release = { ...ci, GITHUB_REF: "refs/tags/v2.1.0", GITHUB_REF_NAME: "v2.1.0", GITHUB_REF_TYPE: "tag" };
                assert.equal(images.listImages({ stack: "qa", dir, format: "lines" }, release), "docker.io/library/redis:7.4.1\nghcr.io/acme/shop-web:2.1.0\n");
                // Outside CI there is no tag: the configuration problem is the program's own, naming the key.
                assert.match(refusal(() => images.listImages({ stack: "qa", dir, format: "lines" }, {})), /^stack 'qa': Invalid configuration \(\d+ problems?\):\n {2}- Pulumi\.yaml: ci-fixture:catalog\.services\.admin\.image\.tag: required \(or image\.digest\)/);
                assert.equal(stackImages(dir, "qa", PUSH_TO_MAIN).prebuilt[1].ref, "ghcr.io/acme/shop-web:main-0000000", "what `npm run generate` asks with");
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });

        it("prints a JSON array, or images=<array> for $GITHUB_OUTPUT", () => {
            assert.equal(list("qa", { format: "json" }), '["docker.io/library/redis:7.4.1","ghcr.io/acme/shop-web:qa-7"]\n');
            assert.equal(list("qa", { format: "github" }), 'images=["docker.io/library/redis:7.4.1","ghcr.io/acme/shop-web:qa-7"]\n');
        });

        it("lists the repository's own stacks: every image each runs, none built", () => {
            for (const stack of ["staging", "production"]) {
                const found = stackImages(REPO, stack, PUSH_TO_MAIN);
                assert.deepEqual(found.built, [], stack);
                assert.ok(found.prebuilt.length > 0, stack);
                for (const image of found.prebuilt) assert.match(image.ref, /^[a-z0-9.-]+\/[a-z0-9/._-]+(:[\w.-]+|@sha256:[0-9a-f]{64})$/, `${stack}: ${image.ref}`);
                const services = found.prebuilt.flatMap((i) => i.services);
                assert.equal(new Set(services).size, services.length, `${stack}: each service once`);
                // The verification Jobs' checker runs in the cluster too, so CI scans it with the rest.
                const checker = found.prebuilt.find((i) => i.ref === "docker.io/curlimages/curl:8.11.1");
                assert.ok(checker, `${stack}: the checker image is listed`);
                assert.ok(checker.services.includes("orchestrator (verification)"), `${stack}: ${checker.services.join(", ")}`);
            }
        });

        it("lists the checker image of a stack whose services have HTTP checks, unless it turns verification off", () => {
            const checked = (enabled: boolean) => {
                const dir = editedFixture("qa", (env) => {
                    env.services.web = { ...env.services.web, verify: { health: { http: "/healthz" } } };
                    env.verify = { enabled };
                });
                try {
                    return stackImages(dir, "qa", {}).prebuilt.filter((i) => i.services.some((s) => s.endsWith("(verification)")));
                } finally {
                    fs.rmSync(dir, { recursive: true, force: true });
                }
            };
            assert.deepEqual(checked(true), [{ ref: "docker.io/curlimages/curl:8.11.1", repository: "docker.io/curlimages/curl", services: ["web (verification)"] }]);
            assert.deepEqual(checked(false), []);
        });

        it("refuses a stack without a file, and an invalid configuration with each problem and its file", () => {
            assert.equal(refusal(() => list("nope")), "no stack file Pulumi.nope.yaml; stacks here: dev, prod, qa");
            const dir = editedFixture("qa", (env) => (env.services.web = { image: { digest: "sha256:short" } }));
            try {
                assert.match(
                    refusal(() => images.listImages({ stack: "qa", dir, format: "lines" }, {})),
                    /^stack 'qa': Invalid configuration \(1 problem\):\n {2}- Pulumi\.qa\.yaml: ci-fixture:environment\.services\.web\.image\.digest: /,
                );
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    });

    describe("--outputs: the images the stack built, from its outputs", () => {
        const built = stackImages(FIXTURE, "qa", {}).built;
        const releases = (api: unknown[], checkout: unknown[]) => ({ releases: { api, checkout, web: [{ image: "ghcr.io/acme/shop-web@" + DIGEST, source: "registry" }] } });

        it("takes each building service's newest release when it is a build, else services.<name>.image", () => {
            const outputs = {
                ...releases([{ image: `ghcr.io/acme/api@${API}`, tag: "qa-7", source: "build", since: "2026-11-30T10:00:00Z" }, { image: `ghcr.io/acme/api@${CHECKOUT}`, source: "build" }], []),
                services: { checkout: { image: `ghcr.io/acme/checkout@${CHECKOUT}` }, web: { image: "ghcr.io/acme/shop-web:qa-7" } },
            };
            assert.deepEqual(pushedImages(outputs, built, "o.json"), [
                { service: "api", ref: `ghcr.io/acme/api@${API}`, repository: "ghcr.io/acme/api", digest: API },
                { service: "checkout", ref: `ghcr.io/acme/checkout@${CHECKOUT}`, repository: "ghcr.io/acme/checkout", digest: CHECKOUT },
            ]);
        });

        it("leaves out a service whose newest release is not a build (a rollback pinned an earlier image): nothing was pushed", () => {
            const outputs = releases([{ image: `ghcr.io/acme/api@${API}`, source: "build" }], [{ image: `ghcr.io/acme/checkout@${CHECKOUT}`, source: "rollback" }]);
            assert.deepEqual(
                pushedImages(outputs, built, "o.json").map((p) => p.service),
                ["api"],
            );
        });

        it("prints for $GITHUB_OUTPUT the list and each service's name and digest, which the attestation steps read", () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ci-outputs-"));
            try {
                const file = path.join(dir, "outputs.json");
                fs.writeFileSync(file, JSON.stringify({ services: { api: { image: `ghcr.io/acme/api@${API}` }, checkout: { image: `ghcr.io/acme/checkout@${CHECKOUT}` } } }));
                assert.equal(
                    list("qa", { outputs: file, format: "github" }),
                    [
                        `images=["ghcr.io/acme/api@${API}","ghcr.io/acme/checkout@${CHECKOUT}"]`,
                        "api-name=ghcr.io/acme/api",
                        `api-digest=${API}`,
                        "checkout-name=ghcr.io/acme/checkout",
                        `checkout-digest=${CHECKOUT}`,
                        "",
                    ].join("\n"),
                );
                assert.equal(list("qa", { outputs: file }), `ghcr.io/acme/api@${API}\nghcr.io/acme/checkout@${CHECKOUT}\n`);
                assert.match(refusal(() => list("qa", { outputs: path.join(dir, "none.json") })), /none\.json: cannot read the stack outputs: ENOENT/);
                fs.writeFileSync(file, "{not json");
                assert.match(refusal(() => list("qa", { outputs: file })), /outputs\.json: cannot read the stack outputs: .*JSON/);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });

        it("refuses outputs without a pushed digest for a service that builds, naming the key", () => {
            assert.equal(
                refusal(() => pushedImages({ services: { api: { image: "ghcr.io/acme/api:qa-7" } } }, built, "o.json")),
                `o.json: services.api.image: expected '<repository>@sha256:<64 hex digits>', the digest the build pushed, got "ghcr.io/acme/api:qa-7"`,
            );
            assert.equal(
                refusal(() => pushedImages({ services: { api: { image: `ghcr.io/acme/api@${API}` } } }, built, "o.json")),
                "o.json: no image for checkout, which the configuration builds (expected services.checkout.image); was this stack's last update successful?",
            );
            assert.equal(refusal(() => pushedImages(releases(["build"], []), built, "o.json")), `o.json: releases.api[0]: expected an object with 'image' and 'source', got "build"`);
            assert.equal(refusal(() => pushedImages([], built, "o.json")), "o.json: expected the stack outputs as a JSON object (pulumi stack output --json), got []");
        });
    });

    describe("the command line", () => {
        const parse = (...argv: string[]) => {
            const p = images.parseArgs(argv);
            return p.kind === "usage" ? p.problem : p.kind === "run" ? p.options : assert.fail("help");
        };

        it("takes --stack, and optionally --dir, --outputs and --format", () => {
            assert.deepEqual(parse("--stack", "qa"), { stack: "qa", format: "lines" });
            assert.deepEqual(parse("-s", "qa", "--dir", "x", "--outputs", "o.json", "--format", "github"), { stack: "qa", dir: "x", outputs: "o.json", format: "github" });
            assert.equal(parse(), "--stack is required");
            assert.equal(parse("--stack", "qa", "--format", "yaml"), '--format: expected one of lines, json, github, got "yaml"');
            assert.equal(parse("--stack", "qa", "--outputs="), "--outputs needs a file");
            assert.equal(parse("qa"), 'unexpected argument "qa"; this command takes options only');
        });

        it("prints the list and exits 0; a refusal is one line on stderr and exits 1", async () => {
            const run = async (argv: string[]) => {
                const out: string[] = [];
                const err: string[] = [];
                const code = await execute(images.SPEC, images.parseArgs(argv), (o) => (out.push(images.listImages(o, {})), Promise.resolve(EXIT.done)), {
                    out: (t) => out.push(t),
                    err: (t) => err.push(t),
                });
                return { code, out: out.join(""), err: err.join("") };
            };
            assert.deepEqual(await run(["--stack", "qa", "--dir", FIXTURE]), { code: 0, out: "docker.io/library/redis:7.4.1\nghcr.io/acme/shop-web:qa-7\n", err: "" });
            assert.deepEqual(await run(["--stack", "nope", "--dir", FIXTURE]), { code: 1, out: "", err: "images: no stack file Pulumi.nope.yaml; stacks here: dev, prod, qa\n" });
        });
    });

    it("reads a repository's registry host as Docker does", () => {
        assert.deepEqual(
            ["ghcr.io/acme/api", "registry.example.com:5000/a/b", "localhost/x", "library/redis", "redis", "acme/api"].map(registryHost),
            ["ghcr.io", "registry.example.com:5000", "localhost", "docker.io", "docker.io", "docker.io"],
        );
    });
});
