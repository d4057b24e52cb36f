import * as pulumi from "@pulumi/pulumi";
import { readCatalogFile } from "../../config/catalogFile";
import { ConfigError } from "../../config/errors";
import { byCodePoint } from "../../config/order";
import { readPlatformConfig } from "../../config/platform";
import { ImageConfig, PlatformConfig } from "../../config/types";
import { httpCheckers } from "../../config/resolve/verify";
import { inClusterCanaries, statusImage } from "../../config/inCluster";
import { Refusal } from "../cli";
import { projectValues, readStackFiles, StackFileError } from "../harness/stackFiles";
import { problemsWithFiles } from "../render/problems";

/** One prebuilt image a stack runs, and the services that run it. */
export interface StackImage {
    /** `<repository>:<tag>`, or `<repository>@sha256:<digest>` where the configuration pins a digest. */
    readonly ref: string;
    readonly repository: string;
    readonly services: readonly string[];
}

/** A service that builds its image from source, and where the build pushes it. */
export interface BuiltService {
    readonly service: string;
    readonly repository: string;
}

/** What a stack's configuration says about its images. */
export interface StackImages {
    /** The prebuilt images, each once, by reference. */
    readonly prebuilt: readonly StackImage[];
    /** The services that build, by name: they have no image before `pulumi up` pushes one. */
    readonly built: readonly BuiltService[];
}

/**
 * The CI variables of a push to main, for questions whose answer does not depend on the tag
 * (which services build, which registries images come from): `npm run generate` asks them
 * without being in CI.
 */
export const PUSH_TO_MAIN: Readonly<Record<string, string>> = {
    GITHUB_SHA: "0".repeat(40),
    GITHUB_REF: "refs/heads/main",
    GITHUB_REF_NAME: "main",
    GITHUB_REF_TYPE: "branch",
    GITHUB_EVENT_NAME: "push",
};

// No secret value is read: only which images the configuration names.
const NO_SECRETS = { isSet: () => true, isSecret: () => true, value: () => pulumi.secret("<redacted>") };

/** A prebuilt image's reference as a Deployment runs it when the configuration gives it. */
export function imageReference(image: Pick<ImageConfig, "repository" | "tag" | "digest">): string {
    return image.digest ? `${image.repository}@${image.digest}` : `${image.repository}:${image.tag!}`;
}

/** The registry host of a repository, as Docker reads it: `ghcr.io/acme/api` -> `ghcr.io`, `redis` -> `docker.io`. */
export function registryHost(repository: string): string {
    const first = repository.split("/")[0];
    return repository.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost") ? first : "docker.io";
}

/**
 * The images of stack `stack` in the project folder `dir`, from its configuration alone (offline,
 * no secret read), resolved as the program resolves them under `ciEnv` (tags from CI). A tag is
 * listed as a tag: which digest it names is the registry's answer at the time someone asks.
 * Services turned off in the stack are left out. Refuses a missing stack or an invalid
 * configuration, each problem naming its file.
 */
export function stackImages(dir: string, stack: string, ciEnv: Readonly<Record<string, string | undefined>>): StackImages {
    return imagesOf(offlineConfig(dir, stack, ciEnv));
}

/**
 * Stack `stack` of the project folder `dir` resolved offline as the program resolves it under
 * `ciEnv` (no secret read). Refuses a missing stack or an invalid configuration, each problem
 * naming its file.
 */
export function offlineConfig(dir: string, stack: string, ciEnv: Readonly<Record<string, string | undefined>>): PlatformConfig {
    let files;
    try {
        files = readStackFiles(dir, stack, { fillSecrets: true });
    } catch (e) {
        if (e instanceof StackFileError) throw new Refusal(e.message);
        if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new Refusal(`no Pulumi.yaml in ${dir}`);
        throw e;
    }
    const values = projectValues(files);
    try {
        const catalogFile = values.catalogFile !== undefined ? readCatalogFile(dir, files.project, values.catalogFile, values.catalog !== undefined) : undefined;
        return readPlatformConfig({ project: files.project, stack, values, dryRun: false, ciEnv, ...(catalogFile ? { catalogFile } : {}) }, NO_SECRETS);
    } catch (e) {
        if (e instanceof ConfigError) throw new Refusal(`stack '${stack}': ${problemsWithFiles(e, files)}`);
        throw e;
    }
}

