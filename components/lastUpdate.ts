import * as pulumi from "@pulumi/pulumi";
import { stackResource } from "../config/names/derive";

/**
 * The outputs of this stack's last update, read through a reference to the stack itself
 * (`pulumi.StackReference`), created once per program run and only when something reads it:
 * the claims check and the release record (components/service/claims.ts, components/images/releases.ts).
 */
export class LastUpdate {
    private reference?: pulumi.StackReference;

    /** The output `name` of the last update; undefined on a stack's first update. */
    output(name: string): pulumi.Output<unknown> {
        this.reference ??= new pulumi.StackReference(stackResource.lastUpdate, { name: qualifiedStack(pulumi.getStack()) });
        return this.reference.getOutput(name);
    }
}

/** `<organization>/<project>/<stack>` for a stack given by short or qualified name. */
export function qualifiedStack(stack: string): string {
    return stack.includes("/") ? stack : `${pulumi.getOrganization()}/${pulumi.getProject()}/${stack}`;
}
