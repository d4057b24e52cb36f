/**
 * The resource types of the installed @pulumi/kubernetes, read from its own declarations rather
 * than listed by hand: the type tokens of a kind (every API version, and the Patch), and the
 * pod-bearing types: every resource class (its `__pulumiType`) whose
 * constructor arguments hold a pod spec, that is a `containers` list of `core.v1.Container` (or
 * `ContainerPatch`), found by following the argument types through `types/input.d.ts`. A new
 * provider release that adds a kind or an API version shows up here, and the test that compares
 * this list with the policy pack fails until the pack judges it.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

export interface PodBearingType {
    /** The Pulumi type token, such as `kubernetes:apps/v1:DeploymentPatch`. */
    readonly type: string;
    /** The properties leading from the resource's arguments to its pod spec: `spec.template.spec` as ["spec", "template", "spec"]. */
    readonly podSpecPath: readonly string[];
}

interface Property {
    readonly name: string;
    readonly type: string;
}

const PROVIDER = path.dirname(require.resolve("@pulumi/kubernetes/package.json"));

function properties(node: ts.InterfaceDeclaration, sf: ts.SourceFile): Property[] {
    return node.members.filter(ts.isPropertySignature).map((m) => ({ name: m.name.getText(sf), type: m.type ? m.type.getText(sf) : "" }));
}

/** Every interface of types/input.d.ts by its qualified name (`apps.v1.DeploymentSpec`). */
function inputTypes(): Map<string, Property[]> {
    const file = path.join(PROVIDER, "types", "input.d.ts");
    const sf = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false);
    const found = new Map<string, Property[]>();
    const walk = (statements: readonly ts.Statement[], prefix: readonly string[]): void => {
        for (const s of statements) {
            if (ts.isModuleDeclaration(s) && s.body && ts.isModuleBlock(s.body)) walk(s.body.statements, [...prefix, s.name.text]);
            else if (ts.isInterfaceDeclaration(s)) found.set([...prefix, s.name.text].join("."), properties(s, sf));
        }
    };
    walk(sf.statements, []);
    return found;
}

/** The provider's compiled modules, outside its shared types. */
function modules(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        if (e.isDirectory()) return ["types", "node_modules", "scripts"].includes(e.name) ? [] : modules(path.join(dir, e.name));
        return e.name.endsWith(".js") ? [path.join(dir, e.name)] : [];
    });
}

/** The input types a property's type names (`pulumi.Input<inputs.core.v1.PodTemplateSpec>` -> core.v1.PodTemplateSpec). */
const referenced = (type: string) => [...type.matchAll(/inputs\.([A-Za-z0-9_.]+)/g)].map((m) => m[1]);

/**
 * The path to the pod spec under these properties, or undefined. A list is not followed: the
 * only lists holding pod specs are the `items` of the `...List` kinds (DeploymentList, PodList...),
 * which the provider refuses to create when declared directly
 * (https://github.com/pulumi/pulumi-kubernetes/issues/2494); its YAML and Helm resources expand a
 * List into its items, which the pack then sees with their own types.
 */
function podSpecPath(props: readonly Property[], types: Map<string, Property[]>, seen: ReadonlySet<string>): string[] | undefined {
    for (const p of props) {
        const refs = referenced(p.type);
        const isList = p.type.includes("[]");
        if (p.name === "containers" && isList && refs.some((r) => /^core\.v1\.Container(Patch)?$/.test(r))) return [];
        if (isList) continue;
        for (const ref of refs.filter((r) => types.has(r) && !seen.has(r))) {
            const rest = podSpecPath(types.get(ref)!, types, new Set([...seen, ref]));
            if (rest) return [p.name, ...rest];
        }
    }
    return undefined;
}

interface ResourceClass {
    readonly type: string;
    /** The properties of its constructor's arguments (`DeploymentArgs`). */
    readonly args: readonly Property[];
}

let classes: readonly ResourceClass[] | undefined;

/** Every resource class of the installed provider, read once. */
function resourceClasses(): readonly ResourceClass[] {
    classes ??= modules(PROVIDER).flatMap((js) => {
        const m = /class (\w+) extends[\s\S]*?static __pulumiType = '([^']+)'/.exec(fs.readFileSync(js, "utf8"));
        if (!m) return [];
        const dts = js.replace(/\.js$/, ".d.ts");
        const sf = ts.createSourceFile(dts, fs.readFileSync(dts, "utf8"), ts.ScriptTarget.Latest, false);
        const args = sf.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === `${m[1]}Args`);
        return [{ type: m[2], args: args ? properties(args, sf) : [] }];
    });
    return classes;
}

/** Every type token of the installed provider whose kind (after the last `:`) is one of these, sorted. */
export function providerTypesOfKind(...kinds: readonly string[]): string[] {
    return resourceClasses()
        .map((c) => c.type)
        .filter((t) => kinds.includes(t.slice(t.lastIndexOf(":") + 1)))
        .sort();
}

/** Every resource type of the installed provider that holds a pod spec, with the path to it, sorted by type. */
export function providerPodBearingTypes(): PodBearingType[] {
    const types = inputTypes();
    return resourceClasses()
        .flatMap((c) => {
            const at = podSpecPath(c.args, types, new Set());
            return at ? [{ type: c.type, podSpecPath: at }] : [];
        })
        .sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}
