// A step's environment is the one the server was started with, not the package
// runner's: `bun start` (bun run, npm run) puts the repository's
// node_modules/.bin first on PATH and sets npm_* variables for its script.
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { loadConfig } from "../server/config.ts";
import { runEnded, startApi, type Api } from "./helpers/api.ts";

const RUNNER = {
  npm_lifecycle_event: "start",
  npm_config_local_prefix: "/srv/lightflow",
  npm_config_user_agent: "bun/1.4.5 npm/? node/v24.3.0 linux x64",
  npm_package_name: "lightflow",
  npm_package_json: "/srv/lightflow/package.json",
  npm_execpath: "/usr/bin/bun",
  NODE: "/tmp/bun-node-0-a7733435c/node",
  INIT_CWD: "/srv/lightflow",
};

const base = (env: Record<string, string>) => loadConfig({ LIGHTFLOW_TIMEZONE: "UTC", HOME: "/home/me", ...env }).stepEnvBase;

describe("the step environment when a package runner started the server", () => {
  test("PATH loses what bun run put in front of the shell's", () => {
    const env = base({
      ...RUNNER,
      PATH: "/tmp/bun-node-0-a7733435c:/srv/lightflow/node_modules/.bin:/srv/lightflow/node_modules/.bin:/srv/node_modules/.bin:/node_modules/.bin:/home/me/bin:/usr/bin:/bin",
    });
    expect(env.PATH).toBe("/home/me/bin:/usr/bin:/bin");
  });

  test("PATH loses what npm run and bun run from a subfolder put in front", () => {
    const npm = "/srv/lightflow/node_modules/.bin:/srv/node_modules/.bin:/node_modules/.bin:/usr/lib/node_modules/npm/node_modules/@npmcli/run-script/lib/node-gyp-bin:/usr/bin:/bin";
    expect(base({ ...RUNNER, PATH: npm }).PATH).toBe("/usr/bin:/bin");
    const sub = "/srv/lightflow:/srv/lightflow/server/node_modules/.bin:/srv/lightflow/server/node_modules/.bin:/srv/lightflow/node_modules/.bin:/usr/bin:/bin";
    expect(base({ ...RUNNER, PATH: sub }).PATH).toBe("/usr/bin:/bin");
  });

  test("the runner's variables are dropped; the user's own stay", () => {
    const env = base({ ...RUNNER, PATH: "/usr/bin", LANG: "C.UTF-8" });
    expect(Object.keys(env).sort()).toEqual(["HOME", "LANG", "PATH"]);
  });

  test("without a package runner nothing is taken away, not even a node_modules/.bin the user put first", () => {
    const env = base({ PATH: "/home/me/app/node_modules/.bin:/usr/bin", npm_config_registry: "https://registry.example", NODE: "/opt/node" });
    expect(env).toEqual({ HOME: "/home/me", PATH: "/home/me/app/node_modules/.bin:/usr/bin", npm_config_registry: "https://registry.example", NODE: "/opt/node" });
  });
});

describe("a step of a server started the way bun start does", () => {
  let api: Api | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  test("sees the shell's PATH and no npm_* variable", async () => {
    const repo = "/srv/lightflow-under-test";
    api = await startApi({ env: { ...RUNNER, npm_config_local_prefix: repo, PATH: `${repo}/node_modules/.bin:${process.env.PATH}` } });
    const script = 'printenv PATH; printenv | cut -d= -f1 | grep -E "^(npm_|NODE$|INIT_CWD$)" || true';
    await api.json("POST", "/api/tasks", { name: "env", steps: [{ name: "show", command: "bash", args: ["-c", script] }] });
    const run = (await api.json("POST", "/api/tasks/env/runs")).body;
    expect((await runEnded(api, run.id)).status).toBe("success");
    const log = await (await api.call("GET", `/api/runs/${run.id}/steps/1/log`)).text();
    const [path, ...runnerVars] = log.trimEnd().split("\n");
    const dirs = path!.split(":");
    expect(dirs[0]).toBe(join(api.server.dir, "python-libs", "bin"));
    expect(dirs.filter((d) => d.startsWith(repo))).toEqual([]);
    expect(runnerVars).toEqual([]);
  });
});
