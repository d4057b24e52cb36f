import { z } from "zod";
import * as f from "../formats";
import { boolean, GOT, integer, map, object, oneOf, text } from "./fields";
import { tier } from "./catalog";
import { exposure, gateway, ingress } from "./exposure";
import { commonEnv, CONFIG_KEY, DNS_LABEL, IMAGE_TAG_EXPECTED, service } from "./service";
import { verification } from "./verify";
import { canaryEnvironment } from "./canary";

export const LOG_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] as const;

/** The provider waits this much longer than Kubernetes' progress deadline, so Kubernetes decides first. */
export const AWAIT_MARGIN_SECONDS = 60;

/** What `environment.domain` takes, for the schema and for the check that it is there. */
export const DOMAIN_EXPECTED = "a DNS domain such as 'staging.example.com'";

const CLUSTER_REQUIRED = "'context' or 'kubeconfigSecret', so that this stack can only reach its own cluster";

const cluster = object(
    {
        context: text({ expected: "a kubeconfig context name", example: "prod-eu-west-1" }).optional().meta({ description: "A kubeconfig context; the kubeconfig comes from the usual places." }),
        kubeconfigSecret: text({ expected: "the name of a secret config key holding a kubeconfig, such as 'kubeconfig'", check: f.configKey, pattern: CONFIG_KEY })
            .optional()
            .meta({ description: "A secret config key holding a whole kubeconfig (for CI)." }),
    },
    { required: "'context' (a kubeconfig context) or 'kubeconfigSecret' (a secret config key), so that this stack can only reach its own cluster" },
).superRefine((c, ctx) => {
    if (c.context === undefined && c.kubeconfigSecret === undefined) ctx.addIssue({ code: "custom", message: `expected ${CLUSTER_REQUIRED}, got ${GOT}` });
    if (c.context !== undefined && c.kubeconfigSecret !== undefined) ctx.addIssue({ code: "custom", message: `expected either 'context' or 'kubeconfigSecret', not both, got ${GOT}` });
});

const registry = object({
    server: text({ expected: "a registry host such as 'ghcr.io' or 'registry.example.com:5000'", required: "a registry host such as 'ghcr.io'", check: f.registryServer }).meta({
        description: "The registry host, with an optional port.",
        examples: ["ghcr.io"],
    }),
    repositoryPrefix: text({ expected: "a repository path such as 'acme-trading/hft' (lowercase, '/'-separated)", check: (s) => f.imageRepository(`registry.example.com/${s}`) })
        .optional()
        .meta({ description: "Path under the server for built images: `<server>/<repositoryPrefix>/<service>`." }),
    username: text({ expected: "a registry user name", check: f.registryUsername, example: "ci-bot" }).optional().meta({ description: "With `passwordSecret`: the registry's credentials." }),
    passwordSecret: text({ expected: "the name of a secret config key holding the registry password or token, such as 'registryPassword'", check: f.configKey, pattern: CONFIG_KEY })
        .optional()
        .meta({ description: "The secret config key holding the registry password or token." }),
    cache: boolean().default(true).meta({ description: "Use a registry layer cache (`<repository>:buildcache`) for builds." }),
}).superRefine((r, ctx) => {
    if ((r.username === undefined) !== (r.passwordSecret === undefined)) {
        ctx.addIssue({ code: "custom", message: `expected 'username' and 'passwordSecret' together (credentials), or neither (a public registry), got ${GOT}` });
    }
});

/** How long `pulumi up` waits for a rollout: `awaitTimeoutSeconds`, else the progress deadline plus the margin. */
export const awaitTimeoutOf = (r: { readonly progressDeadlineSeconds: number; readonly awaitTimeoutSeconds?: number }) => r.awaitTimeoutSeconds ?? r.progressDeadlineSeconds + AWAIT_MARGIN_SECONDS;

export const rollout = object({
    progressDeadlineSeconds: integer(30, 3600).default(300).meta({ description: "Deployment `progressDeadlineSeconds`: Kubernetes marks a rollout failed after it." }),
    awaitTimeoutSeconds: integer(30, 7200)
        .optional()
        .meta({ description: `How long \`pulumi up\` waits for a Deployment; default: \`progressDeadlineSeconds\` + ${AWAIT_MARGIN_SECONDS}.`, examples: [900] }),
}).superRefine((r, ctx) => {
    if (r.awaitTimeoutSeconds !== undefined && r.awaitTimeoutSeconds < r.progressDeadlineSeconds) {
        ctx.addIssue({
            code: "custom",
            path: ["awaitTimeoutSeconds"],
            message: `awaitTimeoutSeconds (${r.awaitTimeoutSeconds}) must be at least progressDeadlineSeconds (${r.progressDeadlineSeconds}), or 'pulumi up' gives up before Kubernetes reports the rollout failed`,
        });
    }
});

