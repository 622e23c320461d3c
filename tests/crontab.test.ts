// Crontab import through the real server: a user's crontab and a /etc/cron.d
// file, dry run first, then the import, the fire times checked against cron's
// own rules (written out again below, apart from server/engine/cron.ts), an
// imported line run for real, and a second import that changes nothing.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runEnded, startApi, type Api } from "./helpers/api.ts";
import { tempDir } from "./helpers/tmp.ts";

const ROOT = join(import.meta.dir, "..");

const USER_CRONTAB = `# m h  dom mon dow   command
SHELL=/bin/bash
MAILTO=ops@example.com,root
BACKUP_DIR = "/srv/backups "

# Nightly database dump
# (keeps 14 days)
30 2 * * * /usr/local/bin/pg-backup.sh --keep 14 >> /var/log/pg-backup.log 2>&1

*/15 9-17 * * mon-fri cd /srv/app && ./sync.sh
# the 1st, the 15th and every Friday (cron's day-of-month OR day-of-week rule)
0 4 1,15 * 5 python3 /opt/reports/monthly.py
# every other day, only when it is a Monday (a day field starting with * makes it AND)
0 6 */2 * 1 /usr/local/bin/odd-mondays
@daily find /tmp/cache -mtime +7 -delete
@reboot /usr/local/bin/start-tunnel
0 8 * * sun mail -s "Weekly report" ops@example.com%Hello,%%the report is attached.%
5 0 1 jan-dec/3 * date +\\%F > /tmp/quarter
MAILTO=""
0 0 1 1 * echo "dir=$BACKUP_DIR shell=$0"; cat%first line%second \\% line
0 */6 * jan,jul * /usr/local/bin/pg-backup.sh --keep 14 >> /var/log/pg-backup.log 2>&1
this is not a cron line
`;

const CRON_D = `# /etc/cron.d/certbot: crontab entries for the certbot package
SHELL=/bin/sh
PATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin

0 */12 * * * root test -x /usr/bin/certbot && perl -e 'sleep int(rand(43200))' && certbot -q renew
@weekly nobody ls /home
17 *\t* * *\tlf-no-such-user    cd / && run-parts --report /etc/cron.hourly
`;

// ---- cron's matching rules, independently (crontab(5), Vixie cron's entry.c / cron.c) ----

