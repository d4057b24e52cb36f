/**
 * The overlay's side: `kubectl kustomize <dir>` when the folder has a kustomization file, or
 * the manifests of a plain folder (its *.yaml, *.yml and *.json files, not its subfolders)
 * otherwise. kubectl is found on PATH the way the bench finds it (bench/which.ts).
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { findOnPath } from "../../bench/which";
import { Refusal } from "../cli";
import { Manifest } from "../harness/manifests";
import { readManifestFile } from "../import/kustomize";
import { yamlDocuments } from "../import/manifests";

const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];
const TIMEOUT_MS = 120_000;

export interface OverlayRender {
    readonly objects: readonly Manifest[];
    /** How it was read, for the report: `kubectl kustomize` or `a plain folder of manifests`. */
    readonly how: string;
}

/** Reads the overlay folder `dir`; a missing folder, a kustomize error or a file that is not manifests is a `Refusal` naming the path. */
export async function readOverlay(dir: string): Promise<OverlayRender> {
    if (!fs.existsSync(dir)) throw new Refusal(`no such overlay folder: ${dir}`);
    if (!fs.statSync(dir).isDirectory()) throw new Refusal(`not a folder: ${dir} (name the overlay's folder, which holds kustomization.yaml)`);
    if (KUSTOMIZATION_FILES.some((f) => fs.existsSync(path.join(dir, f)))) {
        return { objects: manifestsOf(await kustomize(dir), `kubectl kustomize ${dir}`), how: "kubectl kustomize" };
    }
    const files = fs
        .readdirSync(dir)
        .filter((f) => /\.(ya?ml|json)$/.test(f))
        .sort();
    if (files.length === 0) throw new Refusal(`${dir} has no kustomization.yaml and no manifests (*.yaml, *.yml, *.json)`);
    const objects = files.flatMap((f) => manifestsOf(readManifestFile(path.join(dir, f)), path.join(dir, f)));
    return { objects, how: `a plain folder of manifests, ${files.length} file${files.length === 1 ? "" : "s"}` };
}

function kustomize(dir: string): Promise<string> {
    const kubectl = findOnPath("kubectl");
    if (kubectl === undefined) return Promise.reject(new Error("kubectl was not found on PATH; install kubectl (it builds the overlay with its kustomize) or add it to PATH"));
    return new Promise((resolve, reject) => {
        execFile(kubectl, ["kustomize", dir], { timeout: TIMEOUT_MS, maxBuffer: 256 * 1024 * 1024, encoding: "utf8" }, (error, stdout, stderr) => {
            if (!error) return resolve(stdout);
            if (error.killed) return reject(new Error(`kubectl kustomize ${dir} did not finish within ${TIMEOUT_MS / 1000} s`));
            reject(new Refusal(`kubectl kustomize ${dir} failed: ${kustomizeError(stderr.trim() || error.message)}`));
        });
    });
}

/** Kustomize's message without kubectl's log prefix (`E1130 ... run.go:72] "command failed" err="..."`). */
export function kustomizeError(stderr: string): string {
    const logged = /\berr="((?:[^"\\]|\\.)*)"/.exec(stderr);
    if (logged) return (JSON.parse(`"${logged[1]}"`) as string).trim();
    return stderr.replace(/^Error: /, "");
}

/** The objects of a YAML stream; a `List` contributes its items. */
export function manifestsOf(text: string, source: string): Manifest[] {
    const objects: Manifest[] = [];
    const add = (doc: unknown, where: string) => {
        if (doc === null || doc === undefined) return;
        const m = doc as Partial<Manifest>;
        if (typeof m !== "object" || typeof m.kind !== "string") throw new Refusal(`${where}: not a Kubernetes object (no kind)`);
        if (m.kind.endsWith("List") && Array.isArray((m as { items?: unknown }).items)) {
            for (const item of (m as { items: unknown[] }).items) add(item, where);
            return;
        }
        if (typeof m.metadata?.name !== "string") throw new Refusal(`${where}: a ${m.kind} without metadata.name`);
        objects.push(m as Manifest);
    };
    for (const doc of yamlDocuments(text, source)) add(doc, source);
    return objects;
}
