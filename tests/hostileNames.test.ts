import { strict as assert } from "assert";
import { refused } from "./refused";
import { editedConfig, PROJECT, run } from "./support";

/**
 * Issue 18, class 4: names that collide. Each configuration below passes every other check, and
 * the program would declare two Pulumi resources of one type and name (a duplicate URN), two
 * Kubernetes objects of one kind and name in the namespace (one of them perhaps the platform's
 * or Kubernetes' own), two listeners of one name or host, or two services routing the same
 * requests. Each is refused by the configuration check, before any resource, naming both keys.
 */

const P = `${PROJECT}:`;
const CATALOG = `${P}catalog.services`;
const IMAGE = { repository: "ghcr.io/acme-trading/hft-extra" };
const web = (settings: Record<string, unknown> = {}) => ({ port: 8080, image: IMAGE, ...settings });
const generated = { generate: { length: 16 } };
const DUPLICATE_URN = "Pulumi refuses a second resource of one type and name (a duplicate URN)";
const DUPLICATE_OBJECT = "two objects of one kind cannot share a name in a namespace: 'pulumi up' fails on the second, or one replaces the other";
const ONE_OF_THEM = "the Gateway or the ingress controller sends those requests to one of them only";
const password = (service: string, secret: string) => `the password generated for service ${service}'s secret ${secret}`;

