// Accessibility, measured: axe-core runs on every page of the UI in a real
// Chromium against the real server, signed in as an admin and as a viewer and
// signed out, in the light and the dark colour scheme, on a 1280×800 screen
// and on a 390×844 phone. The bar is no serious or critical violation. Pages
// hold real content (tasks with a finished, a failed and a running run, a
// pool, a node with labels, variables, a script, users, a package job, audit
// entries), and every in-place confirmation (ConfirmButton: "Delete? Yes /
// No") is opened and audited too, since its danger button only exists then.
//
// A new page is held to this by adding it to SCREENS; a route of
// client/src/routes.ts missing from SCREENS fails the first test.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as OTPAuth from "otpauth";
import type { Browser, Locator, Page } from "playwright-core";
import { ADMIN_PASSWORD, request, runEnded, startApi, type Api } from "./helpers/api.ts";
import { axeViolations, DESKTOP, ensureUi, launch, PHONE, signedIn, watchedPage, type Watched } from "./helpers/ui.ts";

const T = 60_000;
const VIEWER = "viewer@example.com";
const VIEWER_PASSWORD = "viewer password 123";

const WHO = ["admin", "viewer", "signed out"] as const;
type Who = (typeof WHO)[number];
/** routes that only send the browser on to another page, audited there */
const REDIRECTS = ["/runs/:id"];
const SIZES = [
  { name: "1280×800", options: DESKTOP },
  { name: "390×844", options: PHONE },
] as const;
const SCHEMES = ["light", "dark"] as const;

interface Screen {
  name: string;
  path: () => string;
  who: Who[];
  /** present once the page shows its data (not "Loading…") */
  ready: (page: Page) => Locator;
  /** brings the page to a fuller state before the audit (an output shown, say) */
  prepare?: (page: Page) => Promise<void>;
}

const ids = { failed: 0, running: 0 };

const SCREENS: Screen[] = [
  { name: "tasks grid", path: () => "/", who: ["admin", "viewer"], ready: (p) => p.getByRole("link", { name: "report", exact: true }) },
  { name: "a task", path: () => "/tasks/backup", who: ["admin", "viewer"], ready: (p) => p.getByRole("region", { name: "Log of step prune" }).getByText("pruned 3 old copies") },
  {
    name: "its failed run",
    path: () => `/tasks/report?run=${ids.failed}&step=2`,
    who: ["admin", "viewer"],
    ready: (p) => p.getByRole("region", { name: "Log of step upload" }).getByText("no space left"),
  },
  {
    name: "a running run",
    path: () => `/tasks/slow?run=${ids.running}`,
    who: ["admin", "viewer"],
    ready: (p) => p.getByRole("region", { name: "Log of step wait" }).getByText("waiting"),
  },
  {
    name: "editor",
    path: () => "/tasks/backup/edit",
    who: ["admin"],
    ready: (p) => p.getByRole("heading", { name: "Edit backup" }),
    // with the errors of a refused save beside their fields (the CRON's from the preview, the name's from the API)
    prepare: async (p) => {
      await p.getByLabel("Name", { exact: true }).first().fill("not a name!");
      await p.getByLabel("Schedule (CRON)").fill("61 * * * *");
      await p.getByRole("button", { name: "Save" }).click();
      await p.locator(".field.invalid", { has: p.getByLabel("Name", { exact: true }).first() }).locator(".error-text").waitFor();
    },
  },
  { name: "new task", path: () => "/tasks/new", who: ["admin"], ready: (p) => p.getByRole("heading", { name: "New task" }) },
  { name: "pools", path: () => "/pools", who: ["admin", "viewer"], ready: (p) => p.getByText("batch", { exact: true }).first() },
  { name: "nodes", path: () => "/nodes", who: ["admin", "viewer"], ready: (p) => p.locator(".n-leader") },
  { name: "variables", path: () => "/variables", who: ["admin", "viewer"], ready: (p) => p.getByText("BUCKET", { exact: true }).first() },
  { name: "scripts", path: () => "/scripts?file=backup.sh", who: ["admin"], ready: (p) => p.locator(".cm-content").getByText("pg_dump", { exact: false }) },
  {
    name: "packages",
    path: () => "/packages",
    who: ["admin"],
    ready: (p) => p.locator("li.job-row", { hasText: "failed" }),
    prepare: async (p) => {
      await p.locator("li.job-row").getByRole("button", { name: "Output" }).first().click();
      await p.locator("section.job").getByRole("status").filter({ hasText: "Failed" }).waitFor();
    },
  },
  { name: "users", path: () => "/users", who: ["admin"], ready: (p) => p.getByRole("rowheader", { name: VIEWER }) },
  { name: "audit", path: () => "/audit", who: ["admin"], ready: (p) => p.getByRole("cell", { name: VIEWER }).first() },
  { name: "settings", path: () => "/settings", who: ["admin"], ready: (p) => p.getByRole("heading", { name: "Prometheus metrics" }) },
  { name: "profile", path: () => "/profile", who: ["admin", "viewer"], ready: (p) => p.getByText("Two-factor sign-in is on.") },
  { name: "about", path: () => "/about", who: ["admin", "signed out"], ready: (p) => p.getByRole("heading", { name: "About Lightflow" }) },
  {
    name: "login",
    path: () => "/login",
    who: ["signed out"],
    ready: (p) => p.getByRole("button", { name: "Sign in" }),
    // after a wrong password, with the form's error
    prepare: async (p) => {
      await p.getByLabel("E-mail", { exact: true }).fill(VIEWER);
      await p.getByLabel("Password", { exact: true }).fill("not the password");
      await p.getByRole("button", { name: "Sign in" }).click();
      await p.locator(".form-error").waitFor();
    },
  },
  // the page reads no token from the server before the form shows; a made-up one shows it as a real link does
  { name: "set-password", path: () => "/set-password#token=made-up", who: ["signed out"], ready: (p) => p.getByLabel("New password") },
];

