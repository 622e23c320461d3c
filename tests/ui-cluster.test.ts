// Several machines in a real Chromium (issue 17): the grid served by node c
// follows a run that node a started and runs, live, without a reload. The
// session made through a is valid on c (accounts live in the database).
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { startCluster, type ClusterNode, type LfCluster } from "./helpers/cluster.ts";
import { tempDir } from "./helpers/tmp.ts";
import { ensureUi, launch, signedIn, watchedPages } from "./helpers/ui.ts";

let cluster: LfCluster;
let a: ClusterNode, c: ClusterNode;
let browser: Browser;
let context: BrowserContext;

const open = watchedPages(() => c.url);
/** A step box by the start of its accessible name ("Run 3, step 1 wait: running"). */
const box = (page: Page, label: string) => page.locator(`a.box[aria-label^="${label}"]`).first();

beforeAll(async () => {
  await ensureUi();
  [cluster, browser] = await Promise.all([startCluster([{ name: "a" }, { name: "c" }]), launch()]);
  a = cluster.node("a");
  c = cluster.node("c");
  context = await signedIn(browser, c.url, a.cookie);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await cluster?.close();
});

test("the grid on c shows a run started on a turn green without a reload", async () => {
  const gate = `${tempDir()}/go`;
  const created = await a.json("POST", "/api/tasks", {
    name: "remote",
    runs_on: "a",
    steps: [{ name: "wait", command: "sh", args: ["-c", `while [ ! -e ${gate} ]; do sleep 0.05; done`] }],
  });
  expect(created.status).toBe(201);
  const page = await open(context, "/");
  await page.locator("th.pin", { hasText: "remote" }).waitFor();
  // a marker that a reload would wipe
  await page.evaluate(() => ((window as unknown as { __stayed: boolean }).__stayed = true));

  const run = await a.json("POST", "/api/tasks/remote/runs");
  expect(run.status).toBe(202);
  const running = box(page, `Run ${run.body.id}, step 1 wait: running`);
  await running.waitFor();
  expect(await running.getAttribute("class")).toContain("s-running");
  await Bun.write(gate, "");
  const green = box(page, `Run ${run.body.id}, step 1 wait: success`);
  await green.waitFor();
  expect(await green.getAttribute("class")).toContain("s-success");
  expect(await page.evaluate(() => (window as unknown as { __stayed?: boolean }).__stayed)).toBe(true);
  expect((await a.json("GET", `/api/runs/${run.body.id}`)).body).toMatchObject({ status: "success", node: "a" });
}, 60_000);
