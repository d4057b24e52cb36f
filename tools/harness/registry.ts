import * as fs from "fs";
import * as path from "path";
import { createHash } from "crypto";
import { parse } from "yaml";

/** What `DOCKER_HOST` is under the mocks: nothing connects to it (the mock engine answers lookups). */
export const MOCK_DOCKER_HOST = "tcp://docker.mock-engine.invalid:2375";

/** The committed registry answers (tools/harness/registry.yaml): `<repository>:<tag>` -> digest. */
export const REGISTRY_FIXTURE = path.join(__dirname, "registry.yaml");

/** One tag the mock registry was asked for, with the digest it answered and where that came from. */
export interface Lookup {
    readonly name: string;
    readonly digest: string;
    /** `fixture`: tools/harness/registry.yaml or the test's own answers; `derived`: from the name (not in the fixture). */
    readonly from: "fixture" | "derived";
    /** The provider the lookup went through (`<urn>::<id>`). */
    readonly provider?: string;
}

/** A test's answer that makes the registry refuse the lookup with this message instead of answering. */
export const REFUSE = "refuse: ";

let fixture: Readonly<Record<string, string>> | undefined;

function committed(): Readonly<Record<string, string>> {
    fixture ??= parse(fs.readFileSync(REGISTRY_FIXTURE, "utf8")) as Record<string, string>;
    return fixture;
}

/** What the mock registry answers for `<repository>:<tag>`: the given answers, the fixture, else a digest derived from the name. */
export function lookUp(name: string, answers: Readonly<Record<string, string>> = {}): Lookup {
    const known = answers[name] ?? committed()[name];
    if (known !== undefined) return { name, digest: known, from: "fixture" };
    return { name, digest: derivedDigest(name), from: "derived" };
}

/** The digest the mock registry gives a tag it does not hold (bench/preload.ts computes the same). */
export function derivedDigest(name: string): string {
    return `sha256:${createHash("sha256").update(`derived ${name}`).digest("hex")}`;
}
