import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { schemaValidator } from "./schemaValidator";
import * as os from "os";
import { generate } from "../tools/generate";
import { stacksOf } from "../tools/harness/stackFiles";
import { stackSecretsDoc } from "../tools/generate/stackSecrets";
import { REPO } from "./support";

/**
 * The JSON Schema files editors use (schemas/, from config/schema/ by `npm run generate`), checked
 * with a real validator (ajv) against the repository's own YAML files and against mistakes.
 */
const ajv = schemaValidator();
const validator = (name: string) => ajv.compile(JSON.parse(fs.readFileSync(path.join(REPO, "schemas", name), "utf8")) as object);
const project = validator("project.schema.json");
const stack = validator("stack.schema.json");
const catalogFile = validator("catalog.schema.json");
const read = (file: string) => YAML.parse(fs.readFileSync(path.join(REPO, file), "utf8")) as Record<string, any>;
const errors = (v: ReturnType<typeof validator>, doc: unknown) => (v(doc) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));

describe("JSON Schema files for editors", () => {
    it("are what `npm run generate` writes from the schema (the docs and the stacks' snapshots too)", async () => {
        const out: string[] = [];
        assert.equal(await generate({ check: true }, REPO, (s) => out.push(s)), 0, out.join(""));
    });

    it("`--check` finds a stale, missing or extra file and exits 4 (findings) without writing; a run writes them", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-generate-"));
        try {
            // One stack is enough to see a stale, missing and extra snapshot (each stack is rendered three times here).
            for (const file of ["Pulumi.yaml", "Pulumi.staging.yaml"]) fs.copyFileSync(path.join(REPO, file), path.join(dir, file));
            fs.mkdirSync(path.join(dir, "docs"));
            fs.writeFileSync(path.join(dir, "docs", "configuration.md"), "edited by hand\n");
            const out: string[] = [];
            fs.mkdirSync(path.join(dir, "tests", "snapshots", "gone"), { recursive: true });
            fs.writeFileSync(path.join(dir, "tests", "snapshots", "gone", "deployment-old.yaml"), "kind: Deployment\n");
            assert.equal(await generate({ check: true }, dir, (s) => out.push(s)), 4);
            assert.match(out.join(""), /stale, run 'npm run generate': schemas\/catalog\.schema\.json, .*docs\/configuration\.md/);
            assert.match(out.join(""), /tests\/snapshots\/staging\/deployment-execution\.yaml, .*tests\/snapshots\/gone\/deployment-old\.yaml/);
            assert.equal(fs.readFileSync(path.join(dir, "docs", "configuration.md"), "utf8"), "edited by hand\n");
            assert.equal(await generate({ check: false }, dir, () => undefined), 0);
            assert.equal(fs.existsSync(path.join(dir, "tests", "snapshots", "gone", "deployment-old.yaml")), false, "a file the generator no longer writes is removed");
            assert.equal(await generate({ check: true }, dir, () => undefined), 0);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("accept the repository's Pulumi.yaml and every stack file, which point editors at them", () => {
        assert.deepEqual(errors(project, read("Pulumi.yaml")), []);
        const stacks = stacksOf(REPO);
        for (const file of stacks.map((s) => `Pulumi.${s}.yaml`)) {
            assert.deepEqual(errors(stack, read(file)), [], file);
            assert.match(fs.readFileSync(path.join(REPO, file), "utf8"), /^# yaml-language-server: \$schema=\.\/schemas\/stack\.schema\.json\n/);
        }
        assert.match(fs.readFileSync(path.join(REPO, "Pulumi.yaml"), "utf8"), /^# yaml-language-server: \$schema=\.\/schemas\/project\.schema\.json\n/);
    });

    it("accept the catalog as a catalogFile holds it", () => {
        assert.deepEqual(errors(catalogFile, read("Pulumi.yaml").config.catalog.value), []);
    });

    it("accept Pulumi's own keys: encrypted values, secrets provider settings, ESC imports, other packages' config", () => {
        const doc = read("Pulumi.production.yaml");
        doc.secretsprovider = "passphrase";
        doc.encryptionsalt = "v1:abc";
        doc.encryptedkey = "xyz";
        doc.environment = ["acme/production"];
        doc.config["kubernetes:context"] = "prod";
        doc.config["hft-platform:brokerApiKey"] = { secure: "AAABAJ..." };
        doc.config.kubeconfig = { secure: "AAABAK..." };
        assert.deepEqual(errors(stack, doc), []);
        const unprefixed = read("Pulumi.staging.yaml");
        unprefixed.config.environment = unprefixed.config["hft-platform:environment"];
        delete unprefixed.config["hft-platform:environment"];
        assert.deepEqual(errors(stack, unprefixed), [], "a key of the project's namespace may omit the prefix");
        const projectDoc = read("Pulumi.yaml");
        projectDoc.config["kubernetes:enableServerSideApply"] = true;
        assert.deepEqual(errors(project, projectDoc), [], "another package's config in Pulumi.yaml");
    });

    it("reject a typo in this program's keys, a wrong type, and a secret key held in plain text", () => {
        const typo = read("Pulumi.staging.yaml");
        typo.config["hft-platform:environment"].namspace = "x";
        assert.ok(errors(stack, typo).some((e) => /must NOT have additional properties/.test(e)), String(errors(stack, typo)));
        const wrongType = read("Pulumi.staging.yaml");
        wrongType.config["hft-platform:environment"].rollout = { progressDeadlineSeconds: "300" };
        assert.ok(errors(stack, wrongType).some((e) => /progressDeadlineSeconds must be integer/.test(e)), String(errors(stack, wrongType)));
        const plain = read("Pulumi.staging.yaml");
        plain.config["hft-platform:brokerApiKey"] = "pk-live-1234";
        assert.notDeepEqual(errors(stack, plain), []);
        const unprefixedTypo = read("Pulumi.staging.yaml");
        unprefixedTypo.config.enviroment = { namespace: "x" };
        assert.notDeepEqual(errors(stack, unprefixedTypo), [], "a plain value under a misspelt key is not a secret key");
        const service = read("Pulumi.yaml");
        service.config.catalog.value.services.execution.replcias = 2;
        assert.notDeepEqual(errors(project, service), []);
        const badPort = read("Pulumi.yaml").config.catalog.value;
        badPort.services.execution.port = 70000;
        assert.ok(errors(catalogFile, badPort).some((e) => /port must be <= 65535/.test(e)), String(errors(catalogFile, badPort)));
    });

    it("the secret-keys page lists, per stack, each key its configuration names and where it is used", () => {
        const doc = stackSecretsDoc(REPO);
        const section = (stack: string) => doc.split(`## ${stack}\n`)[1].split("\n## ")[0];
        assert.match(section("production"), /\| `githubToken` \| `hft-platform:github\.tokenSecret` \| `pulumi config set --secret githubToken <value> --stack production` \|/);
        assert.doesNotMatch(doc, /pulumi(Access|Preview)Token|PULUMI_ACCESS_TOKEN/, "no stack keeps a Pulumi token for GitHub: CI's come from OIDC");
        assert.match(section("staging"), /\| `brokerApiKey` \| `hft-platform:catalog\.services\.execution\.secrets\.BROKER_API_KEY` \|/);
    });
});
