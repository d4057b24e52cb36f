import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { findOnPath } from "../bench/which";

describe("bench: finding kubectl", function () {
    let dir: string;
    before(function () {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-which-"));
        for (const sub of ["a", "b", "c"]) fs.mkdirSync(path.join(dir, sub));
        fs.writeFileSync(path.join(dir, "a", "kubectl"), "not executable\n", { mode: 0o644 });
        fs.mkdirSync(path.join(dir, "b", "kubectl")); // a directory, not a program
        fs.writeFileSync(path.join(dir, "c", "kubectl"), "#!/bin/sh\n", { mode: 0o755 });
    });
    after(function () {
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("takes the first executable file on PATH, as an absolute path", function () {
        const searchPath = ["", ...["a", "b", "c"].map((s) => path.join(dir, s))].join(path.delimiter);
        assert.equal(findOnPath("kubectl", searchPath), path.join(dir, "c", "kubectl"));
        const relative = path.relative(process.cwd(), path.join(dir, "c"));
        assert.equal(findOnPath("kubectl", relative), path.join(dir, "c", "kubectl"));
    });

    it("finds nothing when kubectl is not on PATH", function () {
        assert.equal(findOnPath("kubectl", [path.join(dir, "a"), path.join(dir, "b")].join(path.delimiter)), undefined);
        assert.equal(findOnPath("kubectl", ""), undefined);
    });
});
