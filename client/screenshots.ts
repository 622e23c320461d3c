// Makes the README's screenshots (docs/screenshots/*.png) again:
//   bun client/screenshots.ts
// Starts a real server on a free loopback port with a temporary data
// directory, fills it with demo tasks and runs through the API, and shoots
// the main pages in Debian's Chromium at 1280×800 and 390×844 (the task
// page's runs with their chart, and Settings with an import's dry run, too).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { ADMIN_PASSWORD, runEnded, startApi, type Api } from "../tests/helpers/api.ts";
import { DESKTOP, ensureUi, launch, PHONE, signedIn, watchedPage } from "../tests/helpers/ui.ts";

const OUT = join(import.meta.dir, "..", "docs", "screenshots");
const VIEWPORTS = { desktop: DESKTOP, phone: PHONE };

/** A step that prints a few coloured lines like a real tool would. */
const sh = (script: string) => ({ command: "bash", args: ["-c", script] });

async function demo(api: Api) {
  const post = async (path: string, body: unknown) => {
    const r = await api.json("POST", path, body);
    if (r.status >= 300) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  await post("/api/pools", { name: "backup", slots: 1 });
  await post("/api/variables", { key: "BACKUP_TARGET", value: "sftp://nas.local/backups", secret: false });
  await post("/api/variables", { key: "RESTIC_PASSWORD", value: "correct horse battery staple", secret: true });

  // Outcomes follow the run id, so the history has a mix of green, grey and red.
  await post("/api/tasks", {
    name: "backup_vaultwarden",
    description: "Stops Vaultwarden, dumps its database, uploads it with restic and starts it again.",
    cron: "0 3 * * *",
    pool: "backup",
    start_deadline_s: 1800,
    alert_emails: ["ops@example.com"],
    steps: [
      { name: "stop", ...sh('echo "Stopping vaultwarden.service"; echo -e "\\e[32m●\\e[0m vaultwarden.service: stopped"') },
      {
        name: "dump",
        ...sh('echo "Dumping /var/lib/vaultwarden/db.sqlite3"; for t in ciphers users folders devices; do echo -e "  table \\e[1m$t\\e[0m ok"; done; echo "dump: 14.2 MiB"'),
      },
      {
        name: "upload",
        ...sh(
          'echo -e "\\e[36mrestic\\e[0m backup /var/backups/vaultwarden"; for i in $(seq 1 24); do echo -e "  \\e[32m✓\\e[0m uploaded pack $i/24 ($((i*4)) %)"; done; ' +
            'if [ $((LIGHTFLOW_RUN_ID % 4)) = 3 ]; then echo -e "\\e[31mFatal: unable to open repository at sftp://nas.local/backups: connection refused\\e[0m" >&2; echo "exit status 1"; exit 1; fi; ' +
            'echo -e "\\e[32msnapshot 4f2a9c1e saved\\e[0m"',
        ),
        timeout_s: 1800,
        // tried three times here; the editor's shot shows the 60 s set after the demo runs
        retries: 2,
        retry_delay_s: 0,
      },
      { name: "start", ...sh('echo "Starting vaultwarden.service"'), run_rule: "always" },
    ],
  });
  await post("/api/tasks", {
    name: "nightly_sync",
    description: "Mirrors the photo library to the NAS.",
    cron: "30 2 * * *",
    steps: [
      {
        name: "rsync",
        // every third run, the first try meets a busy NAS and the retry works: a "×2" in the grid
        ...sh(
          'if [ $((LIGHTFLOW_RUN_ID % 3)) = 1 ] && [ ! -e ".tried-$LIGHTFLOW_RUN_ID" ]; then touch ".tried-$LIGHTFLOW_RUN_ID"; echo "rsync: connection unexpectedly closed" >&2; exit 12; fi; ' +
            'echo "sending incremental file list"; sleep 0.$((LIGHTFLOW_RUN_ID % 7)); ' +
            'if [ $((LIGHTFLOW_RUN_ID % 9)) = 4 ]; then echo "rsync error: some files vanished before they could be transferred (code 24)" >&2; exit 24; fi; ' +
            'echo "sent 1,024 bytes  received 52 bytes"',
        ),
        retries: 1,
        retry_delay_s: 0,
      },
    ],
  });
  await post("/api/tasks", {
    name: "cert_renew",
    description: "Renews the TLS certificate when it is due; skips otherwise.",
    cron: "0 4 * * mon",
    steps: [
      { name: "check", ...sh('if [ $((LIGHTFLOW_RUN_ID % 3)) != 0 ]; then echo "certificate valid for 54 more days"; exit 75; fi; echo "due"') },
      { name: "reload", ...sh('echo "nginx reloaded"') },
    ],
  });
  await post("/api/tasks", {
    name: "db_vacuum",
    description: "Compacts the application database.",
    cron: "15 1 * * *",
    steps: [{ name: "vacuum", ...sh('if [ $((LIGHTFLOW_RUN_ID % 5)) = 0 ]; then sleep 5; fi; echo "VACUUM done"'), timeout_s: 1 }],
  });
  await post("/api/tasks", {
    name: "photo_import",
    description: "Imports new photos from the upload folder.",
    cron: "*/15 * * * *",
    steps: [
      { name: "scan", ...sh('echo "42 new files"') },
      { name: "import", ...sh('echo "importing…"; while [ ! -e stop-import ]; do sleep 0.1; done') },
      { name: "thumbs", ...sh('echo "thumbnails made"') },
    ],
  });

  const runs: [string, number][] = [
    ["backup_vaultwarden", 8],
    ["nightly_sync", 14],
    ["cert_renew", 6],
    ["db_vacuum", 6],
  ];
  // one at a time, so run ids (and so outcomes) are the same every time
  for (let round = 0; round < Math.max(...runs.map(([, n]) => n)); round++) {
    for (const [task, count] of runs) {
      if (round >= count) continue;
      const run = await post(`/api/tasks/${task}/runs`, undefined);
      await runEnded(api, run.id);
    }
  }
  // one run still going (until the server stops): its box pulses
  await post("/api/tasks/photo_import/runs", undefined);

  // a realistic wait between tries, now that the history is made
  const vw = (await api.json("GET", "/api/tasks/backup_vaultwarden")).body;
  const def = Object.fromEntries(Object.entries(vw).filter(([k]) => !["id", "next_fire_at", "created_at", "updated_at"].includes(k)));
  def.steps = vw.steps.map((st: { name: string }) => (st.name === "upload" ? { ...st, retry_delay_s: 60 } : st));
  const put = await api.json("PUT", "/api/tasks/backup_vaultwarden", def);
  if (put.status !== 200) throw new Error(`PUT backup_vaultwarden: ${put.status} ${JSON.stringify(put.body)}`);
}

/** An import a colleague might bring: one new task, one changed, a pool resized. */
async function importFile(api: Api): Promise<Buffer> {
  const file = await (await api.call("GET", "/api/export")).json();
  file.pools = file.pools.map((p: { slots: number }) => ({ ...p, slots: 2 }));
  file.tasks = file.tasks
    .filter((t: { name: string }) => t.name !== "photo_import")
    .map((t: { name: string; cron: string }) => (t.name === "db_vacuum" ? { ...t, cron: "45 1 * * *", description: "Compacts the database, after the backups." } : t));
  file.tasks.push({ name: "logrotate", description: "Rotates the application logs.", cron: "0 0 * * *", steps: [{ name: "rotate", command: "logrotate", args: ["/etc/logrotate.d/app"] }] });
  return Buffer.from(JSON.stringify(file, null, 2));
}

async function shoot(browser: Browser, api: Api, name: string, path: string, prepare: (page: Page, kind: string) => Promise<void>, dark = false) {
  for (const [kind, options] of Object.entries(VIEWPORTS)) {
    if (dark && kind === "phone") continue;
    const context = await signedIn(browser, api.url, api.cookie, options);
    const { page, problems } = await watchedPage(context);
    if (dark) await page.emulateMedia({ colorScheme: "dark" });
    await page.goto(api.url + path);
    await prepare(page, kind);
    // no caret blinking or pulse caught half-way
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const file = join(OUT, `${name}${dark ? "-dark" : ""}-${kind}.png`);
    await page.screenshot({ path: file, animations: "disabled" });
    if (problems.length) throw new Error(`${name} (${kind}): ${problems.join("; ")}`);
    console.log(`wrote ${file}`);
    await context.close();
  }
}

async function main() {
  await ensureUi();
  mkdirSync(OUT, { recursive: true });
  const api = await startApi({ env: { LIGHTFLOW_TIMEZONE: "Europe/Berlin" } });
  const browser = await launch();
  try {
    await demo(api);
    const failed = (await api.json("GET", "/api/tasks/backup_vaultwarden/runs")).body.find((r: { status: string }) => r.status === "failed");
    const grid = async (page: Page) => {
      await page.locator('.grid a.box[aria-label$="running"]').first().waitFor();
    };
    await shoot(browser, api, "tasks", "/", grid);
    await shoot(browser, api, "tasks", "/", grid, true);
    await shoot(browser, api, "task-log", `/tasks/backup_vaultwarden?run=${failed.id}&step=3`, async (page, kind) => {
      await page.locator(".log-body .ln.fail").waitFor();
      // a desktop shows the run and its log; a phone arriving from a box shows the log (the page scrolls there itself)
      if (kind === "desktop") await page.locator(".log-body").evaluate((el) => scrollBy(0, el.getBoundingClientRect().bottom - innerHeight + 16));
    });
    await shoot(browser, api, "editor", "/tasks/backup_vaultwarden/edit", async (page) => {
      await page.waitForFunction(() => document.querySelectorAll(".fire-times li").length === 5);
    });
    await shoot(browser, api, "task-runs", "/tasks/nightly_sync", async (page) => {
      await page.locator(".chart .mark").nth(13).waitFor();
      await page.locator("#runs-h").evaluate((el) => el.scrollIntoView({ block: "start" }));
    });
    const setup = await importFile(api);
    await shoot(browser, api, "settings", "/settings", async (page, kind) => {
      await page.getByLabel("Setup file to import").setInputFiles({ name: "lightflow-setup.json", mimeType: "application/json", buffer: setup });
      await page.locator(".import-plan .changes li").first().waitFor();
      if (kind === "phone") await page.locator(".import-plan").evaluate((el) => el.scrollIntoView({ block: "start" }));
    });
    await shoot(browser, api, "profile", "/profile", async (page, kind) => {
      await page.getByRole("button", { name: "Set up two-factor sign-in" }).click();
      await page.getByLabel("Your password").fill(ADMIN_PASSWORD);
      await page.getByRole("button", { name: "Continue" }).click();
      await page.getByRole("img", { name: "QR code of the two-factor secret" }).waitFor();
      if (kind === "phone") await page.locator("#totp-h").evaluate((el) => el.closest("section")!.scrollIntoView({ block: "start" }));
    });
  } finally {
    await browser.close();
    await api.close();
  }
}

await main();
