import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { REPO, TS_NODE_ARGS, TS_NODE_ENV } from "./support";

/** Far longer than the 300 cases take (about 10 s), far shorter than "forever". */
const TIMEOUT_MS = 50_000;

/**
 * The file-level fuzz (tests/fuzzFiles.ts) as a child process killed after TIMEOUT_MS: among its
 * cases are FIFOs and devices, and a reader that blocked on one would stop the process running
 * it, where no mocha timeout could end it.
 */
describe("hostile project files, generated (fast-check)", function () {
    this.timeout(TIMEOUT_MS + 10_000);

    it("refuses every attack on the catalogFile, Pulumi.yaml and the stack files with the one problem expected, and never hangs", () => {
        const r = spawnSync(process.execPath, [...TS_NODE_ARGS, path.join(REPO, "tests/fuzzFiles.ts")], {
            cwd: REPO,
            env: { ...process.env, ...TS_NODE_ENV },
            encoding: "utf8",
            timeout: TIMEOUT_MS,
            killSignal: "SIGKILL",
        });
        assert.notEqual(r.signal, "SIGKILL", `still running after ${TIMEOUT_MS / 1000} s (killed): a read blocked?\n${r.stdout}${r.stderr}`);
        assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
        console.log(`      ${r.stdout.trim()}`);
    });
});
