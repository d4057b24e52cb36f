import { strict as assert } from "assert";
import { ciImageTags } from "../config/imageTags";
import { isSecretEnvelope } from "../tools/harness/evaluate";
import { refused } from "./refused";
import { StackConfig } from "../tools/harness/stackFiles";
import { hasOwnImageVersion } from "./facts-validation";
import { deployedImage, editedConfig, one, PROJECT, run, SERVICES, unwrap } from "./support";
import { lookUp } from "../tools/harness/registry";
import { dockerConfigJson } from "../components/environment/environment";

const P = `${PROJECT}:`;
const SHA = "3f9c2ab8e51d0c7a9b6f4e2d1c0b9a8f7e6d5c4b";
const IMAGE = "docker-build:index:Image";
/** The services buildingStaging builds from source. */
const BUILT: readonly string[] = ["execution", "orchestrator"];

/** Staging with the orchestrator and execution built from source instead of pulled. */
function buildingStaging(edit: (v: { catalog: any; environment: any }) => void = () => undefined): StackConfig {
    return editedConfig("staging", (v) => {
        v.catalog.services.orchestrator.build = {
            context: "services/orchestrator",
            dockerfile: "services/orchestrator/Dockerfile",
            target: "runtime",
            args: { PYTHON_VERSION: "3.12" },
            platforms: ["linux/amd64", "linux/arm64"],
        };
        delete v.catalog.services.orchestrator.image;
        v.catalog.services.execution.build = { context: "services/execution" };
        delete v.catalog.services.execution.image;
        edit(v);
    });
}

const images = (ev: { resources: { type: string; name: string; inputs: any }[] }) => ev.resources.filter((r) => r.type === IMAGE);
const containerImage = (ev: any, svc: string) => one(ev, "apps/v1:Deployment", `${svc}-deployment`).spec.template.spec.containers[0].image;

describe("images built from source", () => {
    it("builds each building service once with docker-build, from its context, for its platforms", async () => {
        const ev = await run(buildingStaging());
        const built = images(ev);
        assert.deepEqual(built.map((r) => r.name).sort(), ["execution-image", "orchestrator-image"]);
        const orchestrator = unwrap(built.find((r) => r.name === "orchestrator-image")!.inputs);
        assert.deepEqual(orchestrator, {
            push: true,
            buildOnPreview: false,
            context: { location: "services/orchestrator" },
            dockerfile: { location: "services/orchestrator/Dockerfile" },
            target: "runtime",
            buildArgs: { PYTHON_VERSION: "3.12" },
            network: "default",
            platforms: ["linux/amd64", "linux/arm64"],
            tags: ["ghcr.io/acme-trading/orchestrator:main-3f9c2ab"],
            registries: [{ address: "ghcr.io", username: "acme-trading-ci", password: "<redacted>" }],
            cacheFrom: [{ registry: { ref: "ghcr.io/acme-trading/orchestrator:buildcache" } }],
            cacheTo: [{ registry: { ref: "ghcr.io/acme-trading/orchestrator:buildcache", mode: "max", imageManifest: true, ociMediaTypes: true } }],
        });
        const execution = unwrap(built.find((r) => r.name === "execution-image")!.inputs);
        assert.deepEqual(execution.platforms, ["linux/amd64"], "one platform unless the catalog asks for more");
        assert.equal(execution.dockerfile, undefined);
    });

    it("keeps the registry password secret in the build's inputs", async () => {
        const config = buildingStaging();
        config.config[`${P}registryPassword`] = "ghp_buildtoken456";
        const ev = await run(config);
        const registries = images(ev).find((r) => r.name === "orchestrator-image")!.inputs.registries;
        // The SDK lifts a secret to the enclosing value it was serialized in.
        const wrapped = isSecretEnvelope(registries) || isSecretEnvelope(registries[0].password);
        assert.equal(wrapped, true, "the password reaches the build only as a secret");
        assert.equal(unwrap(registries)[0].password, "ghp_buildtoken456");
    });

    it("deploys the pushed digest, not the mutable tag, and exports it", async () => {
        const ev = await run(buildingStaging());
        const pushed = ev.resources.find((r) => r.name === "orchestrator-image")!.state.digest as string;
        assert.match(pushed, /^sha256:[0-9a-f]{64}$/);
        const image = containerImage(ev, "orchestrator");
        assert.equal(image, `ghcr.io/acme-trading/orchestrator@${pushed}`);
        assert.equal((ev.outputs as any).services.orchestrator.image, image);
        // The version label still names the tag people read.
        assert.equal(one(ev, "apps/v1:Deployment", "orchestrator-deployment").metadata.labels["app.kubernetes.io/version"], "main-3f9c2ab");
        // A prebuilt service in the same stack keeps its configured reference.
        assert.equal(containerImage(ev, "ingestion"), deployedImage("staging", "ingestion"));
    });

    // The digest itself comes from the harness (a hash of the build's inputs, as a push would
    // return a new one); what this checks is that the Deployment follows whatever was pushed.
    it("the Deployment follows the pushed digest: a different build's digest changes the pod spec", async () => {
        const before = containerImage(await run(buildingStaging()), "orchestrator");
        const after = containerImage(await run(buildingStaging((v) => (v.catalog.services.orchestrator.build.args.PYTHON_VERSION = "3.13"))), "orchestrator");
        assert.notEqual(after, before);
        assert.equal(containerImage(await run(buildingStaging()), "orchestrator"), before, "the same inputs give the same reference");
    });

    it("turns off the registry cache when the stack says so", async () => {
        const ev = await run(buildingStaging((v) => (v.environment.registry.cache = false)));
        const inputs = images(ev)[0].inputs;
        assert.equal(inputs.cacheFrom, undefined);
        assert.equal(inputs.cacheTo, undefined);
    });
});

