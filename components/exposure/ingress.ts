import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { IngressDefaults } from "../../config/types";
import { ingressAnnotations } from "../../config/written";
import { ExposedServiceArgs } from "./exposed";
import { objectName } from "../../config/names/derive";

export interface IngressArgs extends ExposedServiceArgs {
    readonly defaults: IngressDefaults;
    /** The Service and its port's name. */
    readonly backend: { readonly service: pulumi.Input<string>; readonly portName: string };
}

/**
 * A TLS Ingress (certificate from cert-manager's cluster issuer, secret `<name>-tls`) in the
 * annotation dialect of the controller the stack runs: CORS, the HTTPS redirect and the
 * response timeout mean the same on each.
 */
export function createIngress(resourceName: string, args: IngressArgs, opts: pulumi.CustomResourceOptions): k8s.networking.v1.Ingress {
    const ing = args.spec;
    return new k8s.networking.v1.Ingress(
        resourceName,
        {
            metadata: {
                name: args.name,
                namespace: args.namespace,
                labels: args.labels,
                annotations: ingressAnnotations(ing, args.defaults, args.annotations),
            },
            spec: {
                ingressClassName: args.defaults.className,
                tls: [{ hosts: [ing.host], secretName: objectName.tlsSecret(args.name, ing) }],
                rules: [
                    {
                        host: ing.host,
                        http: {
                            paths: ing.paths.map((p) => ({
                                path: p.path,
                                pathType: p.pathType,
                                backend: { service: { name: args.backend.service, port: { name: args.backend.portName } } },
                            })),
                        },
                    },
                ],
            },
        },
        opts,
    );
}
