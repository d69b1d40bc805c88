import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse } from "yaml";

/**
 * Reads a Serverless Devs 3 description file (s.yaml, s-prod.yaml) the way `s` resolves it, for
 * the parts our files use: a file-level `extend:` (the base file deep-merged with this one,
 * objects key by key, lists and scalars replaced: extend2, as Serverless-Devs/toolkit
 * packages/parse-spec does), a resource's `extend: {name}` of a top-level `template`, and the
 * magic variables ${env('NAME')}, ${env('NAME', 'default')} and ${vars.path}. Anything else in
 * ${…} is refused, so a file using more than this checker knows fails its test instead of
 * passing unchecked.
 */

// The YAML is untrusted-shaped data: its props are read by the tests that need them.
export type Props = Record<string, any>;

export interface Resource {
  component: string;
  props: Props;
  actions?: Record<string, Array<{ run?: string; path?: string }>>;
}

export interface Spec {
  file: string;
  /** the directory paths in the file (code, action paths) are relative to */
  dir: string;
  edition: string;
  vars: Record<string, unknown>;
  resources: Record<string, Resource>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** extend2(true, {}, base, over): plain objects merged key by key; lists and scalars of `over` win. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isObject(base) || !isObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

/** The file as written, with its `extend:` base merged in (variables not resolved yet). */
export function readMerged(file: string): Props {
  const own = parse(readFileSync(file, "utf8")) as Props;
  if (typeof own.extend !== "string") return own;
  const base = readMerged(resolve(dirname(file), own.extend));
  const { extend: _ignored, ...rest } = own;
  return deepMerge(base, rest) as Props;
}

const MAGIC = /\$\{([^}]*)\}/g;
const ENV_CALL = /^\s*env\(\s*'([A-Za-z_][A-Za-z0-9_]*)'\s*(?:,\s*'([^']*)'\s*)?\)\s*$/;
const VARS_PATH = /^\s*vars\.([A-Za-z_][\w.]*)\s*$/;

export class SpecError extends Error {}

function resolveString(value: string, env: Record<string, string | undefined>, vars: Record<string, unknown>, at: string): unknown {
  const evaluate = (expr: string): unknown => {
    const envCall = ENV_CALL.exec(expr);
    if (envCall) {
      const [, name, fallback] = envCall;
      // As `s` does: an empty variable counts as unset.
      if (env[name]) return env[name];
      if (fallback !== undefined) return fallback;
      throw new SpecError(`${at}: env('${name}') not found`);
    }
    const varsPath = VARS_PATH.exec(expr);
    if (varsPath) {
      const found = varsPath[1].split(".").reduce<unknown>((v, k) => (isObject(v) ? v[k] : undefined), vars);
      if (found === undefined || found === "") throw new SpecError(`${at}: \${vars.${varsPath[1]}} not found`);
      return found;
    }
    throw new SpecError(`${at}: \${${expr}} is not a variable this checker understands`);
  };
  const whole = /^\$\{([^}]*)\}$/.exec(value);
  if (whole) return evaluate(whole[1]);
  return value.replace(MAGIC, (_, expr: string) => String(evaluate(expr)));
}

function resolveDeep(value: unknown, env: Record<string, string | undefined>, vars: Record<string, unknown>, at: string): unknown {
  if (typeof value === "string") return resolveString(value, env, vars, at);
  if (Array.isArray(value)) return value.map((v, i) => resolveDeep(v, env, vars, `${at}[${i}]`));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveDeep(v, env, vars, `${at}.${k}`)]));
  return value;
}

/** The file with every variable resolved against `env` (the deployer's environment); throws SpecError on anything unresolved. */
export function loadSpec(file: string, env: Record<string, string | undefined>): Spec {
  const merged = readMerged(file);
  const vars = resolveDeep(merged.vars ?? {}, env, {}, "vars") as Record<string, unknown>;
  const templates = (merged.template ?? {}) as Record<string, Props>;
  const resources: Record<string, Resource> = {};
  for (const [name, raw] of Object.entries((merged.resources ?? {}) as Record<string, Props>)) {
    let props = raw.props ?? {};
    if (raw.extend) {
      const template = templates[raw.extend.name];
      if (!template) throw new SpecError(`resources.${name}.extend: no template named ${raw.extend.name}`);
      const ignored = new Set<string>(raw.extend.ignore ?? []);
      props = deepMerge(Object.fromEntries(Object.entries(template).filter(([k]) => !ignored.has(k))), props) as Props;
    }
    const { extend: _template, ...resource } = raw;
    resources[name] = resolveDeep({ ...resource, props }, env, vars, `resources.${name}`) as Resource;
  }
  return { file, dir: dirname(file), edition: String(merged.edition), vars, resources };
}

/** Every ${env('NAME')} the file (and its base) reads from the deployer's environment, with its default when it has one. */
export function deployerVariables(file: string): Map<string, string | undefined> {
  const found = new Map<string, string | undefined>();
  const scan = (path: string) => {
    const text = readFileSync(path, "utf8");
    for (const m of text.matchAll(/env\(\s*'([A-Za-z_][A-Za-z0-9_]*)'\s*(?:,\s*'([^']*)'\s*)?\)/g)) {
      // Required wherever it is read without a default.
      if (!found.has(m[1]) || m[2] === undefined) found.set(m[1], m[2]);
    }
    const own = parse(text) as Props;
    if (typeof own.extend === "string") scan(resolve(dirname(path), own.extend));
  };
  scan(file);
  return found;
}

/** The function resources (fc3), which are what this repository deploys. */
export function functions(spec: Spec): Array<[string, Resource]> {
  return Object.entries(spec.resources).filter(([, r]) => r.component === "fc3");
}
