import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { Refusal } from "../cli";
import { Manifest, redact } from "../harness/manifests";
import { checkDistinct, githubFileName, manifestFileName } from "./fileNames";
import { GithubDocument } from "./github";

const MARKER = ".rendered-by-platform";

/** One file of a render: where it goes (relative to the folder), what it holds, and its text. */
export interface RenderedFile {
    readonly path: string;
    readonly what: string;
    readonly text: string;
}

export interface Rendered {
    readonly manifests: readonly Manifest[];
    readonly github: readonly GithubDocument[];
    /** The stack outputs as evaluated (secret ones in the secret envelope). */
    readonly outputs: unknown;
    /** The stack's namespace: its objects are named without it. */
    readonly namespace: string;
}

/**
 * Every file of a render: one per Kubernetes object, `outputs.yaml`, and one per GitHub resource
 * under `github/`. Names never depend on order (fileNames.ts); keys are sorted, so the same
 * configuration gives the same bytes.
 */
export function renderedFiles(r: Rendered): RenderedFile[] {
    const files: RenderedFile[] = [
        ...r.manifests.map((m) => ({ path: manifestFileName(m, r.namespace), what: `${m.kind} ${m.metadata.name}`, text: YAML.stringify(m, { sortMapEntries: true }) })),
        { path: "outputs.yaml", what: "the stack outputs", text: YAML.stringify(redact(r.outputs), { sortMapEntries: true }) },
        ...r.github.map((g) => ({
            path: `github/${githubFileName(g.type, g.name)}`,
            what: `${g.type} ${g.name}`,
            text: YAML.stringify({ type: g.type, name: g.name, inputs: sortedKeys(g.inputs) }),
        })),
    ];
    checkDistinct(files);
    return files;
}

function sortedKeys(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(sortedKeys);
    if (v !== null && typeof v === "object") {
        return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortedKeys((v as Record<string, unknown>)[k])]));
    }
    return v;
}

/** Replaces `out` with the files; refuses a folder this tool did not write. */
export function writeFolder(out: string, files: readonly RenderedFile[]): void {
    if (fs.existsSync(out)) {
        if (fs.readdirSync(out).length > 0 && !fs.existsSync(path.join(out, MARKER))) {
            throw new Refusal(`refusing to overwrite ${out}: it exists and was not written by this tool`);
        }
        fs.rmSync(out, { recursive: true });
    }
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, MARKER), "Written by `npm run render`; the whole folder is replaced on each run.\n");
    for (const f of files) {
        fs.mkdirSync(path.dirname(path.join(out, f.path)), { recursive: true });
        fs.writeFileSync(path.join(out, f.path), f.text);
    }
}