describe("prebuilt images", () => {
    it("runs the digest the registry holds for its tag, or the digest the catalog gives", async () => {
        const digest = `sha256:${"ab".repeat(32)}`;
        const ev = await run(
            editedConfig("staging", (v) => {
                v.catalog.services["risk-manager"].image.digest = digest;
                v.catalog.services["garch-model"].image = { repository: "docker.io/acme/garch", tag: "2.0.1", digest };
            }),
        );
        assert.equal(containerImage(ev, "kalman-filter"), deployedImage("staging", "kalman-filter"));
        assert.equal(containerImage(ev, "risk-manager"), `ghcr.io/acme-trading/hft-risk-manager@${digest}`);
        assert.equal(containerImage(ev, "garch-model"), `docker.io/acme/garch@${digest}`);
        // Pinned by digest alone: no environment tag is assumed to describe it.
        assert.equal(one(ev, "apps/v1:Deployment", "risk-manager-deployment").metadata.labels["app.kubernetes.io/version"], undefined);
        assert.equal(one(ev, "apps/v1:Deployment", "garch-model-deployment").metadata.labels["app.kubernetes.io/version"], "2.0.1");
        assert.deepEqual(images(ev), [], "prebuilt images are not built");
    });
});

describe("image pull Secret", () => {
    for (const stack of ["staging", "production"]) {
        it(`${stack}: one dockerconfigjson Secret from the registry credentials, used by every Deployment`, async () => {
            const config = editedConfig(stack, () => undefined);
            config.config[`${P}registryPassword`] = "ghp_exampletoken123";
            const ev = await run(config);
            const secret = one(ev, "core/v1:Secret", `${stack}-registry`);
            assert.equal(secret.type, "kubernetes.io/dockerconfigjson");
            assert.equal(secret.immutable, true);
            assert.equal(isSecretEnvelope(secret.stringData), true, "the pull secret's data is a Pulumi secret");
            const config_ = JSON.parse(unwrap(secret.stringData)[".dockerconfigjson"]);
            assert.deepEqual(config_, {
                auths: {
                    "ghcr.io": {
                        username: "acme-trading-ci",
                        password: "ghp_exampletoken123",
                        auth: Buffer.from("acme-trading-ci:ghp_exampletoken123").toString("base64"),
                    },
                },
            });
            const name = ev.resources.find((r) => r.name === `${stack}-registry`)!.objectName;
            for (const d of ev.resources.filter((r) => r.type === "kubernetes:apps/v1:Deployment")) {
                assert.deepEqual((d.inputs as any).spec.template.spec.imagePullSecrets, [{ name }], d.name);
            }
        });
    }

    it("files Docker Hub credentials under the key the kubelet looks up", () => {
        assert.deepEqual(Object.keys(JSON.parse(dockerConfigJson("docker.io", "u", "p")).auths), ["https://index.docker.io/v1/"]);
        assert.deepEqual(Object.keys(JSON.parse(dockerConfigJson("registry.example.com:5000", "u", "p")).auths), ["registry.example.com:5000"]);
    });

    it("is absent for a public registry (no credentials), and pods pull without one", async () => {
        const config = editedConfig("staging", (v) => (v.environment.registry = { server: "ghcr.io" }));
        delete config.config[`${P}registryPassword`];
        const ev = await run(config);
        assert.equal(ev.resources.some((r) => r.name === "staging-registry"), false);
        assert.equal(one(ev, "apps/v1:Deployment", "execution-deployment").spec.template.spec.imagePullSecrets, undefined);
    });
});

