// The UI of nodes in a real Chromium against one real server on SQLite (one
// node, named and labelled by LIGHTFLOW_NODE_NAME/LABELS): the Nodes page
// shows it as the leader, alive, with its running runs following the live
// events; the task editor sets `runs_on` from the known names and labels and
// the task page shows it; the run page and the grid's tooltip name a run's
// node, and a queued run says it is on none yet. Several nodes in a browser:
// tests/cluster*.test.ts.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { runFinished, startApi, type Api } from "./helpers/api.ts";
import { ensureUi, launch, signedIn, watchedPages } from "./helpers/ui.ts";

const NODE = "alpha";
const T = 30_000;

let api: Api;
let browser: Browser;
let admin: BrowserContext;
const open = watchedPages(() => api.url);

async function must(method: string, path: string, body?: unknown) {
  const r = await api.json(method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** The Nodes page's row of this node. */
const nodeRow = (page: Page) => page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: new RegExp(`^${NODE}\\b`) }) });

/** The `<dd>` after the `<dt>` that reads `term`. */
const described = (page: Page, term: string) => page.locator(`dt:text-is("${term}") + dd`);

beforeAll(async () => {
  await ensureUi();
  const env = { LIGHTFLOW_NODE_NAME: NODE, LIGHTFLOW_NODE_LABELS: "db,backup", LIGHTFLOW_GLOBAL_CONCURRENCY: "3" };
  [api, browser] = await Promise.all([startApi({ env }), launch()]);
  admin = await signedIn(browser, api.url, api.cookie);
  await must("POST", "/api/pools", { name: "one", slots: 1 });
  // runs until cancelled: holds the pool's one slot, and counts as running on the node
  await must("POST", "/api/tasks", { name: "hold", pool: "one", steps: [{ name: "wait", command: "sleep", args: ["600"] }] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
});

describe("the Nodes page", () => {
  test("is in the navigation and shows the one node as the leader, alive, with its labels and capacity", async () => {
    const page = await open(admin, "/");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Nodes" }).click();
    await page.waitForURL(/\/nodes$/);
    await page.getByRole("heading", { name: "Nodes" }).waitFor();
    const row = nodeRow(page);
    await row.waitFor();
    expect(await page.getByRole("row").count()).toBe(2); // the header and the one node
    expect(await row.getByRole("rowheader").locator(".badge").textContent()).toBe("leader");
    expect(await row.locator(".badge.n-alive").textContent()).toBe("alive");
    expect(await row.locator(".n-gone").count()).toBe(0);
    expect(await row.locator("code").allTextContents()).toEqual(["db", "backup"]);
    expect((await row.getByRole("cell").nth(1).textContent())?.trim()).toBe("0 / 3");
    expect(await row.getByRole("cell").nth(3).textContent()).toBe(api.url); // the URL the node listens on
    expect(await page.locator(".nodes-sum").textContent()).toContain(`1 node, 1 alive; leader: ${NODE}.`);
    expect(await page.getByRole("link", { name: "Nodes" }).getAttribute("aria-current")).toBe("page");
  }, T);

  test("counts a run running on the node as it starts and ends, without a reload", async () => {
    const page = await open(admin, "/nodes");
    const running = nodeRow(page).getByRole("cell").nth(1);
    await running.getByText("0 / 3").waitFor();
    const run = await must("POST", "/api/tasks/hold/runs");
    await running.getByText("1 / 3").waitFor();
    await must("POST", `/api/runs/${run.id}/cancel`);
    await running.getByText("0 / 3").waitFor();
  }, T);

  test("is there for a viewer too", async () => {
    const viewer = await api.user("viewer@example.com", "viewer");
    const context = await signedIn(browser, api.url, viewer.cookie);
    try {
      const page = await open(context, "/nodes");
      await nodeRow(page).locator(".n-leader").waitFor();
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Nodes" }).waitFor();
    } finally {
      await context.close();
    }
  }, T);
});

describe("runs_on in the task editor", () => {
  test("suggests the node's name and labels, saves the choice, and the task page shows it", async () => {
    const page = await open(admin, "/tasks/new");
    await page.getByLabel("Name", { exact: true }).first().fill("pinned");
    const step = page.getByRole("group", { name: "Step 1" });
    await step.getByLabel("Command").fill("true");
    const field = page.getByLabel("Runs on", { exact: true });
    expect(await field.inputValue()).toBe("");
    const list = page.locator(`datalist#${await field.getAttribute("list")}`);
    await list.locator(`option[value="${NODE}"]`).waitFor({ state: "attached" });
    expect(await list.locator("option").evaluateAll((os) => os.map((o) => [(o as HTMLOptionElement).value, (o as HTMLOptionElement).label]))).toEqual([
      [NODE, "node"],
      ["backup", `label of ${NODE}`],
      ["db", `label of ${NODE}`],
    ]);
    // the hint says what the field takes, and warns about a word no node answers to
    expect(await page.locator(`#${await field.getAttribute("aria-describedby")}`).textContent()).toContain("A node name or label");
    await field.fill("nowhere");
    await page.getByText("No live node has this name or label now").waitFor();
    await field.fill("db");
    expect(await page.getByText("No live node has this name or label now").count()).toBe(0);
    await page.getByRole("button", { name: "Create task" }).click();
    await page.waitForURL(/\/tasks\/pinned$/);
    expect(await described(page, "Runs on").locator("code").textContent()).toBe("db");
    expect((await must("GET", "/api/tasks/pinned")).runs_on).toBe("db");
  }, T);

  test("emptied, it saves null (any node) and the task page no longer shows it", async () => {
    const page = await open(admin, "/tasks/pinned/edit");
    const field = page.getByLabel("Runs on", { exact: true });
    await page.getByRole("heading", { name: "Edit pinned" }).waitFor();
    expect(await field.inputValue()).toBe("db");
    await field.fill("");
    await page.getByRole("button", { name: "Save" }).click();
    await page.waitForURL(/\/tasks\/pinned$/);
    await described(page, "Pool").waitFor();
    expect(await described(page, "Runs on").count()).toBe(0);
    expect((await must("GET", "/api/tasks/pinned")).runs_on).toBeNull();
  }, T);

  test("a name the server refuses is shown beside the field", async () => {
    const page = await open(admin, "/tasks/pinned/edit");
    const field = page.getByLabel("Runs on", { exact: true });
    await page.getByRole("heading", { name: "Edit pinned" }).waitFor();
    await field.fill("no spaces allowed");
    await page.getByRole("button", { name: "Save" }).click();
    await page.locator(".field.invalid", { has: field }).locator(".error-text").getByText("runs_on").waitFor();
    expect(await field.getAttribute("aria-invalid")).toBe("true");
  }, T);
});

describe("a run's node", () => {
  test("shows on the run page and in the grid's tooltip", async () => {
    await must("PATCH", "/api/tasks/pinned", { runs_on: NODE });
    const run = await runFinished(api, (await must("POST", "/api/tasks/pinned/runs")).id);
    expect(run.node).toBe(NODE);
    const page = await open(admin, `/tasks/pinned?run=${run.id}`);
    await page.getByRole("heading", { name: `Run #${run.id}` }).waitFor();
    expect(await described(page, "Node").textContent()).toBe(NODE);

    const grid = await open(admin, "/");
    const box = grid.locator(`.run[title*="Run ${run.id} "]`);
    expect(await box.getAttribute("title")).toEndWith(` · on ${NODE}`);
    expect(await box.getAttribute("aria-label")).toEndWith(`, on ${NODE}`);
    expect(await box.locator("a.box").first().getAttribute("title")).toEndWith(`, on ${NODE}`);
  }, T);

  test("a queued run is on no node yet, and the run page names the node once it starts", async () => {
    await must("PATCH", "/api/tasks/pinned", { pool: "one" });
    const holder = await must("POST", "/api/tasks/hold/runs");
    const queued = await must("POST", "/api/tasks/pinned/runs");
    expect(queued.status).toBe("queued");
    const page = await open(admin, `/tasks/pinned?run=${queued.id}`);
    await described(page, "Node").getByText("not on a node yet").waitFor();
    await must("POST", `/api/runs/${holder.id}/cancel`);
    await described(page, "Node").getByText(NODE, { exact: true }).waitFor();
    await runFinished(api, queued.id);
  }, T);
});