/** The most stacks CI can deploy one after another (a deploy order is from 1 to this). */
export const MAX_DEPLOY_ORDER = 99;

/** The lowest Trivy severity that fails a stack's image scan (`none`: report only), highest first. */
export const SCAN_FAIL_ON = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "none"] as const;

/** A Pulumi Cloud organization name. */
const PULUMI_ORGANIZATION = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
/** Which Pulumi Cloud token a job asks for through OIDC: the organization's, a team's, or a user's. */
export const PULUMI_TOKEN = /^(organization|team:[A-Za-z0-9][A-Za-z0-9_.-]{0,99}|user:[A-Za-z0-9][A-Za-z0-9_.-]{0,99})$/;

const pulumiToken = (what: string, example: string) =>
    text({
        expected: "'organization', 'team:<team>' or 'user:<login>'",
        check: (s) => (PULUMI_TOKEN.test(s) ? undefined : "a team or user name after the colon: letters, digits, '-', '_' and '.'"),
        pattern: PULUMI_TOKEN,
    })
        .default("organization")
        .meta({
            description: `The Pulumi Cloud token ${what} asks for through OIDC: \`team:<team>\`, a team token with exactly the team's stack permissions (Enterprise and Business Critical editions); \`user:<login>\`, a personal token with that user's (every edition); \`organization\`, an organization token, admin of every stack (Team edition and up). Pulumi Cloud issues it only if its OIDC policy for GitHub allows it (docs/delivery.md).`,
            examples: [example],
        });

/**
 * How CI treats the stack: read by `npm run generate`, which writes the workflows from it; the
 * program ignores it. Absent: `{}`, previewed on pull requests, never deployed by CI.
 */
export const ci = object({
    preview: boolean().default(true).meta({ description: "Preview the stack on every pull request (`preview (<stack>)`, a required check of branch protection by default)." }),
    deployOrder: integer(1, MAX_DEPLOY_ORDER)
        .optional()
        .meta({
            description:
                "CI deploys the stack: on every push to main, after the stacks with a lower order (each waits for the one before), or, for a stack with `promotion.from`, from its own run of the release workflow (release.yml, by hand or on `schedule`) behind the soak gate; absent: CI never deploys it (nor offers it to the rollback workflow). Unique among the stacks.",
            examples: [1],
        }),
    scan: object({
        failOn: oneOf(SCAN_FAIL_ON)
            .default("CRITICAL")
            .meta({
                description:
                    "The lowest Trivy severity that fails the scan of the images a deploy of this stack runs, and so holds the deploy back (UNKNOWN never does); `none` uploads the findings to code scanning and blocks nothing.",
                examples: ["HIGH"],
            }),
    })
        .prefault({})
        .meta({ description: "The image scan before each deploy of this stack (docs/ci-images.md); only for a stack CI deploys (`deployOrder`)." }),
    pulumi: object({
        organization: text({
            expected: "a Pulumi Cloud organization such as 'acme-trading'",
            check: (s) => (PULUMI_ORGANIZATION.test(s) ? undefined : "letters, digits, '-', '_' and '.'"),
            pattern: PULUMI_ORGANIZATION,
        })
            .optional()
            .meta({
                description:
                    "The Pulumi Cloud organization that holds the stack and trusts GitHub's OIDC tokens; CI names the stack `<organization>/<project>/<stack>`. Default: `github.owner`, else the one organization the project's other stacks name.",
                examples: ["acme-trading"],
            }),
        previewToken: pulumiToken("a pull request's preview of this stack", "team:hft-platform-preview"),
        deployToken: pulumiToken("a deploy or rollback of this stack", "team:hft-platform-production"),
    })
        .prefault({})
        .meta({ description: "How CI's jobs get a short-lived Pulumi Cloud token for this stack; no long-lived token is stored in GitHub (docs/delivery.md)." }),
    schedule: text({ expected: "a cron schedule in UTC such as '0 6 * * 1-5'", check: f.githubSchedule })
        .optional()
        .meta({
            description:
                "When the release workflow (release.yml) deploys this stack by itself, besides starting it by hand: GitHub's cron, in UTC; only for a stack with `promotion.from` and `deployOrder`, which pushes to main do not deploy (docs/delivery.md).",
            examples: ["0 6 * * 1-5"],
        }),
    policyPackConfig: text({ expected: "a JSON file of the repository such as 'policy-config/production.json'", check: f.relativePath })
        .optional()
        .meta({
            description:
                "The policy pack's config for this stack's previews and deploys (`--policy-pack-config`: each policy's level and settings, docs/policies.md), a path from the repository root; absent: every policy at its default.",
            examples: ["policy-config/production.json"],
        }),
});

