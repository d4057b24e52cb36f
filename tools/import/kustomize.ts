import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { FileRefusal, MAX_MANIFEST_BYTES, readRegularFile } from "../../config/projectFile";
import { Refusal } from "../cli";

/** What an overlay builds to, and how long `kubectl kustomize` took. */
export interface Build {
    readonly dir: string;
    readonly text: string;
    /** Wall time of the build (0 for a plain folder read from disk). */
    readonly ms: number;
    readonly kustomized: boolean;
}

const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];
export const BUILD_TIMEOUT_MS = 120_000;

/**
 * `kubectl kustomize <dir>` (Kustomize built into kubectl), or, for a folder without a
 * kustomization file, its YAML files in name order. An overlay Kustomize refuses is the
 * input's problem (a Refusal); kubectl failing to run or timing out is not.
 */
export async function buildOverlay(dir: string, kubectl: string | undefined, timeoutMs = BUILD_TIMEOUT_MS): Promise<Build> {
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Refusal(`${dir}: no such folder`);
    if (!KUSTOMIZATION_FILES.some((f) => fs.existsSync(path.join(dir, f)))) {
        const files = fs.readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
        if (files.length === 0) throw new Refusal(`${dir}: neither a kustomization file nor any YAML manifest`);
        return { dir, text: files.map((f) => readManifestFile(path.join(dir, f))).join("\n---\n"), ms: 0, kustomized: false };
    }
    if (kubectl === undefined) throw new Error("kubectl was not found on PATH; install kubectl (it builds Kustomize overlays) or add it to PATH");
    const started = process.hrtime.bigint();
    const text = await new Promise<string>((resolve, reject) => {
        execFile(kubectl, ["kustomize", dir], { timeout: timeoutMs, maxBuffer: 512 * 1024 * 1024, encoding: "utf8" }, (error, stdout, stderr) => {
            if (!error) return resolve(stdout);
            if (error.killed || error.signal) return reject(new Error(`kubectl kustomize ${dir} did not finish within ${timeoutMs / 1000} s`));
            reject(new Refusal(`kubectl kustomize ${dir} failed: ${(stderr || error.message).trim()}`));
        });
    });
    return { dir, text, ms: Number(process.hrtime.bigint() - started) / 1e6, kustomized: true };
}

/** A manifest file of a plain folder: a regular file within the limit, read without blocking (docs/limits.md). */
export function readManifestFile(file: string): string {
    try {
        return readRegularFile(file, MAX_MANIFEST_BYTES);
    } catch (e) {
        if (e instanceof FileRefusal) throw new Refusal(`cannot read ${file} (${e.message})`);
        throw e;
    }
}
