/**
 * Whether a probe checks anything. Kubernetes refuses a probe without a handler or without the
 * handler's port or command, but only when the object reaches the API server; and it runs, as
 * healthy, an exec probe whose command always succeeds. Either is a probe in name only.
 */
import { isSet, list, record } from "./common";

const HANDLERS = ["exec", "httpGet", "tcpSocket", "grpc"] as const;

/** A command that always exits 0, as an exec probe's command or a shell's last step (`... || true`, `...; exit 0`). */
const ALWAYS_SUCCEEDS = /^(?:\/usr)?(?:\/bin\/)?(?:true|:)$|^exit\s+0$|^(?:\/usr)?(?:\/bin\/)?echo\b/;
const SHELLS = /^(?:\/usr)?(?:\/bin\/)?(?:sh|bash|ash|dash|zsh)$/;

/**
 * Whether a shell script always exits 0: its last step always succeeds and runs whatever came
 * before (`a || true`, `a; exit 0`), not only when it succeeded (`a && true` fails with `a`).
 */
function scriptAlwaysSucceeds(script: string): boolean {
    const parts = script.split(/(;|\|\||&&|\n)/).map((p) => p.trim());
    while (parts.length > 0 && parts[parts.length - 1] === "") parts.splice(-2, 2);
    // An empty script exits 0 too.
    if (parts.length === 0) return true;
    return parts[parts.length - 2] !== "&&" && ALWAYS_SUCCEEDS.test(parts[parts.length - 1]);
}

function alwaysSucceeds(command: readonly unknown[]): boolean {
    const [program, ...args] = command.map(String);
    if (SHELLS.test(program) && args[0] === "-c" && args.length >= 2) return scriptAlwaysSucceeds(args[1]);
    return ALWAYS_SUCCEEDS.test([program, ...args].join(" "));
}

/** Why a probe that is set checks nothing, or undefined when it checks something (or is not set). */
export function emptyProbe(probe: unknown): string | undefined {
    if (!isSet(probe)) return undefined;
    const p = record(probe);
    const handler = HANDLERS.find((h) => isSet(p[h]));
    if (handler === undefined) return "it has no exec, httpGet, tcpSocket or grpc handler";
    const h = record(p[handler]);
    if (handler === "exec") {
        const command = list(h.command);
        if (command.length === 0) return "its exec has no command";
        return alwaysSucceeds(command) ? "its exec command always succeeds" : undefined;
    }
    return isSet(h.port) && h.port !== "" ? undefined : `its ${handler} has no port`;
}
