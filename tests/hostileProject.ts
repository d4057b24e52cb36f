import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { REPO } from "./support";

/** A fake credential kept outside the project: no refusal may ever print it. */
export const OUTSIDE_SECRET = "ghp_OUTSIDEsecretTOKEN0123456789abcdefXYZ";

/**
 * A copy of this repository's project in `tmp`, its catalog moved to `catalog.yaml` (named by
 * `catalogFile`), with both stack files; and beside it, outside the project, `outside/` holding
 * a valid catalog (`catalog.yaml`) and a credentials file (`credentials.json`, OUTSIDE_SECRET).
 */
export function hostileProject(tmp: string): { dir: string; outside: string; catalog: string } {
    const base = fs.mkdtempSync(path.join(tmp, "hostile-"));
    const dir = path.join(base, "project");
    const outside = path.join(base, "outside");
    fs.mkdirSync(dir);
    fs.mkdirSync(outside);
    const project = YAML.parse(fs.readFileSync(path.join(REPO, "Pulumi.yaml"), "utf8")) as { config: Record<string, unknown> };
    const catalog = YAML.stringify((project.config.catalog as { value: unknown }).value);
    delete project.config.catalog;
    project.config.catalogFile = { value: "catalog.yaml" };
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), YAML.stringify(project));
    fs.writeFileSync(path.join(dir, "catalog.yaml"), catalog);
    for (const stack of ["staging", "production"]) fs.copyFileSync(path.join(REPO, `Pulumi.${stack}.yaml`), path.join(dir, `Pulumi.${stack}.yaml`));
    fs.writeFileSync(path.join(outside, "catalog.yaml"), catalog);
    fs.writeFileSync(path.join(outside, "credentials.json"), JSON.stringify({ accessToken: OUTSIDE_SECRET }) + "\n");
    return { dir, outside, catalog };
}

/** Replaces a file of the project by a symbolic link to `target`. */
export function linkInstead(dir: string, file: string, target: string): void {
    fs.rmSync(path.join(dir, file), { force: true });
    fs.symlinkSync(target, path.join(dir, file));
}

/** "A billion laughs": each level a list of ten aliases of the level before, names padded to `width`. */
export function aliasBomb(levels: number, width = 1): string {
    const name = (i: number) => `level_${String(i).padStart(width, "0")}`;
    const lines = [`${name(0)}: &${name(0)} [${Array(10).fill("lolololol").join(", ")}]`];
    for (let i = 1; i < levels; i++) lines.push(`${name(i)}: &${name(i)} [${Array(10).fill(`*${name(i - 1)}`).join(", ")}]`);
    return lines.join("\n") + "\n";
}
