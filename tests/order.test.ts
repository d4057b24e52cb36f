import { strict as assert } from "assert";
import { digest } from "../components/digest";
import { byCodePoint } from "../config/order";
import { Evaluation } from "../tools/harness/evaluate";
import { expectedDigest, KEYS } from "./locales";
import { editedConfig, run } from "./support";

/** Runs `f` as if the process had been started in `locale`: `localeCompare` collates like it. */
async function inLocale<T>(locale: string, f: () => T | Promise<T>): Promise<T> {
    const collator = new Intl.Collator(locale);
    const original = Object.getOwnPropertyDescriptor(String.prototype, "localeCompare")!;
    Object.defineProperty(String.prototype, "localeCompare", {
        ...original,
        value: function (this: string, that: string) {
            return collator.compare(this, that);
        },
    });
    try {
        return await f();
    } finally {
        Object.defineProperty(String.prototype, "localeCompare", original);
    }
}

describe("ordering is the same in every locale", function () {
    it("byCodePoint orders by Unicode code point", function () {
        assert.deepEqual(["ZONE", "a", "TZ", "YEAR", "B", "J_X"].sort(byCodePoint), ["B", "J_X", "TZ", "YEAR", "ZONE", "a"]);
        // Code points, not UTF-16 code units: U+1F600 comes after U+FFFF.
        assert.deepEqual(["\u{1F600}", "\uFFFF", "A"].sort(byCodePoint), ["A", "\uFFFF", "\u{1F600}"]);
        assert.equal(byCodePoint("TZ", "TZ"), 0);
        assert.ok(byCodePoint("TZ", "TZA") < 0);
    });

    it("the locales of the example really collate differently (so the cases below mean something)", async function () {
        assert.deepEqual(await inLocale("et", () => ["TZ", "ZONE"].sort((a, b) => a.localeCompare(b))), ["ZONE", "TZ"]);
        assert.deepEqual(await inLocale("lt", () => ["J_X", "YEAR"].sort((a, b) => a.localeCompare(b))), ["YEAR", "J_X"]);
    });

    it("digest() hashes the entries in code-point order, whatever the locale", async function () {
        assert.equal(digest(KEYS), expectedDigest);
        for (const locale of ["et", "lt", "en", "sv"]) {
            assert.equal(await inLocale(locale, () => digest(KEYS)), expectedDigest, locale);
        }
    });

    it("the program declares the same resources, checksum/config included, in Estonian and Lithuanian", async function () {
        const config = editedConfig("staging", (v) => {
            v.environment.commonEnv = { ...v.environment.commonEnv, ZONE: "eu-1", YEAR: "2024" };
            v.catalog.services.orchestrator.env = { ...v.catalog.services.orchestrator.env, J_X: "on" };
        });
        const declared = (ev: Evaluation) => JSON.stringify(ev.resources.map((r) => [r.type, r.name, r.inputs]));
        const plain = declared(await run(config));
        for (const locale of ["et", "lt"]) {
            assert.equal(declared(await inLocale(locale, () => run(config))), plain, locale);
        }
    });
});
