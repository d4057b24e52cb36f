import { Refusal } from "../cli";
import { evaluate, Evaluation, isConfigError } from "../harness/evaluate";
import { Manifest, toManifests } from "../harness/manifests";
import { readStackFiles, StackConfig, StackFileError } from "../harness/stackFiles";
import { RenderedFile, renderedFiles } from "./folder";
import { toGithubDocuments } from "./github";
import { problemsWithFiles } from "./problems";

/** A stack rendered in memory: what the program declared, and the files a render writes. */
export interface StackRender {
    readonly config: StackConfig;
    readonly evaluation: Evaluation;
    readonly manifests: readonly Manifest[];
    readonly namespace: string;
    readonly files: readonly RenderedFile[];
}

/**
 * Reads a stack's files in the project folder `dir` and runs the program on them under mocks,
 * with the CI variables of `ciEnv` (default: this process's environment, as a preview in CI).
 * The project's files are the input: a missing, broken or invalid one is a `Refusal` (exit 1);
 * the program failing otherwise is an `Error` (exit 3). A problem with Pulumi.yaml or the stack
 * file itself (missing, not a regular file inside the project, not YAML, over a limit) names the
 * file and its key path; the others start with `stack '<name>'`.
 */
export async function renderStack(dir: string, stack: string, ciEnv?: Readonly<Record<string, string | undefined>>): Promise<StackRender> {
    let config;
    try {
        config = readStackFiles(dir, stack, { fillSecrets: true });
    } catch (e) {
        if (e instanceof StackFileError || isUnreadable(e)) throw new Refusal((e as Error).message);
        if (isConfigError(e)) throw new Refusal(`stack '${stack}': ${e.message}`);
        throw e;
    }
    const evaluation = await evaluate(config, ciEnv ? { ciEnv } : {});
    if (evaluation.error) {
        // The render read the files itself, so a configuration problem also names its file.
        const message = `stack '${stack}': ${isConfigError(evaluation.error) ? problemsWithFiles(evaluation.error, config) : evaluation.error.message}`;
        throw isConfigError(evaluation.error) ? new Refusal(message) : new Error(message);
    }
    const manifests = toManifests(evaluation.resources);
    const namespace = (evaluation.outputs as { namespace: string }).namespace;
    const files = renderedFiles({ manifests, github: toGithubDocuments(evaluation.resources), outputs: evaluation.outputs, namespace });
    return { config, evaluation, manifests, namespace, files };
}

function isUnreadable(e: unknown): boolean {
    return ["ENOENT", "ENOTDIR", "EISDIR", "EACCES"].includes((e as NodeJS.ErrnoException).code ?? "");
}
