/**
 * Every Pulumi CLI command the tools run (decision 0006: the CLI, not the Automation API; the
 * release driver's updates go through the Automation API, decision 0008), each
 * with the stack as the user named it, short or qualified. A command the tools need is added here
 * and to the tests' fake pulumi (tests/fakePulumi.ts); tests/e2e/fakePulumi.test.ts runs each
 * entry against the fake. None asks for `--show-secrets`: no tool needs a decrypted secret.
 */
export const PULUMI = {
    /** The stack's updates, as JSON (tools/rollback/history.ts reads them). */
    history: (stack: string) => ["stack", "history", "--json", "--stack", stack],
    /** The stack's newest update alone, as JSON (the soak gate reads its result). */
    latestUpdate: (stack: string) => ["stack", "history", "--json", "--page-size", "1", "--stack", stack],
    /** The state an earlier version left (tools/rollback/images.ts reads its images). */
    exportVersion: (stack: string, version: number) => ["stack", "export", "--version", String(version), "--stack", stack],
    /** Every output of the stack, as JSON, secrets masked (the release driver's workspace, tools/release/workspace.ts). */
    outputs: (stack: string) => ["stack", "output", "--json", "--stack", stack],
    /** One output of the stack, as JSON (promote reads `releases`). */
    output: (stack: string, name: string) => ["stack", "output", name, "--json", "--stack", stack],
    /** Previews the program in the working directory, showing the diff. */
    preview: (stack: string, message: string) => ["preview", "--diff", "--message", message, "--stack", stack],
    /** Deploys it, with no second preview and no question (the tool asked already, or --yes). */
    up: (stack: string, message: string) => ["up", "--yes", "--skip-preview", "--message", message, "--stack", stack],
} as const satisfies Record<string, (stack: string, ...rest: never[]) => string[]>;
