import { z } from "zod";
import { AWAIT_MARGIN_SECONDS, awaitTimeoutOf, ci, rollout, SCAN_FAIL_ON } from "../../config/schema/environment";
import { verification } from "../../config/schema/verify";
import { Refusal } from "../cli";
import { imagesOf, offlineConfig, PUSH_TO_MAIN, registryHost } from "../ci/stackImages";
import { PlatformConfig } from "../../config/types";
import { CiCanary, ciCanary } from "./ciCanary";
import { projectValues, promotionSource, readStackFiles, stacksOf } from "../harness/stackFiles";

/** What a deployed stack's configuration says about its images, tags aside: what CI scans and attests. */
export interface CiImages {
    /** The registry hosts its prebuilt images come from, sorted; empty when every service builds. */
    readonly prebuiltHosts: readonly string[];
    /** The services that build from source, by name. */
    readonly built: readonly string[];
    /** Where builds push, and the names (never the values) of the stack's credentials for it; set when a service builds. */
    readonly registry?: { readonly server: string; readonly username: string; readonly passwordSecret: string };
}

/** What a job passes pulumi/auth-actions to get a Pulumi Cloud token: `requested-token-type` and `scope`. */
export interface TokenRequest {
    readonly type: `urn:pulumi:token-type:access_token:${"organization" | "team" | "personal"}`;
    /** `team:<team>` or `user:<login>`; none for an organization token. */
    readonly scope?: string;
}

/** How CI reaches a previewed or deployed stack in Pulumi Cloud (`environment.ci.pulumi`). */
export interface PulumiAccess {
    /** The organization whose OIDC trust CI uses. */
    readonly organization: string;
    /** The stack as CI names it: `<organization>/<project>/<stack>`. */
    readonly stackName: string;
    readonly previewToken: TokenRequest;
    readonly deployToken: TokenRequest;
}

/** What CI does with one stack, from its stack file's `environment.ci`. */
export interface CiStack {
    readonly stack: string;
    /** The GitHub environment its jobs run in: `environment.name`, default the stack name. */
    readonly environment: string;
    readonly preview: boolean;
    /** Absent: CI never deploys the stack. */
    readonly deployOrder?: number;
    /** The stack manages branch protection (`github.branchProtection`). */
    readonly branchProtection: boolean;
    /** The lowest severity that fails the scan of its images (`ci.scan.failOn`). */
    readonly scanFailOn: (typeof SCAN_FAIL_ON)[number];
    /** Set for a stack CI deploys. */
    readonly images?: CiImages;
    /** Set for a stack CI previews or deploys. */
    readonly pulumi?: PulumiAccess;
    /** How long `pulumi up` waits for a rollout of the stack (`environment.rollout`); CI's step timeouts are longer. */
    readonly awaitTimeoutSeconds: number;
    /** How long `pulumi up` then waits for the release's verification Jobs (`environment.verify`; 0 when off). */
    readonly verifySeconds: number;
    /** The policy pack's config for the stack (`ci.policyPackConfig`), from the repository root. */
    readonly policyPackConfig?: string;
    /** The stack its images must have run in first (`promotion.from`): a deployed one is released from release.yml, behind the soak gate. */
    readonly promotedFrom?: string;
    /** When release.yml releases it by itself (`ci.schedule`, GitHub's cron in UTC). */
    readonly schedule?: string;
    /** A deployed stack's canary releases (`environment.canary`, the services with one); absent when no service has one. */
    readonly canary?: CiCanary;
}

/** `organization`, `team:<team>` or `user:<login>` (`ci.pulumi.*Token`) as pulumi/auth-actions asks for it. */
export function tokenRequest(token: string): TokenRequest {
    if (token === "organization") return { type: "urn:pulumi:token-type:access_token:organization" };
    return { type: token.startsWith("team:") ? "urn:pulumi:token-type:access_token:team" : "urn:pulumi:token-type:access_token:personal", scope: token };
}

