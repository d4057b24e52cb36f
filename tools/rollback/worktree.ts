import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { output, run } from "../processes";

/** A commit checked out beside the user's checkout, which it leaves untouched. */
export interface Worktree {
    /** The project folder inside it (where Pulumi.yaml is). */
    readonly project: string;
    /** Deletes it and unregisters it from the repository, whatever state it is in. */
    remove(): void;
}

/**
 * Checks `commit` out in a temporary `git worktree` of the repository holding `cwd`, the project
 * folder `prefix` (`git rev-parse --show-prefix`) below its top. `remove()` must follow, even
 * when this throws part-way.
 */
export function checkOut(cwd: string, commit: string, prefix: string): Worktree {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-rollback-"));
    const remove = () => {
        run("git", ["worktree", "remove", "--force", dir], { cwd });
        fs.rmSync(dir, { recursive: true, force: true });
        run("git", ["worktree", "prune"], { cwd });
    };
    try {
        output("git", ["worktree", "add", "--detach", dir, commit], { cwd });
    } catch (e) {
        remove();
        throw e;
    }
    return { project: path.join(dir, prefix), remove };
}
