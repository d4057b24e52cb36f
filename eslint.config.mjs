// @ts-check
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";

export default tseslint.config(
    // policy-pack/ is policy/ compiled by `npm run generate`; the source is linted.
    { ignores: ["node_modules/", "bin/", "rendered/", "policy-pack/"] },
    ...tseslint.configs.recommendedTypeChecked,
    {
        files: ["**/*.ts"],
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        plugins: { "@pulumi": pulumi },
        rules: {
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
            "@typescript-eslint/no-unused-expressions": "error",
            "@typescript-eslint/no-floating-promises": "error",
            "prefer-const": "error",
            "no-var": "error",
            eqeqeq: ["error", "always"],
        },
    },
    {
        // Tests read recorded resource inputs, which are untyped JSON.
        files: ["tests/**/*.ts", "tools/harness/summary.ts"],
        rules: {
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-unsafe-member-access": "off",
            "@typescript-eslint/no-unsafe-assignment": "off",
            "@typescript-eslint/no-unsafe-argument": "off",
            "@typescript-eslint/no-unsafe-call": "off",
            "@typescript-eslint/no-unsafe-return": "off",
        },
    },
    {
        // What tests used to grep the sources for. Output must not depend on the machine's locale
        // (tests/locales.ts), and the bench finds kubectl on PATH (bench/which.ts).
        files: ["**/*.ts"],
        ignores: ["tests/**"],
        rules: {
            "no-restricted-properties": [
                "error",
                { property: "localeCompare", message: "localeCompare follows the machine's locale: order with byCodePoint (config/order.ts)." },
                { object: "Intl", property: "Collator", message: "a Collator follows a locale: order with byCodePoint (config/order.ts)." },
            ],
            "no-restricted-syntax": [
                "error",
                {
                    selector: "Literal[value=/\\/kubectl$/], TemplateElement[value.raw=/\\/kubectl$/]",
                    message: "Do not assume where kubectl is installed: find it on PATH (bench/which.ts findOnPath).",
                },
            ],
        },
    },
    { files: ["eslint.config.mjs"], ...tseslint.configs.disableTypeChecked },
);
