import type { Origins } from "../merge";
import type { ServiceSettings } from "../schema/service";
import type { Probe, ServiceConfig } from "../types";

/**
 * Ports below 1024 that a service's container listens on. Its process runs as a non-root user
 * with every capability dropped (components/service/podTemplate.ts), so binding one needs the
 * pod's `net.ipv4.ip_unprivileged_port_start` at 0 or below the port: containerd 2 and Docker set
 * it so for every pod, CRI-O does not. It works where the stack runs today and fails on a
 * CRI-O cluster, so it is a warning, not a refusal.
 */

export const PRIVILEGED_PORTS_BELOW = 1024;

const WHY = `and the container runs as a non-root user with every capability dropped: containerd 2 and Docker let it bind such a port, CRI-O does not (the container fails to start there); listen on ${PRIVILEGED_PORTS_BELOW} or above (the Service's port, 'servicePort', may stay below ${PRIVILEGED_PORTS_BELOW})`;

function probePort(p: Probe): number | string | undefined {
    return "http" in p ? p.http.port : "tcp" in p ? p.tcp.port : "grpc" in p ? p.grpc.port : undefined;
}

/** A warning for each port below 1024 the service's container listens on, at the key path where it is written. */
export function lowPorts(svc: Pick<ServiceConfig, "port" | "probes" | "metrics">, at: Origins<ServiceSettings>): string[] {
    const ports: [number | string | undefined, string | undefined][] = [[svc.port, at.port]];
    // A probe's or the metrics' own port; the service's port, which they default to, is warned about once.
    for (const which of ["liveness", "readiness", "startup"] as const) {
        const probe = svc.probes[which];
        if (probe) ports.push([probePort(probe), at.probes?.[which]?.port]);
    }
    ports.push([svc.metrics?.port, at.metrics?.port]);
    return ports
        .filter(([port, path], i) => typeof port === "number" && port < PRIVILEGED_PORTS_BELOW && path !== undefined && (i === 0 || port !== svc.port))
        .map(([port, path]) => `${path}: ${port} is below ${PRIVILEGED_PORTS_BELOW}, ${WHY}`);
}
