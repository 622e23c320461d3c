// Brotli and gzip copies of the built UI, made once at build time so the
// server sends compressed bytes without compressing per request (and without
// a proxy in front). Each compressible file gets `<file>.br` and `<file>.gz`
// beside it; server/http/static.ts picks one by the request's Accept-Encoding.
import { readdirSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";

/** Text formats: images, fonts and archives in these folders are already compressed. */
const COMPRESSIBLE = new Set([".html", ".htm", ".js", ".mjs", ".cjs", ".css", ".svg", ".json", ".map", ".txt", ".xml", ".webmanifest", ".wasm", ".ico"]);
const BINARY = new Set([".wasm", ".ico"]);

/**
 * Below this the saving is a few dozen bytes, less than a header line or two,
 * while each copy still costs two files in the executable (the h5bp server
 * configs use the same floor).
 */
export const MIN_SIZE = 256;

export const SUFFIXES = [".br", ".gz"] as const;

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? files(path) : e.isFile() ? [path] : [];
  });
}

/** The files of `dir` that get compressed copies, with their sizes and times. */
function eligible(dir: string): { path: string; size: number; mtimeMs: number }[] {
  return files(dir)
    .filter((path) => COMPRESSIBLE.has(extname(path).toLowerCase()))
    .map((path) => ({ path, ...statSync(path) }))
    .filter((f) => f.size >= MIN_SIZE)
    .map(({ path, size, mtimeMs }) => ({ path, size, mtimeMs }));
}

/** Whether some compressible file lacks its .br or .gz, or has one older than itself. */
export function compressedIsStale(dir: string): boolean {
  return eligible(dir).some((f) =>
    SUFFIXES.some((suffix) => {
      try {
        return statSync(f.path + suffix).mtimeMs < f.mtimeMs;
      } catch {
        return true;
      }
    }),
  );
}

/**
 * Writes `<file>.br` (quality 11) and `<file>.gz` (level 9) for every
 * compressible file of `dir`; returns how many files got them. Both copies
 * are always written, even in the rare case one is not smaller, so that
 * "is it there?" is enough to tell a fresh build from an old one; the server
 * sends a copy only when it is smaller than the file.
 */
export async function precompress(dir: string): Promise<number> {
  const todo = eligible(dir);
  // zlib's async calls run on libuv's thread pool, so the files compress in parallel
  await Promise.all(
    todo.map(async ({ path, size }) => {
      const data = await Bun.file(path).bytes();
      const [br, gzipped] = await Promise.all([
        brotli(data, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
            [constants.BROTLI_PARAM_MODE]: BINARY.has(extname(path).toLowerCase()) ? constants.BROTLI_MODE_GENERIC : constants.BROTLI_MODE_TEXT,
            [constants.BROTLI_PARAM_SIZE_HINT]: size,
          },
        }),
        gz(data, { level: constants.Z_BEST_COMPRESSION }),
      ]);
      await Promise.all([Bun.write(path + ".br", br), Bun.write(path + ".gz", gzipped)]);
    }),
  );
  return todo.length;
}