/** `<project>:environment`, in Pulumi.<stack>.yaml: what one stack says about its environment. */
export const environment = object(
    {
        name: text({ expected: "a DNS-1123 label such as 'staging'", check: f.dnsLabel, pattern: DNS_LABEL })
            .optional()
            .meta({ description: "The environment's name (labels, `ENVIRONMENT`, the GitHub environment); default: the stack name." }),
        namespace: text({ expected: "a namespace name (DNS-1123 label)", required: "a namespace name such as 'hft-staging'", check: f.dnsLabel, pattern: DNS_LABEL }).meta({
            description: "The Kubernetes namespace the stack owns.",
            examples: ["hft-staging"],
        }),
        domain: text({ expected: DOMAIN_EXPECTED, check: f.hostName })
            .optional()
            .meta({ description: "Public hosts are `<hostPrefix>.<domain>`; required unless `exposure` is `none`.", examples: ["staging.example.com"] }),
        cluster: cluster.meta({ description: "Which cluster the stack's provider reaches: exactly one of `context` or `kubeconfigSecret`." }),
        logLevel: oneOf(LOG_LEVELS).default("INFO").meta({ description: "`LOG_LEVEL` of every service." }),
        telemetryEndpoint: text({ expected: "an http(s) URL such as 'http://otel-collector.observability:4318'", check: f.httpUrl })
            .optional()
            .meta({ description: "`OTEL_EXPORTER_OTLP_ENDPOINT` of every service." }),
        sharedNamespace: boolean()
            .default(false)
            .meta({
                description:
                    "The namespace exists and other workloads use it: the platform never creates, labels or deletes it, and its default-deny policy selects only the platform's own pods.",
            }),
        adopt: boolean()
            .default(false)
            .meta({
                description:
                    "The next update takes over objects that already exist under the same names (the provider's `upsertExistingObjects`), and protects them so nothing is replaced or deleted; turn it off after that update (docs/migrating-from-kustomize.md).",
            }),
        protect: boolean()
            .default(false)
            .meta({ description: "Protect what losing would lose data or access: the owned Namespace, StatefulSets, the GitHub environment (refused by the engine to delete; kept if the program stops declaring them)." }),
        exposure,
        ingress,
        gateway,
        imageTag: text({ expected: IMAGE_TAG_EXPECTED, check: f.imageTag }).optional().meta({ description: "The tag every service deploys unless it sets its own; default: tags from CI (`GITHUB_SHA`, `GITHUB_REF`)." }),
        registry: registry.optional().meta({ description: "The environment's container registry: where builds push and pods pull." }),
        promotion: object({
            from: text({ expected: "the stack production's images come from, such as 'staging' or 'acme/hft-platform/staging'", check: f.stackName })
                .optional()
                .meta({
                    description:
                        "Every image this stack runs must be one the named stack ran for the same service (its `releases` output, read through a StackReference: this stack's credentials must be able to read that stack). `npm run promote` writes that stack's digests here (docs/promotion.md).",
                    examples: ["staging"],
                }),
            exceptions: map(text({ expected: "why this service may run an image the source stack never ran", check: f.reason, example: "hotfix for INC-1234, released to production first" }), {
                check: f.dnsLabel,
                expected: "a service name (DNS-1123 label)",
                example: "api",
                pattern: DNS_LABEL,
            })
                .optional()
                .meta({
                    description:
                        "Services let through the gates on this stack's images anyway, each with the reason (kept in the stack file's history for review). The only override of `from`, and of any later gate on images.",
                    examples: [{ "risk-report": "hotfix for INC-2291, approved by the trading-platform leads" }],
                }),
            soak: text({ expected: "a duration such as '24h', '90m' or '2d'", check: f.soakDuration, pattern: f.durationPattern("dhm") })
                .default("24h")
                .meta({
                    description:
                        "How long `from` must have run the exact image a service is to run, its latest update successful, before CI's soak gate lets a deploy of this stack through (`npm run soak-gate`, docs/promotion.md); `exceptions` lets a service through without it.",
                    examples: ["24h", "2d"],
                }),
        })
            .optional()
            .meta({ description: "Where this stack's images must have run before (production: staging)." }),
        mutableTags: boolean()
            .default(false)
            .meta({
                description:
                    "Run the tag `latest` (refused otherwise): for a local cluster's build-and-run loop. Each image still runs by the digest the tag names at the update, so a rebuilt tag rolls the pods at the next `pulumi up`. Refused with `protect` or `promotion.from`.",
            }),
        buildOnPreview: boolean().default(false).meta({ description: "Build images during `pulumi preview` too (never pushed)." }),
        rollout: rollout.prefault({}).meta({ description: "How long a rollout may take before it counts as failed." }),
        canary: canaryEnvironment
            .optional()
            .meta({
                description: "How this stack runs its services' canary releases (`canary`): the mode, where Prometheus answers, how often the checks run (docs/canary.md).",
                examples: [{ mode: "in-cluster", prometheus: "http://prometheus-operated.monitoring.svc:9090" }],
            }),
        verify: verification.prefault({}).meta({ description: "How the services' checks (`verify`) run after each rollout: the HTTP checker's image, the deadline and the retries (docs/verification.md)." }),
        monitoring: object({
            operator: boolean().default(false).meta({ description: "The Prometheus Operator is installed: services with `metrics` get a ServiceMonitor (a PodMonitor for workers) instead of `prometheus.io/*` annotations." }),
            namespace: text({ expected: "the namespace Prometheus runs in (DNS-1123 label)", check: f.dnsLabel, pattern: DNS_LABEL, example: "monitoring" })
                .default("monitoring")
                .meta({ description: "Where Prometheus runs: admitted to the metrics port by the services' network policies." }),
            labels: map(text({ expected: "a label value", check: f.labelValue, example: "kube-prometheus-stack" }), { check: f.labelKey, expected: "a label key", example: "release" })
                .optional()
                .meta({ description: "Labels the Prometheus instance selects monitors by.", examples: [{ release: "kube-prometheus-stack" }] }),
        })
            .prefault({})
            .meta({ description: "How services' metrics are scraped." }),
        externalSecrets: object({
            store: text({ expected: "the name of a SecretStore or ClusterSecretStore", check: f.dnsSubdomain })
                .optional()
                .meta({ description: "The store `external` secrets are read from (required with them).", examples: ["vault-backend"] }),
            storeKind: oneOf(["ClusterSecretStore", "SecretStore"]).default("ClusterSecretStore").meta({ description: "The store's kind." }),
            refreshInterval: text({ expected: "a duration such as '1h' or '15m'", check: (s) => (/^([0-9]+(s|m|h))+$/.test(s) ? undefined : "a number and a unit: s, m or h") })
                .default("1h")
                .meta({ description: "How often the operator re-reads the store." }),
        })
            .optional()
            .meta({ description: "The External Secrets Operator store for services' `external` secrets." }),
        commonEnv: commonEnv.optional().meta({ description: "Variables every service of this environment receives (after the catalog's)." }),
        tiers: map(tier, { check: f.dnsLabel, expected: "a tier name (DNS-1123 label)", example: "small", pattern: DNS_LABEL })
            .optional()
            .meta({ description: "Resource tiers of this stack: a tier named like one of `catalog.tiers` replaces it here (a smaller environment), others are added." }),
        publicService: text({ expected: "the name of a service with an Ingress", check: f.dnsLabel, pattern: DNS_LABEL })
            .optional()
            .meta({
                description:
                    "The service whose URL is the environment's public URL (the `publicUrl` output, GitHub's `PUBLIC_URL`); default: the only service with an Ingress, and required when several have one.",
                examples: ["orchestrator"],
            }),
        ci: ci
            .prefault({})
            .meta({ description: "Whether and in which order CI previews and deploys this stack; `npm run generate` writes the workflows from it, the program ignores it. Absent: previewed, never deployed." }),
        serviceDefaults: service.optional().meta({ description: "Service settings for every service of this stack (over the catalog's)." }),
        services: map(service, { check: f.dnsLabel, expected: "a service name (DNS-1123 label)", example: "api", pattern: DNS_LABEL })
            .optional()
            .meta({ description: "Per-service settings of this stack (over everything else).", examples: [{ api: { replicas: 3 } }] }),
    },
    { required: "the stack's environment (an object with 'namespace', 'domain' and 'cluster'), set in Pulumi.<stack>.yaml" },
);

export type Environment = z.output<typeof environment>;
export type Ci = z.output<typeof ci>;
