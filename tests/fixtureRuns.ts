import { strict as assert } from "assert";
import { deployPlatform } from "../program";
import { ConfigError } from "../config/errors";
import { Evaluation, underMocks } from "../tools/harness/evaluate";
import { configOf } from "./fixtures/catalogs";

/** Reading and rendering a fixture's values (tests/fixtures/catalogs.ts), as the program does a stack's. */

/** The problems of a fixture the configuration reader must refuse. */
export function refusedFixture(values: Record<string, unknown>, stack = "production", secrets: Record<string, string> = {}): readonly string[] {
    try {
        configOf(values, secrets, stack);
    } catch (e) {
        assert.ok(e instanceof ConfigError, String(e));
        return e.problems;
    }
    assert.fail("expected the configuration to be refused");
}

/** A fixture's resources, declared under the mocks after its last update's outputs (none: a first deployment). */
export function renderFixture(values: Record<string, unknown>, stack = "production", previousOutputs?: Record<string, unknown>): Promise<Evaluation> {
    const config = configOf(values, {}, stack);
    return underMocks({ project: "platform-test", stack, config: {}, secretKeys: [] }, false, () => deployPlatform(config), { previousOutputs });
}
