import * as pulumi from "@pulumi/pulumi";
import { readCatalogFile } from "../../config/catalogFile";
import { ciImageTags } from "../../config/imageTags";
import { byCodePoint } from "../../config/order";
import { readPlatformConfig } from "../../config/platform";
import { ImageConfig, PlatformConfig, PromotionConfig } from "../../config/types";
import * as path from "path";
import { ConfigError } from "../../config/errors";
import { Refusal } from "../cli";
import { projectValues, readStackFiles, REDACTED, StackConfig, StackFileError } from "../harness/stackFiles";

/** What one service of the catalog does in a stack, as the program resolves it. */
export type TargetService =
    | { readonly name: string; readonly state: "runs"; readonly image: ImageConfig }
    | { readonly name: string; readonly state: "builds"; readonly image: ImageConfig }
    | { readonly name: string; readonly state: "disabled" };

/**
 * Tags decide nothing promotion reads (which services run, build, and from which repository),
 * but a service without one is invalid offline where CI would give it one (GITHUB_SHA): this
 * stands in for CI. No image tag it produces is ever written.
 */
export const STAND_IN_CI = { GITHUB_SHA: "0000000000000000000000000000000000000000", GITHUB_REF_NAME: "promote" } as const;

/** Whether a tag is the stand-in's, not one a stack names. */
export function standInTag(tag: string): boolean {
    return ciImageTags(STAND_IN_CI)?.tags.includes(tag) === true;
}

/** What a stack runs, resolved offline: every service of its catalog, and its promotion settings. */
export interface ResolvedStack {
    readonly services: TargetService[];
    readonly promotion: PromotionConfig;
}

/**
 * Every service of a stack's catalog, resolved offline as the program resolves it (merged,
 * validated; secret values never read), sorted by name. Throws the program's `ConfigError`.
 */
export function resolveServices(stack: StackConfig): TargetService[] {
    return resolveStack(stack, STAND_IN_CI).services;
}

/** A stack's configuration resolved offline as the program resolves it, with tags from CI's variables in `ciEnv`; secret values never read. Throws the program's `ConfigError`. */
export function resolveConfig(stack: StackConfig, ciEnv: Readonly<Record<string, string | undefined>>, catalogFile = catalogFileOf(stack)): PlatformConfig {
    const values = projectValues(stack);
    const key = (k: string) => `${stack.project}:${k}`;
    return readPlatformConfig(
        { project: stack.project, stack: stack.stack, values, dryRun: true, ciEnv, ...(catalogFile ? { catalogFile } : {}) },
        {
            isSet: (k) => stack.config[key(k)] !== undefined,
            isSecret: (k) => stack.secretKeys.includes(key(k)),
            // Never the real value: the stack file holds only ciphertext, and no tool here needs one.
            value: () => pulumi.secret(REDACTED),
        },
    );
}

/** `resolveServices`, and the stack's `environment.promotion`, with tags from CI's variables in `ciEnv`. */
export function resolveStack(stack: StackConfig, ciEnv: Readonly<Record<string, string | undefined>>): ResolvedStack {
    const catalogFile = catalogFileOf(stack);
    const config = resolveConfig(stack, ciEnv, catalogFile);
    const running = new Map(config.services.map((s) => [s.name, s]));
    const catalog = catalogNames(projectValues(stack), catalogFile?.value);
    const services = catalog.map((name): TargetService => {
        const s = running.get(name);
        if (!s) return { name, state: "disabled" };
        return { name, state: s.build ? "builds" : "runs", image: s.image };
    });
    return { services, promotion: config.environment.promotion };
}

/** The catalog file a stack's project names (`catalogFile`), read; undefined when the catalog is inline. */
function catalogFileOf(stack: StackConfig): ReturnType<typeof readCatalogFile> | undefined {
    const values = projectValues(stack);
    return values.catalogFile !== undefined ? readCatalogFile(stack.dir ?? process.cwd(), stack.project, values.catalogFile, values.catalog !== undefined) : undefined;
}

function catalogNames(values: Record<string, unknown>, fromFile: unknown): string[] {
    const catalog = (fromFile ?? values.catalog) as { services?: Record<string, unknown> } | undefined;
    return Object.keys(catalog?.services ?? {}).sort(byCodePoint);
}

/**
 * A stack's files and what `read` makes of them (`resolveStack` by default), for a tool that acts
 * on the stack: an invalid configuration, or a stack file that cannot be read, is a `Refusal` saying so.
 */
export function readTarget<T = ResolvedStack>(
    dir: string,
    stack: { readonly short: string; readonly file: string },
    ciEnv: Readonly<Record<string, string | undefined>>,
    read: (files: StackConfig, ciEnv: Readonly<Record<string, string | undefined>>) => T = resolveStack as never,
): { readonly files: StackConfig; readonly resolved: T } {
    try {
        const files = readStackFiles(dir, stack.short, { fillSecrets: true });
        return { files, resolved: read(files, ciEnv) };
    } catch (e) {
        if (e instanceof ConfigError) throw new Refusal(`${path.basename(stack.file)} is not a valid configuration (fix it first): ${e.problems.join("; ")}`);
        if (e instanceof StackFileError) throw new Refusal(e.message);
        throw e;
    }
}
