// One measured request or trigger against a running server.
import { nsToMs, wallMs } from "./clock.ts";
import type { Server } from "./server.ts";

/** ms from sending the request to having read the whole body. */
export async function timedGet(server: Server, path: string, auth = true): Promise<{ ms: number; bytes: number; status: number }> {
  const t0 = performance.now();
  const res = auth ? await server.call("GET", path) : await fetch(server.url + path);
  const body = await res.arrayBuffer();
  return { ms: performance.now() - t0, bytes: body.byteLength, status: res.status };
}

export interface TriggerSample {
  /** POST sent → the first byte step 1 wrote (its own `date +%s%N`) */
  firstByte: number;
  /** POST sent → 202 received */
  post: number;
  runId: number;
}

/**
 * Triggers `task` (whose first step is `date +%s%N`), waits for the server's
 * "run N of T ended" line, then reads step 1's log: the timestamp date took
 * just before writing its first and only line.
 */
export async function triggerOnce(server: Server, task: string): Promise<TriggerSample> {
  const t0 = wallMs();
  const res = await server.call("POST", `/api/tasks/${encodeURIComponent(task)}/runs`);
  const post = wallMs() - t0;
  const run = (await res.json()) as { id: number };
  if (res.status !== 202) throw new Error(`trigger ${task}: ${res.status} ${JSON.stringify(run)}`);
  await server.waitLine(new RegExp(`run ${run.id} of \\S+ ended`), 15_000, true);
  const log = await server.call("GET", `/api/runs/${run.id}/steps/1/log`);
  const text = await log.text();
  return { firstByte: nsToMs(text.split("\n")[0]!) - t0, post, runId: run.id };
}

/** The step that prints its own start time: the probe of P4, P7 and P11. */
export const DATE_STEP = { command: "date", args: ["+%s%N"] };
