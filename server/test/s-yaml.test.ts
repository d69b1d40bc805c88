import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENV_VARS, loadConfig } from "../src/config.js";
import { PRE_STOP_WAIT_MS } from "../src/features/health/routes.js";
import { INVOKE_DRIVE_MS } from "../src/features/invoke/routes.js";
import { type Harness, TEST_SECRET, createHarness } from "./support/harness.js";
import { mediaPrefix } from "../../scripts/setup-media-bucket.js";
import { type Props, type Spec, SpecError, deployerVariables, functions, loadSpec } from "./support/s-yaml.js";

// s.yaml (dev) and s-prod.yaml (prod) checked offline against the build and the server's own
// configuration: what `s deploy` would send to Function Compute, resolved as `s` resolves it.

const ROOT = resolve(import.meta.dirname, "../..");
const FILES = { dev: join(ROOT, "s.yaml"), prod: join(ROOT, "s-prod.yaml") };

/** What Function Compute itself sets in the function's environment once it has a role (platform-next.md §2a). */
const FC_SYSTEM: Record<string, string> = {
  ALIBABA_CLOUD_ACCESS_KEY_ID: "STS.test-key-id",
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: "test-key-secret",
  ALIBABA_CLOUD_SECURITY_TOKEN: "test-security-token",
};
/** The server's environment on FC: the deployed variables plus FC's own. */
const onFc = (props: Props) => ({ ...(props.environmentVariables as Record<string, string>), ...FC_SYSTEM });

/** Values a deployer would export; the format matters only for what the server parses. */
const DEPLOYER_VALUES: Record<string, string> = {
  DATABASE_URL: "mysql://chat:secret@rm-test.mysql.rds.aliyuncs.com:3306/bailian_chat",
  APP_SECRET: TEST_SECRET,
  DASHSCOPE_API_KEY: "sk-test-0123456789",
  BC_DOMAIN: "chat.example.com",
  BC_BUCKET: "bailian-chat-files",
  BC_MEDIA_DOMAIN: "media.example.com",
  BC_ROLE_ARN: "acs:ram::1234567890123456:role/bailian-chat-fc",
  INVOKE_SECRET: "invoke-secret-0123456789-abcdefghijklmnop",
};

/** Every variable the files read without a default, with a value: the deployer's environment. */
function deployerEnv(file: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, fallback] of deployerVariables(file))
    if (fallback === undefined) env[name] = DEPLOYER_VALUES[name] ?? `test-${name.toLowerCase()}`;
  return env;
}

/**
 * Node binaries s.yaml may point at, and their versions (shared/platform.md §1.4): FC's built-in
 * ones by path, the official layers by name (their bin is /opt/<name lowercased>/bin/node).
 */
const BUILT_IN_NODE: Record<string, string> = { "/var/fc/lang/nodejs20/bin/node": "20.10.0", "/var/fc/lang/nodejs18/bin/node": "18.19.0" };
const NODE_LAYERS: Record<string, { version: string; runtimes: string[] }> = {
  Nodejs20: { version: "20.11.0", runtimes: ["custom.debian10", "custom.debian11", "custom.debian12"] },
  Nodejs22: { version: "22.14.0", runtimes: ["custom.debian11", "custom.debian12"] },
  Nodejs24: { version: "24.19.0", runtimes: ["custom.debian11", "custom.debian12"] },
};

const parseVersion = (v: string) =>
  v
    .trim()
    .split(".")
    .map((n) => Number(n) || 0);
const compare = (a: number[], b: number[]) => a[0] - b[0] || (a[1] ?? 0) - (b[1] ?? 0) || (a[2] ?? 0) - (b[2] ?? 0);

/** `engines.node` ranges as our dependencies write them: `>=x.y.z`, `^x.y.z`, a bare major, joined by `||`. */
function satisfies(version: string, range: string): boolean {
  const v = parseVersion(version);
  return range.split("||").some((part) => {
    const p = part.trim();
    let m: RegExpExecArray | null;
    if ((m = /^>=\s*([\d.]+)$/.exec(p))) return compare(v, parseVersion(m[1])) >= 0;
    if ((m = /^\^([\d.]+)$/.exec(p))) return v[0] === parseVersion(m[1])[0] && compare(v, parseVersion(m[1])) >= 0;
    if ((m = /^(\d+)$/.exec(p))) return v[0] === Number(m[1]);
    throw new Error(`engines range not understood by this test: ${range}`);
  });
}

