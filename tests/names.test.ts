import { strict as assert } from "assert";
import { loadPlatformConfig } from "../config/load";
import { PlatformConfig } from "../config/types";
import { deployPlatform } from "../program";
import { Evaluation, MOCK_DOCKER_HOST, promotionSourceOutputs, underMocks } from "../tools/harness/evaluate";
import { duplicated, predictedNames, recordedNames } from "./declaredNames";
import { apiAndWeb, configOf, orderSystem, singleApi, thirtyServices } from "./fixtures/catalogs";
import { PROJECT, REPO, stackConfig } from "./support";

/**
 * One source of names (config/names/): the components take their names from config/names/derive.ts,
 * and the configuration check predicts from the same functions, without declaring anything,
 * every name a configuration gives (config/names/declared.ts). Here the prediction is compared
 * with what the program declares under the mocks, URN by URN and object by object, on both
 * stacks and on other companies' catalogs in every exposure mode; the fuzz suite does the same
 * on generated catalogs (tests/fuzzNames.test.ts).
 */

function compare(config: PlatformConfig, ev: Evaluation, project: string, stack: string): void {
    assert.equal(ev.error, undefined, String(ev.error));
    const recorded = recordedNames(ev);
    assert.ok(recorded.urns.length >= ev.resources.length && recorded.urns.length > 0, "the harness records a URN for every resource (tools/harness/evaluate.ts recordUrns)");
    const predicted = predictedNames(config, project, stack);
    assert.deepEqual(predicted.urns, recorded.urns);
    assert.deepEqual(predicted.objects, recorded.objects);
    assert.deepEqual(predicted.othersSecrets, recorded.othersSecrets);
    assert.deepEqual([...duplicated(recorded.urns), ...duplicated(recorded.objects)], [], "no name is given twice");
}

async function fixture(values: Record<string, unknown>, secrets: Record<string, string> = {}, stack = "production"): Promise<void> {
    const config = configOf(values, secrets, stack);
    const ev = await underMocks({ project: "platform-test", stack, config: {}, secretKeys: [] }, false, () => deployPlatform(config));
    compare(config, ev, "platform-test", stack);
}

const withEnvironment = (values: { catalog: object; environment: object }, environment: Record<string, unknown>) => ({ ...values, environment: { ...values.environment, ...environment } });

describe("the names the configuration check predicts are the names the program gives (config/names/)", () => {
    for (const stack of ["staging", "production"]) {
        it(`the ${stack} stack: every URN, every named object, every certificate Secret`, async () => {
            const files = stackConfig(stack);
            const stackOutputs = await promotionSourceOutputs(files, { ciEnv: {} });
            let config: PlatformConfig | undefined;
            const ev = await underMocks(files, false, () => deployPlatform((config = loadPlatformConfig({ DOCKER_HOST: MOCK_DOCKER_HOST }, REPO))), { stackOutputs });
            compare(config!, ev, PROJECT, stack);
        });
    }

    it("one API behind an Ingress, an API and a web front end, thirty autoscaled services", async () => {
        await fixture(singleApi);
        await fixture(apiAndWeb, { databaseUrl: "postgres://db" });
        await fixture(thirtyServices());
    });

    it("every workload kind, an external secret, files, RBAC and monitors, in both stacks of the order system", async () => {
        await fixture(orderSystem("staging"), {}, "staging");
        await fixture(orderSystem("production"));
    });

    it("on a shared Gateway, on a Gateway the stack creates, on both at once, and in a shared namespace", async () => {
        await fixture(withEnvironment(singleApi, { exposure: "gateway", gateway: { name: "public", namespace: "gateway-system", httpListener: "http" } }));
        await fixture(withEnvironment(singleApi, { exposure: "gateway", gateway: { name: "public", create: { className: "eg" } } }));
        await fixture(withEnvironment(orderSystem("production"), { exposure: "both", gateway: { name: "public", create: { className: "eg" } } }));
        await fixture(withEnvironment(singleApi, { sharedNamespace: true, adopt: true }));
    });
});
