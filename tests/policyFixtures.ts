/** Resources written by hand for the policy tests (policy.test.ts, e2e/policyPack.test.ts), as the engine hands them to policies. */
import { PolicyResource } from "../policy/rules";
import { urnOf } from "./policyRunner";

export type Props = Record<string, unknown>;
export const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;

export function resource(type: string, name: string, props: Props, stack = "production"): PolicyResource {
    return { type: `kubernetes:${type}`, name, urn: urnOf(stack, `kubernetes:${type}`, name), props };
}

/** A container as this program writes it. */
export function container(overrides: Props = {}): Props {
    return {
        name: "api",
        image: `ghcr.io/acme/api@${DIGEST}`,
        resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
        livenessProbe: { httpGet: { path: "/healthz", port: "http" } },
        readinessProbe: { httpGet: { path: "/readyz", port: "http" } },
        securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        },
        ...overrides,
    };
}

export const LABELS = { "app.kubernetes.io/name": "api", "app.kubernetes.io/part-of": "hft" };

export function deployment(opts: { containers?: Props[]; initContainers?: Props[]; replicas?: number; podSecurity?: Props; stack?: string; environment?: string } = {}): PolicyResource {
    return resource(
        "apps/v1:Deployment",
        "api-deployment",
        {
            metadata: { name: "api", namespace: "hft-production", labels: { ...LABELS, environment: opts.environment ?? opts.stack ?? "production" } },
            spec: {
                ...(opts.replicas !== undefined ? { replicas: opts.replicas } : {}),
                selector: { matchLabels: LABELS },
                template: {
                    metadata: { labels: LABELS },
                    spec: {
                        securityContext: opts.podSecurity ?? { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
                        containers: opts.containers ?? [container()],
                        ...(opts.initContainers ? { initContainers: opts.initContainers } : {}),
                    },
                },
            },
        },
        opts.stack,
    );
}


export function pdb(spec: Props, name = "api", namespace = "hft-production"): PolicyResource {
    return resource("policy/v1:PodDisruptionBudget", `${name}-pdb`, { metadata: { name, namespace }, spec: { selector: { matchLabels: LABELS }, ...spec } });
}
