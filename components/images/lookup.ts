import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { RegistryConfig } from "../../config/types";
import { stackResource } from "../../config/names/derive";

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** A failed lookup: printed without a stack trace, like a configuration error. */
export class RegistryLookupError extends pulumi.RunError {
    constructor(message: string) {
        super(message);
        this.name = "RegistryLookupError";
    }
}

/**
 * Turns a prebuilt image's tag into the digest the registry holds for it, at preview and at
 * update time, with @pulumi/docker's `getRegistryImage` (the registry's HTTP API; the provider
 * needs a Docker daemon to start, checked with the configuration: config/dockerDaemon.ts). The
 * environment's registry credentials authenticate lookups in that registry; other registries are
 * asked anonymously. A tag moved in the registry is a new digest, so the next preview shows it.
 */
export class RegistryLookup {
    private readonly provider: docker.Provider;
    /** One lookup per image, however many services run it. */
    private readonly found = new Map<string, pulumi.Output<string>>();

    constructor(name: string, args: { readonly registry?: RegistryConfig; readonly dockerHost?: string; readonly localHosts?: readonly string[] }, opts?: pulumi.CustomResourceOptions) {
        const { registry } = args;
        // A registry on this machine serves plain HTTP without credentials: the provider asks it
        // over http:// only when told so (its address says http://), with dummy credentials (authDisabled).
        const local = (args.localHosts ?? []).filter((host) => host !== registry?.server || !registry.username).map((host) => ({ address: `http://${host}`, authDisabled: true }));
        this.provider = new docker.Provider(
            stackResource.registryLookups(name),
            {
                ...(args.dockerHost ? { host: args.dockerHost } : {}),
                registryAuth: [
                    ...(registry?.username && registry.password !== undefined ? [{ address: registry.server, username: registry.username, password: pulumi.secret(registry.password) }] : []),
                    ...local,
                ],
            },
            opts,
        );
    }

    /** `<repository>@sha256:...` for `<repository>:<tag>`. */
    digestOf(repository: string, tag: string): pulumi.Output<string> {
        const name = `${repository}:${tag}`;
        const known = this.found.get(name);
        if (known) return known;
        const found = docker.getRegistryImage({ name }, { provider: this.provider }).then(
            (r) => {
                if (!DIGEST.test(r.sha256Digest)) {
                    throw new RegistryLookupError(`the registry answered ${JSON.stringify(r.sha256Digest)} for ${name}, not a sha256 digest`);
                }
                return `${repository}@${r.sha256Digest}`;
            },
            (e: unknown) => {
                throw new RegistryLookupError(
                    `looking up the digest of ${name} failed: ${(e as Error).message ?? String(e)}. ` +
                        "Check that the tag exists and that the stack's registry credentials (environment.registry) can read it",
                );
            },
        );
        const reference = pulumi.output(found);
        this.found.set(name, reference);
        return reference;
    }
}

/** An image as pods run it: by the digest the configuration names, else the one the registry holds for its tag (through `lookup`). */
export function byDigest(image: { readonly repository: string; readonly tag?: string; readonly digest?: string }, lookup: RegistryLookup | undefined): pulumi.Output<string> {
    return image.digest !== undefined ? pulumi.output(`${image.repository}@${image.digest}`) : lookup!.digestOf(image.repository, image.tag!);
}