describe("image tags from CI, never from the clock", () => {
    const ci = (extra: Record<string, string>) => ({ GITHUB_SHA: SHA, ...extra });

    it("derives <branch>-<sha7>, semver plus sha-<sha7>, and pr-<n>", () => {
        assert.deepEqual(ciImageTags(ci({ GITHUB_REF_TYPE: "branch", GITHUB_REF_NAME: "main", GITHUB_EVENT_NAME: "push" }))?.tags, ["main-3f9c2ab"]);
        assert.deepEqual(ciImageTags(ci({ GITHUB_REF_TYPE: "branch", GITHUB_REF_NAME: "feature/Fast-Path", GITHUB_EVENT_NAME: "push" }))?.tags, ["feature-fast-path-3f9c2ab"]);
        assert.deepEqual(ciImageTags(ci({ GITHUB_REF_TYPE: "tag", GITHUB_REF_NAME: "v1.4.3", GITHUB_EVENT_NAME: "push" }))?.tags, ["1.4.3", "sha-3f9c2ab"]);
        assert.deepEqual(ciImageTags(ci({ GITHUB_REF_TYPE: "tag", GITHUB_REF_NAME: "2.0.0-rc.1" }))?.tags, ["2.0.0-rc.1", "sha-3f9c2ab"]);
        assert.deepEqual(ciImageTags(ci({ GITHUB_EVENT_NAME: "pull_request", GITHUB_REF: "refs/pull/42/merge", GITHUB_REF_NAME: "42/merge" }))?.tags, ["pr-42"]);
        assert.equal(ciImageTags({ GITHUB_REF_NAME: "main" }), undefined, "no commit, no tag");
        assert.equal(ciImageTags({}), undefined);
    });

    it("tags the build from CI when the stack sets no imageTag, identically on every run", async () => {
        const config = buildingStaging((v) => delete v.environment.imageTag);
        const env = ci({ GITHUB_REF_TYPE: "tag", GITHUB_REF_NAME: "v1.5.0", GITHUB_EVENT_NAME: "push" });
        const first = await run(config, { ciEnv: env });
        assert.deepEqual(unwrap(images(first).find((r) => r.name === "orchestrator-image")!.inputs).tags, [
            "ghcr.io/acme-trading/orchestrator:1.5.0",
            "ghcr.io/acme-trading/orchestrator:sha-3f9c2ab",
        ]);
        assert.equal(containerImage(first, "ingestion"), `ghcr.io/acme-trading/hft-ingestion@${lookUp("ghcr.io/acme-trading/hft-ingestion:1.5.0").digest}`, "prebuilt images follow the same tag");
        const second = await run(config, { ciEnv: env });
        assert.deepEqual(JSON.stringify(second.resources.map((r) => r.inputs)), JSON.stringify(first.resources.map((r) => r.inputs)));
    });

    it("an explicit imageTag wins over CI", async () => {
        const ev = await run(buildingStaging(), { ciEnv: ci({ GITHUB_REF_NAME: "main", GITHUB_EVENT_NAME: "push" }) });
        assert.deepEqual(unwrap(images(ev)[0].inputs).tags.map((t: string) => t.split(":")[1]), ["main-3f9c2ab"]);
    });
});

