import { describe, expect, test } from "bun:test";
import { parseCrontab, splitPercent } from "./crontab.ts";
import { nameFromCommand, planCrontab } from "./crontab-plan.ts";

describe("reading a crontab as cron does", () => {
  test("% ends the command, the rest is its input with % as newlines, \\% is a literal %", () => {
    expect(splitPercent("date +\\%F > /tmp/x")).toEqual({ command: "date +%F > /tmp/x", stdin: null });
    expect(splitPercent('mail -s "hi" a@b%Hello,%%bye\\%%')).toEqual({ command: 'mail -s "hi" a@b', stdin: "Hello,\n\nbye%\n" });
    expect(splitPercent("cat%a\\b")).toEqual({ command: "cat", stdin: "a\\b" });
  });

  test("environment lines apply to the lines after them only; quotes keep blanks; comments right above describe", () => {
    const { entries, invalid } = parseCrontab(
      ['A = "x y "', "0 1 * * * one", "", "# about two", "#   more", "B=2", "# about three", "@daily three", "bogus line"].join("\n"),
      false,
    );
    expect(entries.map((e) => [e.line, e.cron, e.command, e.env, e.comments])).toEqual([
      [2, "0 1 * * *", "one", [["A", "x y "]], []],
      [8, "@daily", "three", [["A", "x y "], ["B", "2"]], ["about three"]],
    ]);
    expect(invalid.map((i) => i.line)).toEqual([9]);
  });

  test("a system crontab has a user column after the time fields", () => {
    const { entries } = parseCrontab("17 *\t* * *\troot    cd / && run-parts --report /etc/cron.hourly\n@weekly nobody ls  /home", true);
    expect(entries.map((e) => [e.cron, e.user, e.command])).toEqual([
      ["17 * * * *", "root", "cd / && run-parts --report /etc/cron.hourly"],
      ["@weekly", "nobody", "ls  /home"],
    ]);
  });
});

describe("task names from commands", () => {
  test.each([
    ["/usr/local/bin/pg-backup.sh --keep 14 >> /var/log/pg.log 2>&1", "pg-backup"],
    ["cd /srv/app && ./sync.sh", "sync"],
    ["python3 /opt/reports/monthly.py", "monthly"],
    ["test -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.daily )", "cron.daily"],
    ["test -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.weekly; }", "cron.weekly"],
    ["[ -x /usr/lib/php/sessionclean ] && if [ ! -d /run/systemd/system ]; then /usr/lib/php/sessionclean; fi", "sessionclean"],
    ["test -x /usr/bin/certbot && perl -e 'sleep int(rand(43200))' && certbot -q renew", "certbot"],
    ["nice -n 19 ionice -c3 flock -n /tmp/lock /usr/bin/rsync -a /a /b", "rsync"],
    ["FOO=1 /usr/bin/env", "cron"],
  ])("%s → %s", (command, name) => {
    expect(nameFromCommand(command)).toBe(name);
  });
});

describe("the plan", () => {
  const opts = { system: false, prefix: null, runAs: null, source: "crontab", timezone: "UTC" };

  test("SHELL runs the command, the other variables go through env, MAILTO becomes alert addresses", () => {
    const plan = planCrontab("SHELL=/bin/bash\nMAILTO=ops@example.com, root\nX=1\n0 3 * * * backup.sh\n", opts, []);
    const [line] = plan.lines;
    expect(line!.action).toBe("create");
    expect(line!.task!.steps[0]).toMatchObject({ command: "/usr/bin/env", args: ["X=1", "/bin/bash", "-c", "backup.sh"] });
    expect(line!.task!.alert_emails).toEqual(["ops@example.com"]);
    expect(line!.reason).toContain("MAILTO root: not an e-mail address");
  });

  test("@reboot, a schedule that never fires and another CRON_TZ are listed with the reason", () => {
    const plan = planCrontab("@reboot a\n0 0 31 2 * b\nCRON_TZ=Asia/Tokyo\n0 1 * * * c\n", opts, []);
    expect(plan.lines.map((l) => [l.line, l.action])).toEqual([[1, "skipped"], [2, "skipped"], [4, "skipped"]]);
    expect(plan.lines[0]!.reason).toContain("@reboot");
    expect(plan.lines[1]!.reason).toMatch(/^cron: /);
    expect(plan.lines[2]!.reason).toContain("CRON_TZ=Asia/Tokyo");
  });

  test("names are made unique, within the import and against existing tasks", () => {
    const plan = planCrontab("0 1 * * * sync.sh a\n0 2 * * * sync.sh b\n", { ...opts, prefix: "cron" }, []);
    expect(plan.lines.map((l) => l.name)).toEqual(["cron-sync", "cron-sync-2"]);
  });
});
