import { Problems } from "../errors";
import type { Kind } from "../schema/kinds";
import { objectName } from "../names/derive";

/**
 * Names a controller extends: the objects it creates from a workload are named or labelled
 * after it, with a suffix, within the 63 characters of a DNS label or a label value.
 */

/** The longest name of a workload whose controller adds 11 characters. */
export const MAX_EXTENDED_NAME = 52;

const EXTENDED: Partial<Record<Kind, { readonly object: string; readonly why: string }>> = {
    // k8s.io/kubernetes pkg/apis/batch/validation ValidateCronJob: "must be no more than 52 characters".
    cronjob: { object: "CronJob", why: "the CronJob controller names each run's Job after it with 11 more, and a Job's name is at most 63" },
    // The API server takes the StatefulSet, then refuses each of its pods (kubernetes/kubernetes#64023).
    stateful: { object: "StatefulSet", why: "the StatefulSet controller labels each pod 'controller-revision-hash: <name>-<10 characters>', and a label value is at most 63" },
};

/** Refuses a CronJob's or a StatefulSet's name (`name`, written at `at`) that its controller would extend past 63. */
export function checkExtendedName(kind: Kind, name: string, at: string, problems: Problems): void {
    const extended = EXTENDED[kind];
    if (extended && name.length > MAX_EXTENDED_NAME) {
        problems.add(at, `a ${extended.object}'s name is at most ${MAX_EXTENDED_NAME} characters, and "${name}" has ${name.length}: ${extended.why}; set a shorter 'objectName'`);
    }
}

/** The longest name of a Service (a DNS-1035 label). */
const MAX_SERVICE_NAME = 63;

/** Refuses an objectName whose driven canary's Service, `<objectName>-canary`, would be longer than a Service's name may be. */
export function checkCanaryName(name: string, at: string, problems: Problems): void {
    const canary = objectName.canary(name);
    if (canary.length > MAX_SERVICE_NAME) {
        problems.add(
            at,
            `a driven canary's Deployment and Service are named "${canary}" (${canary.length} characters), and a Service's name is at most ${MAX_SERVICE_NAME}; set an 'objectName' of at most ${MAX_SERVICE_NAME - (canary.length - name.length)} characters`,
        );
    }
}
