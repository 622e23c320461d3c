// An engine on a real database and real processes (or a fake executor) in a temporary directory.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { loadConfig, type Config } from "../../server/config.ts";
import { openStores, type AllStores } from "../../server/db/index.ts";
import { prepareDataDir } from "../../server/cli/serve.ts";
import type { Clock } from "../../server/engine/clock.ts";
import type { Executor } from "../../server/engine/executor.ts";
import { Engine } from "../../server/engine/index.ts";
import type { Run, StepDef, TaskDef } from "../../server/engine/types.ts";

export interface TestEngine {
  engine: Engine;
  /** what the engine keeps: tests arrange and read state here, as the engine's own store does */
  stores: AllStores;
  config: Config;
  dir: string;
  /** resolves with the run once it reaches a finished status */
  finished(runId: number): Promise<Run>;
  /** resolves with the first run event that matches */
  waitRun(pred: (r: Run) => boolean): Promise<Run>;
  close(): Promise<void>;
}

export { tempDir } from "./tmp.ts";
import { tempDir } from "./tmp.ts";

/** `executor`: the real one (processes) unless a test passes a fake (tests/helpers/fake-executor.ts). */
export async function makeEngine(env: Record<string, string> = {}, clock?: Clock, dir = tempDir(), executor?: Executor): Promise<TestEngine> {
  const config = loadConfig({ PATH: process.env.PATH, LIGHTFLOW_DATA_DIR: dir, LIGHTFLOW_KILL_GRACE_S: "1", LIGHTFLOW_TIMEZONE: "UTC", ...env });
  prepareDataDir(config);
  const stores = openStores(join(dir, "lightflow.db"));
  const engine = new Engine({ config, stores, clock, executor });
  const waitRun = (pred: (r: Run) => boolean) =>
    new Promise<Run>((resolve) => {
      const off = engine.bus.on((e) => {
        if (e.type === "run" && pred(e.run)) {
          off();
          resolve(structuredClone(e.run));
        }
      });
    });
  const finished = (runId: number) => {
    const now = stores.runs.get(runId);
    if (now && ["success", "failed", "cancelled"].includes(now.status)) return Promise.resolve(now);
    return waitRun((r) => r.id === runId && ["success", "failed", "cancelled"].includes(r.status));
  };
  await engine.start();
  return {
    engine,
    stores,
    config,
    dir,
    finished,
    waitRun,
    async close() {
      await engine.shutdown();
      stores.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function step(name: string, command: string, args: string[] = [], extra: Partial<StepDef> = {}): StepDef {
  return { name, command, args, run_rule: "on_success", timeout_s: 60, retries: 0, retry_delay_s: 0, ...extra };
}

export function taskDef(name: string, steps: StepDef[], extra: Partial<TaskDef> = {}): TaskDef {
  return { name, description: "", cron: null, enabled: true, pool: null, catchup: false, start_deadline_s: null, alert_emails: [], params: [],
    after: [], timezone: null,
    steps, ...extra };
}

export const sh = (name: string, script: string, extra: Partial<StepDef> = {}) => step(name, "bash", ["-c", script], extra);
