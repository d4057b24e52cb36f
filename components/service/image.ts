import * as pulumi from "@pulumi/pulumi";
import * as dockerBuild from "@pulumi/docker-build";
import { BuildConfig, ImageConfig, RegistryConfig } from "../../config/types";

export interface ServiceImageArgs {
    readonly image: ImageConfig;
    /** Set when the service builds its image from source. */
    readonly build?: BuildConfig;
    readonly registry?: RegistryConfig;
    /** The registry password; absent in a preview without credentials. */
    readonly registryPassword?: pulumi.Input<string>;
    readonly buildOnPreview: boolean;
}

/**
 * The image reference a Deployment runs. A prebuilt image is used as configured, pinned by
 * digest when the catalog gives one. A build (docker-build, one code path for one or many
 * platforms) is pushed under every tag, and the Deployment pins the pushed digest, so
 * redeploying an earlier stack version restores exactly the bits it ran.
 */
export function serviceImage(name: string, args: ServiceImageArgs, opts: pulumi.CustomResourceOptions): pulumi.Output<string> {
    const { image, build, registry } = args;
    if (!build) {
        const ref = image.digest ? `${image.repository}@${image.digest}` : `${image.repository}:${image.tag!}`;
        return pulumi.output(ref);
    }
    const cacheRef = `${image.repository}:buildcache`;
    const built = new dockerBuild.Image(
        `${name}-image`,
        {
            // Previews never push: the provider exports images only on update.
            push: true,
            buildOnPreview: args.buildOnPreview,
            context: { location: build.context },
            ...(build.dockerfile ? { dockerfile: { location: build.dockerfile } } : {}),
            ...(build.target ? { target: build.target } : {}),
            buildArgs: build.args,
            platforms: build.platforms,
            tags: image.buildTags.map((t) => `${image.repository}:${t}`),
            ...(registry?.username && args.registryPassword !== undefined
                ? { registries: [{ address: registry.server, username: registry.username, password: args.registryPassword }] }
                : {}),
            ...(registry?.cache
                ? {
                      cacheFrom: [{ registry: { ref: cacheRef } }],
                      cacheTo: [{ registry: { ref: cacheRef, mode: dockerBuild.CacheMode.Max, imageManifest: true, ociMediaTypes: true } }],
                  }
                : {}),
        },
        opts,
    );
    return pulumi.interpolate`${image.repository}@${built.digest}`;
}
