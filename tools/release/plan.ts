import { CanaryConfig, CanaryStep } from "../../config/canary";
import { EnvironmentConfig, ServiceConfig } from "../../config/types";
import { byCodePoint } from "../../config/order";
import { Refusal } from "../cli";

/** A service the release puts a canary in front of: its stable image is what it runs now. */
export interface ReleasedService {
    readonly name: string;
    /** The name of its Kubernetes objects; the canary's pods are `<objectName>-canary-<hash>-<id>`. */
    readonly objectName: string;
    readonly canary: CanaryConfig;
    /** `<repository>@sha256:...`: what it runs before the release, from the stack's `releases` output. */
    readonly stable: string;
}

/** One step of a release: every released service's canary takes `weight` percent, watched for `windowSeconds`. */
export type ReleaseStep = CanaryStep;

export interface ReleasePlan {
    readonly kind: "canary";
    readonly namespace: string;
    readonly prometheusUrl: string;
    readonly intervalSeconds: number;
    readonly steps: readonly ReleaseStep[];
    readonly services: readonly ReleasedService[];
    /** Services with a driven canary that run nothing yet: the steps deploy them as configured, without a canary. */
    readonly firstDeploys: readonly string[];
}

/** No service with a canary runs anything yet: one plain update deploys them. */
export interface FirstDeploy {
    readonly kind: "first-deploy";
    readonly services: readonly string[];
}

/** What the release reads from a stack's resolved configuration. */
export interface ReleaseConfig {
    readonly environment: Pick<EnvironmentConfig, "namespace" | "canary">;
    readonly services: readonly Pick<ServiceConfig, "name" | "objectName" | "canary">[];
}

/**
 * The release of stack `stack`: the services with a canary (driven mode), their stable images
 * (`stable`, by service, from the `releases` output), and the steps they take together: the
 * configured ones, or the `given` weights (`--percentage`) each watched as long as the longest configured
 * window. Refuses a stack without canaries, in-cluster mode, no Prometheus URL, and services whose
 * steps disagree.
 */
export function planRelease(config: ReleaseConfig, stable: ReadonlyMap<string, string>, stack: string, given?: readonly number[]): ReleasePlan | FirstDeploy {
    const settings = config.environment.canary;
    const withCanary = config.services.filter((s) => s.canary !== undefined).sort((a, b) => byCodePoint(a.name, b.name));
    if (settings === undefined || withCanary.length === 0) {
        throw new Refusal(`stack ${stack} has no service with a canary (canary.enabled); release it with a plain 'pulumi up --stack ${stack}'`);
    }
    if (settings.mode !== "driven") {
        throw new Refusal(
            `stack ${stack} runs its canaries ${settings.mode} (environment.canary.mode): in-cluster mode releases through a plain 'pulumi up --stack ${stack}', which waits for Argo Rollouts' outcome; this tool drives 'driven' mode only`,
        );
    }
    if (settings.prometheusUrl === undefined) {
        throw new Refusal(`stack ${stack}: environment.canary.prometheusUrl is not set; driven mode needs a Prometheus URL this machine reaches, to evaluate the checks`);
    }
    const [first, ...others] = withCanary;
    const weights = (s: (typeof withCanary)[number]) => s.canary!.steps.map((step) => step.weight).join(", ");
    for (const other of others) {
        if (weights(other) !== weights(first)) {
            throw new Refusal(
                `stack ${stack}: the release steps every canary together, so every service's canary.steps must have the same weights; ${first.name} has ${weights(first)}, ${other.name} has ${weights(other)}`,
            );
        }
    }
    const services = withCanary.filter((s) => stable.has(s.name)).map((s) => ({ name: s.name, objectName: s.objectName, canary: s.canary!, stable: stable.get(s.name)! }));
    const firstDeploys = withCanary.filter((s) => !stable.has(s.name)).map((s) => s.name);
    if (services.length === 0) {
        return { kind: "first-deploy", services: firstDeploys };
    }
    const canaries = withCanary.map((s) => s.canary!);
    const steps = given === undefined ? releaseSteps(canaries) : givenSteps(given, canaries);
    return { kind: "canary", namespace: config.environment.namespace, prometheusUrl: settings.prometheusUrl, intervalSeconds: settings.intervalSeconds, steps, services, firstDeploys };
}

/**
 * The steps every service's canary takes together in a release: the first's weights (the plan
 * refuses services whose weights differ), each watched as long as the longest window any asks for.
 */
export function releaseSteps(canaries: readonly Pick<CanaryConfig, "steps">[]): ReleaseStep[] {
    return canaries[0].steps.map((step, i) => ({ weight: step.weight, windowSeconds: Math.max(...canaries.map((c) => c.steps[i]?.windowSeconds ?? 0)) }));
}

/**
 * The steps of a release whose weights were given on the command line (`--percentage`): each
 * watched as long as the longest window any service's configured steps ask for, so a check sees
 * at least as much of every step as the configuration would give the longest one.
 */
export function givenSteps(weights: readonly number[], canaries: readonly Pick<CanaryConfig, "steps">[]): ReleaseStep[] {
    const longest = Math.max(...canaries.flatMap((c) => c.steps.map((s) => s.windowSeconds)));
    return weights.map((weight) => ({ weight, windowSeconds: longest }));
}

/** The stable images of the released services, for `PLATFORM_CANARY.stable` and the abort's `PLATFORM_PINNED_IMAGES`. */
export function stableImages(plan: ReleasePlan): Record<string, string> {
    return Object.fromEntries(plan.services.map((s) => [s.name, s.stable]));
}
