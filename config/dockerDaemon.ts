import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError } from "./errors";
import { PlatformConfig } from "./types";
import { checkerLookup } from "./resolve/verify";
import { statusLookup } from "./inCluster";

/**
 * Why the Docker daemon that @pulumi/docker's provider needs is not reachable, or undefined.
 * The provider pings a daemon when it starts, even for a registry lookup that never uses it
 * (provider/provider.go `Configure` -> `configureDockerClient` in pulumi/pulumi-docker;
 * pulumi/pulumi-docker#1106), at `DOCKER_HOST`, else at the default socket, else at Docker
 * Desktop's sockets in the home directory. Only a Unix socket can be checked without connecting:
 * a `tcp://` or `ssh://` host, or a `DOCKER_CONTEXT`, is trusted.
 */
export function dockerDaemonProblem(
    env: Readonly<Record<string, string | undefined>>,
    exists: (p: string) => boolean = fs.existsSync,
    home: string = os.homedir(),
): string | undefined {
    if (env.DOCKER_CONTEXT) return undefined;
    const host = env.DOCKER_HOST;
    if (host) {
        return host.startsWith("unix://") && !exists(host.slice("unix://".length)) ? `DOCKER_HOST is ${host}, and no socket is there` : undefined;
    }
    const sockets = ["/var/run/docker.sock", path.join(home, ".docker/run/docker.sock"), path.join(home, ".docker/desktop/docker.sock")];
    return sockets.some(exists) ? undefined : `DOCKER_HOST is not set and no Docker socket exists (${sockets.join(", ")})`;
}

/**
 * Refuses a configuration whose images need lookups when no daemon is reachable: before any
 * resource, with the services named and what to do. The program's loader calls it; offline
 * readers of the configuration (the render, `npm run images`, `npm run promote`) look nothing up.
 */
export function requireDockerDaemon(config: PlatformConfig, env: Readonly<Record<string, string | undefined>>): void {
    const lookups = config.services.filter((svc) => !svc.build && !svc.image.digest);
    // The platform's own images named by tag: the HTTP checker's and the canaries' status image.
    const own = [
        ...(checkerLookup(config) ? [{ image: checkerLookup(config)!, who: "the verification Jobs' HTTP checker (environment.verify.image)" }] : []),
        ...(statusLookup(config) ? [{ image: statusLookup(config)!, who: "the canaries' wait Jobs (environment.canary.statusImage)" }] : []),
    ];
    const daemon = lookups.length > 0 || own.length > 0 ? dockerDaemonProblem(env) : undefined;
    if (daemon) {
        const first = lookups[0]?.image ?? own[0].image;
        const who = [named(lookups.map((svc) => svc.name)), ...own.map((o) => o.who)].filter((w) => w !== "").join(", and ");
        throw new ConfigError([
            `DOCKER_HOST: ${who} name${lookups.length + own.length === 1 ? "s an image" : " images"} by tag (${first.repository}:${first.tag}), whose digests are looked up in the registry with @pulumi/docker. ` +
                `Its provider needs a reachable Docker daemon when it starts, even for a lookup (pulumi/pulumi-docker#1106), and ${daemon}. ` +
                "Start Docker, point DOCKER_HOST at a daemon, or pin each image by digest (image.digest; 'npm run promote' writes them)",
        ]);
    }
}

/** Up to ten names, then how many more. */
function named(names: readonly string[]): string {
    return names.length <= 10 ? names.join(", ") : `${names.slice(0, 10).join(", ")} and ${names.length - 10} more`;
}
