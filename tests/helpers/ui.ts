// Browser tests: Debian's Chromium driven by playwright-core against a real
// server. The page records everything that would show a broken or unsafe UI:
// uncaught errors, console errors (a CSP violation is one) and CSP reports.
import { afterEach, expect } from "bun:test";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from "playwright-core";
import type { AxeResults } from "axe-core";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { uiIsStale } from "../../server/build/ui.ts";

const ROOT = join(import.meta.dir, "..", "..");

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Builds client/dist when it is older than its sources. Built here rather
 * than with server/build/ui.ts's buildUi because `bun test` sets
 * NODE_ENV=test, which a child vite inherits and then bundles Solid's
 * development build; the UI under test must be the production one.
 */
export async function ensureUi(): Promise<void> {
  if (!uiIsStale() && !devBuild()) return;
  const proc = Bun.spawn(["bun", "x", "vite", "build", "--config", join(ROOT, "client", "vite.config.ts"), "--logLevel", "warn"], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "production" },
    stdout: "inherit",
    stderr: "inherit",
  });
  if ((await proc.exited) !== 0) throw new Error("the UI build failed");
}

/** Whether client/dist holds Solid's development build (someone built it with NODE_ENV unset to production). */
function devBuild(): boolean {
  const dir = join(ROOT, "client", "dist", "assets");
  try {
    return readdirSync(dir).some((f) => f.endsWith(".js") && readFileSync(join(dir, f), "utf8").includes("computations created outside a `createRoot`"));
  } catch {
    return true;
  }
}

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
}

export interface Watched {
  page: Page;
  /** uncaught errors, console errors and warnings about the CSP, in order */
  problems: string[];
}

/** A page that records problems; `allow` filters out expected console errors (e.g. a 401 the test provokes). */
export async function watchedPage(context: BrowserContext, allow: RegExp[] = []): Promise<Watched> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    const text = m.text();
    const csp = /content security policy|refused to (execute|load|apply|connect|frame)/i.test(text);
    // Chromium logs every 4xx answer; the UI expects some (401 while signed out, 422 for a field error)
    const expected = /^Failed to load resource: the server responded with a status of 4\d\d/.test(text);
    if ((m.type() === "error" || csp) && !expected && !allow.some((re) => re.test(text))) problems.push(`console ${m.type()}: ${text}`);
  });
  page.on("response", (r) => {
    if (r.status() >= 500) problems.push(`${r.status()} from ${r.request().method()} ${new URL(r.url()).pathname}`);
  });
  return { page, problems };
}

/** A phone: 390 px wide, touch, coarse pointer (the UI enlarges its targets for it). */
export const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
export const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 } };

/** A browser context signed in with a session cookie ("lightflow_session=…" or the bare value). */
export async function signedIn(browser: Browser, url: string, cookie: string, options: BrowserContextOptions = DESKTOP): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  const value = cookie.replace(/^lightflow_session=/, "");
  await context.addCookies([{ name: "lightflow_session", value, url }]);
  return context;
}

/** The accessible box of a step in the grid: "Run 3, step 1 greet: success". */
export const boxLabel = (run: number, pos: number, name: string, status: string) => `Run ${run}, step ${pos} ${name}: ${status}`;

/**
 * Opens pages whose troubles fail the test: after each test the pages it
 * opened are closed, and any uncaught error, console error, CSP violation or
 * 5xx one of them saw makes that test fail. Call once per file.
 */
export function watchedPages(base: () => string): (context: BrowserContext, path: string) => Promise<Page> {
  const watched: Watched[] = [];
  afterEach(async () => {
    const problems = watched.flatMap((w) => w.problems);
    for (const w of watched.splice(0)) await w.page.close();
    expect(problems).toEqual([]);
  });
  return async (context, path) => {
    const w = await watchedPage(context);
    watched.push(w);
    await w.page.goto(base() + path);
    return w.page;
  };
}

/** axe-core's browser bundle, read once. */
const AXE_SOURCE = readFileSync(join(dirname(require.resolve("axe-core")), "axe.min.js"), "utf8");

/**
 * The serious and critical axe-core violations on the page as it is now, one
 * line per element: "color-contrast (serious) at .confirm-ask > .danger:
 * Element has insufficient color contrast of 3.87 (…)". axe goes in through the
 * DevTools protocol (page.evaluate), which the page's CSP does not govern, so
 * the page under audit keeps its real CSP: an inline <script> would need
 * bypassCSP, and then a CSP violation of the UI itself would go unseen.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const { axe } = window as unknown as { axe: { run(context: Document, options: object): Promise<AxeResults> } };
    const results = await axe.run(document, { resultTypes: ["violations"] });
    // the check's own message says what is wrong with this element ("insufficient color contrast of 3.87 (foreground color: …")
    return results.violations.flatMap((v) =>
      v.nodes.map((n) => ({ id: v.id, impact: n.impact ?? v.impact, target: n.target.join(" "), why: [...n.any, ...n.all, ...n.none][0]?.message ?? v.help })),
    );
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id} (${v.impact}) at ${v.target}: ${v.why}`);
}
