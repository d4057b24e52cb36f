import type { z } from "zod";
import * as f from "../formats";
import { boolean, integer, list, map, object, shorthand, text } from "./fields";
import { DNS_LABEL, httpPath } from "./pod";

/**
 * Release verification (docs/verification.md): the checks a service declares (`verify`), run
 * after its rollout by a Job `pulumi up` waits for, and the environment's settings for them
 * (`environment.verify`).
 */

/** The ways a check checks: exactly one is used. Writing one in a later layer replaces the other. */
export const CHECK_ACTIONS = ["http", "command"] as const;

/** The most checks one service may declare: each is a container of one pod, all of them running at once on one node. */
export const MAX_CHECKS = 20;

/** The HTTP checker's image when the stack names none: a small image with curl, looked up and run by digest. */
export const CHECKER_IMAGE = "docker.io/curlimages/curl:8.11.1";

const httpCheck = object({
    path: httpPath("/healthz").optional().meta({ description: "The path requested with GET (required).", examples: ["/healthz"] }),
    status: integer(100, 599).default(200).meta({ description: "The status the check expects; any other fails it." }),
    port: integer(1, 65535)
        .optional()
        .meta({ description: "The port of the checked service's Service to call; default: its `servicePort` (a `stateful` service's headless Service: its `port`). Its metrics port, where the Service has one, may be named." }),
    service: text({ expected: "the name of a service of the catalog (DNS-1123 label)", check: f.dnsLabel, pattern: DNS_LABEL })
        .optional()
        .meta({ description: "The service called, through its Service; default: this one. Another service's name checks an end-to-end path through it.", examples: ["orchestrator"] }),
});

/** What a check written as a path stands for (`http: /healthz`); the merge of layers expands it the same way (schema/service.ts). */
export const expandHttpCheck = (path: string): Record<string, unknown> => ({ path });

const check = object({
    enabled: boolean().optional().meta({ description: "`false` turns off a check a shared layer declares." }),
    http: shorthand(httpPath("/healthz"), httpCheck, expandHttpCheck)
        .optional()
        .meta({ description: "GET a path of a service through its Service, from a pod running the environment's checker image (`environment.verify.image`); a path alone is `{path: <path>}`.", examples: ["/healthz", { path: "/api/v1/pipeline/status", service: "orchestrator" }] }),
    command: list(text({ expected: "a command word" }), { nonEmpty: true })
        .optional()
        .meta({ description: "A command run in the service's own image with its environment (its ConfigMaps and Secrets); the check passes when it exits 0.", examples: [["redis-cli", "-h", "redis", "ping"]] }),
});

export type CheckSettings = z.output<typeof check>;

/** `verify`: a service's checks, by name (the name of the container that runs it). */
export const checks = map(check, { check: f.dnsLabel, expected: "a check name (DNS-1123 label)", example: "healthz", pattern: DNS_LABEL })
    .optional()
    .meta({
        description:
            `Checks run after each rollout of a new release, by a Job \`pulumi up\` waits for: an HTTP path with the expected status, or a command in the service's own image (at most ${MAX_CHECKS}). A failed check fails the update, and CI rolls back (docs/verification.md).`,
        examples: [{ health: { http: "/healthz" }, pipeline: { http: { path: "/api/v1/pipeline/status", service: "orchestrator" } } }],
    });

/** `environment.verify`: how this stack runs the checks. */
export const verification = object({
    enabled: boolean().default(true).meta({ description: "`false`: no check runs in this stack (no Job is declared)." }),
    image: text({ expected: "an image reference such as 'docker.io/curlimages/curl:8.11.1' or 'repo@sha256:...'", check: f.imageReference })
        .default(CHECKER_IMAGE)
        .meta({ description: "The image HTTP checks run in: it needs `sh` and `curl`. A tag is looked up in the registry and run by its digest, like a service's." }),
    timeoutSeconds: integer(10, 3600)
        .default(120)
        .meta({ description: "A verification Job's `activeDeadlineSeconds`: its checks, their retries and the pull of their images, all within this; `pulumi up` waits a minute longer." }),
    backoffLimit: integer(0, 10).default(1).meta({ description: "How many times a failed run of the checks is retried before the Job, and so the update, fails." }),
});