describe("previews push nothing and need no registry credentials", () => {
    function withoutPassword(config: StackConfig): StackConfig {
        const c = { ...config.config };
        delete c[`${P}registryPassword`];
        return { ...config, config: c, secretKeys: config.secretKeys.filter((k) => k !== `${P}registryPassword`) };
    }

    it("a preview without credentials still shows every image that would be built, and builds none", async () => {
        const ev = await run(withoutPassword(buildingStaging()), { preview: true });
        const built = images(ev);
        assert.deepEqual(built.map((r) => r.name).sort(), ["execution-image", "orchestrator-image"]);
        for (const image of built) {
            assert.equal(image.inputs.buildOnPreview, false, "nothing is built, so nothing can be pushed");
            assert.equal(image.inputs.registries, undefined, "no credentials are passed");
        }
        assert.equal(ev.resources.some((r) => r.name === "staging-registry"), false);
    });

    it("an update without credentials is refused: it would push", async () => {
        assert.deepEqual(await refused(withoutPassword(buildingStaging())), [
            `${P}registryPassword: required secret is not set (used by ${P}environment.registry.passwordSecret); set it with 'pulumi config set --secret registryPassword <value> --stack staging'`,
        ]);
    });
});

describe("image configuration errors", () => {
    // `dropPassword`: the stack no longer names the password key, so it is not set either.
    const cases: { name: string; edit: (v: { catalog: any; environment: any }) => void; expected: string[]; dropPassword?: boolean }[] = [
        {
            name: "both build and image",
            edit: (v) => (v.catalog.services.orchestrator.image = { repository: "ghcr.io/acme/orchestrator" }),
            expected: [
                `${P}catalog.services.orchestrator.build: a service either builds its image ('build') or runs a prebuilt one ('image', set at ${P}catalog.services.orchestrator.image), not both`,
            ],
        },
        {
            name: "a stack override that adds an image to a building service",
            edit: (v) => (v.environment.services.execution = { image: { tag: "1.0.0" } }),
            expected: [
                `${P}catalog.services.execution.build: a service either builds its image ('build') or runs a prebuilt one ('image', set at ${P}environment.services.execution.image), not both`,
            ],
        },
        {
            name: "neither build nor image",
            edit: (v) => delete v.catalog.services.execution.build,
            expected: [
                `${P}catalog.services.execution.image: required: either 'image' (a prebuilt image: repository, with tag and/or digest) or 'build' (build from source: context, dockerfile, target, args, platforms)`,
            ],
        },
        {
            name: "a tag with illegal characters",
            edit: (v) => (v.environment.imageTag = "feature/fast path"),
            expected: [
                `${P}environment.imageTag: expected an image tag such as 'main-3f9c2ab' or '1.4.2' (not 'latest'), got "feature/fast path" (letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-')`,
            ],
        },
        {
            name: "a registry without credentials when a push is needed",
            edit: (v) => (v.environment.registry = { server: "ghcr.io", repositoryPrefix: "acme-trading" }),
            dropPassword: true,
            expected: [
                `${P}environment.registry: execution, orchestrator build images that 'pulumi up' pushes to ghcr.io, which needs credentials; set 'username' and 'passwordSecret' (a preview pushes nothing and needs none)`,
            ],
        },
        {
            name: "a build with no registry to push to",
            edit: (v) => delete v.environment.registry,
            expected: [
                `${P}environment.registry: required because services build images (it says where they are pushed); expected {server, repositoryPrefix, username, passwordSecret}`,
            ],
        },
        {
            name: "a user name without a password secret",
            edit: (v) => delete v.environment.registry.passwordSecret,
            expected: [
                `${P}environment.registry: expected 'username' and 'passwordSecret' together (credentials), or neither (a public registry), got {"server":"ghcr.io","repositoryPrefix":"acme-trading","username":"acme-trading-ci"}`,
            ],
        },
        {
            name: "a registry given as a URL",
            edit: (v) => (v.environment.registry.server = "https://ghcr.io"),
            expected: [
                `${P}environment.registry.server: expected a registry host such as 'ghcr.io' or 'registry.example.com:5000', got "https://ghcr.io" (a host name with an optional ':port', no scheme or path)`,
            ],
        },
        {
            name: "a build without a context",
            edit: (v) => (v.catalog.services.execution.build = { target: "runtime" }),
            expected: [`${P}catalog.services.execution.build.context: required; expected a build context folder such as 'services/api'`],
        },
        {
            name: "a build context outside the project",
            edit: (v) => (v.catalog.services.execution.build.context = "../other-repo"),
            expected: [
                `${P}catalog.services.execution.build.context: expected a build context folder such as 'services/api', got "../other-repo" (a path relative to the project folder, without '..')`,
            ],
        },
        {
            name: "an unsupported platform",
            edit: (v) => (v.catalog.services.orchestrator.build.platforms = ["linux/amd64", "windows/amd64"]),
            expected: [`${P}catalog.services.orchestrator.build.platforms[1]: expected one of linux/amd64, linux/arm64, got "windows/amd64"`],
        },
        {
            name: "a malformed digest",
            edit: (v) => (v.catalog.services.ingestion.image.digest = "sha256:abc"),
            expected: [
                `${P}catalog.services.ingestion.image.digest: expected an image digest such as 'sha256:9f86d0...', got "sha256:abc" ('sha256:' followed by 64 lowercase hex digits)`,
            ],
        },
        {
            name: "a build with no tag outside CI, every pulled image tagged",
            edit: (v) => {
                delete v.environment.imageTag;
                for (const [name, svc] of Object.entries<any>(v.catalog.services)) if (!BUILT.includes(name)) svc.image.tag = "1.4.2";
            },
            expected: [
                `${P}catalog.services.execution.build: the image needs a tag to push: set the environment's imageTag, or run in GitHub Actions (tags from GITHUB_SHA and GITHUB_REF)`,
                `${P}catalog.services.orchestrator.build: the image needs a tag to push: set the environment's imageTag, or run in GitHub Actions (tags from GITHUB_SHA and GITHUB_REF)`,
            ],
        },
        {
            name: "a build with no tag outside CI",
            edit: (v) => delete v.environment.imageTag,
            // Execution and orchestrator build (buildingStaging); every other service needs a tag
            // unless the catalog or the stack gives it one. In the catalog's name order.
            expected: SERVICES.filter((s) => BUILT.includes(s) || !hasOwnImageVersion("staging", s)).map((s) =>
                BUILT.includes(s)
                    ? `${P}catalog.services.${s}.build: the image needs a tag to push: set the environment's imageTag, or run in GitHub Actions (tags from GITHUB_SHA and GITHUB_REF)`
                    : `${P}catalog.services.${s}.image.tag: required (or image.digest); set image.tag, the environment's imageTag, or run in GitHub Actions (tags from GITHUB_SHA and GITHUB_REF)`,
            ),
        },
    ];
    for (const c of cases) {
        it(c.name, async () => {
            const config = buildingStaging(c.edit);
            if (c.dropPassword) delete config.config[`${P}registryPassword`];
            assert.deepEqual(await refused(config), c.expected);
        });
    }
});
