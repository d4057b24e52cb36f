import YAML, { Document, isMap, isScalar, Scalar } from "yaml";
import { YAML_OPTIONS } from "../../config/catalogFile";
import { Refusal } from "../cli";
import { keepLayout } from "./layout";

/** The image a service of the target is to run: written to its `image` in the stack file. */
export interface ImagePin {
    readonly service: string;
    /** Written when given; without one, a `tag` the stack file holds is removed (it would name another build). */
    readonly tag?: string;
    readonly digest: string;
}

export interface Edited {
    /** The stack file's new text (the same text when nothing changed). */
    readonly text: string;
    /** The services whose image changed, in the order given. */
    readonly changed: readonly string[];
    /** The file's layout could not be kept line by line: the `yaml` package printed it whole. */
    readonly relaidOut: boolean;
    /** The edited document, for reading the configuration back. */
    readonly document: Document;
}

/**
 * Writes each pin to `config["<project>:environment"].services.<service>.image` of a stack file's
 * text: `digest`, and `tag` or no tag. Every other key (`repository`, ...), comment and line is
 * kept as it is; a service without an `image` gets one in flow style, its values quoted, as the
 * repository's stack files write them.
 */
export function pinImages(text: string, project: string, file: string, pins: readonly ImagePin[]): Edited {
    const before = YAML.parseDocument(text, YAML_OPTIONS);
    if (before.errors.length > 0) {
        throw new Refusal(`${file} is not valid YAML: ${before.errors[0].message.split("\n")[0]}`);
    }
    const after = before.clone();
    const environment = environmentKey(after, project);
    const changed: string[] = [];
    for (const pin of pins) {
        const image = ["config", environment, "services", pin.service, "image"];
        if (scalarAt(after, [...image, "digest"]) === pin.digest && scalarAt(after, [...image, "tag"]) === pin.tag) continue;
        changed.push(pin.service);
        if (isMap(after.getIn(image, true))) {
            after.setIn([...image, "digest"], quotedIfNew(after, [...image, "digest"], pin.digest));
            if (pin.tag !== undefined) after.setIn([...image, "tag"], quotedIfNew(after, [...image, "tag"], pin.tag));
            else after.deleteIn([...image, "tag"]);
        } else {
            const node = after.createNode(pin.tag !== undefined ? { tag: pin.tag, digest: pin.digest } : { digest: pin.digest });
            node.flow = true;
            for (const pair of node.items) (pair.value as Scalar).type = Scalar.QUOTE_DOUBLE;
            setThrough(after, image, node);
        }
    }
    if (changed.length === 0) {
        return { text, changed, relaidOut: false, document: after };
    }
    return { ...keepLayout(text, before, after), changed, document: after };
}

/** The key holding the project's environment: `<project>:environment`, or `environment` where the file writes it short. */
function environmentKey(doc: Document, project: string): string {
    const full = `${project}:environment`;
    return !doc.hasIn(["config", full]) && doc.hasIn(["config", "environment"]) ? "environment" : full;
}

function scalarAt(doc: Document, path: readonly string[]): unknown {
    const node = getThrough(doc, path);
    return isScalar(node) ? node.value : undefined;
}

/** The node at a path, or undefined where any step on the way is not a map. */
function getThrough(doc: Document, path: readonly string[]): unknown {
    let node: unknown = doc.contents;
    for (const key of path) {
        if (!isMap(node)) return undefined;
        node = node.get(key, true);
    }
    return node;
}

/** A new value keeps the existing scalar's quoting (setIn does); a new key's value is double-quoted. */
function quotedIfNew(doc: Document, path: readonly string[], value: string): string | Scalar {
    if (isScalar(getThrough(doc, path))) return value;
    const node = new Scalar(value);
    node.type = Scalar.QUOTE_DOUBLE;
    return node;
}

/** Sets a node at a path, making maps of the steps that are missing or empty (`services:` with no value). */
function setThrough(doc: Document, path: readonly string[], value: unknown): void {
    for (let depth = 1; depth < path.length; depth++) {
        const step = getThrough(doc, path.slice(0, depth));
        if (isMap(step)) continue;
        if (step !== undefined && !(isScalar(step) && step.value === null)) {
            throw new Refusal(`${path.slice(0, depth).join(".")} in the stack file is not a map; cannot write ${path.join(".")}`);
        }
        doc.setIn(path.slice(0, depth), doc.createNode({}));
    }
    doc.setIn(path, value);
}
