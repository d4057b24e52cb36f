import { strict as assert } from "assert";
import { Evaluation } from "../tools/harness/evaluate";
import { toManifests } from "../tools/harness/manifests";
import { configOf, orderSystem } from "./fixtures/catalogs";
import { refusedFixture, renderFixture } from "./fixtureRuns";
import { validateManifest } from "./kubernetesModels";
import { refused } from "./refused";
import { editedConfig, PROJECT, unwrap } from "./support";

/**
 * Issue 18, class 12 (the configuration's half): an RBAC rule that reaches past the service's
 * own work (a wildcard, reading Secrets, escalate, bind or impersonate, exec into pods...) needs
 * an explicit acknowledgement in configuration, `acknowledge: <why>`. Without one it is refused
 * with the key path, what makes the rule risky and how to acknowledge it; with one the Role
 * carries the reason in the annotation `platform.hft/rbac-acknowledged`, which the policy pack
 * looks for.
 */

type Values = ReturnType<typeof orderSystem>;
const S = "platform-test:catalog.services";
const RULE = `${S}.order-worker.rbac`;
const ANNOTATION = "platform.hft/rbac-acknowledged";
const HOW = "if the service needs it, say why in 'acknowledge' (at least 10 characters), written on its Role as platform.hft/rbac-acknowledged";

/** The order system's worker with these RBAC rules instead of its own. */
function withRules(rules: Record<string, unknown>): (v: Values) => void {
    return (v) => (v.catalog.services["order-worker"].rbac = rules);
}

function problems(edit: (v: Values) => void): readonly string[] {
    const values = orderSystem("staging");
    edit(values);
    return refusedFixture(values, "staging");
}

async function render(edit: (v: Values) => void): Promise<Evaluation> {
    const values = orderSystem("staging");
    edit(values);
    const ev = await renderFixture(values, "staging");
    assert.equal(ev.error, undefined, String(ev.error));
    return ev;
}

/** The worker's Role as rendered, checked against the Kubernetes schema. */
function role(ev: Evaluation): any {
    const roles = toManifests(ev.resources).filter((m) => m.kind === "Role");
    assert.deepEqual(roles.map((r) => r.metadata.name), ["order-worker"]);
    for (const m of toManifests(ev.resources).filter((m) => m.kind === "Role" || m.kind === "RoleBinding")) validateManifest(m);
    return unwrap(roles[0]);
}