let api: Api;
let browser: Browser;
/** one context and one page per visitor and screen size, reused for every page */
const tabs = new Map<string, Watched>();
const tab = (who: Who, size: string) => tabs.get(`${who} ${size}`)!;

/** Enables two-factor sign-in for the holder of `token`, so the profile shows "Turn off" and the users page "Reset two-factor". */
async function enableTotp(token: string, password: string) {
  const headers = { authorization: `Bearer ${token}` };
  const start = await request(api.url, "POST", "/api/me/totp", { password }, headers);
  if (start.status !== 200) throw new Error(`totp start: ${start.status} ${await start.text()}`);
  const { secret } = (await start.json()) as { secret: string };
  const code = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) }).generate();
  const confirm = await request(api.url, "POST", "/api/me/totp/confirm", { code }, headers);
  if (confirm.status !== 200) throw new Error(`totp confirm: ${confirm.status} ${await confirm.text()}`);
}

async function must(method: string, path: string, body?: unknown) {
  const r = await api.json(method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

async function seed() {
  await must("POST", "/api/pools", { name: "batch", slots: 2 });
  await must("POST", "/api/variables", { key: "BUCKET", value: "s3://backups/nightly", secret: false });
  await must("POST", "/api/variables", { key: "DB_PASSWORD", value: "a secret long enough to mask", secret: true });
  const script = await api.call("PUT", "/api/scripts/backup.sh", "#!/bin/sh\n# nightly dump\npg_dump app > /tmp/app.sql\n");
  if (script.status !== 200) throw new Error(`script: ${script.status}`);
  const sh = (name: string, line: string) => ({ name, command: "sh", args: ["-c", line] });
  await must("POST", "/api/tasks", {
    name: "backup",
    description: "Dumps the database and keeps a week of copies.",
    cron: "0 3 * * *",
    pool: "batch",
    runs_on: "db", // shown on the task page (one node runs every task on SQLite)
    steps: [sh("dump", "echo dumping; echo done"), sh("prune", "echo pruned 3 old copies")],
  });
  await must("POST", "/api/tasks", { name: "report", cron: "*/15 * * * *", steps: [sh("build", "echo built"), sh("upload", "echo 'no space left' >&2; exit 3")] });
  // still running when the pages are audited (the server ends it when it stops). The lines after "waiting"
  // are there because a live log holds back its last (longest secret - 1) bytes while a secret is set.
  await must("POST", "/api/tasks", { name: "slow", steps: [sh("wait", "echo waiting for the lock; seq 1 40; sleep 600")] });
  const ok = await must("POST", "/api/tasks/backup/runs");
  const bad = await must("POST", "/api/tasks/report/runs");
  ids.running = (await must("POST", "/api/tasks/slow/runs")).id;
  await Promise.all([runEnded(api, ok.id), runEnded(api, bad.id)]);
  ids.failed = bad.id;
  // a package job that fails at once: pip is pointed at a closed port
  await must("POST", "/api/packages", { requirement: "lightflow-nope==1.0" });

  const viewer = await api.user(VIEWER, "viewer");
  await must("POST", "/api/users", { email: "invited@example.com", role: "admin" }); // stays pending
  await enableTotp(api.token, ADMIN_PASSWORD);
  await enableTotp(viewer.token, VIEWER_PASSWORD);
  return viewer.cookie;
}

beforeAll(async () => {
  await ensureUi();
  const pip = { PIP_INDEX_URL: "http://127.0.0.1:9/simple", PIP_CONFIG_FILE: "/dev/null", PIP_RETRIES: "0", PIP_TIMEOUT: "1", PIP_DISABLE_PIP_VERSION_CHECK: "1" };
  // labels: shown on the Nodes page
  [api, browser] = await Promise.all([startApi({ env: { ...pip, LIGHTFLOW_NODE_LABELS: "db,backup" } }), launch()]);
  const viewerCookie = await seed();
  for (const size of SIZES) {
    for (const who of WHO) {
      const context =
        who === "signed out" ? await browser.newContext(size.options) : await signedIn(browser, api.url, who === "admin" ? api.cookie : viewerCookie, size.options);
      tabs.set(`${who} ${size.name}`, await watchedPage(context));
    }
  }
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
});

/** Two animation frames: the page has restyled after a change of colour scheme or a click. */
const settled = (page: Page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

/** Audits the page in both colour schemes; returns the violations, each prefixed with where it was seen. */
async function auditSchemes(page: Page, where: string): Promise<string[]> {
  const found: string[] = [];
  for (const colorScheme of SCHEMES) {
    await page.emulateMedia({ colorScheme });
    await settled(page);
    for (const v of await axeViolations(page)) found.push(`${where}, ${colorScheme}: ${v}`);
  }
  return found;
}

/** Opens every in-place confirmation on the page ("Delete" → "Delete x? Yes / No"); how many it opened. */
async function openConfirmations(page: Page): Promise<number> {
  const asks = page.locator(".confirm > button:not([disabled])");
  const n = await asks.count();
  // each click replaces its button with the question, so the first match is always the next one
  for (let i = 0; i < n; i++) await asks.first().click();
  if (n) await page.locator(".confirm-ask:not([hidden])").first().waitFor();
  await settled(page);
  return n;
}

async function audit(screen: Screen, who: Who): Promise<{ found: string[]; problems: string[] }> {
  const found: string[] = [];
  const problems: string[] = [];
  for (const size of SIZES) {
    const { page, problems: seen } = tab(who, size.name);
    seen.length = 0;
    await page.emulateMedia({ colorScheme: "light" });
    await page.goto(api.url + screen.path());
    await screen.ready(page).waitFor();
    await screen.prepare?.(page);
    await page.getByText("Loading…", { exact: true }).first().waitFor({ state: "hidden" });
    const where = `${screen.name} (${who}, ${size.name})`;
    found.push(...(await auditSchemes(page, where)));
    if (await openConfirmations(page)) found.push(...(await auditSchemes(page, `${where} with its confirmations open`)));
    problems.push(...seen.map((p) => `${where}: ${p}`));
  }
  return { found, problems };
}

test("every route of the UI is audited here", () => {
  const routes = [...readFileSync(join(import.meta.dir, "..", "client", "src", "routes.ts"), "utf8").matchAll(/\bpath: "([^"]+)"/g)].map((m) => m[1]!);
  expect(routes.length).toBeGreaterThan(10);
  const audited = SCREENS.map((s) => new URL(s.path(), "http://x").pathname);
  const matches = (route: string, path: string) => new RegExp(`^${route.replace(/:[^/]+/g, "[^/]+")}$`).test(path);
  expect(routes.filter((r) => !REDIRECTS.includes(r) && !audited.some((path) => matches(r, path)))).toEqual([]);
});

const AS: Record<Who, string> = { admin: "as an admin", viewer: "as a viewer", "signed out": "signed out" };

for (const who of WHO) {
  describe(AS[who], () => {
    for (const screen of SCREENS.filter((s) => s.who.includes(who))) {
      test(`${screen.name}: no serious or critical axe violation, light and dark, desktop and phone`, async () => {
        const { found, problems } = await audit(screen, who);
        expect(found).toEqual([]);
        expect(problems).toEqual([]); // axe went in without a CSP violation or a console error
      }, T);
    }
  });
}
