// Steps as another Unix user (`run_as`). CI runs as root: the test makes its
// own users with useradd (and removes them), runs steps as them through the
// real server, and starts a second server as `nobody` to see the rule a
// non-root server follows (run the real thing: the rule depends on the
// process's own uid, which only a server started as someone else has).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, chownSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { runEnded, startApi, type Api } from "./helpers/api.ts";
import { waitForFile } from "./helpers/files.ts";
import { startServer } from "./helpers/server.ts";
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

const PF_EXITING = 0x4;

/**
 * pids of the processes whose real uid is `uid` that can still run: not a
 * zombie, and not in the middle of exiting (PF_EXITING: killed, its memory
 * being released, about to become a zombie for its parent to reap).
 */
function processesOf(uid: number): number[] {
  return readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const status = readFileSync(`/proc/${p}/status`, "latin1");
        const stat = readFileSync(`/proc/${p}/stat`, "latin1");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        const dead = fields[0] === "Z" || fields[0] === "X" || (Number(fields[6]) & PF_EXITING) !== 0;
        return Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]) === uid && !dead;
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
    const print = 'id -u; id -G; echo "$HOME $USER $LOGNAME $SHELL"; grep -E "^(Uid|CapPrm|CapEff):" /proc/self/status';
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
    const [uid, groups, env, ...status] = (await logOf(api, run.id, 1)).trimEnd().split("\n");
    expect(uid).toBe(sh("id", "-u", USER));
    // the supplementary group too, not only the primary one (Bun's own uid/gid option drops it)
    expect(groups!.split(" ").sort()).toEqual(sh("id", "-G", USER).split(" ").sort());
    expect(groups!.split(" ")).toContain(sh("getent", "group", GROUP).split(":")[2]!);
    expect(env).toBe(`/home/${USER} ${USER} ${USER} /bin/bash`);
    // real, effective, saved and filesystem uid all the user's; no capability left over from root
    expect(status.map((l) => l.replace(/\s+/g, " "))).toEqual([`Uid: ${uid} ${uid} ${uid} ${uid}`, "CapPrm: 0000000000000000", "CapEff: 0000000000000000"]);
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

  test("a cancel ends the user's tree too", async () => {
    const uid = Number(sh("id", "-u", USER));
    const marks = tempDir();
    chmodSync(marks, 0o1777);
    await api.json("POST", "/api/tasks", {
      name: "as-user-cancel",
      run_as: USER,
      steps: [{ name: "hang", command: "sh", args: ["-c", `sleep 1000 & setsid sleep 1001 & touch ${marks}/started; sleep 1002`] }],
    });
    const run = (await api.json("POST", "/api/tasks/as-user-cancel/runs")).body;
    await waitForFile(join(marks, "started"));
    expect((await api.json("POST", `/api/runs/${run.id}/cancel`)).status).toBe(202);
    const ended = await runEnded(api, run.id);
    expect([ended.status, ended.steps[0].status]).toEqual(["cancelled", "cancelled"]);
    expect(processesOf(uid)).toEqual([]);
  });

  test("after kill -9 of the server, the user's leftover processes are killed at the next start and the always step runs as the user", async () => {
    const uid = Number(sh("id", "-u", USER));
    const marks = tempDir();
    chmodSync(marks, 0o1777); // the user writes its marks here (the data directory is 0700, the server's)
    const dir = tempDir();
    const first = await startApi({ dir });
    await first.json("POST", "/api/tasks", {
      name: "as-user-crash",
      run_as: USER,
      steps: [
        { name: "work", command: "sh", args: ["-c", `touch ${marks}/started; sleep 300 & setsid sleep 301 & sleep 302`] },
        { name: "restore", command: "sh", args: ["-c", `touch ${marks}/restored`], run_rule: "always" },
      ],
    });
    const run = (await first.json("POST", "/api/tasks/as-user-crash/runs")).body;
    await waitForFile(join(marks, "started"));
    await first.server.kill9();
    expect(processesOf(uid).length).toBeGreaterThan(0); // the step outlived the server

    const second = await startServer({ dir });
    try {
      await second.waitForLine(new RegExp(`run ${run.id} of as-user-crash recovered`));
      await waitForFile(join(marks, "restored"));
      expect(await second.stop()).toBe(0);
    } finally {
      second.cleanup();
    }
    expect(statSync(join(marks, "restored")).uid).toBe(uid);
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
