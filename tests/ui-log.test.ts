// The step log viewer in a real Chromium: a 200 MB log opens on its tail at
// once and loads earlier and later parts as you scroll, holding only a window
// of it; a running step streams live, pauses when you scroll up and follows
// again on request.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { runEnded, startApi, type Api } from "./helpers/api.ts";
import { ensureUi, launch, signedIn, watchedPages } from "./helpers/ui.ts";

const LINES = 24_000_000; // `seq 1 24000000` writes 204,888,897 bytes
const MAX_LINES = 10_000; // the viewer's window (client/src/lib/logwindow.ts)

let api: Api;
let browser: Browser;
let admin: BrowserContext;

const openIn = watchedPages(() => api.url);
const open = (path: string) => openIn(admin, path);

/** First and last line numbers held, and how many lines. */
const held = (page: Page) =>
  page.locator(".log-body").evaluate((el) => {
    const lines = [...el.querySelectorAll(".ln[data-id]")].map((l) => Number(l.textContent));
    return { first: lines[0] ?? 0, last: lines.at(-1) ?? 0, count: lines.length };
  });

beforeAll(async () => {
  await ensureUi();
  [api, browser] = await Promise.all([startApi({ env: { LIGHTFLOW_MAX_LOG_MB: "300" } }), launch()]);
  admin = await signedIn(browser, api.url, api.cookie);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
});


describe("the log viewer", () => {
  test("a 200 MB log opens on its tail, fetches earlier and later parts on scroll, and never holds it whole", async () => {
    await api.json("POST", "/api/tasks", { name: "big", steps: [{ name: "count", command: "seq", args: ["1", String(LINES)] }] });
    const run = (await api.json("POST", "/api/tasks/big/runs")).body;
    const done = await runEnded(api, run.id);
    expect(done.steps[0].log_bytes).toBeGreaterThan(200_000_000);

    const page = await open(`/tasks/big?run=${run.id}&step=1`);
    let fetched = 0;
    page.on("response", async (r) => {
      if (r.url().includes("/log?")) fetched += Number(r.headers()["content-length"] ?? (await r.body()).length);
    });
    const body = page.locator(".log-body");
    await body.getByText(String(LINES), { exact: true }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThan(20_000);
    let h = await held(page);
    expect(h.last).toBe(LINES);
    expect(h.count).toBeLessThan(10_000);

    // scrolling to the top fetches the part before, keeping the place on screen
    for (let i = 1; i <= 4; i++) {
      const before = await held(page);
      await body.evaluate((el) => (el.scrollTop = 0));
      await page.waitForFunction((first) => {
        const ln = document.querySelector(".log-body .ln[data-id]");
        return ln && Number(ln.textContent) < first;
      }, before.first);
    }
    h = await held(page);
    expect(h.count).toBeLessThanOrEqual(MAX_LINES); // the window slid: the newest lines were let go
    expect(h.last).toBeLessThan(LINES);
    await page.getByText("later output below").waitFor();
    // the page still answers at once (a frozen page would not)
    const t0 = Date.now();
    await page.evaluate(() => new Promise(requestAnimationFrame));
    expect(Date.now() - t0).toBeLessThan(5000); // one frame; generous for a busy machine

    // and scrolling down brings the later part back
    const last = h.last;
    await body.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.waitForFunction((n) => {
      const lns = document.querySelectorAll(".log-body .ln[data-id]");
      return Number(lns[lns.length - 1]?.textContent) > n;
    }, last);
    await page.getByRole("button", { name: "Jump to the end" }).click();
    await body.getByText(String(LINES), { exact: true }).waitFor();
    expect(fetched).toBeLessThan(2_000_000); // a few 64 KiB pieces of 200 MB
  }, 60_000);

  test("a running step streams live; scrolling up pauses following, Follow resumes it", async () => {
    await api.json("POST", "/api/tasks", {
      name: "chatty",
      steps: [
        {
          name: "talk",
          command: "bash",
          // a line every 20 ms until the test creates the file "stop" in the scripts directory
          args: ["-c", 'i=0; while [ ! -e stop ]; do i=$((i+1)); echo "\x1b[1mline\x1b[0m $i"; sleep 0.02; done; echo finished'],
        },
      ],
    });
    const run = (await api.json("POST", "/api/tasks/chatty/runs")).body;
    const page = await open(`/tasks/chatty?run=${run.id}&step=1`);
    const body = page.locator(".log-body");
    const follow = page.locator(".log-bar").getByRole("button", { name: /^Follow/ });
    await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
    expect(await follow.getAttribute("aria-pressed")).toBe("true");
    // lines arrive while we watch, and the view stays at the bottom
    await page.waitForFunction(() => document.querySelectorAll(".log-body .ln").length > 60);
    const atBottom = () => body.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 30);
    await page.waitForFunction(() => {
      const el = document.querySelector(".log-body")!;
      return el.scrollHeight - el.scrollTop - el.clientHeight < 30;
    });

    await body.evaluate((el) => el.scrollBy(0, -200));
    await page.waitForFunction(() => document.querySelector(".log-bar button[aria-pressed]")?.getAttribute("aria-pressed") === "false");
    const top = await body.evaluate((el) => el.scrollTop);
    const count = await page.evaluate(() => document.querySelectorAll(".log-body .ln").length);
    await page.waitForFunction((n) => document.querySelectorAll(".log-body .ln").length > n + 20, count);
    expect(await body.evaluate((el) => el.scrollTop)).toBe(top); // paused: the view did not move

    await follow.click();
    await page.waitForFunction(() => document.querySelector(".log-bar button[aria-pressed]")?.getAttribute("aria-pressed") === "true");
    expect(await atBottom()).toBe(true);

    writeFileSync(join(api.server.dir, "scripts", "stop"), "");
    await body.getByText("finished").waitFor();
    await page.getByRole("status").filter({ hasText: "Complete" }).waitFor();
    expect(await body.locator(".a-bold", { hasText: "line" }).count()).toBeGreaterThan(0);
  }, 30_000);
});