const asObject = (v: unknown): Record<string, unknown> | undefined => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

/**
 * Every stack of the project in `dir` with its CI settings, previewed and deployed stacks in
 * deploy order (then by name); for a deployed stack, what its configuration says about its
 * images. Refuses two stacks with one deploy order, naming both files, and a deployed stack
 * whose configuration is invalid, naming each problem's file.
 */
export function ciStacks(dir: string): CiStack[] {
    /** Each stack with the Pulumi Cloud organization its own file gives it, if any; `pulumi` comes after. */
    const read: { entry: Omit<CiStack, "pulumi">; inCi: boolean; organization?: string; project: string; tokens: z.output<typeof ci>["pulumi"] }[] = [];
    for (const stack of stacksOf(dir)) {
        const file = `Pulumi.${stack}.yaml`;
        const config = readStackFiles(dir, stack, { fillSecrets: false });
        const values = projectValues(config);
        const env = asObject(values.environment) ?? {};
        const parsed = z.object({ ci: ci.prefault({}), rollout: rollout.prefault({}), verify: verification.prefault({}) }).safeParse({ ci: env.ci, rollout: env.rollout, verify: env.verify });
        if (!parsed.success) {
            const problems = parsed.error.issues.map((i) => `${["environment", ...i.path].join(".")}: ${i.message}`);
            throw new Refusal(`${file}: ${problems.join("; ")}`);
        }
        const settings: z.output<typeof ci> = parsed.data.ci;
        const github = asObject(values.github);
        const promotedFrom = promotionSource(config)?.from;
        if (settings.schedule !== undefined && (promotedFrom === undefined || settings.deployOrder === undefined)) {
            throw new Refusal(`${file}: environment.ci.schedule: only a stack released from its own run has a schedule, one with environment.promotion.from and environment.ci.deployOrder; pushes to main deploy the others`);
        }
        const organization = settings.pulumi.organization ?? (typeof github?.owner === "string" ? github.owner : undefined);
        read.push({
            entry: {
                stack,
                environment: typeof env.name === "string" ? env.name : stack,
                preview: settings.preview,
                ...(settings.deployOrder !== undefined ? deployedSettings(offlineConfig(dir, stack, PUSH_TO_MAIN), settings.deployOrder, asObject(env.registry)) : {}),
                branchProtection: github?.branchProtection !== undefined && github.branchProtection !== null,
                scanFailOn: settings.scan.failOn,
                awaitTimeoutSeconds: awaitTimeoutOf(parsed.data.rollout),
                verifySeconds: parsed.data.verify.enabled ? parsed.data.verify.timeoutSeconds + AWAIT_MARGIN_SECONDS : 0,
                ...(settings.policyPackConfig !== undefined ? { policyPackConfig: settings.policyPackConfig } : {}),
                ...(promotedFrom !== undefined ? { promotedFrom } : {}),
                ...(settings.schedule !== undefined ? { schedule: settings.schedule } : {}),
            },
            inCi: settings.preview || settings.deployOrder !== undefined,
            ...(organization !== undefined ? { organization } : {}),
            project: config.project,
            tokens: settings.pulumi,
        });
    }
    // A stack that names no organization (no ci.pulumi.organization, no github.owner) is in the
    // project's, when its other stacks name exactly one.
    const named = [...new Set(read.flatMap((r) => (r.organization !== undefined ? [r.organization] : [])))].sort();
    const stacks: CiStack[] = read.map((r) => {
        if (!r.inCi) return r.entry;
        const organization = r.organization ?? (named.length === 1 ? named[0] : undefined);
        if (organization === undefined) {
            const why = named.length === 0 ? "no stack of the project names one" : `the project's stacks name several (${named.join(", ")})`;
            throw new Refusal(`Pulumi.${r.entry.stack}.yaml: environment.ci.pulumi.organization: required for a stack CI previews or deploys: it has no github.owner, and ${why}`);
        }
        return {
            ...r.entry,
            pulumi: {
                organization,
                stackName: `${organization}/${r.project}/${r.entry.stack}`,
                previewToken: tokenRequest(r.tokens.previewToken),
                deployToken: tokenRequest(r.tokens.deployToken),
            },
        };
    });
    const byOrder = new Map<number, string>();
    for (const s of stacks) {
        if (s.deployOrder === undefined) continue;
        const other = byOrder.get(s.deployOrder);
        if (other !== undefined) {
            throw new Refusal(`Pulumi.${s.stack}.yaml: environment.ci.deployOrder (${s.deployOrder}) is also the deploy order of Pulumi.${other}.yaml; give each deployed stack its own`);
        }
        byOrder.set(s.deployOrder, s.stack);
    }
    const rank = (s: CiStack) => s.deployOrder ?? Number.MAX_SAFE_INTEGER;
    return stacks.sort((a, b) => rank(a) - rank(b) || (a.stack < b.stack ? -1 : a.stack > b.stack ? 1 : 0));
}

