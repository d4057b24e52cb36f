import { projectValues, stacksOf } from "../tools/harness/stackFiles";
import { catalogOf, REPO, SERVICES, stackConfig } from "./support";

/**
 * Facts the tests of validation, rollout pins, images, secrets and branch protection expect,
 * read from the repository's configuration (never listed by hand), so that adding a service or
 * a stack changes the expectations with it.
 */

/** The catalog's services other than `excluded`, as messages list them. */
export function servicesExcept(...excluded: string[]): string {
    return SERVICES.filter((s) => !excluded.includes(s)).join(", ");
}


/**
 * The secret config keys a stack's configuration names, sorted: every `fromConfig` and every
 * `...Secret` setting (`kubeconfigSecret`, `passwordSecret`, `tokenSecret`), wherever it is.
 */
export function secretKeysNamed(stack: string): string[] {
    const found = new Set<string>();
    const walk = (v: unknown): void => {
        if (Array.isArray(v)) v.forEach(walk);
        else if (v !== null && typeof v === "object") {
            for (const [k, x] of Object.entries(v)) {
                if ((k === "fromConfig" || k.endsWith("Secret")) && typeof x === "string") found.add(x);
                else walk(x);
            }
        }
    };
    walk(projectValues(stackConfig(stack)));
    return [...found].sort();
}

/** Each service's secret names (the catalog's, then the stack's additions), for the services the stack runs that have any. */
export function secretsByService(stack: string): Record<string, string[]> {
    const environment = projectValues(stackConfig(stack)).environment as any;
    const overrides: Record<string, any> = environment?.services ?? {};
    const catalog = catalogOf(stack);
    const out: Record<string, string[]> = {};
    for (const [name, svc] of Object.entries<any>(catalog.services)) {
        // `enabled: false` at any layer, the later winning, leaves the service out.
        const enabled = [catalog.defaults, environment?.serviceDefaults, svc, overrides[name]].reduce((on, layer) => layer?.enabled ?? on, true);
        if (enabled === false) continue;
        const keys = [...new Set([...Object.keys(svc.secrets ?? {}), ...Object.keys(overrides[name]?.secrets ?? {})])];
        if (keys.length > 0) out[name] = keys;
    }
    return out;
}

/** Whether a stack's environment sets its own image for `service` (a tag or a digest), catalog or stack. */
export function hasOwnImageVersion(stack: string, service: string): boolean {
    const image = (x: any) => x?.image?.tag !== undefined || x?.image?.digest !== undefined;
    const env = projectValues(stackConfig(stack)).environment as any;
    return image(catalogOf(stack).services[service]) || image(env?.services?.[service]);
}

/**
 * The status checks branch protection requires by default, as the stack files say (docs:
 * `test`, then `preview (<stack>)` of every stack whose `environment.ci.preview` is not false,
 * stacks with a deploy order first, in that order, then the rest by name).
 */
export function previewChecks(): string[] {
    const stacks = stacksOf(REPO)
        .map((stack) => ({ stack, ci: (projectValues(stackConfig(stack)).environment as any)?.ci ?? {} }))
        .filter((s) => s.ci.preview !== false);
    const rank = (s: { ci: { deployOrder?: number } }) => s.ci.deployOrder ?? Number.MAX_SAFE_INTEGER;
    stacks.sort((a, b) => rank(a) - rank(b) || (a.stack < b.stack ? -1 : a.stack > b.stack ? 1 : 0));
    return ["test", ...stacks.map((s) => `preview (${s.stack})`)];
}
