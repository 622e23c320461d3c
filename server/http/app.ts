// The HTTP application: one Elysia plugin per resource, joined here.
import { Elysia } from "elysia";
import type { Engine } from "../engine/index.ts";
import { BUILD_COMMIT, BUILD_DATE, VERSION } from "../version.ts";

export interface AppDeps {
  engine: Engine;
  startedAt: number;
  publicUrl: () => string;
}

export function createApp(d: AppDeps) {
  const { config } = d.engine;
  return new Elysia()
    .get("/api/alive", () => ({ ok: true }))
    .get("/api/about", () => ({
      version: VERSION,
      commit: BUILD_COMMIT || config.gitCommit,
      build_date: BUILD_DATE,
      started_at: new Date(d.startedAt).toISOString(),
      timezone: config.timezone,
    }));
}

export type App = ReturnType<typeof createApp>;