/** The engines.node of the repository and of every package the bundle carries. */
function enginesOfBundle(): Array<[string, string]> {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  const bundled = [...Object.keys(pkg.dependencies).filter((d) => d !== "better-sqlite3"), "rou3"];
  const ranges: Array<[string, string]> = [["bailian-chat", pkg.engines.node]];
  for (const name of bundled) {
    const engines = JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8")).engines?.node;
    if (engines) ranges.push([name, engines]);
  }
  return ranges;
}

describe("s.yaml and s-prod.yaml (Function Compute, Serverless Devs 3)", () => {
  let h: Harness;
  const specs = {} as Record<keyof typeof FILES, Spec>;

  beforeAll(async () => {
    if (!existsSync(join(ROOT, "dist/server/server.mjs"))) {
      process.stdout.write("[s-yaml] dist/server is missing: building it (npm test builds it first)\n");
      execFileSync(process.execPath, ["build.mjs"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
    }
    for (const stage of ["dev", "prod"] as const) specs[stage] = loadSpec(FILES[stage], deployerEnv(FILES[stage]));
    // The routes the app registers, to compare with the trigger and the hooks.
    h = await createHarness("sqlite", { INVOKE_SECRET: DEPLOYER_VALUES.INVOKE_SECRET });
  }, 120_000);
  afterAll(() => h?.close());

  const each = (fn: (stage: string, name: string, props: Props, spec: Spec) => void | Promise<void>) => async () => {
    let checked = 0;
    for (const [stage, spec] of Object.entries(specs)) {
      for (const [name, resource] of functions(spec)) {
        await fn(stage, name, resource.props, spec);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(2);
  };

  it("dev and prod both resolve with the deployer's variables, and refuse to resolve without them", () => {
    for (const [stage, spec] of Object.entries(specs)) {
      expect(spec.edition, stage).toBe("3.0.0");
      expect(functions(spec).length, stage).toBe(1);
    }
    for (const file of Object.values(FILES)) expect(() => loadSpec(file, {})).toThrow(SpecError);
    const [[, dev]] = functions(specs.dev);
    const [[, prod]] = functions(specs.prod);
    // Two functions side by side in one account, each with its own domain.
    expect(dev.props.functionName).not.toBe(prod.props.functionName);
    // Dev is the cheaper one: less memory and nothing kept running; prod keeps one instance warm.
    expect(dev.props.memorySize).toBeLessThan(prod.props.memorySize);
    expect(dev.props.scalingConfig?.minInstances ?? 0).toBe(0);
    expect(prod.props.scalingConfig?.minInstances).toBeGreaterThanOrEqual(1);
    // Everything else is the same function: prod extends dev.
    const { memorySize: _m1, cpu: _c1, scalingConfig: _s1, functionName: _f1, description: _d1, customDomain: cd1, ...devRest } = dev.props;
    const {
      memorySize: _m2,
      cpu: _c2,
      scalingConfig: _s2,
      functionName: _f2,
      description: _d2,
      customDomain: cd2,
      ...prodRest
    } = prod.props;
    // …with its own file prefix, so one stage's lifecycle rule and pruning never touch the other's files.
    const withoutPrefix = (rest: Props) => ({ ...rest, environmentVariables: { ...rest.environmentVariables, FILE_STORAGE_URL: "" } });
    expect(withoutPrefix(prodRest)).toEqual(withoutPrefix(devRest));
    expect(prodRest.environmentVariables.FILE_STORAGE_URL).not.toBe(devRest.environmentVariables.FILE_STORAGE_URL);
    expect(cd2.domainName).toBe(cd1.domainName);
  });

  it(
    "starts the server that `npm run build` wrote: the code directory holds the entry, the dashboard and the widget, and nothing needs installing",
    each((stage, name, props, spec) => {
      const code = resolve(spec.dir, props.code);
      const [entry] = props.customRuntimeConfig.args;
      expect(existsSync(join(code, entry)), `${stage}/${name}: ${join(code, entry)}`).toBe(true);
      // ESM on FC: the code directory says so itself (platform.md §1.4).
      expect(JSON.parse(readFileSync(join(code, "package.json"), "utf8")).type).toBe("module");
      expect(existsSync(join(code, "dashboard/index.html"))).toBe(true);
      expect(existsSync(join(code, "widget/widget.js"))).toBe(true);
      // The build is what gets deployed: the pre-deploy action makes it.
      const steps = spec.resources[name].actions?.["pre-deploy"] ?? [];
      expect(steps.map((s) => s.run).join(" && ")).toMatch(/npm ci && npm run build/);
    }),
  );

  it(
    "runs a Node that the bundled packages support (FC's own Node 20 is too old for h3)",
    each((stage, name, props) => {
      const [command] = props.customRuntimeConfig.command as string[];
      let version = BUILT_IN_NODE[command];
      if (!version) {
        const layer = /^\/opt\/(nodejs\d+)\/bin\/node$/.exec(command);
        expect(layer, `${stage}/${name}: ${command} is neither a built-in Node nor an official Node layer`).not.toBeNull();
        const [layerName, info] = Object.entries(NODE_LAYERS).find(([n]) => n.toLowerCase() === layer![1])!;
        const arn = (props.layers as string[]).find((l) => l.includes(`:official:layers/${layerName}/`));
        expect(arn, `${stage}/${name}: ${command} needs the ${layerName} layer`).toBeDefined();
        expect(arn).toContain(`acs:fc:${props.region}:`);
        expect(info.runtimes).toContain(props.runtime);
        version = info.version;
      }
      for (const [pkg, range] of enginesOfBundle())
        expect(satisfies(version, range), `${stage}: Node ${version} for ${pkg} (${range})`).toBe(true);
    }),
  );

  it(
    "listens where FC sends requests: the configured port through FC_CUSTOM_LISTEN_PORT, on all interfaces",
    each((stage, name, props) => {
      const { port } = props.customRuntimeConfig;
      const config = loadConfig({ ...onFc(props), FC_CUSTOM_LISTEN_PORT: String(port) });
      expect({ port: config.port, host: config.host }, `${stage}/${name}`).toEqual({ port, host: "0.0.0.0" });
    }),
  );

  it(
    "sets only variables the server reads, as strings, never PORT or FC's own, and a configuration the server accepts",
    each((stage, name, props) => {
      const env = props.environmentVariables as Record<string, unknown>;
      const names = Object.keys(env);
      expect(names.length).toBeGreaterThan(0);
      expect(
        names.filter((n) => !ENV_VARS.includes(n)),
        `${stage}/${name}: variables the server does not read`,
      ).toEqual([]);
      expect(
        names.filter((n) => n === "PORT" || n.startsWith("FC_")),
        `${stage}/${name}`,
      ).toEqual([]);
      expect(
        Object.entries(env).filter(([, v]) => typeof v !== "string"),
        `${stage}/${name}: FC takes strings only`,
      ).toEqual([]);
      // loadConfig throws on anything the server would refuse at start.
      const config = loadConfig({ ...(env as Record<string, string>), ...FC_SYSTEM });
      expect(config.databaseUrl).toMatch(/^mysql:\/\//);
      // One trusted hop: Function Compute's front (docs/function-compute.md).
      expect(config.trustProxy).toBe(1);
      // The public origin is the custom domain, over HTTPS (Secure cookies, the dashboard's CSRF check).
      expect(config.publicUrl).toBe(`https://${props.customDomain.domainName}`);
    }),
  );

  it(
    "gives an answer stream the time it needs, and streams share an instance",
    each((stage, name, props) => {
      const config = loadConfig(onFc(props));
      // fc3's default of 3 s would cut every answer. An answer may wait up to the model's
      // timeout for its first token and again between tokens: room for many such waits.
      expect(props.timeout * 1000, `${stage}/${name}`).toBeGreaterThanOrEqual(10 * config.dashscope.timeoutMs);
      expect(props.timeout).toBeLessThanOrEqual(86_400);
      expect(props.instanceConcurrency).toBeGreaterThan(1);
      expect(props.instanceConcurrency).toBeLessThanOrEqual(200);
      expect(props.memorySize % 64).toBe(0);
      // FC3: memory in GB between 1 and 4 times the vCPUs.
      expect(props.memorySize / 1024).toBeGreaterThanOrEqual(props.cpu);
      expect(props.memorySize / 1024).toBeLessThanOrEqual(props.cpu * 4);
    }),
  );

  it(
    "has one anonymous HTTP trigger with every method the routes use, OPTIONS for CORS preflights included",
    each((stage, name, props) => {
      const http = (props.triggers as Props[]).filter((t) => t.triggerType === "http");
      expect(http, `${stage}/${name}`).toHaveLength(1);
      const [trigger] = http;
      expect(trigger.triggerConfig.authType).toBe("anonymous");
      const methods = new Set(trigger.triggerConfig.methods as string[]);
      const needed = new Set([...h.app.router.routes.map((r) => r.method), "OPTIONS", "HEAD"]);
      expect(
        [...needed].filter((m) => !methods.has(m)),
        `${stage}/${name}: methods missing from the trigger`,
      ).toEqual([]);
    }),
  );

  it(
    "turns on the PreStop hook, which FC calls as GET /pre-stop: the route exists, and answers before the hook's timeout",
    each(async (stage, name, props) => {
      const hook = props.instanceLifecycleConfig?.preStop;
      expect(hook?.handler, `${stage}/${name}: an empty handler leaves the hook off`).toBeTruthy();
      expect(hook.timeout).toBeLessThanOrEqual(90);
      expect(hook.timeout * 1000).toBeGreaterThan(PRE_STOP_WAIT_MS);
      expect(h.app.router.routes.some((r) => r.method === "GET" && r.path === "/pre-stop")).toBe(true);
      const res = await h.request("/pre-stop");
      expect(res.status).toBe(200);
    }),
  );

  it(
    "has a timer trigger that FC delivers as POST /invoke, carrying the server's INVOKE_SECRET, and lets each call drive jobs well within the timeout",
    each(async (stage, name, props) => {
      const timers = (props.triggers as Props[]).filter((t) => t.triggerType === "timer");
      expect(timers, `${stage}/${name}`).toHaveLength(1);
      const [timer] = timers;
      const { cronExpression, payload, enable } = timer.triggerConfig;
      expect(enable).toBe(true);
      // FC's timers: `@every Nm` / `@every Ns`, or six cron fields with seconds first (platform-next.md §2b).
      const every = /^@every (\d+)([ms])$/.exec(cronExpression);
      const fields = String(cronExpression)
        .replace(/^CRON_TZ=\S+ /, "")
        .split(" ");
      expect(every !== null || fields.length === 6, `${stage}/${name}: ${cronExpression}`).toBe(true);
      if (every) {
        const periodMs = Number(every[1]) * (every[2] === "m" ? 60_000 : 1_000);
        // One call's driving ends before the next call comes, mostly.
        expect(periodMs).toBeGreaterThanOrEqual(INVOKE_DRIVE_MS);
      }
      expect(props.timeout * 1000).toBeGreaterThanOrEqual(2 * INVOKE_DRIVE_MS);
      // The payload is the secret the server is configured with, both from the deployer's INVOKE_SECRET.
      const config = loadConfig(onFc(props));
      expect(config.invokeSecret).toBe(DEPLOYER_VALUES.INVOKE_SECRET);
      expect(payload).toBe(config.invokeSecret);
      // What the function receives from this trigger: FC's timer event, as octet-stream.
      const res = await h.request("/invoke", {
        method: "POST",
        headers: { "content-type": "application/octet-stream" },
        body: JSON.stringify({ triggerTime: "2026-12-02T04:00:00Z", triggerName: timer.triggerName, payload }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ steps: 0, due: 0 });
    }),
  );

  it(
    "keeps files in a private bucket the function's role reaches over the internal endpoint, browsers through the media domain, media expiring on schedule",
    each((stage, name, props) => {
      expect(props.role, `${stage}/${name}: FC gives the server this role's credentials`).toMatch(/^acs:ram::\d+:role\//);
      const config = loadConfig(onFc(props));
      expect(config.files).toMatchObject({ kind: "oss", bucket: DEPLOYER_VALUES.BC_BUCKET, region: `oss-${props.region}` });
      if (config.files.kind !== "oss") return;
      // The server talks to OSS inside the region, for free and off the internet.
      expect(config.files.endpoint).toBe(`oss-${props.region}-internal.aliyuncs.com`);
      // One prefix per stage: the lifecycle rule of one never expires the other's files.
      expect(config.files.prefix).toBe(`bailian-chat-${stage}`);
      expect(mediaPrefix(config.files.prefix)).toBe(`bailian-chat-${stage}/media/`);
      expect(config.media).toEqual({ retentionDays: 30, publicBaseUrl: `https://${DEPLOYER_VALUES.BC_MEDIA_DOMAIN}` });
    }),
  );

  it(
    "reaches RDS through a VPC and serves a custom domain over HTTPS (the test domain makes browsers download pages)",
    each((stage, name, props) => {
      const vpc = props.vpcConfig;
      expect(vpc.vpcId, `${stage}/${name}`).toBeTruthy();
      expect(vpc.securityGroupId).toBeTruthy();
      expect(Array.isArray(vpc.vSwitchIds) && vpc.vSwitchIds.length > 0 && vpc.vSwitchIds.every(Boolean)).toBe(true);
      expect(props.internetAccess).toBe(true); // DashScope
      const domain = props.customDomain;
      expect(domain.domainName).not.toBe("auto");
      expect(String(domain.protocol).split(",")).toContain("HTTPS");
      expect(domain.certConfig.certificate).toBeTruthy();
      expect(domain.certConfig.privateKey).toBeTruthy();
      expect(domain.route.path).toBe("/*");
    }),
  );
});
