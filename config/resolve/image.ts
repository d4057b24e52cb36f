import * as f from "../formats";
import { byKey } from "../order";
import { BuildConfig, ImageConfig } from "../types";
import { written } from "../merge";
import type { ResolveContext, Settings } from "./service";
import { checkMutableTag } from "./mutableTags";

const TAG_SOURCES = "set image.tag, the environment's imageTag, or run in GitHub Actions (tags from GITHUB_SHA and GITHUB_REF)";

/**
 * A service either builds its image from source (`build`, pushed to the environment's
 * registry) or runs a prebuilt one (`image`: repository with a tag and/or a digest).
 * Invalid settings were reported already and are not reported again.
 */
export function resolveImage({ s, at, anyInvalid }: Settings, ctx: ResolveContext & { readonly name: string }): { image?: ImageConfig; build?: BuildConfig } {
    const buildGiven = written(at.build) || anyInvalid("build");
    const imageGiven = written(at.image) || anyInvalid("image");
    const section = (key: "build" | "image") => at[key]?.$ ?? `${ctx.servicePath}.${key}`;
    if (buildGiven && imageGiven) {
        ctx.problems.add(section("build"), `a service either builds its image ('build') or runs a prebuilt one ('image', set at ${section("image")}), not both`);
        return {};
    }
    if (!buildGiven && !imageGiven) {
        ctx.problems.add(
            `${ctx.servicePath}.image`,
            "required: either 'image' (a prebuilt image: repository, with tag and/or digest) or 'build' (build from source: context, dockerfile, target, args, platforms)",
        );
        return {};
    }
    if (anyInvalid("build", "image")) {
        return {};
    }
    const envTag = ctx.imageTag?.value;
    const envTagInvalid = ctx.imageTag !== undefined && envTag === undefined;
    if (s.build) {
        return resolveBuild(s.build, section("build"), ctx, envTag, envTagInvalid);
    }
    const image = s.image ?? {};
    if (!image.repository) {
        ctx.problems.add(`${section("image")}.repository`, "required; expected an image repository such as 'ghcr.io/acme/api'");
        return {};
    }
    if (image.tag !== undefined) checkMutableTag(image.tag, at.image?.tag ?? `${section("image")}.tag`, ctx.mutableTags, ctx.envPath, ctx.problems);
    // A digest pins the image; an environment-wide tag is then not assumed to describe it.
    const tag = image.tag ?? (image.digest ? undefined : (envTag ?? ctx.ciTags?.tags[0]));
    if (!tag && !image.digest) {
        if (!envTagInvalid) {
            ctx.problems.add(`${section("image")}.tag`, `required (or image.digest); ${TAG_SOURCES}`);
        }
        return {};
    }
    return { image: { repository: image.repository, tag, digest: image.digest, buildTags: [] } };
}

function resolveBuild(
    build: NonNullable<Settings["s"]["build"]>,
    buildPath: string,
    ctx: ResolveContext & { readonly name: string },
    envTag: string | undefined,
    envTagInvalid: boolean,
): { image?: ImageConfig; build?: BuildConfig } {
    if (!build.context) {
        ctx.problems.add(`${buildPath}.context`, "required; expected a build context folder such as 'services/api'");
    }
    if (!ctx.registry && !ctx.registryGiven) {
        ctx.problems.add(ctx.registryPath, "required because services build images (it says where they are pushed); expected {server, repositoryPrefix, username, passwordSecret}");
    }
    const tags = envTag ? [envTag] : ctx.ciTags?.tags;
    if (!tags && !envTagInvalid) {
        ctx.problems.add(buildPath, `the image needs a tag to push: ${TAG_SOURCES.replace("set image.tag, the", "set the")}`);
    }
    if (!build.context || !ctx.registry || !tags) {
        return {};
    }
    const repository = [ctx.registry.server, ctx.registry.repositoryPrefix, ctx.name].filter(Boolean).join("/");
    const problem = f.imageRepository(repository);
    if (problem) {
        ctx.problems.add(ctx.registryPath, `the repository ${JSON.stringify(repository)} for service ${ctx.name} is not valid (${problem})`);
        return {};
    }
    const args = byKey(build.args ?? {});
    return {
        image: { repository, tag: tags[0], buildTags: tags },
        build: {
            context: build.context,
            ...(build.dockerfile ? { dockerfile: build.dockerfile } : {}),
            ...(build.target ? { target: build.target } : {}),
            args,
            platforms: build.platforms,
        },
    };
}
