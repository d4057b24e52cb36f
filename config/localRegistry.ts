/**
 * A registry on the machine that runs the program, such as the one kind's guide starts at
 * `localhost:5001`: it serves plain HTTP without credentials, so builds push to it without any,
 * and registry lookups reach it over `http://` (docs/local.md).
 */

/** Whether a registry host (`server[:port]`) is this machine's. */
export function isLocalRegistry(server: string): boolean {
    const host = server.replace(/:[0-9]+$/, "").replace(/^\[(.*)\]$/, "$1");
    return host === "localhost" || host.endsWith(".localhost") || host === "127.0.0.1" || host === "::1";
}

/**
 * The local registries a stack reaches: its registry's server, and the hosts of its images'
 * repositories (`localhost:5001/acme/api` -> `localhost:5001`), each once, sorted.
 */
export function localRegistryHosts(server: string | undefined, repositories: readonly string[]): string[] {
    const hosts = [...(server ? [server] : []), ...repositories.filter((r) => r.includes("/")).map((r) => r.slice(0, r.indexOf("/")))];
    return [...new Set(hosts.filter(isLocalRegistry))].sort();
}
