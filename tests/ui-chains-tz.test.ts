// Chains and per-task time zones in a real Chromium against the real server:
// the editor's zone choice with next fire times in the task's zone and the
// browser's, the editor's "Runs after" links, the task page's chain, and the
// grid's tooltip saying what queued a chained run. The server runs in UTC, the
// browser in America/New_York. No page may log an error or a CSP violation.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, BrowserContext } from "playwright-core";
import { runFinished, startApi, type Api } from "./helpers/api.ts";
import { DESKTOP, ensureUi, launch, signedIn, watchedPages } from "./helpers/ui.ts";

let api: Api;
let browser: Browser;
let admin: BrowserContext;
const open = watchedPages(() => api.url);

async function task(body: Record<string, unknown>) {
  const r = await api.json("POST", "/api/tasks", body);
  if (r.status !== 201) throw new Error(`POST /api/tasks: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}
const hhmm = (iso: string, zone: string) =>
  new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(iso));

beforeAll(async () => {
  await ensureUi();
  [api, browser] = await Promise.all([startApi({ env: { LIGHTFLOW_TIMEZONE: "UTC" } }), launch()]);
  admin = await signedIn(browser, api.url, api.cookie, { ...DESKTOP, timezoneId: "America/New_York", locale: "en-GB" });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
});

describe("the task editor", () => {
  test("choosing a zone shows the next fire times in that zone and in the browser's, and saves it", async () => {
    await task({ name: "tz-ui", cron: "0 3 * * *", steps: [{ name: "main", command: "true" }] });
    const page = await open(admin, "/tasks/tz-ui/edit");
    const zone = page.getByLabel("Time zone", { exact: true });
    await zone.waitFor();
    expect(await zone.inputValue()).toBe("");
    await page.getByText("Next fire times (UTC), and in your time (America/New_York):").waitFor();

    await zone.selectOption("Asia/Tokyo");
    await page.getByText("Next fire times (Asia/Tokyo), and in your time (America/New_York):").waitFor();
    const first = page.locator(".fire-times li").first();
    const at = (await first.locator("time").getAttribute("datetime"))!;
    expect(hhmm(at, "Asia/Tokyo")).toBe("03:00");
    expect(await first.locator("time").textContent()).toContain("03:00");
    // 03:00 in Tokyo is 13:00 or 14:00 in New York, whichever DST says
    expect(await first.locator(".your-time").textContent()).toContain(`${hhmm(at, "America/New_York")} your time`);

    await page.getByRole("button", { name: "Save" }).click();
    await page.waitForURL(/\/tasks\/tz-ui$/);
    await page.getByText("(Asia/Tokyo time)").waitFor();
    const saved = (await api.json("GET", "/api/tasks/tz-ui")).body;
    expect(saved.timezone).toBe("Asia/Tokyo");
    expect(hhmm(saved.next_fire_at, "Asia/Tokyo")).toBe("03:00");
  });

  test("a task set to run after another shows the chain on both task pages, and the grid says what queued its run", async () => {
    await task({ name: "ui-up", steps: [{ name: "main", command: "bash", args: ["-c", "exit 4"] }] });
    await task({ name: "ui-down", steps: [{ name: "main", command: "true" }] });
    const page = await open(admin, "/tasks/ui-down/edit");
    await page.getByRole("button", { name: "Run after another task…" }).click();
    await page.getByLabel("Upstream task 1", { exact: true }).selectOption("ui-up");
    await page.getByLabel("When, for upstream task 1", { exact: true }).selectOption("failed");
    await page.getByRole("button", { name: "Save" }).click();
    await page.waitForURL(/\/tasks\/ui-down$/);
    await page.locator(".chain-after").getByText("ui-up").waitFor();
    expect(await page.locator(".chain-after").textContent()).toContain("when it does not succeed");
    expect((await api.json("GET", "/api/tasks/ui-down")).body.after).toEqual([{ task: "ui-up", when: "failed" }]);

    const upPage = await open(admin, "/tasks/ui-up");
    await upPage.locator(".chain-followers").getByText("ui-down").waitFor();

    const up = (await api.json("POST", "/api/tasks/ui-up/runs")).body;
    await runFinished(api, up.id);
    const down = (await api.json("GET", "/api/tasks/ui-down/runs")).body[0];
    await runFinished(api, down.id);
    const grid = await open(admin, "/");
    await grid.locator(`.run[title*="after ui-up #${up.id}"]`).waitFor();
  });

  test("a link that would make a cycle is refused, with the server's reason on the form", async () => {
    await task({ name: "cy-a", steps: [{ name: "main", command: "true" }] });
    await task({ name: "cy-b", after: [{ task: "cy-a", when: "success" }], steps: [{ name: "main", command: "true" }] });
    const page = await open(admin, "/tasks/cy-a/edit");
    await page.getByRole("button", { name: "Run after another task…" }).click();
    await page.getByLabel("Upstream task 1", { exact: true }).selectOption("cy-b");
    await page.getByRole("button", { name: "Save" }).click();
    await page.locator(".chain-edit .form-error").getByText("cy-a → cy-b → cy-a").waitFor();
    expect((await api.json("GET", "/api/tasks/cy-a")).body.after).toEqual([]);
  });
});