const NICK: Record<string, string> = { "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *" };
const NAMES = [["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]];

function field(text: string, lo: number, hi: number, names?: string[]): Set<number> {
  const num = (s: string) => (names?.includes(s.toLowerCase()) ? names.indexOf(s.toLowerCase()) + lo : Number(s));
  const out = new Set<number>();
  for (const item of text.split(",")) {
    const [range, step] = item.split("/");
    const [a, b] = range === "*" ? [lo, hi] : range!.includes("-") ? range!.split("-").map(num) : [num(range!), step ? hi : num(range!)];
    for (let v = a!; v <= b!; v += Number(step ?? 1)) out.add(v);
  }
  return out;
}

/** The minutes (UTC) at which cron runs `expr`, strictly after `after`: the first `count`. */
function cronTimes(expr: string, after: number, count: number): string[] {
  const [mi, h, dom, mon, dow] = (NICK[expr] ?? expr).split(/\s+/);
  const M = field(mi!, 0, 59), H = field(h!, 0, 23), D = field(dom!, 1, 31), Mo = field(mon!, 1, 12, NAMES[0]);
  const W = new Set([...field(dow!, 0, 7, NAMES[1])].map((d) => d % 7));
  const dayAnd = dom!.startsWith("*") || dow!.startsWith("*"); // Vixie: DOM_STAR or DOW_STAR → both must match
  const out: string[] = [];
  for (let t = Math.floor(after / 60_000) * 60_000 + 60_000; out.length < count; t += 60_000) {
    const d = new Date(t);
    const dayOk = dayAnd ? D.has(d.getUTCDate()) && W.has(d.getUTCDay()) : D.has(d.getUTCDate()) || W.has(d.getUTCDay());
    if (M.has(d.getUTCMinutes()) && H.has(d.getUTCHours()) && Mo.has(d.getUTCMonth() + 1) && dayOk) out.push(d.toISOString());
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
});

const importCrontab = (text: string, query: string) =>
  api.json("POST", `/api/import/crontab${query}`, text, { "content-type": "text/plain" });

type Line = { line: number; action: string; name: string | null; reason: string | null; task: any };

describe("a user crontab", () => {
  let planned: Line[];

  test("the dry run lists every line's task, or why it is left out, and writes nothing", async () => {
    const { status, body } = await importCrontab(USER_CRONTAB, "?dry_run=1");
    expect(status).toBe(200);
    expect(body.dry_run).toBe(true);
    planned = body.lines;
    expect(planned.map((l) => [l.line, l.action, l.name])).toEqual([
      [8, "create", "pg-backup"],
      [10, "create", "sync"],
      [12, "create", "monthly"],
      [14, "create", "odd-mondays"],
      [15, "create", "find"],
      [16, "skipped", null],
      [17, "create", "mail"],
      [18, "create", "date"],
      [20, "create", "echo"],
      [21, "create", "pg-backup-2"],
      [22, "skipped", null],
    ]);
    expect(planned.find((l) => l.line === 16)!.reason).toContain("@reboot");
    expect(planned.find((l) => l.line === 22)!.reason).toContain("not a schedule line");
    expect((await api.json("GET", "/api/tasks")).body).toEqual([]);
  });

  test("each task: the cron as written, the command under SHELL with the environment, MAILTO, comments, % as input", () => {
    const pg = planned.find((l) => l.line === 8)!.task;
    expect(pg.cron).toBe("30 2 * * *");
    expect(pg.steps).toEqual([
      {
        name: "run",
        command: "/usr/bin/env",
        args: ["BACKUP_DIR=/srv/backups ", "/bin/bash", "-c", "/usr/local/bin/pg-backup.sh --keep 14 >> /var/log/pg-backup.log 2>&1"],
        run_rule: "on_success",
        timeout_s: 604800,
        retries: 0,
        retry_delay_s: 10,
      },
    ]);
    expect(pg.alert_emails).toEqual(["ops@example.com"]);
    expect(pg.description).toBe("Nightly database dump\n(keeps 14 days)\nImported from crontab line 8: 30 2 * * * /usr/local/bin/pg-backup.sh --keep 14 >> /var/log/pg-backup.log 2>&1");
    expect(planned.find((l) => l.line === 8)!.reason).toContain("MAILTO root: not an e-mail address");
    const mail = planned.find((l) => l.line === 17)!.task;
    expect(mail.steps[0].args.slice(-3)).toEqual(["/bin/bash", "Hello,\n\nthe report is attached.\n", 'mail -s "Weekly report" ops@example.com']);
    expect(planned.find((l) => l.line === 18)!.task.steps[0].args.at(-1)).toBe("date +%F > /tmp/quarter");
    expect(planned.find((l) => l.line === 21)!.task.alert_emails).toEqual([]); // MAILTO="" above it
  });

  test("the import makes those tasks, whose fire times are cron's", async () => {
    const { body } = await importCrontab(USER_CRONTAB, "");
    expect(body.dry_run).toBe(false);
    expect(body.lines.map((l: Line) => [l.line, l.action, l.name])).toEqual(planned.map((l) => [l.line, l.action, l.name]));
    const tasks = (await api.json("GET", "/api/tasks")).body as any[];
    expect(tasks.map((t) => t.name).sort()).toEqual(["date", "echo", "find", "mail", "monthly", "odd-mondays", "pg-backup", "pg-backup-2", "sync"]);
    for (const t of tasks) {
      const planLine = planned.find((l) => l.name === t.name)!;
      expect(t.cron).toBe(planLine.task.cron);
      expect(t.steps[0].args).toEqual(planLine.task.steps[0].args);
      const from = t.created_at;
      expect({ task: t.name, next: t.next_fire_at }).toEqual({ task: t.name, next: cronTimes(t.cron, Date.parse(from), 1)[0]! });
      const preview = await api.json("GET", `/api/cron/preview?expr=${encodeURIComponent(t.cron)}&count=6&from=${from}`);
      expect({ task: t.name, next: preview.body.next }).toEqual({ task: t.name, next: cronTimes(t.cron, Date.parse(from), 6) });
    }
  });

  test("an imported line runs as cron would run it: its SHELL, its environment, the text after % on its input", async () => {
    const run = (await api.json("POST", "/api/tasks/echo/runs")).body;
    expect((await runEnded(api, run.id)).status).toBe("success");
    const log = await (await api.call("GET", `/api/runs/${run.id}/steps/1/log`)).text();
    expect(log).toBe("dir=/srv/backups  shell=/bin/bash\nfirst line\nsecond % line");
  });

  test("a second import changes nothing", async () => {
    const before = (await api.json("GET", "/api/tasks")).body;
    const { body } = await importCrontab(USER_CRONTAB, "");
    expect(body.lines.filter((l: Line) => l.action === "create")).toEqual([]);
    expect(body.lines.filter((l: Line) => l.action === "unchanged").map((l: Line) => l.name).sort()).toEqual(before.map((t: any) => t.name).sort());
    expect((await api.json("GET", "/api/tasks")).body).toEqual(before);
  });
});

describe("a /etc/cron.d file", () => {
  test("its user column becomes run_as; an unknown user is left out with the reason; --prefix names them", async () => {
    const dry = await importCrontab(CRON_D, "?system=1&dry_run=1&prefix=sys&source=/etc/cron.d/certbot");
    expect(dry.body.lines.map((l: Line) => [l.line, l.action, l.name, l.task?.run_as ?? null])).toEqual([
      [5, "create", "sys-certbot", "root"],
      [6, "create", "sys-ls", "nobody"],
      [7, "skipped", null, null],
    ]);
    expect(dry.body.lines[2].reason).toBe('run_as: no user named "lf-no-such-user" on this system');
    expect(dry.body.lines[0].task.steps[0].args[0]).toBe("PATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin");
    expect(dry.body.lines[1].task.description).toBe("Imported from /etc/cron.d/certbot line 6: @weekly nobody ls /home");
    expect((await api.json("GET", "/api/tasks/sys-ls")).status).toBe(404);
    await importCrontab(CRON_D, "?system=1&prefix=sys&source=/etc/cron.d/certbot");
    const ls = (await api.json("GET", "/api/tasks/sys-ls")).body;
    expect(ls.run_as).toBe("nobody");
    expect(ls.next_fire_at).toBe(cronTimes("@weekly", Date.parse(ls.created_at), 1)[0]!);
    const again = await importCrontab(CRON_D, "?system=1&prefix=sys");
    expect(again.body.lines.map((l: Line) => l.action)).toEqual(["unchanged", "unchanged", "skipped"]);
  });

  test("a crontab that is not text, or a viewer, is refused", async () => {
    const bad = await fetch(`${api.url}/api/import/crontab?dry_run=1`, {
      method: "POST",
      body: new Uint8Array([0x40, 0x64, 0x61, 0x69, 0x6c, 0x79, 0x20, 0xff, 0xfe]),
      headers: { authorization: `Bearer ${api.token}`, "content-type": "text/plain" },
    });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toEqual({ error: "body: the crontab is not UTF-8 text", field: "body" });
    const viewer = await api.user("viewer@example.com", "viewer");
    const res = await fetch(`${api.url}/api/import/crontab?dry_run=1`, { method: "POST", body: "@daily true", headers: { authorization: `Bearer ${viewer.token}`, "content-type": "text/plain" } });
    expect(res.status).toBe(403);
  });
});

describe("lightflow import-crontab", () => {
  const CRONTAB = "MAILTO=me@example.com\n# prune old files\n0 1 * * * /usr/local/bin/prune --days 30\n@reboot /usr/local/bin/tunnel\n";
  const run = async (args: string[], stdin?: string) => {
    const proc = Bun.spawn(["bun", join(ROOT, "server", "main.ts"), "import-crontab", ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? "/root", LIGHTFLOW_URL: api.url, LIGHTFLOW_TOKEN: api.token },
      stdin: stdin === undefined ? "ignore" : new TextEncoder().encode(stdin),
      stdout: "pipe",
      stderr: "pipe",
    });
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    return { out, err, code };
  };

  test("a dry run from a file, the import from standard input, then nothing left to do", async () => {
    const file = join(tempDir(), "crontab");
    writeFileSync(file, CRONTAB);
    const dry = await run([file, "--dry-run", "--prefix", "cli"]);
    expect(dry).toEqual({
      code: 0,
      err: "",
      out:
        `create     cli-prune  ${file}:3  0 1 * * *\n` +
        `skipped    ${file}:4  @reboot runs once when the machine starts; Lightflow has no start-up trigger (use a systemd unit, or a manual task)\n` +
        "dry run: 1 tasks would be created, 0 exist already, 1 lines not imported; nothing was changed\n",
    });
    expect((await api.json("GET", "/api/tasks/cli-prune")).status).toBe(404);
    const applied = await run(["-", "--prefix", "cli"], CRONTAB);
    expect(applied.code).toBe(0);
    expect(applied.out).toEndWith("1 tasks created, 0 existed already, 1 lines not imported\n");
    const task = (await api.json("GET", "/api/tasks/cli-prune")).body;
    expect(task).toMatchObject({ cron: "0 1 * * *", alert_emails: ["me@example.com"], description: "prune old files\nImported from crontab line 3: 0 1 * * * /usr/local/bin/prune --days 30" });
    const again = await run(["-", "--json"], CRONTAB);
    expect(again.code).toBe(0);
    const json = JSON.parse(again.out);
    expect(json.files[0].lines.map((l: Line) => [l.action, l.name])).toEqual([["unchanged", "cli-prune"], ["skipped", null]]);
  });

  test("--system reads the user column; no crontab named is a usage error", async () => {
    const file = join(tempDir(), "cron.d-job");
    writeFileSync(file, "*/30 * * * 1-5 nobody /usr/bin/uptime\n");
    const r = await run(["--system", file]);
    expect(r.out).toContain(`create     uptime  ${file}:1  */30 * * * 1-5 as nobody\n`);
    expect((await api.json("GET", "/api/tasks/uptime")).body.run_as).toBe("nobody");
    const usage = await run([]);
    expect(usage.code).toBe(2);
    expect(usage.err).toStartWith("lightflow: which crontab? give a FILE, or - for standard input");
  });
});
