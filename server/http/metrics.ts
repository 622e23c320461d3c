// Route: Prometheus metrics.
//   GET /api/metrics   admin, or Authorization: Bearer <LIGHTFLOW_METRICS_TOKEN>
import { Elysia } from "elysia";
import { safeEqual } from "../auth/crypto.ts";
import type { Engine } from "../engine/index.ts";
import { BUILD_COMMIT, VERSION } from "../version.ts";
import { HttpError } from "./errors.ts";
import { bearerOf, type guard } from "./guard.ts";

export function metricsRoutes(engine: Engine, auth: ReturnType<typeof guard>) {
  const { metricsToken } = engine.config;
  return new Elysia({ name: "metrics" }).use(auth).get(
    "/api/metrics",
    ({ set }) => {
      set.headers["content-type"] = "text/plain; version=0.0.4; charset=utf-8";
      return engine.metricsText({ version: VERSION, commit: BUILD_COMMIT || engine.config.gitCommit });
    },
    {
      // a scraper's token is not a user: it reads metrics and nothing else
      transform({ request, principalOf }) {
        const bearer = bearerOf(request.headers.get("authorization"));
        if (metricsToken && bearer && safeEqual(bearer, metricsToken)) return;
        const p = principalOf(request);
        if (!p) throw new HttpError(401, "sign in, or send Authorization: Bearer <LIGHTFLOW_METRICS_TOKEN>");
        if (p.user.role !== "admin") throw new HttpError(403, "metrics are for admins and the metrics token");
      },
      detail: { summary: "Prometheus metrics (text exposition format)" },
    },
  );
}
