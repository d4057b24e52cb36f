import * as pulumi from "@pulumi/pulumi";
import { IngressSpec } from "../../config/types";

/** What an Ingress and an HTTPRoute of one exposed service share: its object's identity and its public settings. */
export interface ExposedServiceArgs {
    /** The object's name: the service's `objectName`. */
    readonly name: string;
    readonly namespace: pulumi.Input<string>;
    readonly labels: Record<string, string>;
    readonly spec: IngressSpec;
    readonly annotations: Record<string, string>;
}
