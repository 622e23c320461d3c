// Waiting for a run sees its end even when the run ends before the trigger's
// answer arrives (a step like `true` on a busy machine): the events that come
// first are kept, not dropped.
import { expect, test } from "bun:test";
import { ended, watchRun } from "./follow.ts";
import type { Client, Run } from "./shared.ts";

function fakeClient(): { client: Client; emit: (run: Partial<Run>) => void } {
  const socket = new EventTarget() as unknown as WebSocket;
  (socket as unknown as { close: () => void }).close = () => {};
  const emit = (run: Partial<Run>) => socket.dispatchEvent(new MessageEvent("message", { data: JSON.stringify({ type: "run", run }) }));
  const client = {
    url: "http://127.0.0.1:9",
    json: false,
    call: async () => {
      throw new Error("not used");
    },
    raw: async () => {
      throw new Error("not used");
    },
    socket: async () => socket,
  } as Client;
  return { client, emit };
}

test("a run that ends before the trigger answers is seen ending", async () => {
  const { client, emit } = fakeClient();
  const w = await watchRun(client, async () => {
    emit({ id: 7, status: "running", steps: [] });
    emit({ id: 8, status: "success", steps: [] }); // another run's end changes nothing for ours
    emit({ id: 7, status: "success", steps: [] });
    return { id: 7, status: "queued", steps: [] } as unknown as Run; // the answer, older than the events
  });
  expect((await ended(w)).status).toBe("success");
  w.close();
});

test("an answer that shows the run finished is kept over an older event", async () => {
  const { client, emit } = fakeClient();
  const w = await watchRun(client, async () => {
    emit({ id: 3, status: "running", steps: [] });
    return { id: 3, status: "failed", steps: [] } as unknown as Run;
  });
  expect((await ended(w)).status).toBe("failed");
  w.close();
});

test("events after the answer still move the run on", async () => {
  const { client, emit } = fakeClient();
  const w = await watchRun(client, async () => ({ id: 5, status: "queued", steps: [] }) as unknown as Run);
  const end = ended(w);
  emit({ id: 5, status: "running", steps: [] });
  emit({ id: 5, status: "cancelled", steps: [] });
  expect((await end).status).toBe("cancelled");
  w.close();
});
