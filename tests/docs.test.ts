import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";

/**
 * The README is an entry point (short), and the documentation's relative links and the
 * commands it names exist. In process: reads the Markdown files and package.json only.
 */
const REPO = path.resolve(__dirname, "..");
const README_MAX_LINES = 150;

/** Scripts the documentation names as coming (being added by other work). */
const COMING_SCRIPTS: readonly string[] = [];

const scripts = (JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;

/** README.md and every Markdown file under docs/, as repository-relative paths. */
function documents(): string[] {
    const found: string[] = ["README.md"];
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(path.join(REPO, dir), { withFileTypes: true })) {
            const rel = `${dir}/${entry.name}`;
            if (entry.isDirectory()) walk(rel);
            else if (entry.name.endsWith(".md")) found.push(rel);
        }
    };
    walk("docs");
    return found.sort();
}

/** The text a reader sees as prose: fenced code blocks and inline code spans removed. */
function prose(markdown: string): string {
    return markdown.replace(/^ {0,3}(```|~~~)[^\n]*\n[\s\S]*?^ {0,3}\1[^\n]*$/gm, "").replace(/(`+)[^`]*?\1/g, "");
}

/** The targets of inline links and images (`](target)`) and of reference definitions (`[x]: target`). */
function linkTargets(markdown: string): string[] {
    const text = prose(markdown);
    const targets: string[] = [];
    for (const m of text.matchAll(/\]\(\s*(?:<([^>]*)>|([^)\s]*))(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g)) targets.push(m[1] ?? m[2]);
    for (const m of text.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/gm)) targets.push(m[1]);
    return targets;
}

/** Where a relative link of `doc` points, repository-relative; undefined for URLs and anchors. */
function localTarget(doc: string, target: string): string | undefined {
    if (target === "" || target.startsWith("#") || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(target) || target.startsWith("//")) {
        return undefined;
    }
    const file = decodeURI(target.replace(/[#?].*$/, ""));
    const resolved = file.startsWith("/") ? path.join(REPO, file) : path.resolve(REPO, path.dirname(doc), file);
    return path.relative(REPO, resolved).split(path.sep).join("/");
}

/** Why a relative link of `doc` does not resolve, or undefined when it does. */
function brokenLink(doc: string, target: string): string | undefined {
    const rel = localTarget(doc, target);
    if (rel === undefined) return undefined;
    if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) return `${doc}: ${target} points outside the repository`;
    if (rel.split("/").includes("node_modules")) return `${doc}: ${target} points into node_modules`;
    if (fs.existsSync(path.join(REPO, rel))) return undefined;
    return `${doc}: ${target} (${rel}) does not exist`;
}

function lineCount(text: string): number {
    return text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

describe("documentation", function () {
    it(`README.md is an entry point: under ${README_MAX_LINES} lines`, function () {
        const lines = lineCount(fs.readFileSync(path.join(REPO, "README.md"), "utf8"));
        assert.ok(lines < README_MAX_LINES, `README.md has ${lines} lines; move reference material to docs/`);
    });

    it("every relative link in README.md and docs/**/*.md resolves to a file or folder of the repository", function () {
        const docs = documents();
        assert.ok(docs.includes("docs/architecture.md") && docs.includes("docs/exit-codes.md"), docs.join(", "));
        let checked = 0;
        const broken: string[] = [];
        for (const doc of docs) {
            for (const target of linkTargets(fs.readFileSync(path.join(REPO, doc), "utf8"))) {
                if (localTarget(doc, target) !== undefined) checked++;
                const problem = brokenLink(doc, target);
                if (problem) broken.push(problem);
            }
        }
        assert.deepEqual(broken, []);
        assert.ok(checked >= 30, `only ${checked} relative links found: is the link pattern still right?`);
    });

    it("the link check finds links in prose, and skips URLs, anchors and code", function () {
        const text = [
            "See [a](docs/a.md#part), [b](<docs/with space.md> \"title\"), ![img](img/x.png) and [ref].",
            "[ref]: ../outside.md",
            "[web](https://example.com) [here](#anchor) [mail](mailto:x@example.com) `[code](not-a-link.md)`",
            "```",
            "[fenced](not-a-link-either.md)",
            "```",
        ].join("\n");
        assert.deepEqual(linkTargets(text), ["docs/a.md#part", "docs/with space.md", "img/x.png", "https://example.com", "#anchor", "mailto:x@example.com", "../outside.md"]);
        assert.equal(localTarget("docs/runbook.md", "../config/merge.ts#L3"), "config/merge.ts");
        assert.equal(localTarget("docs/runbook.md", "exit-codes.md"), "docs/exit-codes.md");
        assert.equal(localTarget("README.md", "https://example.com/a.md"), undefined);
        assert.equal(localTarget("README.md", "#layout"), undefined);
        assert.match(brokenLink("README.md", "docs/no-such-file.md") ?? "", /does not exist/);
        assert.match(brokenLink("README.md", "../elsewhere.md") ?? "", /outside the repository/);
    });

    it("every `npm run <script>` the documentation names is a script of package.json, or named as coming", function () {
        const unknown: string[] = [];
        for (const doc of documents()) {
            const text = fs.readFileSync(path.join(REPO, doc), "utf8");
            for (const m of text.matchAll(/npm run(?: --silent)? ([a-z][a-z0-9:-]*)/g)) {
                const script = m[1];
                if (scripts[script] === undefined && !COMING_SCRIPTS.includes(script)) unknown.push(`${doc}: npm run ${script}`);
            }
        }
        assert.deepEqual([...new Set(unknown)], []);
        // A script that does not exist yet is named, in its paragraph or table row, as coming.
        const unmarked: string[] = [];
        for (const doc of documents()) {
            const blocks = fs.readFileSync(path.join(REPO, doc), "utf8").split(/\n\s*\n/);
            const units = blocks.flatMap((b) => (b.trimStart().startsWith("|") ? b.split("\n") : [b]));
            for (const script of COMING_SCRIPTS.filter((s) => scripts[s] === undefined)) {
                for (const unit of units) {
                    if (unit.includes(`npm run ${script}`) && !/coming|being added/.test(unit)) unmarked.push(`${doc}: npm run ${script} in "${unit.slice(0, 80)}..."`);
                }
            }
        }
        assert.deepEqual(unmarked, []);
    });
});
