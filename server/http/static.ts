// The UI: built files embedded in the executable (see bun run build), or from
// LIGHTFLOW_STATIC_DIR, or from client/dist in a source checkout. Any path that
// is not a file gets index.html (client-side routes); /api paths never do.
// Files are sent as the brotli or gzip copy made at build time
// (server/build/precompress.ts) when the request's Accept-Encoding allows it.
import { Elysia } from "elysia";
import { existsSync, statSync, type Stats } from "node:fs";
import { join, normalize, resolve, sep } from "node:path";
import { HttpError } from "./errors.ts";

/** path ("/assets/x.js", and "/assets/x.js.br" for its copies) → file reference, set by the compiled executable's entry */
declare global {
  var __LIGHTFLOW_UI__: Record<string, string> | undefined;
}

type BunFile = ReturnType<typeof Bun.file>;

export type Coding = "br" | "gzip";

/** where server/build/precompress.ts writes each coding's copy */
const SUFFIX: Record<Coding, string> = { br: ".br", gzip: ".gz" };

/** What to send for a path. */
export interface UiFile {
  /** the file itself, or its compressed copy */
  body: BunFile;
  /** body's content coding; null when body is the file itself */
  coding: Coding | null;
  /** the file's own media type (a copy's name says .br or .gz) */
  type: string;
}

export interface UiSource {
  /** the file for the URL path as the first of `codings` it has a smaller copy in, else as itself; null if there is no such file */
  file(path: string, codings: readonly Coding[]): UiFile | null;
  describe: string;
}

const Q = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * The codings to send, best first, for an Accept-Encoding header
 * (RFC 9110 §12.5.3): q=0 refuses a coding, `*` stands for those not named,
 * ties go to br (smaller) before gzip. Identity is the fallback and never
 * refused: it is what a client that names no coding gets, and what any
 * client gets for a file without copies. A coding ranked below an explicit
 * `identity` is not used.
 */
export function acceptedCodings(header: string | null): Coding[] {
  // no header at all says "anything" by the letter of the RFC, but in practice it is a client that decodes nothing
  if (!header) return [];
  const weights = new Map<string, number>();
  for (const item of header.split(",")) {
    const [name = "", ...params] = item.split(";");
    const coding = name.trim().toLowerCase();
    if (!coding) continue;
    let q = 1;
    for (const param of params) {
      const [key = "", value = ""] = param.split("=").map((s) => s.trim());
      // a malformed weight refuses rather than guesses
      if (key.toLowerCase() === "q") q = Q.test(value) ? Number(value) : 0;
    }
    weights.set(coding === "x-gzip" ? "gzip" : coding, q);
  }
  const weight = (c: string) => weights.get(c) ?? weights.get("*") ?? 0;
  const identity = weights.get("identity") ?? 0;
  return (["br", "gzip"] as const).filter((c) => weight(c) > 0 && weight(c) >= identity).sort((a, b) => weight(b) - weight(a));
}

function stat(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null; // missing, or a path through a file (ENOTDIR)
  }
}

function fromDirectory(root: string): UiSource {
  const base = resolve(root);
  return {
    describe: base,
    file(path, codings) {
      const target = normalize(join(base, decodeURIComponent(path)));
      if (target !== base && !target.startsWith(base + sep)) return null; // never outside the UI directory
      const own = stat(target);
      if (!own?.isFile()) return null;
      const type = Bun.file(target).type;
      for (const coding of codings) {
        const copy = stat(target + SUFFIX[coding]);
        // a copy older than its file is left from an earlier build (the file was replaced since): not the same content
        if (copy?.isFile() && copy.mtimeMs >= own.mtimeMs && copy.size < own.size) return { body: Bun.file(target + SUFFIX[coding]), coding, type };
      }
      return { body: Bun.file(target), coding: null, type };
    },
  };
}

/**
 * The embedded files cannot change, so each path's choices are worked out
 * once, on its first request (not at start-up, where reading ~80 sizes would
 * add to the time before the server answers).
 */
function fromEmbedded(files: Record<string, string>): UiSource {
  type Entry = { own: UiFile } & Partial<Record<Coding, UiFile>>;
  const entries = new Map<string, Entry>();
  const entry = (path: string): Entry | null => {
    const known = entries.get(path);
    if (known || !Object.hasOwn(files, path)) return known ?? null;
    const body = Bun.file(files[path]!);
    const made: Entry = { own: { body, coding: null, type: body.type } };
    for (const coding of ["br", "gzip"] as const) {
      const ref = Object.hasOwn(files, path + SUFFIX[coding]) ? files[path + SUFFIX[coding]]! : null;
      const copy = ref === null ? null : Bun.file(ref);
      if (copy && copy.size < body.size) made[coding] = { body: copy, coding, type: body.type };
    }
    entries.set(path, made);
    return made;
  };
  return {
    describe: "embedded",
    file(path, codings) {
      const found = entry(path);
      if (!found) return null;
      for (const coding of codings) if (found[coding]) return found[coding];
      return found.own;
    },
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
    // A range counts bytes of the file itself (Elysia answers it from the body we return), so it never
    // gets a copy; without validators (no ETag) a client cannot join parts of two codings anyway.
    const codings = request.headers.has("range") ? [] : acceptedCodings(request.headers.get("accept-encoding"));
    let found: UiFile | null = null;
    try {
      found = path === "/" ? null : ui.file(path, codings);
    } catch {
      found = null; // a malformed %-escape is just not a file
    }
    if (!found) {
      found = ui.file("/index.html", codings);
      if (!found) throw new HttpError(404, "the UI has no index.html");
      set.headers["cache-control"] = "no-cache";
    } else {
      set.headers["cache-control"] = path.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache";
    }
    // the same URL answers differently by Accept-Encoding: a shared cache must key on it
    set.headers.vary = "accept-encoding";
    set.headers["content-type"] = found.type;
    if (found.coding) set.headers["content-encoding"] = found.coding;
    return found.body;
  });
}
