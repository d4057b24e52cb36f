/**
 * Edits one setting of a stack file, as a user would by hand: scripts/e2e.sh pins each
 * release's image digests and changes a setting, each in a commit of its own, so every update it
 * runs is of a clean commit a rollback can check out again (docs/e2e.md).
 *
 *   node -r ts-node/register tools/e2e/stackSetting.ts <stack file> pin <repository@sha256:...> <service>...
 *   node -r ts-node/register tools/e2e/stackSetting.ts <stack file> set <environment key> <value>
 */
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { YAML_OPTIONS } from "../../config/catalogFile";
import { Refusal } from "../cli";
import { pinImages } from "../promote/edit";
import { keepLayout } from "../promote/layout";
import { projectName } from "../pulumi/stacks";

/** The text of a stack file with each service's image pinned to `ref`'s digest (its repository is the file's). */
export function pinned(text: string, project: string, file: string, ref: string, services: readonly string[]): string {
    const digest = /@(sha256:[0-9a-f]{64})$/.exec(ref)?.[1];
    if (digest === undefined) throw new Refusal(`expected an image reference ending in @sha256:<64 hex digits>, got ${JSON.stringify(ref)}`);
    return pinImages(text, project, file, services.map((service) => ({ service, digest }))).text;
}

/** The text of a stack file with `<project>:environment.<key>` (dotted) set to `value`, every other line kept. */
export function withSetting(text: string, project: string, file: string, key: string, value: string): string {
    const before = YAML.parseDocument(text, YAML_OPTIONS);
    if (before.errors.length > 0) throw new Refusal(`${file} is not valid YAML: ${before.errors[0].message.split("\n")[0]}`);
    const where = ["config", `${project}:environment`, ...key.split(".")];
    if (!before.hasIn(where.slice(0, -1))) throw new Refusal(`${file} has no environment.${key.split(".").slice(0, -1).join(".")} to set ${key} in`);
    const after = before.clone();
    after.setIn(where, value);
    return keepLayout(text, before, after).text;
}

if (require.main === module) {
    const [file, verb, ...rest] = process.argv.slice(2);
    try {
        const text = fs.readFileSync(file, "utf8");
        const project = projectName(path.dirname(path.resolve(file)));
        if (verb === "pin" && rest.length >= 2) fs.writeFileSync(file, pinned(text, project, file, rest[0], rest.slice(1)));
        else if (verb === "set" && rest.length === 2) fs.writeFileSync(file, withSetting(text, project, file, rest[0], rest[1]));
        else throw new Refusal("usage: stackSetting.ts <stack file> (pin <repository@sha256:...> <service>... | set <environment key> <value>)");
    } catch (e) {
        process.stderr.write(`stackSetting: ${(e as Error).message}\n`);
        process.exit(1);
    }
}
