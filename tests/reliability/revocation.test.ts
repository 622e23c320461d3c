// Streams after revocation: every kind of stream a signed-in user can hold open
// (the events WebSocket, a step log's WebSocket, a followed log over HTTP) ends
// when the access it was opened with ends, whichever way it ends: sign-out, a
// password change that ends other sessions, a token revoked, the user disabled,
// deleted or (for admin-only streams) no longer an admin.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cookieOf, request, runEnded, startApi, type Api } from "../helpers/api.ts";

let api: Api;
let runId: number;
let viewers = 0;

beforeAll(async () => {
  api = await startApi();
  // a step that writes a line a second for a minute: a log that stays open while the test runs
  await api.json("POST", "/api/tasks", {
    name: "chatty",
    steps: [{ name: "talk", command: "bash", args: ["-c", "for i in $(seq 60); do echo line $i; sleep 1; done"] }],
  });
  runId = (await api.json("POST", "/api/tasks/chatty/runs")).body.id;
});
afterAll(async () => {
  if (runId) {
    await api.call("POST", `/api/runs/${runId}/cancel`);
    await runEnded(api, runId);
  }
  await api?.close();
});

interface Viewer {
  email: string;
  id: number;
  cookie: string;
  token: string;
  password: string;
}

async function newViewer(): Promise<Viewer> {
  const email = `watcher${++viewers}@example.com`;
  const { token, cookie } = await api.user(email, "viewer");
  const users = (await api.json("GET", "/api/users")).body as { id: number; email: string }[];
  return { email, id: users.find((u) => u.email === email)!.id, cookie, token, password: "viewer password 123" };
}

type Credential = { cookie: string } | { authorization: string };

/** A WebSocket that resolves `open` once it is open and `closed` with its close code. */
function socket(path: string, credential: Credential) {
  const ws = new WebSocket(`${api.url.replace("http", "ws")}${path}`, { headers: credential } as any);
  let received = 0;
  const waiters: (() => void)[] = [];
  ws.onmessage = () => {
    received++;
    for (const w of waiters.splice(0)) w();
  };
  const next = () => new Promise<void>((resolve) => waiters.push(resolve));
  const firstMessage = next();
  const open = new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error(`${path}: could not open`));
  });
  const closed = new Promise<number>((resolve) => (ws.onclose = (e) => resolve(e.code)));
  return { ws, open, closed, firstMessage, next };
}

/** A followed log over HTTP (`curl -N`): resolves `ended` when the stream stops, however it stops. */
async function follow(credential: Credential) {
  const res = await request(api.url, "GET", `/api/runs/${runId}/steps/1/log?follow=1`, undefined, credential as Record<string, string>);
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const first = await reader.read(); // it is streaming
  expect(first.done).toBe(false);
  const ended = (async () => {
    try {
      for (;;) if ((await reader.read()).done) return "ended";
    } catch {
      return "cut";
    }
  })();
  return { ended };
}

/** Opens all three streams with a credential, proves they work, revokes, and waits for all three to end. */
async function streamsEndWhen(credential: Credential, revoke: () => Promise<void>): Promise<void> {
  const events = socket("/api/events", credential);
  const log = socket(`/api/runs/${runId}/steps/1/log/ws`, credential);
  await Promise.all([events.open, log.open, log.firstMessage]);
  const followed = await follow(credential);
  // the events socket delivers: a change it must see while access lasts
  await api.json("PATCH", "/api/tasks/chatty", { description: `seen by ${JSON.stringify(credential).length}` });
  await events.firstMessage;
  await revoke();
  expect(await events.closed).toBe(1008);
  expect(await log.closed).toBe(1008);
  expect(await followed.ended).toBe("cut"); // not a clean end: the step has not ended
  // and they cannot come back with the same credential
  const again = socket("/api/events", credential);
  await expect(again.open).rejects.toThrow();
}

describe("every stream ends when its access ends", () => {
  test("sign-out ends the session's streams", async () => {
    const v = await newViewer();
    await streamsEndWhen({ cookie: v.cookie }, async () => {
      expect((await request(api.url, "POST", "/api/auth/logout", undefined, { cookie: v.cookie })).status).toBe(204);
    });
  });

  test("a password change ends the streams of the user's other sessions", async () => {
    const v = await newViewer();
    const other = cookieOf(await request(api.url, "POST", "/api/auth/login", { email: v.email, password: v.password }));
    await streamsEndWhen({ cookie: other }, async () => {
      const r = await request(api.url, "POST", "/api/me/password", { current: v.password, password: "a new password 42" }, { cookie: v.cookie });
      expect(r.status).toBe(200);
    });
  });

  test("revoking a token ends the streams opened with it", async () => {
    const v = await newViewer();
    const tokens = (await (await request(api.url, "GET", "/api/me/tokens", undefined, { cookie: v.cookie })).json()) as { id: number }[];
    await streamsEndWhen({ authorization: `Bearer ${v.token}` }, async () => {
      expect((await request(api.url, "DELETE", `/api/me/tokens/${tokens[0]!.id}`, undefined, { cookie: v.cookie })).status).toBe(204);
    });
  });

  test("disabling a user ends their session's and their token's streams", async () => {
    const v = await newViewer();
    const events = socket("/api/events", { authorization: `Bearer ${v.token}` });
    await events.open;
    await streamsEndWhen({ cookie: v.cookie }, async () => {
      expect((await api.call("PATCH", `/api/users/${v.id}`, { disabled: true })).status).toBe(200);
    });
    expect(await events.closed).toBe(1008);
  });

  test("deleting a user ends their streams", async () => {
    const v = await newViewer();
    await streamsEndWhen({ authorization: `Bearer ${v.token}` }, async () => {
      expect((await api.call("DELETE", `/api/users/${v.id}`)).status).toBe(204);
    });
  });

  test("streams of other users and sessions go on", async () => {
    const kept = await newViewer();
    const events = socket("/api/events", { cookie: kept.cookie });
    await events.open;
    const v = await newViewer();
    await streamsEndWhen({ cookie: v.cookie }, async () => {
      expect((await request(api.url, "POST", "/api/auth/logout", undefined, { cookie: v.cookie })).status).toBe(204);
    });
    const next = events.next();
    await api.json("PATCH", "/api/tasks/chatty", { description: "still watched" });
    await next;
    expect(events.ws.readyState).toBe(WebSocket.OPEN);
    events.ws.close();
  });
});
