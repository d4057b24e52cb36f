import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Problems } from "../config/errors";
import { resolveReleaseTime } from "../config/resolve/promotion";
import { KEPT_RELEASES, nextReleases, Releases } from "../components/images/releases";
import { evaluate, unwrapSecrets } from "../tools/harness/evaluate";
import { lookUp } from "../tools/harness/registry";
import { refused } from "./refused";
import { servicesOf, stackFacts } from "./facts-resources";
import { editedConfig, one, PROJECT, REPO, run, stackConfig, uncached } from "./support";

/**
 * What each stack released (the `releases` output) and production's promotion gate: production
 * runs only images staging ran for the same service (environment.promotion in Pulumi.production.yaml).
 */

const STAGING = `organization/${PROJECT}/staging`;
const ORCHESTRATOR = "ghcr.io/acme-trading/hft-orchestrator";
const image = (ev: any, svc: string) => {
    const r = ev.resources.find((x: any) => x.name === `${svc}-deployment` || x.name === `${svc}-cronjob` || x.name === `${svc}-statefulset` || x.name === `${svc}-rollout`);
    const spec = r.inputs.spec;
    return (spec.template ?? spec.jobTemplate.spec.template).spec.containers[0].image as string;
};
const releasesOf = (ev: any): Releases => (unwrapSecrets(ev.outputs) as any).releases;

describe("the releases output", () => {
    it("records each service's image, tag and source; the time only when the deploy gives one", async () => {
        const ev = await run("staging");
        const x = stackFacts("staging");
        const releases = releasesOf(ev);
        assert.deepEqual(Object.keys(releases), servicesOf(x).sort());
        for (const svc of servicesOf(x)) {
            assert.deepEqual(releases[svc], [{ image: x.services[svc].image, tag: x.services[svc].tag, source: "registry" }], svc);
        }
        const timed = releasesOf(await run("staging", { ciEnv: { PLATFORM_RELEASE_TIME: "2026-11-30T09:00:00Z" } }));
        assert.equal(timed.execution[0].since, "2026-11-30T09:00:00Z");
    });

    it("keeps when an unchanged image went live; a new one goes first with this update's time", async () => {
        const first = await run("staging", { ciEnv: { PLATFORM_RELEASE_TIME: "2026-11-30T09:00:00Z" } });
        const previousOutputs = unwrapSecrets(first.outputs) as Record<string, unknown>;
        const moved = `sha256:${"77".repeat(32)}`;
        const second = releasesOf(
            await run("staging", { ciEnv: { PLATFORM_RELEASE_TIME: "2026-12-01T09:00:00Z" }, previousOutputs, registry: { [`${ORCHESTRATOR}:main-3f9c2ab`]: moved } }),
        );
        const before = releasesOf(first);
        assert.deepEqual(second.execution, before.execution, "unchanged: still live since the first update");
        assert.deepEqual(second.orchestrator, [{ image: `${ORCHESTRATOR}@${moved}`, tag: "main-3f9c2ab", source: "registry", since: "2026-12-01T09:00:00Z" }, ...before.orchestrator]);
    });

    it("keeps the last twenty images per service, an image run again moving to the front", () => {
        const entry = (n: number) => ({ image: `r@sha256:${String(n).padStart(64, "0")}`, source: "registry" as const, since: `t${n}` });
        let record: Releases = {};
        for (let n = 1; n <= 25; n++) record = nextReleases(record, { api: { image: entry(n).image, source: "registry" } }, `t${n}`);
        assert.equal(record.api.length, KEPT_RELEASES);
        assert.deepEqual(record.api[0], entry(25));
        assert.deepEqual(record.api.at(-1), entry(6));
        const again = nextReleases(record, { api: { image: entry(10).image, source: "rollback" } }, "t26");
        assert.deepEqual(again.api[0], { image: entry(10).image, source: "rollback", since: "t26" });
        assert.equal(again.api.filter((r) => r.image === entry(10).image).length, 1);
    });

    it("says where each image came from: a build, the stack file, a rollback's pin", async () => {
        const digest = `sha256:${"12".repeat(32)}`;
        const ev = await run(
            editedConfig("staging", (v) => {
                v.catalog.services.orchestrator.build = { context: "services/orchestrator" };
                delete v.catalog.services.orchestrator.image;
                v.environment.services.ingestion = { ...v.environment.services.ingestion, image: { digest } };
            }),
            { ciEnv: { PLATFORM_PINNED_IMAGES: JSON.stringify({ execution: `ghcr.io/acme-trading/hft-execution@${digest}` }) } },
        );
        const releases = releasesOf(ev);
        assert.equal(releases.orchestrator[0].source, "build");
        assert.equal(releases.ingestion[0].source, "stack file");
        assert.deepEqual(releases.execution[0], { image: `ghcr.io/acme-trading/hft-execution@${digest}`, tag: "main-3f9c2ab", source: "rollback" });
    });

    it("refuses a release time that is not a UTC timestamp, naming the variable", async () => {
        assert.deepEqual(await refused(stackConfig("staging"), { ciEnv: { PLATFORM_RELEASE_TIME: "yesterday" } }), [
            `PLATFORM_RELEASE_TIME: expected a UTC time such as '2026-11-30T15:04:05Z', got "yesterday"`,
        ]);
    });
});

