import * as pulumi from "@pulumi/pulumi";
import { uncached } from "./support";

/** What the program warns about (`pulumi.log.warn`) while `run` runs, in order (its evaluations afresh, not cached). */
export async function warningsDuring(run: () => Promise<unknown>): Promise<string[]> {
    const warned: string[] = [];
    const original = pulumi.log.warn;
    pulumi.log.warn = (msg: string) => {
        warned.push(msg);
        return Promise.resolve();
    };
    try {
        await uncached(run);
    } finally {
        pulumi.log.warn = original;
    }
    return warned;
}
