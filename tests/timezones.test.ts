// A time zone per task through the API, against a real server in UTC: tasks in
// Pacific/Chatham (UTC+12:45, +13:45 in summer) and America/Santiago (clocks
// change at midnight), their next fire time and the preview across their DST
// changes (times worked out by hand from the zones' rules), and the 422s.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startApi, type Api } from "./helpers/api.ts";

let api: Api;
beforeAll(async () => {
  api = await startApi({ env: { LIGHTFLOW_TIMEZONE: "UTC" } });
});
afterAll(async () => api?.close());

const shTask = (name: string, extra: Record<string, unknown> = {}) => ({ name, steps: [{ name: "s", command: "true" }], ...extra });
const previewOf = async (expr: string, from: string, timezone?: string, count = 4) =>
  api.json("GET", `/api/cron/preview?expr=${encodeURIComponent(expr)}&count=${count}&from=${from}${timezone ? `&timezone=${encodeURIComponent(timezone)}` : ""}`);
/** The wall-clock time of an instant in a zone, "HH:MM". */
const wall = (iso: string, zone: string) =>
  new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(iso));

describe("the preview in a task's zone, next to a server in UTC", () => {
  test("Pacific/Chatham, spring (27 Sep 2026, 02:45 → 03:45): 03:00 fires once, at 03:45", async () => {
    const { status, body } = await previewOf("0 3 * * *", "2026-09-24T00:00:00Z", "Pacific/Chatham");
    expect(status).toBe(200);
    expect(body.timezone).toBe("Pacific/Chatham");
    expect(body.next).toEqual([
      "2026-09-24T14:15:00.000Z", // 03:00 +12:45
      "2026-09-25T14:15:00.000Z",
      "2026-09-26T14:00:00.000Z", // 03:45 +13:45: 03:00 did not exist
      "2026-09-27T13:15:00.000Z", // 03:00 +13:45
    ]);
    expect(body.notes).toEqual([expect.objectContaining({ at: "2026-09-26T14:00:00.000Z", kind: "skipped" })]);
    // the same expression without a zone is read in the server's: UTC
    expect((await previewOf("0 3 * * *", "2026-09-24T00:00:00Z")).body).toMatchObject({ timezone: "UTC", next: expect.arrayContaining(["2026-09-24T03:00:00.000Z"]) });
  });

  test("Pacific/Chatham, autumn (5 Apr 2026, 03:45 → 02:45): a fixed 03:00 fires once, an hourly :15 on both passes", async () => {
    const fixed = (await previewOf("0 3 * * *", "2026-04-02T00:00:00Z", "Pacific/Chatham")).body;
    expect(fixed.next).toEqual(["2026-04-02T13:15:00.000Z", "2026-04-03T13:15:00.000Z", "2026-04-04T13:15:00.000Z", "2026-04-05T14:15:00.000Z"]);
    expect(fixed.notes.map((n: any) => [n.at, n.kind])).toEqual([["2026-04-04T13:15:00.000Z", "repeated"]]);
    const hourly = (await previewOf("15 * * * *", "2026-04-04T12:00:00Z", "Pacific/Chatham")).body;
    // 02:15 (+13:45), 03:15 (+13:45), 03:15 again (+12:45), 04:15 (+12:45)
    expect(hourly.next).toEqual(["2026-04-04T12:30:00.000Z", "2026-04-04T13:30:00.000Z", "2026-04-04T14:30:00.000Z", "2026-04-04T15:30:00.000Z"]);
  });

  test("America/Santiago, spring (6 Sep 2026, 00:00 → 01:00): 00:30 fires at 01:00", async () => {
    const { body } = await previewOf("30 0 * * *", "2026-09-04T00:00:00Z", "America/Santiago");
    expect(body.timezone).toBe("America/Santiago");
    expect(body.next).toEqual(["2026-09-04T04:30:00.000Z", "2026-09-05T04:30:00.000Z", "2026-09-06T04:00:00.000Z", "2026-09-07T03:30:00.000Z"]);
    expect(body.notes[0]).toMatchObject({ at: "2026-09-06T04:00:00.000Z", kind: "skipped" });
  });

  test("America/Santiago, autumn (5 Apr 2026, 00:00 → 23:00 the day before): 23:30 fires once, at the first", async () => {
    const { body } = await previewOf("30 23 * * *", "2026-04-03T00:00:00Z", "America/Santiago");
    expect(body.next).toEqual(["2026-04-03T02:30:00.000Z", "2026-04-04T02:30:00.000Z", "2026-04-05T02:30:00.000Z", "2026-04-06T03:30:00.000Z"]);
    expect(body.notes[0]).toMatchObject({ at: "2026-04-05T02:30:00.000Z", kind: "repeated" });
  });

  test("an unknown zone, or an offset instead of a name: 422 on timezone", async () => {
    for (const zone of ["Mars/Olympus", "+05:00"]) {
      const r = await previewOf("0 3 * * *", "2026-09-24T00:00:00Z", zone);
      expect(r.status).toBe(422);
      expect(r.body.field).toBe("timezone");
      expect(r.body.error).toContain("not a known IANA time zone");
    }
  });
});

