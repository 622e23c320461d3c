// Parameters and Retry from step N in a real Chromium against the real
// server: Run on a task with parameters opens a form (defaults filled in,
// choices as a list, the server's refusal beside its field), the run page
// shows the values; a failed run offers Retry from step N, and the new run
// shows the steps it did not run again as done in the original.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext } from "playwright-core";
import { runEnded, startApi, type Api } from "./helpers/api.ts";
import { tempDir } from "./helpers/tmp.ts";
import { axeViolations, boxLabel, ensureUi, launch, signedIn, watchedPages } from "./helpers/ui.ts";

let api: Api;
let browser: Browser;
let admin: BrowserContext;
let dir: string;
const open = watchedPages(() => api.url);

async function task(body: Record<string, unknown>) {
  const r = await api.json("POST", "/api/tasks", body);
  if (r.status !== 201) throw new Error(`POST /api/tasks: ${r.status} ${JSON.stringify(r.body)}`);
}

beforeAll(async () => {
  await ensureUi();
  [api, browser] = await Promise.all([startApi(), launch()]);
  admin = await signedIn(browser, api.url, api.cookie);
  dir = tempDir();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
});

describe("Run on a task with parameters", () => {
  test("opens a form with the defaults and choices; the server's refusal shows beside its field; the run page shows the values", async () => {
    await task({
      name: "restore",
      params: [
        { name: "DAY", description: "the night to restore" },
        { name: "TARGET", default: "db1", choices: ["db1", "db2"] },
      ],
      steps: [{ name: "restore", command: "bash", args: ["-c", 'echo "restoring $DAY into $TARGET"'] }],
    });
    const page = await open(admin, "/tasks/restore");
    await page.getByRole("button", { name: "Run restore…" }).click();
    const form = page.getByRole("dialog", { name: "Run restore" });
    await form.waitFor();
    const day = form.getByLabel("DAY", { exact: true });
    const target = form.getByLabel("TARGET", { exact: true });
    expect(await day.inputValue()).toBe("");
    expect(await target.inputValue()).toBe("db1");
    expect(await target.evaluate((el) => el.tagName)).toBe("SELECT");
    expect(await form.getByText("the night to restore").isVisible()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);

    // nothing for DAY: the server names params.DAY, and the message sits beside it
    await form.getByRole("button", { name: "Run", exact: true }).click();
    await form.locator(".field.invalid .error-text").filter({ hasText: "DAY is required" }).waitFor();
    expect(await day.getAttribute("aria-invalid")).toBe("true");
    expect((await api.json("GET", "/api/tasks/restore/runs")).body).toEqual([]);

    await day.fill("2026-11-20");
    await target.selectOption("db2");
    await form.getByRole("button", { name: "Run", exact: true }).click();
    await form.waitFor({ state: "hidden" });
    const values = page.locator(".run-params");
    await values.getByText("2026-11-20").waitFor();
    expect((await values.innerText()).replace(/\s+/g, " ")).toContain("DAY=2026-11-20, TARGET=db2");

    const run = (await api.json("GET", "/api/tasks/restore/runs")).body[0];
    expect(run.params).toEqual({ DAY: "2026-11-20", TARGET: "db2" });
    await runEnded(api, run.id);
    expect(await (await api.call("GET", `/api/runs/${run.id}/steps/1/log`)).text()).toBe("restoring 2026-11-20 into db2\n");
  });

  test("the grid's Run opens the same form; Escape closes it and starts nothing", async () => {
    const before = (await api.json("GET", "/api/tasks/restore/runs")).body.length;
    const page = await open(admin, "/");
    await page.getByRole("button", { name: "Run restore…" }).click();
    const form = page.getByRole("dialog", { name: "Run restore" });
    await form.waitFor();
    expect(await form.getByLabel("TARGET", { exact: true }).inputValue()).toBe("db1");
    await page.keyboard.press("Escape");
    await form.waitFor({ state: "detached" });
    expect((await api.json("GET", "/api/tasks/restore/runs")).body).toHaveLength(before);
  });

  test("a task without parameters still runs at once, with no form", async () => {
    await task({ name: "plain", steps: [{ name: "s", command: "true" }] });
    const page = await open(admin, "/tasks/plain");
    await page.getByRole("button", { name: "Run plain now" }).click();
    await page.getByRole("group", { name: /^Run \d+,/ }).first().waitFor();
    expect(await page.getByRole("dialog").count()).toBe(0);
    expect((await api.json("GET", "/api/tasks/plain/runs")).body).toHaveLength(1);
  });
});

