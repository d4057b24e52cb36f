import * as pulumi from "@pulumi/pulumi";
import * as dockerBuild from "@pulumi/docker-build";
import { BuildConfig, ImageConfig, RegistryConfig } from "../../config/types";
import type { RegistryLookup } from "../images/lookup";
import type { ImageSource } from "../images/releases";
import { serviceResource } from "../../config/names/derive";

export interface ServiceImageArgs {
    readonly image: ImageConfig;
    /** Set when the service builds its image from source. */
    readonly build?: BuildConfig;
    readonly registry?: RegistryConfig;
    /** The registry password; absent in a preview without credentials. */
    readonly registryPassword?: pulumi.Input<string>;
    readonly buildOnPreview: boolean;
    /** Looks tags up in the registry; given whenever a service names an image by tag alone. */
    readonly lookup?: RegistryLookup;
}

/** The image reference a workload runs, pinned by digest, and where the digest came from. */
export interface ServiceImage {
    readonly reference: pulumi.Output<string>;
    readonly source: ImageSource;
}

/**
 * The image a workload runs, always pinned by digest: a prebuilt image's digest from the stack
 * file (or a rollback's pin), or looked up in the registry for its tag; a build (docker-build,
 * one code path for one or many platforms) is pushed under every tag and the pushed digest is
 * run. So redeploying an earlier stack version restores exactly the bits it ran.
 */
export function serviceImage(name: string, args: ServiceImageArgs, opts: pulumi.CustomResourceOptions): ServiceImage {
    const { image, build, registry } = args;
    if (!build) {
        if (image.digest) {
            return { reference: pulumi.output(`${image.repository}@${image.digest}`), source: image.rollback ? "rollback" : "stack file" };
        }
        if (!args.lookup) {
            throw new Error(`${name}: the image ${image.repository}:${image.tag} needs a registry lookup, and none was given`);
        }
        return { reference: args.lookup.digestOf(image.repository, image.tag!), source: "registry" };
    }
    const cacheRef = `${image.repository}:buildcache`;
    const built = new dockerBuild.Image(
        serviceResource.image(name),
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
    return { reference: pulumi.interpolate`${image.repository}@${built.digest}`, source: "build" };
}