describe("a task's own zone", () => {
  test("its next fire time is its CRON read in its zone; null means the server's", async () => {
    const chatham = await api.json("POST", "/api/tasks", shTask("tz-chatham", { cron: "0 3 * * *", timezone: "Pacific/Chatham" }));
    expect(chatham.status).toBe(201);
    expect(chatham.body.timezone).toBe("Pacific/Chatham");
    // 03:00 there, or 03:45 on the one night 03:00 does not exist
    expect(["03:00", "03:45"]).toContain(wall(chatham.body.next_fire_at, "Pacific/Chatham"));
    const santiago = (await api.json("POST", "/api/tasks", shTask("tz-santiago", { cron: "30 23 * * *", timezone: "America/Santiago" }))).body;
    expect(wall(santiago.next_fire_at, "America/Santiago")).toBe("23:30");
    const server = (await api.json("POST", "/api/tasks", shTask("tz-server", { cron: "0 3 * * *" }))).body;
    expect(server.timezone).toBeNull();
    expect(server.next_fire_at).toMatch(/T03:00:00\.000Z$/);
  });

  test("changing the zone (PUT or PATCH) moves the next fire time at once; the name is stored as the zone spells it", async () => {
    await api.json("POST", "/api/tasks", shTask("tz-move", { cron: "30 23 * * *" }));
    const patched = await api.json("PATCH", "/api/tasks/tz-move", { timezone: "america/santiago" });
    expect(patched.status).toBe(200);
    expect(patched.body.timezone).toBe("America/Santiago");
    expect(wall(patched.body.next_fire_at, "America/Santiago")).toBe("23:30");
    const back = await api.json("PATCH", "/api/tasks/tz-move", { timezone: null });
    expect(back.body.next_fire_at).toMatch(/T23:30:00\.000Z$/);
    const audit = (await api.json("GET", "/api/audit")).body as any[];
    expect(audit.some((e) => e.action === "task.update" && e.target === "tz-move" && e.detail === "timezone")).toBe(true);
  });

  test("an unknown zone is refused with 422 on timezone (create, PUT, PATCH, import) and nothing is saved", async () => {
    const created = await api.json("POST", "/api/tasks", shTask("tz-bad", { cron: "0 3 * * *", timezone: "Mars/Olympus" }));
    expect(created.status).toBe(422);
    expect(created.body).toMatchObject({ field: "timezone" });
    expect((await api.json("GET", "/api/tasks/tz-bad")).status).toBe(404);
    await api.json("POST", "/api/tasks", shTask("tz-ok", { cron: "0 3 * * *" }));
    expect((await api.json("PUT", "/api/tasks/tz-ok", shTask("tz-ok", { timezone: "Europe/Atlantis" }))).body.field).toBe("timezone");
    const patch = await api.json("PATCH", "/api/tasks/tz-ok", { timezone: "Nowhere" });
    expect(patch.status).toBe(422);
    expect(patch.body.field).toBe("timezone");
    const imported = await api.json("POST", "/api/import", { lightflow: 1, tasks: [shTask("tz-imp", { timezone: "Mars/Olympus" })] });
    expect(imported.status).toBe(422);
    expect(imported.body.field).toBe("tasks.0.timezone");
    expect((await api.json("GET", "/api/tasks/tz-ok")).body.timezone).toBeNull();
  });
});

test("the OpenAPI document carries after, timezone and the preview's timezone", async () => {
  const doc = (await api.json("GET", "/api/openapi.json")).body;
  expect(doc.paths["/api/cron/preview"].get.parameters.map((p: any) => p.name)).toContain("timezone");
  const text = JSON.stringify(doc.paths["/api/tasks"]);
  for (const field of ['"after"', '"timezone"', '"finished"', "LIGHTFLOW_TIMEZONE"]) expect(text).toContain(field);
});
