import { describe, expect, test } from "bun:test";
import { JobQueue, type EndStatus, type PackageJob } from "./jobs.ts";

/** Work that waits for the test to finish it, so the order of events is in the test's hands. */
function controlledWork() {
  const started: string[] = [];
  const pending = new Map<string, { write: (t: string) => void; finish: (ok: boolean) => void }>();
  let onStart: ((id: string) => void) | null = null;
  const work = (job: PackageJob, write: (t: string) => void) =>
    new Promise<boolean>((finish) => {
      started.push(job.requirement);
      pending.set(job.requirement, { write, finish });
      onStart?.(job.requirement);
    });
  const nextStart = () => new Promise<string>((r) => (onStart = r));
  return { work, started, pending, nextStart };
}

function collect(q: JobQueue, id: string) {
  const got: string[] = [];
  let resolve: (s: EndStatus) => void = () => {};
  const ended = new Promise<EndStatus>((r) => (resolve = r));
  q.follow(id, { output: (d) => got.push(d), end: (s) => resolve(s) });
  return { got, ended };
}

describe("package job queue", () => {
  test("one job runs at a time and the next starts when it ends, in order", async () => {
    const w = controlledWork();
    const q = new JobQueue(w.work);
    const a = q.add("install", "a") as PackageJob;
    const b = q.add("install", "b") as PackageJob;
    const c = q.add("uninstall", "c") as PackageJob;
    expect([a.status, b.status, c.status]).toEqual(["running", "queued", "queued"]);
    expect(w.started).toEqual(["a"]);
    const nextB = w.nextStart();
    w.pending.get("a")!.finish(true);
    expect(await nextB).toBe("b");
    expect(a.status).toBe("success");
    const nextC = w.nextStart();
    w.pending.get("b")!.finish(false);
    expect(await nextC).toBe("c");
    expect(b.status).toBe("failed");
    expect(q.list().map((j) => j.requirement)).toEqual(["c", "b", "a"]);
  });

  test("a follower gets the output so far, every later piece, then the end", async () => {
    const w = controlledWork();
    const q = new JobQueue(w.work);
    const job = q.add("install", "x") as PackageJob;
    w.pending.get("x")!.write("first ");
    const f = collect(q, job.id);
    w.pending.get("x")!.write("second");
    w.pending.get("x")!.finish(true);
    expect(await f.ended).toBe("success");
    expect(f.got.join("")).toBe("first second");
    const late = collect(q, job.id);
    expect(await late.ended).toBe("success");
    expect(late.got).toEqual(["first second"]);
    expect(q.follow("nope", { output() {}, end() {} })).toBeNull();
  });

  test("a throwing job fails with its message; the queue goes on", async () => {
    const q = new JobQueue(async (job) => {
      if (job.requirement === "bad") throw new Error("boom");
      return true;
    });
    const bad = q.add("install", "bad") as PackageJob;
    const good = q.add("install", "good") as PackageJob;
    expect(await collect(q, bad.id).ended).toBe("failed");
    expect(bad.output).toContain("boom");
    expect(await collect(q, good.id).ended).toBe("success");
  });

  test("only the last finished jobs are kept, output is capped, and a full queue refuses more", async () => {
    const w = controlledWork();
    const q = new JobQueue(w.work, { keep: 2, maxWaiting: 2, maxOutput: 10 });
    const first = q.add("install", "j0") as PackageJob;
    w.pending.get("j0")!.write("0123456789abc");
    expect(first.output).toContain("0123456789\n[lightflow] output over 10");
    q.add("install", "j1");
    const last = q.add("install", "j2") as PackageJob;
    expect(q.add("install", "j3")).toBe("queue_full");
    for (const id of ["j0", "j1"]) {
      const next = w.nextStart();
      w.pending.get(id)!.finish(true);
      await next;
    }
    const ended = collect(q, last.id).ended;
    w.pending.get("j2")!.finish(true);
    await ended;
    expect(q.get(first.id)).toBeNull();
    expect(q.list().map((j) => j.requirement)).toEqual(["j2", "j1"]);
  });
});
