// The UI: built files embedded in the executable (see bun run build), or from
// LIGHTFLOW_STATIC_DIR, or from client/dist in a source checkout. Any path that
// is not a file gets index.html (client-side routes); /api paths never do.
import { Elysia } from "elysia";
import { existsSync, statSync } from "node:fs";
import { join, normalize, resolve, sep } from "node:path";
import { HttpError } from "./errors.ts";

/** path ("/assets/x.js") → file reference, set by the compiled executable's entry */
declare global {
  var __LIGHTFLOW_UI__: Record<string, string> | undefined;
}

export interface UiSource {
  /** a Bun file for the URL path, or null */
  file(path: string): ReturnType<typeof Bun.file> | null;
  describe: string;
}

function fromDirectory(root: string): UiSource {
  const base = resolve(root);
  return {
    describe: base,
    file(path) {
      const target = normalize(join(base, decodeURIComponent(path)));
      if (target !== base && !target.startsWith(base + sep)) return null; // never outside the UI directory
      try {
        return statSync(target).isFile() ? Bun.file(target) : null;
      } catch {
        return null;
      }
    },
  };
}

function fromEmbedded(files: Record<string, string>): UiSource {
  return {
    describe: "embedded",
    file: (path) => (Object.hasOwn(files, path) ? Bun.file(files[path]!) : null),
  };
}

export function uiSource(staticDir: string | null): UiSource | null {
  if (staticDir) return fromDirectory(staticDir);
  if (globalThis.__LIGHTFLOW_UI__) return fromEmbedded(globalThis.__LIGHTFLOW_UI__);
  const dev = join(import.meta.dir, "..", "..", "client", "dist");
  return existsSync(join(dev, "index.html")) ? fromDirectory(dev) : null;
}

export function staticRoutes(ui: UiSource | null) {
  return new Elysia({ name: "static" }).get("/*", ({ request, set }) => {
    const path = new URL(request.url).pathname;
    if (path === "/api" || path.startsWith("/api/")) throw new HttpError(404, `no such API route: GET ${path}`);
    if (!ui) {
      set.status = 404;
      set.headers["content-type"] = "text/plain; charset=utf-8";
      return "The Lightflow UI is not built. Run `bun run build:ui` (bun start does it for you); the API is at /api.";
    }
    let file: ReturnType<typeof Bun.file> | null = null;
    try {
      file = path === "/" ? null : ui.file(path);
    } catch {
      file = null; // a malformed %-escape is just not a file
    }
    if (file) {
      set.headers["cache-control"] = path.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache";
      return file;
    }
    const index = ui.file("/index.html");
    if (!index) throw new HttpError(404, "the UI has no index.html");
    set.headers["cache-control"] = "no-cache";
    set.headers["content-type"] = "text/html; charset=utf-8";
    return index;
  });
}