describe("the task editor's parameters", () => {
  test("shows them, saves them unchanged, adds one, and shows the server's refusal beside its field", async () => {
    const params = [
      { name: "DAY", description: "the night" },
      { name: "TARGET", default: "" },
      { name: "HOST", default: "db 2", choices: ["db1", "db 2"] },
    ];
    await task({ name: "edit-params", params, steps: [{ name: "s", command: "true" }] });
    const page = await open(admin, "/tasks/edit-params/edit");
    const first = page.getByRole("group", { name: "Parameter 1" });
    await first.getByLabel("Name").waitFor();
    expect(await first.getByLabel("Name").inputValue()).toBe("DAY");
    expect(await first.getByLabel("Required (no default)").isChecked()).toBe(true);
    const second = page.getByRole("group", { name: "Parameter 2" });
    expect(await second.getByLabel("Required (no default)").isChecked()).toBe(false);
    expect(await second.getByLabel("Default", { exact: true }).inputValue()).toBe("");
    expect(await page.getByRole("group", { name: "Parameter 3" }).getByLabel("Choices").inputValue()).toBe("db1\ndb 2");

    // saved as it was: an empty default stays a default
    await page.getByRole("button", { name: "Save" }).click();
    await page.waitForURL((u) => u.pathname === "/tasks/edit-params");
    expect((await api.json("GET", "/api/tasks/edit-params")).body.params).toEqual(params);

    const again = await open(admin, "/tasks/edit-params/edit");
    await again.getByRole("button", { name: "+ Add a parameter" }).click();
    const third = again.getByRole("group", { name: "Parameter 4" });
    await third.getByLabel("Name").fill("day");
    await again.getByRole("button", { name: "Save" }).click();
    await third.locator(".field.invalid .error-text").waitFor();
    expect(await third.getByLabel("Name").getAttribute("aria-invalid")).toBe("true");
    await third.getByLabel("Name").fill("MODE");
    await third.getByLabel("Required (no default)").uncheck();
    await third.getByLabel("Default", { exact: true }).fill("fast");
    await third.getByLabel("Choices").fill("fast\nfull");
    await again.getByRole("button", { name: "Save" }).click();
    await again.waitForURL((u) => u.pathname === "/tasks/edit-params");
    expect((await api.json("GET", "/api/tasks/edit-params")).body.params).toEqual([...params, { name: "MODE", default: "fast", choices: ["fast", "full"] }]);
  });
});

describe("Retry from step N", () => {
  test("on a failed run queues a run from its failed step; the steps before it show as done in that run and do not run", async () => {
    const sh = (name: string, script: string) => ({ name, command: "bash", args: ["-c", script] });
    await task({ name: "etl", steps: [sh("extract", `touch ${dir}/extract`), sh("transform", `touch ${dir}/transform`), sh("load", `test -e ${dir}/fixed`)] });
    const first = (await api.json("POST", "/api/tasks/etl/runs")).body;
    expect((await runEnded(api, first.id)).status).toBe("failed");
    rmSync(join(dir, "extract"));
    rmSync(join(dir, "transform"));
    writeFileSync(join(dir, "fixed"), "");

    const page = await open(admin, `/tasks/etl?run=${first.id}`);
    await page.getByRole("button", { name: "Retry from step 3" }).click();
    await page.getByRole("button", { name: "Yes, retry" }).click();
    await page.waitForURL((u) => u.searchParams.get("run") !== String(first.id));
    const second = Number(new URL(page.url()).searchParams.get("run"));
    expect((await runEnded(api, second)).status).toBe("success");

    const detail = page.locator(".run-detail");
    await detail.getByText(`retry of run #${first.id}`).waitFor();
    await detail.locator(".steps li").first().getByText(`skipped · done in run #${first.id}`).waitFor();
    await detail.locator(".steps li").nth(2).getByText("success").waitFor();
    expect(await page.getByRole("button", { name: /^Retry from step/ }).count()).toBe(0);
    // the skipped steps did not run: what they write is still gone
    expect(existsSync(join(dir, "extract"))).toBe(false);
    expect(existsSync(join(dir, "transform"))).toBe(false);

    // the grid tells it the same way, in words as well as grey
    const grid = await open(admin, "/");
    const box = grid.getByRole("link", { name: `${boxLabel(second, 2, "transform", "skipped")}, done in run #${first.id}` });
    await box.waitFor();
    expect(await box.getAttribute("class")).toContain("s-skipped");
  });
});
