import * as pulumi from "@pulumi/pulumi";

type Callsites = () => unknown[];
/** The SDK's Resource class, with the private static that takes a resource's stack trace. */
const resource = pulumi.Resource as unknown as { callsites?: Callsites };
const none: Callsites = () => [];
/** How many evaluations are running now (they may overlap); the SDK's own method while none is. */
let running = 0;
let original: Callsites | undefined;

/**
 * Runs `f` (an evaluation under the mocks) with resources declared without source positions.
 * For each resource the SDK takes a stack trace of every frame (`Resource.callsites`, a private
 * static of @pulumi/pulumi/resource.js), which ts-node's source-map-support maps back to the
 * TypeScript, and sends its top frame to the engine, which shows it in Pulumi Cloud. Pulumi's
 * mock monitor drops it, nothing here records it, and taking it is a fifth of an evaluation.
 * Outside the harness (`pulumi up`, the bench, tests/e2e/runner.test.ts) and once every
 * evaluation has ended, the SDK's method is back. A later SDK without it is left as it is.
 */
export async function withoutSourcePositions<T>(f: () => Promise<T>): Promise<T> {
    if (running === 0 && typeof resource.callsites === "function" && resource.callsites !== none) {
        original = resource.callsites;
        resource.callsites = none;
    }
    running++;
    try {
        return await f();
    } finally {
        running--;
        if (running === 0 && original !== undefined) {
            resource.callsites = original;
            original = undefined;
        }
    }
}
