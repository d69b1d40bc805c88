// ESLint + typescript-eslint: the one linter whose type-aware rules (unhandled and misused promises) read our own
// tsconfig, plus react-hooks' rules-of-hooks, which preact/hooks obey too. Only mistakes here; prettier owns style.
import { defineConfig, globalIgnores } from "eslint/config";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

// Each of these catches code that does not do what it reads as: a wrong result, a lost error, a dead branch.
const mistakes = {
  "array-callback-return": "error",
  "for-direction": "error",
  "no-async-promise-executor": "error",
  "no-case-declarations": "error",
  "no-compare-neg-zero": "error",
  "no-cond-assign": "error",
  "no-constant-binary-expression": "error",
  "no-constant-condition": "error",
  "no-debugger": "error",
  "no-dupe-else-if": "error",
  "no-duplicate-case": "error",
  "no-empty-character-class": "error",
  "no-empty-pattern": "error",
  "no-ex-assign": "error",
  "no-fallthrough": "error",
  "no-global-assign": "error",
  "no-invalid-regexp": "error",
  "no-irregular-whitespace": "error",
  "no-loss-of-precision": "error",
  "no-misleading-character-class": "error",
  "no-self-assign": "error",
  "no-self-compare": "error",
  "no-shadow-restricted-names": "error",
  "no-sparse-arrays": "error",
  "no-template-curly-in-string": "error",
  "no-unreachable": "error",
  "no-unsafe-finally": "error",
  "no-unsafe-negation": "error",
  "no-unsafe-optional-chaining": "error",
  "no-unused-private-class-members": "error",
  "no-useless-backreference": "error",
  "use-isnan": "error",
  eqeqeq: ["error", "smart"],
};
// Left out on purpose: no-control-regex (our sanitisers match control characters on purpose), no-unmodified-loop-condition
// (cannot see a flag that another async task clears), no-promise-executor-return (flags every `setTimeout(resolve, ms)`),
// react-hooks/exhaustive-deps (all three places it flagged choose their dependencies on purpose: a hook that takes its
// caller's list, an effect keyed on the serialised filters, a focus effect that reads a callback prop only when `open` changes).

// In TypeScript, tsc already reports what these catch in plain JavaScript.
const tscCovers = {
  "no-dupe-keys": "error",
  "no-func-assign": "error",
  "no-import-assign": "error",
  "no-new-native-nonconstructor": "error",
  "no-obj-calls": "error",
  "no-setter-return": "error",
  "no-undef": "error",
  "valid-typeof": "error",
};

const unused = {
  args: "after-used",
  argsIgnorePattern: "^_",
  varsIgnorePattern: "^_",
  caughtErrorsIgnorePattern: "^_",
  destructuredArrayIgnorePattern: "^_",
  ignoreRestSiblings: true,
};

export default defineConfig(
  globalIgnores(["**/dist/", "**/node_modules/", "**/.data/", "**/test-results/", "**/coverage/"]),
  {
    files: ["**/*.{js,mjs,cjs}"],
    languageOptions: { globals: globals.node },
    rules: { ...mistakes, ...tscCovers, "no-unused-vars": ["error", unused] },
  },
  {
    files: ["**/*.{ts,tsx}"],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { "@typescript-eslint": tseslint.plugin },
    rules: {
      ...mistakes,
      "@typescript-eslint/no-unused-vars": ["error", unused],
      // Short-circuit and ternary statements are a habit here; a bare `expect(x).toBeTruthy` or `a === b;` is not.
      "@typescript-eslint/no-unused-expressions": ["error", { allowShortCircuit: true, allowTernary: true }],
      "@typescript-eslint/no-non-null-asserted-optional-chain": "error",
      "@typescript-eslint/no-duplicate-enum-values": "error",
      "@typescript-eslint/no-misused-new": "error",
      "@typescript-eslint/no-unsafe-declaration-merging": "error",
      // Type-aware. A promise nobody awaits or catches turns a failure into an unhandled rejection, which ends a Node
      // process; so does an async function handed to a caller that ignores what it returns (an event emitter, a
      // signal handler). JSX event handlers are left out: ours catch their own errors, and Preact ignores the return.
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { attributes: false } }],
      "@typescript-eslint/await-thenable": "error",
      // `return promise` inside try/catch/finally skips the catch and runs the finally too early.
      "@typescript-eslint/return-await": ["error", "error-handling-correctness-only"],
      "@typescript-eslint/no-for-in-array": "error",
      "@typescript-eslint/no-array-delete": "error",
      "@typescript-eslint/no-implied-eval": "error",
    },
  },
  {
    files: ["widget/src/**/*.{ts,tsx}", "server/dashboard/src/**/*.{ts,tsx}", "server/test/**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks },
    rules: { "react-hooks/rules-of-hooks": "error" },
  },
);