/** What a resolved configuration says about its images. */
export function imagesOf(config: PlatformConfig): StackImages {
    const byRef = new Map<string, { repository: string; services: string[] }>();
    const built: BuiltService[] = [];
    for (const svc of config.services) {
        if (svc.build) {
            built.push({ service: svc.name, repository: svc.image.repository });
            continue;
        }
        const ref = imageReference(svc.image);
        const entry = byRef.get(ref) ?? { repository: svc.image.repository, services: [] };
        entry.services.push(svc.name);
        byRef.set(ref, entry);
    }
    // The verification Jobs' HTTP checks run in the checker image (environment.verify.image): in
    // the cluster like the services' images, so scanned like them.
    const platformImage = (image: Pick<ImageConfig, "repository" | "tag" | "digest">, user: string) => {
        const ref = imageReference(image);
        const entry = byRef.get(ref) ?? { repository: image.repository, services: [] };
        entry.services.push(user);
        byRef.set(ref, entry);
    };
    for (const service of httpCheckers(config)) platformImage(config.environment.verify.image, `${service} (verification)`);
    // So do the in-cluster canaries' wait Jobs, in Argo Rollouts' CLI image (environment.canary.statusImage).
    const status = statusImage(config);
    for (const svc of status ? inClusterCanaries(config) : []) platformImage(status!, `${svc.name} (canary wait)`);
    const prebuilt = [...byRef].map(([ref, { repository, services }]) => ({ ref, repository, services: services.sort(byCodePoint) })).sort((a, b) => byCodePoint(a.ref, b.ref));
    return { prebuilt, built: built.sort((a, b) => byCodePoint(a.service, b.service)) };
}

/** An image a stack built and pushed: the repository and the digest the push returned. */
export interface PushedImage {
    readonly service: string;
    /** `<repository>@sha256:<digest>`. */
    readonly ref: string;
    readonly repository: string;
    readonly digest: string;
}

const DIGEST_REF = /^([^@\s]+)@(sha256:[0-9a-f]{64})$/;
const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * The images the services in `built` pushed, from the stack's outputs (`pulumi stack output
 * --json`): each service's newest `releases` entry when it says `source: build`, else
 * `services.<name>.image`. A service whose newest release is not a build (a rollback pinned an
 * earlier image) pushed nothing in this update and is left out. Refuses outputs that name no
 * image for a service that builds, or a reference that is not pinned by digest.
 */
export function pushedImages(outputs: unknown, built: readonly BuiltService[], file: string): PushedImage[] {
    if (!isRecord(outputs)) throw new Refusal(`${file}: expected the stack outputs as a JSON object (pulumi stack output --json), got ${JSON.stringify(outputs)?.slice(0, 60)}`);
    const releases = isRecord(outputs.releases) ? outputs.releases : undefined;
    const services = isRecord(outputs.services) ? outputs.services : {};
    const pushed: PushedImage[] = [];
    for (const { service } of built) {
        const history = releases?.[service];
        let ref: unknown;
        let from: string;
        if (Array.isArray(history) && history.length > 0) {
            const newest: unknown = history[0];
            if (!isRecord(newest)) throw new Refusal(`${file}: releases.${service}[0]: expected an object with 'image' and 'source', got ${JSON.stringify(newest)}`);
            if (newest.source !== "build") continue;
            ref = newest.image;
            from = `releases.${service}[0].image`;
        } else {
            const entry = services[service];
            ref = isRecord(entry) ? entry.image : undefined;
            from = `services.${service}.image`;
        }
        if (ref === undefined) throw new Refusal(`${file}: no image for ${service}, which the configuration builds (expected ${from}); was this stack's last update successful?`);
        const m = typeof ref === "string" ? DIGEST_REF.exec(ref) : null;
        if (!m) throw new Refusal(`${file}: ${from}: expected '<repository>@sha256:<64 hex digits>', the digest the build pushed, got ${JSON.stringify(ref)}`);
        pushed.push({ service, ref: m[0], repository: m[1], digest: m[2] });
    }
    return pushed;
}
