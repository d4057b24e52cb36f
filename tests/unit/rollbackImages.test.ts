import { strict as assert } from "assert";
import { pinnedImagesFromState } from "../../tools/rollback/images";

const D = (n: number) => `sha256:${String(n).repeat(64)}`;

describe("the images a rollback pins, from an earlier version's state", () => {
    it("takes every service's current image from the releases output, whatever its kind", () => {
        const state = {
            deployment: {
                resources: [
                    { type: "pulumi:pulumi:Stack", outputs: { releases: { api: [{ image: `r/api@${D(1)}`, source: "registry" }, { image: `r/api@${D(2)}` }], report: [{ image: `r/report@${D(3)}` }], odd: [{ image: "r/odd:1.0" }] } } },
                    { type: "kubernetes:apps/v1:Deployment", outputs: { metadata: { name: "api" }, spec: { template: { spec: { containers: [{ image: `r/api@${D(9)}` }] } } } } },
                ],
            },
        };
        assert.deepEqual(pinnedImagesFromState(JSON.stringify(state)), { api: `r/api@${D(1)}`, report: `r/report@${D(3)}` });
    });

    it("falls back to the Deployments' digest-pinned images for a version without releases", () => {
        const state = {
            deployment: {
                resources: [
                    { type: "pulumi:pulumi:Stack", outputs: {} },
                    { type: "kubernetes:apps/v1:Deployment", outputs: { metadata: { name: "api" }, spec: { template: { spec: { containers: [{ image: `r/api@${D(4)}` }] } } } } },
                    { type: "kubernetes:apps/v1:Deployment", outputs: { metadata: { name: "web" }, spec: { template: { spec: { containers: [{ image: "r/web:2" }] } } } } },
                ],
            },
        };
        assert.deepEqual(pinnedImagesFromState(JSON.stringify(state)), { api: `r/api@${D(4)}` });
    });
});
