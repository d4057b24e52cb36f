import * as fs from "fs";
import * as path from "path";
import { renderStack } from "../render/stack";
import { stacksOf } from "../harness/stackFiles";

/** The folder whose files `npm run generate` owns whole: a stack's snapshot is its render. */
export const SNAPSHOTS = "tests/snapshots";

/**
 * tests/snapshots/<stack>/: what `npm run render` writes for each stack file (every Kubernetes
 * object, outputs.yaml, github/), so a change to what a stack declares shows in review as a
 * diff of these files, and `npm run generate -- --check` (run by the tests) fails until they are
 * regenerated. A stack whose configuration is invalid stops the generator with its problems.
 */
export async function snapshotFiles(repo: string): Promise<Record<string, string>> {
    const files: Record<string, string> = {};
    for (const stack of stacksOf(repo)) {
        // No CI variables: a snapshot is the same on a laptop and in CI.
        for (const f of (await renderStack(repo, stack, {})).files) files[`${SNAPSHOTS}/${stack}/${f.path}`] = f.text;
    }
    return files;
}

/** Every file now under the snapshot folder, by path from the repository root. */
export function existingSnapshots(repo: string): string[] {
    const root = path.join(repo, SNAPSHOTS);
    if (!fs.existsSync(root)) return [];
    return (fs.readdirSync(root, { recursive: true, withFileTypes: true }))
        .filter((d) => d.isFile())
        .map((d) => path.relative(repo, path.join(d.parentPath, d.name)).split(path.sep).join("/"))
        .sort();
}