describe("promotion: production runs what staging ran", () => {
    it("production renders staging's digests for every service it runs, read through a reference to staging", async () => {
        const staging = releasesOf(await run("staging"));
        const ev = await run("production");
        const x = stackFacts("production");
        for (const svc of servicesOf(x)) {
            assert.equal(image(ev, svc), staging[svc][0].image, svc);
        }
        const reference = ev.resources.find((r) => r.name === "promotion-source")!;
        assert.deepEqual(reference.inputs, { name: STAGING });
    });

    it("refuses an image staging never ran, naming the service and both references", async () => {
        const ev = await evaluate(editedConfig("production", (v) => (v.environment.services.orchestrator.image = { tag: "1.5.0" })), { ciEnv: {} });
        const theirs = releasesOf(await run("staging")).orchestrator[0].image;
        const ours = `${ORCHESTRATOR}@${lookUp(`${ORCHESTRATOR}:1.5.0`).digest}`;
        assert.equal(ev.error?.name, "PromotionError");
        assert.equal(
            ev.error?.message.replace(/^(error serializing property "(spec|metadata)": )+/, ""),
            `orchestrator: production would run ${ours}, which staging (${STAGING}) never ran; staging runs ${theirs} (tag main-3f9c2ab). ` +
                "Promote what staging ran ('npm run promote -- --from staging --to production'), or say why under environment.promotion.exceptions.orchestrator",
        );
        assert.equal(ev.resources.some((r) => r.name === "orchestrator-deployment" || r.name === "orchestrator-rollout"), false);
    });

    it("a digest written into the stack file passes when staging ran it, and is refused when it did not", async () => {
        const ran = releasesOf(await run("staging")).orchestrator[0].image.split("@")[1];
        const pinned = await run(editedConfig("production", (v) => (v.environment.services.orchestrator.image = { tag: "1.4.2", digest: ran })));
        assert.equal(image(pinned, "orchestrator"), `${ORCHESTRATOR}@${ran}`);
        const other = await evaluate(editedConfig("production", (v) => (v.environment.services.orchestrator.image = { digest: `sha256:${"9".repeat(64)}` })), { ciEnv: {} });
        assert.equal(other.error?.name, "PromotionError");
    });

    it("lets an image through with the stack file's reason, and a rollback's pin without one", async () => {
        const excepted = await run(
            editedConfig("production", (v) => {
                v.environment.services.orchestrator.image = { tag: "1.5.0" };
                v.environment.promotion.exceptions = { orchestrator: "hotfix for INC-2291, approved by the trading-platform leads" };
            }),
        );
        assert.equal(image(excepted, "orchestrator"), `${ORCHESTRATOR}@${lookUp(`${ORCHESTRATOR}:1.5.0`).digest}`);
        const pin = `${ORCHESTRATOR}@sha256:${"4".repeat(64)}`;
        const rolledBack = await run("production", { ciEnv: { PLATFORM_PINNED_IMAGES: JSON.stringify({ orchestrator: pin }) } });
        assert.equal(image(rolledBack, "orchestrator"), pin, "production ran it before: a rollback is not a promotion");
    });

    it("a rollback that pins every image does not read staging at all", async () => {
        const x = stackFacts("production");
        const pins = Object.fromEntries(servicesOf(x).map((svc) => [svc, x.services[svc].image.replace(/@sha256:.*$/, `@sha256:${"8".repeat(64)}`)]));
        const ev = await evaluate(stackConfig("production"), { ciEnv: { PLATFORM_PINNED_IMAGES: JSON.stringify(pins) }, stackOutputs: {} });
        assert.equal(ev.error, undefined, String(ev.error));
        assert.deepEqual(ev.resources.filter((r) => r.type === "pulumi:pulumi:StackReference").map((r) => r.name), ["last-update"]);
        assert.equal(image(ev, "orchestrator"), `${ORCHESTRATOR}@sha256:${"8".repeat(64)}`);
    });

    it("refuses everything while staging has no record, saying so", async () => {
        const ev = await evaluate(stackConfig("production"), { ciEnv: {}, stackOutputs: { [STAGING]: {} } });
        assert.equal(ev.error?.name, "PromotionError");
        assert.match(ev.error.message, /: production would run ghcr\.io\/acme-trading\/hft-[a-z-]+@sha256:[0-9a-f]{64}, which staging \(organization\/hft-platform\/staging\) never ran; staging has no release of [a-z-]+ on record\./);
    });

    it("refuses a gate on the stack itself and exceptions for services the stack does not run", async () => {
        const problems = await refused(
            editedConfig("production", (v) => {
                v.environment.promotion = { from: "acme/hft-platform/production", exceptions: { orchestrater: "a typo of the service's name", redis: "turned off in production", execution: "short" } };
            }),
        );
        assert.deepEqual(problems, [
            `${PROJECT}:environment.promotion.exceptions.execution: expected why this service may run an image the source stack never ran, got "short" (say why in at least 10 characters)`,
            `${PROJECT}:environment.promotion.from: "acme/hft-platform/production" is this stack: name the stack its images are tested in first, such as 'staging'`,
            `${PROJECT}:environment.promotion.exceptions.orchestrater: unknown service (did you mean 'orchestrator'?); the catalog has: ${Object.keys(JSON.parse(stackConfig("production").config[`${PROJECT}:catalog`]).services).sort().join(", ")}`,
            `${PROJECT}:environment.promotion.exceptions.redis: this service is not enabled in this stack: remove the exception`,
        ]);
    });

    it("is the same on every run: identical resources and outputs", async () => {
        const a = await uncached(() => run("production"));
        const b = await uncached(() => run("production"));
        assert.deepEqual(b.resources.map((r) => r.inputs), a.resources.map((r) => r.inputs));
        assert.deepEqual(b.outputs, a.outputs);
        assert.equal(one(a, "apps/v1:Deployment", "execution-deployment").spec.template.spec.containers[0].image.includes("@sha256:"), true);
    });
});

describe("the release time the workflows pass", () => {
    it("is what `date -u +%Y-%m-%dT%H:%M:%SZ` prints, which the program accepts", () => {
        const printed = execFileSync("date", ["-u", "+%Y-%m-%dT%H:%M:%SZ"], { encoding: "utf8" }).trim();
        const problems = new Problems();
        assert.equal(resolveReleaseTime(printed, problems), printed);
        assert.equal(problems.count, 0);
        for (const file of [".github/workflows/deploy.yml", ".github/workflows/rollback.yml"]) {
            assert.ok(fs.readFileSync(path.join(REPO, file), "utf8").includes('PLATFORM_RELEASE_TIME="$(date -u +%Y-%m-%dT%H:%M:%SZ)"'), file);
        }
    });
});
