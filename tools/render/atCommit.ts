import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Refusal } from "../cli";
import { promotionSource, readStackFiles } from "../harness/stackFiles";
import { output, run } from "../processes";

/** A stack's configuration files as they were at a commit, copied into a temporary folder. */
export interface ConfigurationAt {
    /** The folder holding the copies; `remove()` deletes it. */
    readonly folder: string;
    /** The full hash the ref named. */
    readonly commit: string;
    /** Whether Pulumi.<stack>.yaml existed at that commit (a stack added since did not). */
    readonly stackExisted: boolean;
    readonly remove: () => void;
}

/**
 * Copies Pulumi.yaml, Pulumi.<stack>.yaml, the catalogFile they name and the stack file of its
 * promotion source (if any) as they were at
 * `ref` into a temporary folder, so that today's code can render them. `dir` is the project
 * folder; it may be anywhere inside its git repository (paths are read relative to it). git runs
 * with an argument list, never a shell. A ref that names no commit, a folder outside a git
 * repository or a project without Pulumi.yaml at that commit is a refusal.
 */
export function configurationAt(dir: string, ref: string, stack: string): ConfigurationAt {
    const git = (...args: string[]) => run("git", args, { cwd: dir });
    if (git("rev-parse", "--is-inside-work-tree").status !== 0) {
        throw new Refusal(`--diff: ${dir} is not inside a git repository`);
    }
    const verified = git("rev-parse", "--verify", "--quiet", `${ref}^{commit}`);
    if (verified.status !== 0) {
        throw new Refusal(`--diff: '${ref}' names no commit in the git repository of ${dir}`);
    }
    const commit = verified.stdout.trim();
    // `<commit>:./<path>` is relative to the working directory (the project folder).
    const exists = (file: string) => git("cat-file", "-e", `${commit}:./${file}`).status === 0;
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "render-diff-"));
    const remove = () => fs.rmSync(folder, { recursive: true, force: true });
    const copy = (file: string) => {
        // cat-file gives the blob as committed (no textconv or filters).
        const text = output("git", ["cat-file", "blob", `${commit}:./${file}`], { cwd: dir });
        fs.mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
        fs.writeFileSync(path.join(folder, file), text);
    };
    try {
        if (!exists("Pulumi.yaml")) {
            throw new Refusal(`--diff: there was no Pulumi.yaml in ${dir} at '${ref}' (${commit.slice(0, 7)})`);
        }
        copy("Pulumi.yaml");
        const stackFile = `Pulumi.${stack}.yaml`;
        const stackExisted = exists(stackFile);
        if (stackExisted) {
            copy(stackFile);
            const catalogFile = catalogFileOf(folder, stack);
            if (catalogFile !== undefined && exists(catalogFile)) copy(catalogFile);
            // The stack a promotion gate reads is rendered too, as it was at that commit.
            const source = promotionSourceOf(folder, stack);
            if (source !== undefined && source !== stack && exists(`Pulumi.${source}.yaml`)) copy(`Pulumi.${source}.yaml`);
        }
        return { folder, commit, stackExisted, remove };
    } catch (e) {
        remove();
        throw e;
    }
}

/** The short name of the stack `environment.promotion.from` names in the copied files, if any. */
function promotionSourceOf(folder: string, stack: string): string | undefined {
    try {
        return promotionSource(readStackFiles(folder, stack, { fillSecrets: false }))?.short;
    } catch {
        return undefined;
    }
}

/**
 * The project-relative path `catalogFile` names in the copied files, when it is one inside the
 * project; otherwise undefined, and the render reports the problem as it would today.
 */
function catalogFileOf(folder: string, stack: string): string | undefined {
    let config;
    try {
        config = readStackFiles(folder, stack, { fillSecrets: false });
    } catch {
        return undefined;
    }
    const file = config.config[`${config.project}:catalogFile`];
    if (file === undefined || path.isAbsolute(file)) return undefined;
    const relative = path.relative(folder, path.resolve(folder, file));
    if (relative === "" || relative.split(path.sep)[0] === "..") return undefined;
    return relative.split(path.sep).join("/");
}
