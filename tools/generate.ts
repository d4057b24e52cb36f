/**
 * Regenerates every file derived from the configuration schema: the JSON Schema files editors
 * use (schemas/) and the reference (docs/configuration.md). `--check` writes nothing and exits 4
 * when a committed file is stale (the tests run it), so the schema, its JSON Schema and its docs
 * cannot drift apart.
 *
 *   npm run generate [-- --check]
 */
import * as fs from "fs";
import * as path from "path";
import { EXIT, parseCommandLine, CommandSpec } from "./cli";
import { derivedFiles } from "./generate/files";

const REPO = path.resolve(__dirname, "..");

export const GENERATE: CommandSpec = {
    name: "generate",
    usage: "npm run generate -- [--check]",
    summary: "Writes the files derived from the configuration schema (schemas/*.schema.json, docs/configuration.md).",
    options: { check: { type: "boolean", help: "write nothing; exit 4 and name the stale files when any differs from what would be written" } },
    exits: [[4, "--check: a derived file is stale or missing (run npm run generate)"]],
};

export function main(argv: readonly string[], repo: string = REPO, write: (s: string) => void = (s) => process.stdout.write(s)): number {
    const parsed = parseCommandLine(GENERATE, argv, (values) => ({ check: values.check === true }));
    if (parsed.kind === "help") {
        write(parsed.text);
        return EXIT.done;
    }
    if (parsed.kind === "usage") {
        process.stderr.write(`generate: ${parsed.problem}\n${parsed.text}`);
        return EXIT.usage;
    }
    const stale: string[] = [];
    for (const [file, content] of Object.entries(derivedFiles())) {
        const target = path.join(repo, file);
        const current = fs.existsSync(target) ? fs.readFileSync(target, "utf8") : undefined;
        if (current === content) continue;
        stale.push(file);
        if (!parsed.options.check) {
            fs.mkdirSync(path.dirname(target), { recursive: true });
            fs.writeFileSync(target, content);
        }
    }
    if (parsed.options.check) {
        write(stale.length === 0 ? "generate: every derived file is up to date\n" : `generate: stale, run 'npm run generate': ${stale.join(", ")}\n`);
        return stale.length === 0 ? EXIT.done : EXIT.findings;
    }
    write(stale.length === 0 ? "generate: nothing changed\n" : `generate: wrote ${stale.join(", ")}\n`);
    return EXIT.done;
}

if (require.main === module) {
    process.exit(main(process.argv.slice(2)));
}
