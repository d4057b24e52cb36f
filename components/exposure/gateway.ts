import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { EnvironmentConfig, ServiceConfig } from "../../config/types";
import { waitAnnotations } from "../../config/written";
import { GATEWAY_API } from "./route";
import { environmentResource, objectName } from "../../config/names/derive";

/**
 * The stack's own Gateway, only when the stack asks for one (`environment.gateway.create`; a
 * shared Gateway is the platform team's): a plain-HTTP listener for the redirects and an HTTPS
 * listener per exposed host, whose certificate cert-manager issues (its Gateway support reads
 * the `cert-manager.io/cluster-issuer` annotation and each listener's `certificateRefs`).
 * Routes from the stack's namespace only.
 */
export function createGateway(
    name: string,
    args: { readonly environment: EnvironmentConfig; readonly services: readonly ServiceConfig[]; readonly namespace: pulumi.Input<string>; readonly labels: Record<string, string> },
    opts: pulumi.CustomResourceOptions,
): void {
    const env = args.environment;
    const g = env.gateway;
    if (!g?.create || env.exposure === "ingress") {
        return;
    }
    const sameNamespace = { namespaces: { from: "Same" } };
    const exposed = args.services.filter((s) => s.ingress);
    new k8s.apiextensions.CustomResource(
        environmentResource.gateway(name),
        {
            apiVersion: GATEWAY_API,
            kind: "Gateway",
            metadata: {
                name: g.name,
                namespace: args.namespace,
                labels: args.labels,
                annotations: {
                    "cert-manager.io/cluster-issuer": env.ingress.clusterIssuer,
                    "pulumi.com/waitFor": "condition=Programmed",
                    ...waitAnnotations(env.rollout.awaitTimeoutSeconds),
                },
            },
            spec: {
                gatewayClassName: g.create.className,
                listeners: [
                    { name: objectName.httpListener(g), port: 80, protocol: "HTTP", allowedRoutes: sameNamespace },
                    ...exposed.map((svc) => ({
                        name: objectName.httpsListener(g, svc.objectName),
                        hostname: svc.ingress!.host,
                        port: 443,
                        protocol: "HTTPS",
                        tls: { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: objectName.tlsSecret(svc.objectName, svc.ingress!) }] },
                        allowedRoutes: sameNamespace,
                    })),
                ],
            },
        },
        opts,
    );
}
