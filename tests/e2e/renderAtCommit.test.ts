import * as assert from "node:assert/strict";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Refusal } from "../../tools/cli";
import { configurationAt } from "../../tools/render/atCommit";

/** What `render --diff` reads at a commit, with git run for real on a temporary repository. */
describe("render --diff: the configuration at a commit", () => {
    let root: string;
    const git = (...args: string[]) => execFileSync("git", args, { cwd: root, encoding: "utf8" }).trim();
    const write = (file: string, text: string) => {
        fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        fs.writeFileSync(path.join(root, file), text);
    };

    beforeEach(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "render-at-commit-"));
        git("init", "-q", "-b", "main");
        git("config", "user.email", "ci@example.com");
        git("config", "user.name", "CI");
        // A project in a subfolder of its repository, its catalog in a file of a folder of its own.
        write("infra/Pulumi.yaml", "name: demo\nruntime: nodejs\nconfig:\n  catalogFile:\n    value: catalog/services.yaml\n");
        write("infra/Pulumi.qa.yaml", "config:\n  demo:environment:\n    tag: v1\n");
        write("infra/catalog/services.yaml", "system: old\n");
        write("infra/unrelated.txt", "not copied\n");
        git("add", "-A");
        git("commit", "-q", "-m", "first");
        write("infra/catalog/services.yaml", "system: new\n");
    });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    it("copies Pulumi.yaml, the stack file and the catalogFile as committed, relative to the project folder", () => {
        const at = configurationAt(path.join(root, "infra"), "HEAD", "qa");
        try {
            assert.equal(at.commit, git("rev-parse", "HEAD"));
            assert.equal(at.stackExisted, true);
            assert.deepEqual(fs.readdirSync(at.folder, { recursive: true, encoding: "utf8" }).sort(), ["Pulumi.qa.yaml", "Pulumi.yaml", "catalog", path.join("catalog", "services.yaml")]);
            assert.equal(fs.readFileSync(path.join(at.folder, "catalog", "services.yaml"), "utf8"), "system: old\n");
        } finally {
            at.remove();
        }
        assert.equal(fs.existsSync(at.folder), false);
    });

    it("says a stack file did not exist at the commit, and copies only Pulumi.yaml then", () => {
        write("infra/Pulumi.prod.yaml", "config: {}\n");
        const at = configurationAt(path.join(root, "infra"), "main", "prod");
        try {
            assert.equal(at.stackExisted, false);
            assert.deepEqual(fs.readdirSync(at.folder), ["Pulumi.yaml"]);
        } finally {
            at.remove();
        }
    });

    it("refuses a ref that names no commit, and a project that had no Pulumi.yaml at the commit", () => {
        const refusal = (message: string) => (e: unknown) => e instanceof Refusal && e.message === message;
        assert.throws(() => configurationAt(path.join(root, "infra"), "v9", "qa"), refusal(`--diff: 'v9' names no commit in the git repository of ${path.join(root, "infra")}`));
        write("other/Pulumi.yaml", "name: other\n");
        const head = git("rev-parse", "--short=7", "HEAD");
        assert.throws(() => configurationAt(path.join(root, "other"), "HEAD", "qa"), refusal(`--diff: there was no Pulumi.yaml in ${path.join(root, "other")} at 'HEAD' (${head})`));
    });
});
