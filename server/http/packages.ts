// Routes: Python packages in the steps' venv. Install and uninstall are jobs,
// run one at a time; their output streams as plain text or over a WebSocket.
//   GET    /api/packages                 admin   [{name, version}]
//   POST   /api/packages                 admin   {"requirement"} → 202 {job}
//   DELETE /api/packages/:name           admin   → 202 {job}
//   GET    /api/packages/jobs            admin   recent jobs, newest first, without output
//   GET    /api/packages/jobs/:job       admin   {job, status, action, requirement, output}; ?follow=1 text until the end
//   WS     /api/packages/jobs/:job/ws    admin   {"type":"output","data"}…, then {"type":"end","status"}, then closed
import { Elysia, t } from "elysia";
import { untilRevoked } from "../auth/watch.ts";
import type { Config } from "../config.ts";
import type { AuditStore } from "../engine/stores.ts";
import type { PackageJob } from "../packages/jobs.ts";
import { packageNameProblem, requirementProblem } from "../packages/requirement.ts";
import type { PackageService } from "../packages/service.ts";
import { ErrorBody } from "../schema/common.ts";
import { JobOut, JobQuery, JobRef, JobSummaryOut, PackageInstall, PackageOut, type JobMessage } from "../schema/scripts.ts";
import { HttpError, invalid, notFound } from "./errors.ts";
import { crossSite, type guard } from "./guard.ts";

const JobParams = t.Object({ job: t.String({ maxLength: 64 }) });
const NameParams = t.Object({ name: t.String({ maxLength: 300 }) });

const summary = (j: PackageJob) => ({ job: j.id, node: j.node, status: j.status, action: j.action, requirement: j.requirement });

function queued(r: PackageJob | "queue_full"): PackageJob {
  if (r === "queue_full") throw new HttpError(429, "too many package jobs are waiting; try again when some have finished", undefined, {}, { "retry-after": "30" });
  return r;
}

function followText(packages: PackageService, id: string): ReadableStream<Uint8Array> {
  let stop: () => void = () => {};
  let closed = false;
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      stop =
        packages.follow(id, {
          output(data) {
            if (!closed) controller.enqueue(encoder.encode(data));
          },
          end() {
            closed = true;
            controller.close();
          },
        }) ?? stop;
    },
    cancel() {
      closed = true;
      stop();
    },
  });
}

export function packageRoutes(packages: PackageService, audit: AuditStore, auth: ReturnType<typeof guard>, config: Config) {
  const find = (id: string): PackageJob => {
    const job = packages.job(id);
    if (!job) throw notFound(`package job ${id} (the last 20 finished jobs of each node are kept)`);
    return job;
  };
  const sockets = new Map<string, () => void>();

  return new Elysia({ name: "packages" })
    .use(auth)
    .get(
      "/api/packages",
      async () => {
        const r = await packages.list();
        if ("failed" in r) throw new HttpError(500, r.failed);
        return r;
      },
      { role: "admin", response: { 200: t.Array(PackageOut), 500: ErrorBody } },
    )
    .post(
      "/api/packages",
      ({ body, principal, set }) => {
        const problem = requirementProblem(body.requirement);
        if (problem) throw invalid(`requirement: ${problem}`, "requirement");
        const job = queued(packages.install(body.requirement));
        audit.add(principal.user.email, "package.install", body.requirement, `job ${job.id}`);
        set.status = 202;
        return { job: job.id };
      },
      { role: "admin", body: PackageInstall, response: { 202: JobRef, 422: ErrorBody, 429: ErrorBody } },
    )
    .get("/api/packages/jobs", () => packages.recentJobs().map(summary), { role: "admin", response: t.Array(JobSummaryOut) })
    .get(
      "/api/packages/jobs/:job",
      ({ params, query, set, principal, accessWatch }) => {
        const job = find(params.job);
        if (query.follow === "1" || query.follow === "true") {
          set.headers["content-type"] = "text/plain; charset=utf-8";
          set.headers["cache-control"] = "no-store";
          set.headers["x-content-type-options"] = "nosniff";
          return new Response(untilRevoked(accessWatch, principal, "admin", followText(packages, job.id)), { headers: set.headers as Record<string, string> });
        }
        return { ...summary(job), output: job.output };
      },
      { role: "admin", params: JobParams, query: JobQuery, response: { 200: JobOut, 404: ErrorBody } },
    )
    .delete(
      "/api/packages/:name",
      ({ params, principal, set }) => {
        const problem = packageNameProblem(params.name);
        if (problem) throw invalid(`name: ${problem}`, "name");
        const job = queued(packages.uninstall(params.name));
        audit.add(principal.user.email, "package.uninstall", params.name, `job ${job.id}`);
        set.status = 202;
        return { job: job.id };
      },
      { role: "admin", params: NameParams, response: { 202: JobRef, 422: ErrorBody, 429: ErrorBody } },
    )
    // a separate /ws path: Elysia cannot serve a GET and a WebSocket on one path
    .ws("/api/packages/jobs/:job/ws", {
      params: JobParams,
      beforeHandle({ request, principalOf, params }) {
        if (crossSite(request, config)) throw new HttpError(403, "WebSocket from another origin refused");
        const p = principalOf(request);
        if (!p) throw new HttpError(401, "sign in first");
        if (p.user.role !== "admin") throw new HttpError(403, "this needs an admin; you are a viewer");
        find(params.job); // 404 before the upgrade
      },
      open(ws) {
        const send = (m: JobMessage) => ws.send(JSON.stringify(m));
        const stop = packages.follow(ws.data.params.job, {
          output: (data) => send({ type: "output", data }),
          end(status) {
            send({ type: "end", status });
            ws.close(1000, "job ended");
          },
        });
        if (stop && ws.readyState === 1) {
          const { accessWatch, principalOf, request } = ws.data;
          const release = accessWatch.hold(principalOf(request)!, "admin", () => ws.close(1008, "access ended: signed out, revoked, disabled or no longer an admin"));
          sockets.set(ws.id, () => {
            stop();
            release();
          });
        }
        if (!stop) ws.close(1011, "job gone");
      },
      close(ws) {
        sockets.get(ws.id)?.();
        sockets.delete(ws.id);
      },
    });
}