/** The Pulumi Cloud side of a stack CI previews or deploys; the generator asks only for those. */
export function pulumiOf(s: CiStack): PulumiAccess {
    if (!s.pulumi) throw new Error(`stack ${s.stack} is neither previewed nor deployed by CI`);
    return s.pulumi;
}

/** What a deployed stack's configuration, resolved as a push to main would (the tags do not matter here), says CI must do. */
function deployedSettings(config: PlatformConfig, deployOrder: number, registry: Record<string, unknown> | undefined): Pick<CiStack, "deployOrder" | "images" | "canary"> {
    const canary = ciCanary(config);
    return { deployOrder, images: ciImages(config, registry), ...(canary ? { canary } : {}) };
}

/** Which images a deployed stack runs. */
function ciImages(config: PlatformConfig, registry: Record<string, unknown> | undefined): CiImages {
    const images = imagesOf(config);
    const prebuiltHosts = [...new Set(images.prebuilt.map((i) => registryHost(i.repository)))].sort();
    const built = images.built.map((b) => b.service);
    // A configuration whose services build has a registry with credentials, or it is refused above.
    const reg = built.length > 0 && registry ? { server: String(registry.server), username: String(registry.username), passwordSecret: String(registry.passwordSecret) } : undefined;
    return { prebuiltHosts, built, ...(reg ? { registry: reg } : {}) };
}

/** A deployed stack released through `npm run release` (`environment.canary.mode: driven`) rather than `pulumi up`. */
export const drivenCanary = (s: Pick<CiStack, "canary">) => s.canary?.mode === "driven";

/** A deployed stack whose `pulumi up` waits for Argo Rollouts to walk its canaries' steps. */
export const inClusterStack = (s: Pick<CiStack, "canary">) => s.canary?.mode === "in-cluster";

/** The stacks pull requests preview, in deploy order. */
export const previewed = (stacks: readonly CiStack[]) => stacks.filter((s) => s.preview);

/** The stacks CI deploys (and the rollback workflow offers), in deploy order. */
export const deployed = (stacks: readonly CiStack[]) => stacks.filter((s) => s.deployOrder !== undefined);

/** The deployed stacks pushes to main deploy: those without `promotion.from`, in deploy order. */
export const pushed = (stacks: readonly CiStack[]) => deployed(stacks).filter((s) => s.promotedFrom === undefined);

/** The deployed stacks with `promotion.from`: each released from its own run of release.yml, behind the soak gate. */
export const released = (stacks: readonly CiStack[]) => deployed(stacks).filter((s) => s.promotedFrom !== undefined);

/** The status checks of the pull-request workflow: `test`, then `preview (<stack>)` of each previewed stack. */
export const requiredChecks = (stacks: readonly CiStack[]) => ["test", ...previewed(stacks).map((s) => `preview (${s.stack})`)];
