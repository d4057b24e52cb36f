import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { AWAIT_MARGIN_SECONDS } from "../../config/schema/environment";
import { objectName, serviceResource } from "../../config/names/derive";
import { ServiceConfig, ServiceVerification, VerifyCheck, VerifySettings } from "../../config/types";
import { digest } from "../digest";
import { LabelContext, verificationLabels } from "../labels";
import { byDigest, RegistryLookup } from "../images/lookup";
import { restrictedPodSecurityContext, RESTRICTED_CONTAINER_SECURITY_CONTEXT } from "./podTemplate";
import { tmpOnly } from "./volumes";

type Container = k8s.types.input.core.v1.Container;

export interface VerificationArgs {
    /** The service that declares the checks: its command checks run in its image, as its user, with its environment. */
    readonly service: ServiceConfig;
    /** Its checks, and the services they verify and call (config/resolve/verify.ts). */
    readonly verification: ServiceVerification;
    /** The deadline and retries (`environment.verify`). */
    readonly settings: VerifySettings;
    readonly labelContext: LabelContext;
    readonly namespace: pulumi.Input<string>;
    /** The image each service the checks verify runs, by name (`verification.covers`): the Job's name carries them. */
    readonly images: Readonly<Record<string, pulumi.Input<string>>>;
    /** The HTTP checker's image, by digest; needed when a check is an HTTP one. */
    readonly checkerImage?: pulumi.Input<string>;
    /** Where the service's containers read their environment (its ConfigMaps and Secrets), for command checks. */
    readonly envFrom: readonly k8s.types.input.core.v1.EnvFromSource[];
    /** The environment's image pull Secret, when its registry has credentials. */
    readonly imagePullSecret?: pulumi.Input<string>;
    /** The workloads of the services the checks verify: the Job is created once their rollouts are done. */
    readonly after: readonly pulumi.Resource[];
}

/** The uid the HTTP checker runs as: `nobody`, since curl needs no home or files of its own. */
export const CHECKER_UID = 65534;

/** How long one HTTP check's request may take. */
export const REQUEST_SECONDS = 10;

/** What the HTTP checker asks for: one curl request at a time. */
export const CHECKER_RESOURCES = { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "32Mi" } } as const;

/**
 * An HTTP check: GET the URL and compare the status with the expected one. The URL and status
 * come in the environment, so the script is the same for every check and never quotes a value.
 */
export const HTTP_CHECK_SCRIPT =
    `status="$(curl --silent --show-error --output /dev/null --write-out '%{http_code}' --max-time ${REQUEST_SECONDS} "$CHECK_URL")"; ` +
    `if [ "$status" = "$CHECK_STATUS" ]; then echo "GET $CHECK_URL: $status"; else echo "GET $CHECK_URL: $status, expected $CHECK_STATUS" >&2; exit 1; fi`;

/**
 * The Job that verifies a release of a service: its checks, one container each, run once the
 * rollouts they reach are done (`dependsOn` their workloads), and `pulumi up` waits for the Job
 * to complete (the provider's Job await, docs/verification.md): a check that still fails after
 * `backoffLimit` retries, or by the deadline, fails the update, and CI rolls back. The Job is
 * named per release (config/names/derive.ts) and kept until the next release replaces it: no
 * time-to-live, which a refresh would read as a deleted Job and the next update run again. A
 * Job that failed is replaced on the next update (`pulumi.com/replaceUnready`), so a retry of
 * the same release runs its checks again. Its pods are restricted like every pod of the
 * platform, mount no token and carry the labels the checked services' NetworkPolicies admit.
 */
export function createVerification(name: string, args: VerificationArgs, opts: pulumi.CustomResourceOptions): k8s.batch.v1.Job {
    const svc = args.service;
    const v = args.verification;
    const labels = verificationLabels(args.labelContext, svc.name);
    const release = pulumi
        .all(v.covers.map((n) => args.images[n]))
        .apply((images) => digest({ service: svc.name, ...Object.fromEntries(v.covers.map((n, i) => [`image:${n}`, images[i]])), ...Object.fromEntries(v.checks.map((c) => [`check:${c.name}`, JSON.stringify(c)])) }));
    const tmp = tmpOnly();
    return new k8s.batch.v1.Job(
        serviceResource.verification(name),
        {
            metadata: {
                name: release.apply((r) => objectName.verificationJob(svc.objectName, r)),
                namespace: args.namespace,
                labels,
                annotations: {
                    // The provider's Job await fails at the deadline itself; this only bounds the wait.
                    "pulumi.com/timeoutSeconds": String(args.settings.timeoutSeconds + AWAIT_MARGIN_SECONDS),
                    "pulumi.com/replaceUnready": "true",
                },
            },
            spec: {
                backoffLimit: args.settings.backoffLimit,
                activeDeadlineSeconds: args.settings.timeoutSeconds,
                template: {
                    metadata: { labels },
                    spec: {
                        restartPolicy: "Never",
                        serviceAccountName: svc.objectName,
                        automountServiceAccountToken: false,
                        enableServiceLinks: false,
                        ...(args.imagePullSecret !== undefined ? { imagePullSecrets: [{ name: args.imagePullSecret }] } : {}),
                        securityContext: restrictedPodSecurityContext(svc.runAsUser),
                        containers: v.checks.map((c) => checkContainer(c, args, tmp.mounts)),
                        volumes: tmp.volumes,
                    },
                },
            },
        },
        { ...opts, dependsOn: [...args.after] },
    );
}

/** The container of one check: curl in the checker image, or the command in the service's image. */
function checkContainer(c: VerifyCheck, args: VerificationArgs, volumeMounts: Container["volumeMounts"]): Container {
    const common = {
        name: c.name,
        imagePullPolicy: "IfNotPresent",
        // A failed check's last lines become its pod's termination message, which `pulumi up` prints.
        terminationMessagePolicy: "FallbackToLogsOnError",
        volumeMounts,
    };
    if ("http" in c) {
        return {
            ...common,
            image: args.checkerImage!,
            command: ["sh", "-c", HTTP_CHECK_SCRIPT],
            env: [
                { name: "CHECK_URL", value: c.http.url },
                { name: "CHECK_STATUS", value: String(c.http.status) },
            ],
            resources: { requests: { ...CHECKER_RESOURCES.requests }, limits: { ...CHECKER_RESOURCES.limits } },
            securityContext: { ...RESTRICTED_CONTAINER_SECURITY_CONTEXT, runAsUser: CHECKER_UID, runAsGroup: CHECKER_UID },
        };
    }
    const svc = args.service;
    return {
        ...common,
        image: args.images[svc.name],
        command: [...c.command],
        envFrom: [...args.envFrom],
        resources: { requests: { ...svc.resources.requests }, limits: { ...svc.resources.limits } },
        securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
    };
}

/** The HTTP checker's image as pods run it: by the digest the stack names, else the one the registry holds for its tag. */
export function checkerReference(settings: VerifySettings, lookup: RegistryLookup | undefined): pulumi.Output<string> {
    return byDigest(settings.image, lookup);
}
