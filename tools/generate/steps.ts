import { CHECKOUT, SETUP_NODE } from "./actions";

/** Pieces of workflow text every generated workflow shares. */

const YAML_WORDS = /^(true|false|yes|no|on|off|y|n|null)$/i;

/** A stack name as a YAML scalar: plain when YAML reads it back as the same string. */
export function scalar(s: string): string {
    return /^[A-Za-z][A-Za-z0-9._-]*$/.test(s) && !YAML_WORDS.test(s) ? s : JSON.stringify(s);
}

/** A stack's deploy job id: its name where GitHub allows it as one. */
export function jobId(stack: string): string {
    const id = stack.replace(/[^A-Za-z0-9_-]/g, "-").replace(/^(?=[^A-Za-z_])/, "_");
    return id === "test" ? "deploy-test" : id;
}

/** A shallow checkout that leaves no token in the clone. */
export const CHECKOUT_STEP = `      - uses: ${CHECKOUT}
        with:
          persist-credentials: false`;

/** Node and the project's dependencies (the repository's tools run on them). */
export const NODE_STEPS = `      - uses: ${SETUP_NODE}
        with:
          node-version: 20
          cache: npm
      - run: npm ci --no-audit --no-fund`;