describe("risky RBAC rules need an acknowledgement (issue 18, class 12)", () => {
    it("a wildcard verb (the example)", () => {
        assert.deepEqual(problems(withRules({ everything: { resources: ["configmaps"], verbs: ["*"] } })), [
            `${RULE}.everything.acknowledge: required for this rule, which grants every verb ('*'): ${HOW}`,
        ]);
    });

    it("reading Secrets (the example)", () => {
        assert.deepEqual(problems(withRules({ "read-secrets": { resources: ["secrets"], verbs: ["get", "list"] } })), [
            `${RULE}.read-secrets.acknowledge: required for this rule, which reads Secrets (get, list): ${HOW}`,
        ]);
    });

    it("escalate, bind and impersonate (the example), which could not even be written before", () => {
        assert.deepEqual(
            problems(
                withRules({
                    grant: { apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles", "rolebindings"], verbs: ["escalate", "bind"] },
                    "act-as": { resources: ["serviceaccounts"], verbs: ["impersonate"] },
                }),
            ),
            [
                `${RULE}.act-as.acknowledge: required for this rule, which acts as another user, group or service account ('impersonate'): ${HOW}`,
                `${RULE}.grant.acknowledge: required for this rule, which grants permissions the role does not hold ('escalate'); binds roles with permissions it does not hold ('bind'): ${HOW}`,
            ],
        );
    });

    it("exec into pods (the example)", () => {
        assert.deepEqual(problems(withRules({ debug: { resources: ["pods/exec"], verbs: ["create", "get"] } })), [
            `${RULE}.debug.acknowledge: required for this rule, which runs commands in the pods ('pods/exec'): ${HOW}`,
        ]);
    });

    it("wildcards in API groups and resources, a wildcard subresource, attach, port-forward and service account tokens", () => {
        assert.deepEqual(
            problems(
                withRules({
                    anything: { apiGroups: ["*"], resources: ["*"], verbs: ["get"] },
                    sub: { resources: ["pods/*"], verbs: ["get"] },
                    attach: { resources: ["pods/attach", "pods/portforward"], verbs: ["create"] },
                    tokens: { resources: ["serviceaccounts/token"], verbs: ["create"] },
                }),
            ),
            [
                `${RULE}.anything.acknowledge: required for this rule, which covers every API group ('*'); covers every resource ('*'); reads Secrets (get): ${HOW}`,
                `${RULE}.attach.acknowledge: required for this rule, which attaches to the pods' running containers ('pods/attach'); reaches the pods' ports past their NetworkPolicies ('pods/portforward'): ${HOW}`,
                `${RULE}.sub.acknowledge: required for this rule, which covers resources by wildcard ('pods/*'): ${HOW}`,
                `${RULE}.tokens.acknowledge: required for this rule, which mints tokens for other service accounts ('serviceaccounts/token'): ${HOW}`,
            ],
        );
    });

    it("a stack that makes a catalog rule risky is refused at the rule", () => {
        assert.deepEqual(
            problems((v) => (v.environment.services["order-worker"] = { rbac: { "read-pods": { resources: ["pods", "secrets"] } } })),
            [`${RULE}.read-pods.acknowledge: required for this rule, which reads Secrets (get, list, watch): ${HOW}`],
        );
    });

    it("reading Secrets of another API group, or writing Secrets without reading them, needs none", () => {
        const values = orderSystem("staging");
        withRules({
            external: { apiGroups: ["external-secrets.io"], resources: ["secrets"], verbs: ["get"] },
            rotate: { resources: ["secrets"], verbs: ["create", "update"] },
        })(values);
        assert.equal(configOf(values, {}, "staging").services.find((s) => s.name === "order-worker")!.rbac.length, 2);
    });

    it("a risky rule through the whole program: refused before any resource, naming the key", async () => {
        const config = editedConfig("staging", (v) => (v.catalog.services.execution.rbac = { "read-secrets": { resources: ["secrets"], verbs: ["list"] } }));
        assert.deepEqual(await refused(config), [`${PROJECT}:catalog.services.execution.rbac.read-secrets.acknowledge: required for this rule, which reads Secrets (list): ${HOW}`]);
    });
});

describe("an acknowledged rule is written, with the reason on its Role", () => {
    const WHY = "rotates the broker credentials it reads (INC-2291)";

    it("reads Secrets once acknowledged: the Role holds the rule as written and the reason", async () => {
        const ev = await render(withRules({ "read-secrets": { resources: ["secrets"], verbs: ["get", "list"], acknowledge: WHY } }));
        const r = role(ev);
        assert.deepEqual(r.rules, [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"] }]);
        assert.deepEqual(r.metadata.annotations, { [ANNOTATION]: `read-secrets: ${WHY}` });
    });

    it("escalate, bind, impersonate and '*' are verbs a rule can have, each reason on a line of its own", async () => {
        const ev = await render(
            withRules({
                grant: { apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"], verbs: ["escalate", "bind"], acknowledge: "manages the roles of the tenants it onboards" },
                "act-as": { resources: ["serviceaccounts"], verbs: ["impersonate"], acknowledge: "runs tenant jobs as the tenant's account" },
                "read-pods": { resources: ["pods"], verbs: ["get", "list", "watch"] },
                all: { resources: ["configmaps"], verbs: ["*"], acknowledge: "owns the feature-flag ConfigMaps" },
            }),
        );
        const r = role(ev);
        assert.deepEqual(r.rules, [
            { apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"] },
            { apiGroups: [""], resources: ["configmaps"], verbs: ["*"] },
            { apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"], verbs: ["escalate", "bind"] },
            { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] },
        ]);
        assert.equal(
            r.metadata.annotations[ANNOTATION],
            ["act-as: runs tenant jobs as the tenant's account", "all: owns the feature-flag ConfigMaps", "grant: manages the roles of the tenants it onboards"].join("\n"),
        );
    });

    it("the stack can acknowledge a catalog rule for itself", async () => {
        const ev = await render((v) => {
            v.catalog.services["order-worker"].rbac = { debug: { resources: ["pods/exec"], verbs: ["create"] } };
            v.environment.services["order-worker"] = { rbac: { debug: { acknowledge: "staging only: on-call engineers debug through it" } } };
        });
        assert.equal(role(ev).metadata.annotations[ANNOTATION], "debug: staging only: on-call engineers debug through it");
    });

    it("a Role with no risky rule carries no acknowledgement", async () => {
        const r = role(await render(() => undefined));
        assert.equal(r.metadata.annotations, undefined);
    });

    it("a reason too short to say anything is refused", () => {
        assert.deepEqual(problems(withRules({ "read-secrets": { resources: ["secrets"], verbs: ["get"], acknowledge: "needed" } })), [
            `${RULE}.read-secrets.acknowledge: expected why the service needs this permission, got "needed" (say why in at least 10 characters)`,
        ]);
    });

    it("an acknowledgement of a rule that needs none is refused, so the record stays true", () => {
        assert.deepEqual(problems(withRules({ "read-pods": { resources: ["pods"], verbs: ["get"], acknowledge: "reads its own pods to find its peers" } })), [
            `${RULE}.read-pods.acknowledge: this rule needs no acknowledgement (no wildcard, no Secrets read, no escalate, bind or impersonate, no exec, attach, port-forward, proxy or token into other pods); remove 'acknowledge'`,
        ]);
    });

    it("a verb Kubernetes has no use for in a Role is still refused, naming the verbs allowed", () => {
        assert.deepEqual(problems(withRules({ odd: { resources: ["pods"], verbs: ["approve"] } })), [
            `${RULE}.odd.verbs[0]: expected one of get, list, watch, create, update, patch, delete, deletecollection, escalate, bind, impersonate, *, got "approve"`,
        ]);
    });
});
