import { Node } from "./node";
import * as f from "./formats";
import { Layer, readEnvMap, readServiceLayer } from "./serviceSettings";
import { Resources } from "./types";

/** The shared part of the configuration, written once in Pulumi.yaml (or in the file `catalogFile` names). */
export interface Catalog {
    /** False when the catalog is missing or not an object (already reported). */
    readonly readable: boolean;
    readonly system?: string;
    /** Tiers by name; `undefined` for one that is defined but invalid (already reported). */
    readonly tiers: Map<string, Resources | undefined>;
    readonly tiersPath: string;
    readonly commonEnv: Map<string, string>;
    readonly defaults: Layer;
    readonly services: Map<string, { layer: Layer; path: string }>;
}

export function readCatalog(node: Node): Catalog {
    const k = node.object(["system", "tiers", "commonEnv", "defaults", "services"]);
    if (!node.present) {
        node.required("the service catalog (an object with 'services'), set in Pulumi.yaml, or in a YAML file named by catalogFile");
    }
    const system = k?.system ? k.system.string(f.dnsLabel, "a DNS-1123 label naming the whole system, such as 'hft'") : node.present ? node.child("system").required("a DNS-1123 label naming the whole system, such as 'hft'") : undefined;

    const tiers = new Map<string, Resources | undefined>();
    for (const [name, t] of k?.tiers?.map(f.dnsLabel, "a tier name (DNS-1123 label)") ?? []) {
        tiers.set(name, readTier(t));
    }

    const services = new Map<string, { layer: Layer; path: string }>();
    const serviceNodes = k?.services?.map(f.serviceName, "a service name (DNS-1123 label: lowercase letters, digits and '-', at most 63)");
    if (k && !k.services) {
        node.child("services").required("at least one service");
    } else if (serviceNodes?.size === 0 && Object.keys(k?.services?.value ?? {}).length === 0) {
        k!.services.fail("at least one service");
    }
    for (const [name, s] of serviceNodes ?? []) {
        services.set(name, { layer: readServiceLayer(s), path: s.path });
    }

    return {
        readable: k !== undefined,
        system,
        tiers,
        tiersPath: node.child("tiers").path,
        commonEnv: new Map([...(k?.commonEnv ? readEnvMap(k.commonEnv) : [])].map(([n, v]) => [n, v.value])),
        defaults: k?.defaults ? readServiceLayer(k.defaults) : (new Map() as Layer),
        services,
    };
}

function readTier(node: Node): Resources | undefined {
    const k = node.object(["requests", "limits"]);
    const amounts = (kind: "requests" | "limits") => {
        const a = k?.[kind]?.object(["cpu", "memory"]);
        const read = (r: "cpu" | "memory") => {
            const q = a?.[r] ?? node.child(kind).child(r);
            if (!q.present) return q.required('a Kubernetes quantity such as "250m" or "512Mi"');
            return typeof q.value === "number" && q.value > 0 && f.quantity(String(q.value)) === undefined ? String(q.value) : q.string(f.quantity, 'a Kubernetes quantity such as "250m", "1", "512Mi" or "2Gi"');
        };
        const cpu = read("cpu");
        const memory = read("memory");
        return cpu && memory ? { cpu, memory } : undefined;
    };
    if (!k) {
        return node.present ? undefined : node.required("an object with 'requests' and 'limits'");
    }
    const requests = amounts("requests");
    const limits = amounts("limits");
    if (!requests || !limits) {
        return undefined;
    }
    let valid = true;
    for (const r of ["cpu", "memory"] as const) {
        const problem = f.requestExceedsLimit(requests[r], limits[r]);
        if (problem) {
            node.problems.add(`${node.path}.requests.${r}`, problem);
            valid = false;
        }
    }
    return valid ? { requests, limits } : undefined;
}
