// Steps as another Unix user (`run_as`). CI runs as root: the test makes its
// own users with useradd (and removes them), runs steps as them through the
// real server, and starts a second server as `nobody` to see the rule a
// non-root server follows (run the real thing: the rule depends on the
// process's own uid, which only a server started as someone else has).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chownSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { runEnded, startApi, type Api } from "./helpers/api.ts";
import { tempDir } from "./helpers/tmp.ts";

const suffix = Math.random().toString(36).slice(2, 8);
const USER = `lf-ra-${suffix}`;
const GONE = `lf-rg-${suffix}`;
const GROUP = `lf-rx-${suffix}`;
const isRoot = process.getuid!() === 0;

const sh = (...argv: string[]) => {
  const r = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString().trim();
};

/** pids of the live processes whose real uid is `uid` (a zombie is dead: only its parent has yet to reap it) */
function processesOf(uid: number): number[] {
  return readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const status = readFileSync(`/proc/${p}/status`, "latin1");
        return Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]) === uid && !/^State:\s+Z/m.test(status);
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function logOf(api: Api, run: number, pos: number): Promise<string> {
  return (await api.call("GET", `/api/runs/${run}/steps/${pos}/log`)).text();
}

describe.skipIf(!isRoot)("run_as on a server running as root", () => {
  let api: Api;
  beforeAll(async () => {
    sh("groupadd", GROUP);
    sh("useradd", "--create-home", "--shell", "/bin/bash", "--groups", GROUP, USER);
    sh("useradd", "--no-create-home", GONE);
    api = await startApi();
  });
  afterAll(async () => {
    await api?.close();
    for (const u of [USER, GONE]) Bun.spawnSync(["userdel", "--remove", u], { stderr: "ignore" });
    Bun.spawnSync(["groupdel", GROUP], { stderr: "ignore" });
  });

  test("the step gets the user's uid, every group, HOME, USER, LOGNAME and SHELL; a step may say otherwise; the log stays the server's", async () => {
    const print = 'id -u; id -G; echo "$HOME $USER $LOGNAME $SHELL"';
    const created = await api.json("POST", "/api/tasks", {
      name: "as-user",
      run_as: USER,
      steps: [
        { name: "as_task_user", command: "sh", args: ["-c", print] },
        { name: "as_root", command: "sh", args: ["-c", "id -u"], run_as: "root" },
      ],
    });
    expect(created.status).toBe(201);
    expect(created.body.run_as).toBe(USER);
    expect(created.body.steps.map((s: { run_as: string | null }) => s.run_as)).toEqual([null, "root"]);
    const run = (await api.json("POST", "/api/tasks/as-user/runs")).body;
    expect((await runEnded(api, run.id)).status).toBe("success");
    const [uid, groups, env] = (await logOf(api, run.id, 1)).trimEnd().split("\n");
    expect(uid).toBe(sh("id", "-u", USER));
    // the supplementary group too, not only the primary one (Bun's own uid/gid option drops it)
    expect(groups!.split(" ").sort()).toEqual(sh("id", "-G", USER).split(" ").sort());
    expect(groups!.split(" ")).toContain(sh("getent", "group", GROUP).split(":")[2]!);
    expect(env).toBe(`/home/${USER} ${USER} ${USER} /bin/bash`);
    expect((await logOf(api, run.id, 2)).trim()).toBe("0");
    const logDir = join(api.server.dir, "logs", "as-user", String(run.id));
    for (const f of readdirSync(logDir)) expect(statSync(join(logDir, f)).uid).toBe(0);
  });

  test("a tree started as the user dies on timeout, a process that left with setsid too", async () => {
    const uid = Number(sh("id", "-u", USER));
    await api.json("POST", "/api/tasks", {
      name: "as-user-timeout",
      run_as: USER,
      steps: [{ name: "hang", command: "sh", args: ["-c", "sleep 1000 & setsid sleep 1001 & id -u; sleep 1002"], timeout_s: 1 }],
    });
    const run = (await api.json("POST", "/api/tasks/as-user-timeout/runs")).body;
    const ended = await runEnded(api, run.id);
    expect(ended.steps[0].status).toBe("timed_out");
    expect((await logOf(api, run.id, 1)).split("\n")[0]).toBe(String(uid));
    expect(processesOf(uid)).toEqual([]);
  });

  test("an unknown user is refused at save with 422 naming the field", async () => {
    const task = await api.json("POST", "/api/tasks", { name: "nobody-here", run_as: "lf-no-such-user", steps: [{ name: "a", command: "true" }] });
    expect(task.status).toBe(422);
    expect(task.body).toEqual({ error: 'run_as: no user named "lf-no-such-user" on this system', field: "run_as" });
    const step = await api.json("POST", "/api/tasks", { name: "nobody-here", steps: [{ name: "a", command: "true" }, { name: "b", command: "true", run_as: "lf-no-such-user" }] });
    expect(step.status).toBe(422);
    expect(step.body.field).toBe("steps.1.run_as");
    expect((await api.json("GET", "/api/tasks/nobody-here")).status).toBe(404);
  });

  test("a user removed after the task was saved fails the step with the reason", async () => {
    expect((await api.json("POST", "/api/tasks", { name: "as-gone", run_as: GONE, steps: [{ name: "a", command: "true" }] })).status).toBe(201);
    sh("userdel", GONE);
    const run = (await api.json("POST", "/api/tasks/as-gone/runs")).body;
    const ended = await runEnded(api, run.id);
    expect(ended.status).toBe("failed");
    expect(ended.steps[0].error).toBe(`cannot start: run_as: no user named "${GONE}" on this system`);
  });
});

describe.skipIf(!isRoot)("run_as on a server that does not run as root", () => {
  let api: Api;
  beforeAll(async () => {
    const dir = tempDir();
    chownSync(dir, 65534, 65534);
    const main = join(import.meta.dir, "..", "server", "main.ts");
    const command = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", "bun", main, "serve"];
    api = await startApi({ dir, command, env: { HOME: dir } });
  });
  afterAll(async () => {
    await api?.close();
  });

  test("refuses another user at save with 422 and the reason, and takes its own", async () => {
    const other = await api.json("POST", "/api/tasks", { name: "as-root", run_as: "root", steps: [{ name: "a", command: "true" }] });
    expect(other.status).toBe(422);
    expect(other.body).toEqual({
      error: 'run_as: the server runs as "nobody", not root, so its steps can only run as that user, not as "root"',
      field: "run_as",
    });
    const own = await api.json("POST", "/api/tasks", { name: "as-self", run_as: "nobody", steps: [{ name: "a", command: "sh", args: ["-c", "id -u"] }] });
    expect(own.status).toBe(201);
    const run = (await api.json("POST", "/api/tasks/as-self/runs")).body;
    expect((await runEnded(api, run.id)).status).toBe("success");
    expect((await logOf(api, run.id, 1)).trim()).toBe("65534");
  });
});
