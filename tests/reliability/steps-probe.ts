// Runs COUNT short steps in an engine of its own, in a process of its own (so
// nothing else in the test runner opens or closes descriptors meanwhile), and
// prints the open descriptors before and after and the zombies left.
import { makeEngine, step, taskDef } from "../helpers/engine.ts";
import { leakableFds, zombiesOf } from "../helpers/procs.ts";

const count = Number(process.argv[2] ?? 1000);
const te = await makeEngine({ LIGHTFLOW_GLOBAL_CONCURRENCY: "4" });
const tasks = Array.from({ length: 50 }, (_, i) => te.engine.createTask(taskDef(`short${i}`, [step("s", "true")])));
// warm up once so lazily opened descriptors (the database, the WAL) are counted in both
await te.finished(te.engine.trigger(tasks[0]!, null).run.id);
const before = leakableFds();
for (let done = 0; done < count; ) {
  const batch = tasks.map((t) => te.engine.trigger(t, null).run);
  await Promise.all(batch.map((r) => te.finished(r.id)));
  done += batch.length;
}
// Bun closes a finished stream's descriptor a moment after the stream ended (it
// owns a copy): give it up to a second to settle. A leak stays; this does not.
let after = leakableFds();
for (let waited = 0; waited < 1000 && after.some((fd) => !before.includes(fd)); waited += 20) {
  await Bun.sleep(20);
  after = leakableFds();
}
const result = { before, after, zombies: zombiesOf(process.pid) };
await te.close();
console.log(JSON.stringify(result));