describe("names that collide are refused before any resource (issue 18, class 4)", () => {
    describe("generated passwords: one Pulumi resource name from two secrets", () => {
        it("secret B_C of service a and secret C of service a-b, both 'a-b-c' (the example)", async () => {
            const problems = await refused(
                editedConfig("staging", (v) => {
                    v.catalog.services.a = web({ secrets: { B_C: generated } });
                    v.catalog.services["a-b"] = web({ secrets: { C: generated } });
                }),
            );
            assert.deepEqual(problems, [
                `${CATALOG}.a-b.secrets.C: ${password("a-b", "C")} and ${password("a", "B_C")} (${CATALOG}.a.secrets.B_C) would both be the Pulumi resource 'a-b-c' (random:index/randomPassword:RandomPassword); ${DUPLICATE_URN}; rename the secret C or the service a-b, or rename the secret B_C or the service a`,
            ]);
        });

        it("DB_PASSWORD of api and a lower-case password of api-db, written in the stack file", async () => {
            const problems = await refused(
                editedConfig("staging", (v) => {
                    v.catalog.services.api = web({ secrets: { DB_PASSWORD: generated } });
                    v.catalog.services["api-db"] = web();
                    v.environment.services["api-db"] = { secrets: { password: generated } };
                }),
            );
            assert.deepEqual(problems, [
                `${P}environment.services.api-db.secrets.password: ${password("api-db", "password")} and ${password("api", "DB_PASSWORD")} (${CATALOG}.api.secrets.DB_PASSWORD) would both be the Pulumi resource 'api-db-password' (random:index/randomPassword:RandomPassword); ${DUPLICATE_URN}; rename the secret password or the service api-db, or rename the secret DB_PASSWORD or the service api`,
            ]);
        });

        it("a leading underscore against a double hyphen: _B_C of a and C of a--b", async () => {
            const problems = await refused(
                editedConfig("staging", (v) => {
                    v.catalog.services.a = web({ secrets: { _B_C: generated } });
                    v.catalog.services["a--b"] = web({ secrets: { C: generated } });
                }),
            );
            assert.deepEqual(problems, [
                `${CATALOG}.a--b.secrets.C: ${password("a--b", "C")} and ${password("a", "_B_C")} (${CATALOG}.a.secrets._B_C) would both be the Pulumi resource 'a--b-c' (random:index/randomPassword:RandomPassword); ${DUPLICATE_URN}; rename the secret C or the service a--b, or rename the secret _B_C or the service a`,
            ]);
        });
    });

    describe("ConfigMaps: a files volume against another service's names", () => {
        it("volume v-config of service x, and service x-files-v's own ConfigMap", async () => {
            const problems = await refused(
                editedConfig("staging", (v) => {
                    v.catalog.services.x = web({ volumes: { "v-config": { mountPath: "/etc/x", files: { "x.conf": "a" } } } });
                    v.catalog.services["x-files-v"] = web();
                }),
            );
            assert.deepEqual(problems, [
                `${CATALOG}.x-files-v: the ConfigMap of service x-files-v and the ConfigMap of service x's volume v-config (${CATALOG}.x.volumes.v-config) would both be the Pulumi resource 'x-files-v-config' (kubernetes:core/v1:ConfigMap); ${DUPLICATE_URN}; rename the service x-files-v, or rename the volume v-config or the service x`,
            ]);
        });

        it("volume files-y of service x, and volume y of service x-files", async () => {
            const problems = await refused(
                editedConfig("staging", (v) => {
                    v.catalog.services.x = web({ volumes: { "files-y": { mountPath: "/etc/x", files: { "x.conf": "a" } } } });
                    v.catalog.services["x-files"] = web({ volumes: { y: { mountPath: "/etc/y", files: { "y.conf": "b" } } } });
                }),
            );
            assert.deepEqual(problems, [
                `${CATALOG}.x-files.volumes.y: the ConfigMap of service x-files's volume y and the ConfigMap of service x's volume files-y (${CATALOG}.x.volumes.files-y) would both be the Pulumi resource 'x-files-files-y' (kubernetes:core/v1:ConfigMap); ${DUPLICATE_URN}; rename the volume y or the service x-files, or rename the volume files-y or the service x`,
            ]);
        });
    });

    describe("a service named like an object the platform or Kubernetes makes", () => {
        it("a service called default-deny-ingress, whose NetworkPolicy is the namespace's default-deny (the example)", async () => {
            const problems = await refused(editedConfig("staging", (v) => (v.catalog.services["default-deny-ingress"] = web({ allowFrom: ["orchestrator"] }))));
            assert.deepEqual(problems, [
                `${CATALOG}.default-deny-ingress: the NetworkPolicy of service default-deny-ingress and the platform's default-deny NetworkPolicy would both be the NetworkPolicy 'default-deny-ingress' in the namespace hft-staging; ${DUPLICATE_OBJECT}; rename the service default-deny-ingress (or give it an objectName)`,
            ]);
        });

        it("a service called default, whose ServiceAccount Kubernetes makes in every namespace (the example)", async () => {
            const problems = await refused(editedConfig("staging", (v) => (v.catalog.services.default = web())));
            assert.deepEqual(problems, [
                `${CATALOG}.default: the ServiceAccount of service default and the ServiceAccount Kubernetes makes in every namespace would both be the ServiceAccount 'default' in the namespace hft-staging; ${DUPLICATE_OBJECT}; rename the service default (or give it an objectName)`,
            ]);
        });

        it("a service called allow-acme-http01-solver, in a stack that exposes a service", async () => {
            const problems = await refused(editedConfig("staging", (v) => (v.catalog.services["allow-acme-http01-solver"] = web())));
            assert.deepEqual(problems, [
                `${CATALOG}.allow-acme-http01-solver: the NetworkPolicy of service allow-acme-http01-solver and the platform's NetworkPolicy for cert-manager's HTTP-01 solver would both be the NetworkPolicy 'allow-acme-http01-solver' in the namespace hft-staging; ${DUPLICATE_OBJECT}; rename the service allow-acme-http01-solver (or give it an objectName)`,
            ]);
        });

        it("an objectName of default-deny-ingress, blamed on the objectName", async () => {
            const problems = await refused(editedConfig("staging", (v) => (v.catalog.services.x = web({ objectName: "default-deny-ingress" }))));
            assert.deepEqual(problems, [
                `${CATALOG}.x.objectName: the NetworkPolicy of service x and the platform's default-deny NetworkPolicy would both be the NetworkPolicy 'default-deny-ingress' in the namespace hft-staging; ${DUPLICATE_OBJECT}; change the objectName of service x`,
            ]);
        });

        it("is accepted where nothing collides: a cronjob called default-deny-ingress has no NetworkPolicy", async () => {
            const ev = await run(editedConfig("staging", (v) => (v.catalog.services["default-deny-ingress"] = { kind: "cronjob", image: IMAGE, job: { schedule: "0 * * * *" } })));
            const policies = ev.resources.filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" && r.objectName === "default-deny-ingress");
            assert.deepEqual(policies.map((r) => r.name), ["staging-default-deny"]);
        });
    });

    describe("two services' objects under one name", () => {
        it("an objectName that is another service's name", async () => {
            const problems = await refused(editedConfig("staging", (v) => (v.catalog.services.x = web({ objectName: "ingestion" }))));
            assert.deepEqual(problems, [
                `${CATALOG}.x.objectName: the ServiceAccount of service x and the ServiceAccount of service ingestion (${CATALOG}.ingestion) would both be the ServiceAccount 'ingestion' in the namespace hft-staging; ${DUPLICATE_OBJECT}; change the objectName of service x, or rename the service ingestion (or give it an objectName)`,
            ]);
        });

        it("a service called orchestrator-https-redirect, exposed beside orchestrator's redirect route", async () => {
            const problems = await refused(editedConfig("staging", (v) => (v.catalog.services["orchestrator-https-redirect"] = web({ ingress: { hostPrefix: "other" } }))));
            assert.deepEqual(problems, [
                `${CATALOG}.orchestrator-https-redirect: the HTTPRoute of service orchestrator-https-redirect and the HTTPS redirect route of service orchestrator (${CATALOG}.orchestrator) would both be the HTTPRoute 'orchestrator-https-redirect' in the namespace hft-staging; ${DUPLICATE_OBJECT}; rename the service orchestrator-https-redirect (or give it an objectName), or rename the service orchestrator (or give it an objectName)`,
            ]);
        });

        it("a tlsSecretName that is another service's certificate Secret, for another host", async () => {
            const problems = await refused(editedConfig("production", (v) => (v.catalog.services.other = web({ ingress: { hostPrefix: "other", tlsSecretName: "orchestrator-tls" } }))));
            assert.deepEqual(problems, [
                `${CATALOG}.other.ingress.tlsSecretName: the certificate Secret of service other and the certificate Secret of service orchestrator (${CATALOG}.orchestrator) would both be the Secret 'orchestrator-tls' in the namespace hft-production; ${DUPLICATE_OBJECT}; change the tlsSecretName of service other, or rename the service orchestrator (or give it an objectName)`,
            ]);
        });

        it("a tlsSecretName that is the Secret the External Secrets Operator writes for another service", async () => {
            const problems = await refused(
                editedConfig("production", (v) => {
                    v.environment.externalSecrets = { store: "vault-backend" };
                    v.catalog.services.api = web({ secrets: { TOKEN: { external: { key: "api/token" } } } });
                    v.catalog.services.other = web({ ingress: { hostPrefix: "other", tlsSecretName: "api-external" } });
                }),
            );
            assert.deepEqual(problems, [
                `${CATALOG}.other.ingress.tlsSecretName: the certificate Secret of service other and the Secret the External Secrets Operator writes for service api (${CATALOG}.api) would both be the Secret 'api-external' in the namespace hft-production; ${DUPLICATE_OBJECT}; change the tlsSecretName of service other, or rename the service api (or give it an objectName)`,
            ]);
        });
    });

    describe("two services routing the same requests", () => {
        it("a second service on orchestrator's host and path (the example)", async () => {
            const problems = await refused(editedConfig("staging", (v) => (v.catalog.services.other = web({ ingress: { hostPrefix: "trading" } }))));
            assert.deepEqual(problems, [
                `${CATALOG}.other.ingress.hostPrefix: service other and service orchestrator (${CATALOG}.orchestrator.ingress.path) would both route https://trading.staging.acme-trading.example/ (Prefix); ${ONE_OF_THEM}; give service other another hostPrefix or path, or give service orchestrator another hostPrefix or path`,
            ]);
        });

        it("a prefix with a trailing slash: /api/ routes what /api routes", async () => {
            const problems = await refused(
                editedConfig("staging", (v) => {
                    v.catalog.services.one = web({ ingress: { hostPrefix: "shop", path: "/api" } });
                    v.catalog.services.two = web({ ingress: { hostPrefix: "shop", path: "/api/" } });
                }),
            );
            assert.deepEqual(problems, [
                `${CATALOG}.two.ingress.path: service two and service one (${CATALOG}.one.ingress.path) would both route https://shop.staging.acme-trading.example/api/ (Prefix); ${ONE_OF_THEM}; give service two another hostPrefix or path, or give service one another hostPrefix or path`,
            ]);
        });

        it("one service's extra path, and another's main path with a trailing slash", async () => {
            const problems = await refused(
                editedConfig("staging", (v) => {
                    v.catalog.services.orchestrator.ingress.paths = { status: { path: "/status" } };
                    v.catalog.services.other = web({ ingress: { hostPrefix: "trading", path: "/status/" } });
                }),
            );
            assert.deepEqual(problems, [
                `${CATALOG}.other.ingress.path: service other and service orchestrator (${CATALOG}.orchestrator.ingress.paths.status.path) would both route https://trading.staging.acme-trading.example/status/ (Prefix); ${ONE_OF_THEM}; give service other another hostPrefix or path, or give service orchestrator another hostPrefix or path`,
            ]);
        });

        it("within one service, /api/ beside /api", async () => {
            const problems = await refused(
                editedConfig("staging", (v) => {
                    v.catalog.services.orchestrator.ingress.path = "/api";
                    v.catalog.services.orchestrator.ingress.paths = { again: { path: "/api/" } };
                }),
            );
            assert.deepEqual(problems, [`${CATALOG}.orchestrator.ingress.paths.again.path: the path /api/ (Prefix) is routed already as /api (Prefix); each path is routed once`]);
        });

        it("is accepted where the requests differ: /api exactly beside /api and below", async () => {
            await run(
                editedConfig("staging", (v) => {
                    v.catalog.services.one = web({ ingress: { hostPrefix: "shop", path: "/api" } });
                    v.catalog.services.two = web({ ingress: { hostPrefix: "shop", path: "/api", pathType: "Exact" } });
                }),
            );
        });
    });

    describe("a Gateway the stack creates: its listeners", () => {
        const creating = (gateway: Record<string, unknown>) => (v: { environment: any }) => (v.environment.gateway = { name: "public", create: { className: "eg" }, ...gateway });

        it("two services on one host need two HTTPS listeners for it", async () => {
            const problems = await refused(
                editedConfig("staging", (v) => {
                    creating({})(v);
                    v.catalog.services.other = web({ ingress: { hostPrefix: "trading", path: "/api" } });
                }),
            );
            assert.deepEqual(problems, [
                `${CATALOG}.other.ingress.hostPrefix: service other and service orchestrator (${CATALOG}.orchestrator.ingress.hostPrefix) would both need an HTTPS listener for trading.staging.acme-trading.example on the Gateway public; the Gateway the stack creates has one HTTPS listener per exposed service, and two listeners for one host conflict; give service other another hostPrefix, or give service orchestrator another hostPrefix`,
            ]);
        });

        it("an HTTP listener named like a service's HTTPS listener", async () => {
            const problems = await refused(editedConfig("staging", creating({ httpListener: "https-orchestrator" })));
            assert.deepEqual(problems, [
                `${CATALOG}.orchestrator: the HTTPS listener of service orchestrator and the Gateway's HTTP listener (${P}environment.gateway.httpListener) would both be the listener 'https-orchestrator' of the Gateway public; a Gateway's listeners need names of their own; rename the service orchestrator (or give it an objectName), or give the HTTP listener another name`,
            ]);
        });
    });
});
