import { Problems } from "./errors";
import * as f from "./formats";
import { byCodePoint } from "./order";
import { CiTags } from "./imageTags";
import { Layer, Leaf } from "./serviceSettings";
import { BuildConfig, ImageConfig, RegistryConfig } from "./types";

export interface ImageContext {
    readonly name: string;
    readonly servicePath: string;
    /** The environment's default tag (`environment.imageTag`); may be an invalid leaf. */
    readonly imageTag?: Leaf;
    readonly ciTags?: CiTags;
    readonly registry?: RegistryConfig;
    readonly registryPath: string;
    readonly registryGiven: boolean;
    readonly problems: Problems;
}

const TAG_SOURCES = "set image.tag, the environment's imageTag, or run in GitHub Actions (tags from GITHUB_SHA and GITHUB_REF)";

/**
 * A service either builds its image from source (`build`, pushed to the environment's
 * registry) or runs a prebuilt one (`image`: repository with a tag and/or a digest).
 * Invalid leaves (`invalid`) were reported already and are not reported again.
 */
export function resolveImage(merged: Layer, invalid: ReadonlySet<string>, ctx: ImageContext): { image?: ImageConfig; build?: BuildConfig } {
    const fields = [...merged.keys(), ...invalid];
    const buildField = fields.find((k) => k.startsWith("build."));
    const imageField = fields.find((k) => k.startsWith("image."));
    const section = (field: string, key: "build" | "image") => {
        const path = merged.get(field)?.path;
        return path ? path.slice(0, path.lastIndexOf(`.${key}.`) + key.length + 1) : `${ctx.servicePath}.${key}`;
    };
    if (buildField && imageField) {
        ctx.problems.add(
            section(buildField, "build"),
            `a service either builds its image ('build') or runs a prebuilt one ('image', set at ${section(imageField, "image")}), not both`,
        );
        return {};
    }
    if (!buildField && !imageField) {
        ctx.problems.add(
            `${ctx.servicePath}.image`,
            "required: either 'image' (a prebuilt image: repository, with tag and/or digest) or 'build' (build from source: context, dockerfile, target, args, platforms)",
        );
        return {};
    }
    if ([...invalid].some((k) => k.startsWith("build.") || k.startsWith("image."))) {
        return {};
    }
    const value = <T>(field: string) => merged.get(field)?.value as T | undefined;
    const envTag = typeof ctx.imageTag?.value === "string" ? ctx.imageTag.value : undefined;
    const envTagInvalid = ctx.imageTag !== undefined && envTag === undefined;
    if (buildField) {
        return resolveBuild(merged, ctx, envTag, envTagInvalid);
    }

    const repository = value<string>("image.repository");
    if (!repository) {
        ctx.problems.add(`${section(imageField!, "image")}.repository`, "required; expected an image repository such as 'ghcr.io/acme/api'");
        return {};
    }
    const digest = value<string>("image.digest");
    // A digest pins the image; an environment-wide tag is then not assumed to describe it.
    const tag = value<string>("image.tag") ?? (digest ? undefined : (envTag ?? ctx.ciTags?.tags[0]));
    if (!tag && !digest) {
        if (!envTagInvalid) {
            ctx.problems.add(`${section(imageField!, "image")}.tag`, `required (or image.digest); ${TAG_SOURCES}`);
        }
        return {};
    }
    return { image: { repository, tag, digest, buildTags: [] } };
}

function resolveBuild(merged: Layer, ctx: ImageContext, envTag: string | undefined, envTagInvalid: boolean): { image?: ImageConfig; build?: BuildConfig } {
    const value = <T>(field: string) => merged.get(field)?.value as T | undefined;
    const buildPath = (() => {
        const path = [...merged.values()].find((l) => l.path.includes(".build."))?.path ?? `${ctx.servicePath}.build.`;
        return path.slice(0, path.lastIndexOf(".build.") + ".build".length);
    })();
    const context = value<string>("build.context");
    if (!context) {
        ctx.problems.add(`${buildPath}.context`, "required; expected a build context folder such as 'services/api'");
    }
    if (!ctx.registry && !ctx.registryGiven) {
        ctx.problems.add(ctx.registryPath, "required because services build images (it says where they are pushed); expected {server, repositoryPrefix, username, passwordSecret}");
    }
    const tags = envTag ? [envTag] : ctx.ciTags?.tags;
    if (!tags && !envTagInvalid) {
        ctx.problems.add(`${buildPath}`, `the image needs a tag to push: ${TAG_SOURCES.replace("set image.tag, the", "set the")}`);
    }
    if (!context || !ctx.registry || !tags) {
        return {};
    }
    const repository = [ctx.registry.server, ctx.registry.repositoryPrefix, ctx.name].filter(Boolean).join("/");
    const problem = f.imageRepository(repository);
    if (problem) {
        ctx.problems.add(ctx.registryPath, `the repository ${JSON.stringify(repository)} for service ${ctx.name} is not valid (${problem})`);
        return {};
    }
    const args: Record<string, string> = {};
    for (const [field, leaf] of [...merged].sort(([a], [b]) => byCodePoint(a, b))) {
        if (field.startsWith("build.args.")) args[field.slice("build.args.".length)] = leaf.value as string;
    }
    const dockerfile = value<string>("build.dockerfile");
    const target = value<string>("build.target");
    return {
        image: { repository, tag: tags[0], buildTags: tags },
        build: {
            context,
            ...(dockerfile ? { dockerfile } : {}),
            ...(target ? { target } : {}),
            args,
            platforms: value<string[]>("build.platforms") ?? ["linux/amd64"],
        },
    };
}
