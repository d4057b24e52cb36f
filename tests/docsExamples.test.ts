import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { KINDS } from "../config/schema/kinds";
import { configOf } from "./fixtures/catalogs";

/**
 * The examples of docs/configuration.md's "Workload kinds and pod features", read from the
 * document itself and run through the configuration reader: every example a user copies works.
 */

const DOC = fs.readFileSync(path.resolve(__dirname, "..", "docs", "configuration.md"), "utf8");
const section = DOC.slice(DOC.indexOf("## Workload kinds and pod features"));

/** Each example: its heading, the catalog services and the stack's part, from the fenced block. */
function examples(): { title: string; services: Record<string, unknown>; stack?: Record<string, unknown> }[] {
    return [...section.matchAll(/^### (.+)\n[\s\S]*?^```yaml\n([\s\S]*?)^```$/gm)].map(([, title, block]) => {
        const [catalogPart, stackPart] = block.split("# environment.services (Pulumi.<stack>.yaml)\n");
        return { title, services: YAML.parse(catalogPart) as Record<string, unknown>, ...(stackPart ? { stack: YAML.parse(stackPart) as Record<string, unknown> } : {}) };
    });
}

const tier = { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } };

describe("docs/configuration.md: the workload examples", () => {
    const found = examples();

    it("has an example for each kind", () => {
        for (const kind of KINDS) assert.ok(found.some((e) => e.title.startsWith(`\`${kind}\``)), `no example for ${kind}`);
        assert.ok(found.length >= 10, `${found.length} examples`);
    });

    for (const e of found) {
        it(`reads: ${e.title}`, () => {
            const config = configOf(
                {
                    catalog: { system: "acme", tiers: { standard: tier }, defaults: { tier: "standard" }, services: e.services },
                    environment: {
                        namespace: "acme",
                        domain: "acme.example",
                        cluster: { context: "staging" },
                        imageTag: "1.0.0",
                        externalSecrets: { store: "vault-backend" },
                        ...(e.stack ? { services: e.stack } : {}),
                    },
                },
                {},
                "staging",
            );
            assert.deepEqual(config.services.map((s) => s.name).sort(), Object.keys(e.services).sort());
        });
    }
});
