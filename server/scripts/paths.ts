// Script paths: what a client may name (checked on the text, no file system),
// and where a checked name really lives (checked on the file system, symlinks
// followed only while they stay inside the scripts directory).
import { lstat, realpath, stat } from "node:fs/promises";
import { join } from "node:path";

/** A relative path that passed `checkPath`: segments joined by "/", none of them "." or "..". */
export type ScriptPath = string & { readonly __scriptPath: true };

/** Written next to the target, then renamed over it; never listed, never addressable. */
export const TEMP_PREFIX = ".lightflow-tmp-";
const MAX_PATH = 1024;
const MAX_SEGMENT_BYTES = 255;
const ESCAPE = /%[0-9a-fA-F]{2}/;

function layerProblem(p: string): string | null {
  if (p.includes("\0")) return "NUL bytes are not allowed";
  if (/[\u0001-\u001f\u007f]/.test(p)) return "control characters are not allowed";
  if (p.includes("\\")) return "backslashes are not allowed; separate directories with /";
  if (p.startsWith("/")) return "must be relative to the scripts directory, not absolute";
  for (const seg of p.split("/")) {
    if (seg === "." || seg === "..") return `"${seg}" is not allowed`;
    if (seg === "") return "empty segment (// or a trailing /)";
  }
  return null;
}

function decodeOnce(p: string): string | null {
  try {
    return decodeURIComponent(p);
  } catch {
    return null;
  }
}

/**
 * The problem with `p` (already decoded once, as it came out of the URL or
 * JSON), or null when it is a usable relative path. A name that would reveal
 * "..", "/", "\" or NUL after one more decoding (`%252e%252e`, `%2e%2e`) is
 * refused too: whatever decodes it later must never walk out.
 */
export function pathProblem(p: string): string | null {
  if (p === "") return "a file path is required";
  if (p.length > MAX_PATH) return `longer than ${MAX_PATH} characters`;
  let layer: string | null = p;
  for (let depth = 0; layer !== null && depth < 4; depth++) {
    const problem = layerProblem(layer);
    if (problem) return depth === 0 ? problem : `${problem} (hidden behind percent-encoding)`;
    if (!ESCAPE.test(layer)) break;
    layer = decodeOnce(layer);
  }
  const segments = p.split("/");
  if (segments.some((s) => Buffer.byteLength(s) > MAX_SEGMENT_BYTES)) return `a name is longer than ${MAX_SEGMENT_BYTES} bytes`;
  if (segments.at(-1)!.startsWith(TEMP_PREFIX)) return `names starting with ${TEMP_PREFIX} are reserved for Lightflow's temporary files`;
  return null;
}

export function checkPath(p: string): { path: ScriptPath } | { problem: string } {
  const problem = pathProblem(p);
  return problem ? { problem } : { path: p as ScriptPath };
}

/** The path after a URL prefix, percent-decoded exactly once; null when the encoding is malformed. */
export function pathFromUrl(url: string, prefix: string): string | null {
  const pathname = new URL(url).pathname;
  if (!pathname.startsWith(prefix)) return "";
  return decodeOnce(pathname.slice(prefix.length));
}

export const inside = (root: string, real: string) => real === root || real.startsWith(root + "/");

export interface Located {
  /** the real directory that holds (or will hold) the entry; inside the root */
  dir: string;
  /** the entry's name in `dir` (a symlink's own name when the entry is one) */
  name: string;
  /** directories below `dir` that do not exist yet; the entry is then missing too */
  missing: string[];
  /** the real file or directory the entry stands for; null when missing */
  real: string | null;
  isLink: boolean;
}

export type LocateFailure = "outside" | "not_a_directory";

const code = (e: unknown) => (e as NodeJS.ErrnoException).code;

async function lstatOrNull(p: string) {
  try {
    return await lstat(p);
  } catch (e) {
    if (code(e) === "ENOENT") return null;
    throw e;
  }
}

/** Why a link's target cannot be resolved: it points nowhere, in a loop, through a file, too deep, or where we may not look. */
const UNRESOLVABLE: ReadonlySet<string | undefined> = new Set(["ENOENT", "ELOOP", "ENOTDIR", "ENAMETOOLONG", "EACCES"]);

/** The real path of a symlink, or "outside" when it leaves the root or cannot be resolved (unverifiable). */
export async function followLink(root: string, p: string): Promise<string | "outside"> {
  try {
    const real = await realpath(p);
    return inside(root, real) ? real : "outside";
  } catch (e) {
    // a link planted to make the walk fail (`x -> file.sh/y`) must not turn a listing into a 500
    if (UNRESOLVABLE.has(code(e))) return "outside";
    throw e;
  }
}

/**
 * Where `path` lives under `root` (a real path). Every symlink on the way is
 * resolved and must stay inside `root`; nothing is followed out, so the caller
 * never reads or writes outside.
 */
export async function locate(root: string, path: ScriptPath): Promise<Located | LocateFailure> {
  const segments = path.split("/");
  const name = segments.pop()!;
  let dir = root;
  for (let i = 0; i < segments.length; i++) {
    const next = join(dir, segments[i]!);
    const st = await lstatOrNull(next);
    if (!st) return { dir, name, missing: segments.slice(i), real: null, isLink: false };
    if (st.isSymbolicLink()) {
      const real = await followLink(root, next);
      if (real === "outside") return "outside";
      if (!(await stat(real)).isDirectory()) return "not_a_directory";
      dir = real;
    } else if (st.isDirectory()) dir = next;
    else return "not_a_directory";
  }
  const entry = join(dir, name);
  const st = await lstatOrNull(entry);
  if (!st) return { dir, name, missing: [], real: null, isLink: false };
  if (!st.isSymbolicLink()) return { dir, name, missing: [], real: entry, isLink: false };
  const real = await followLink(root, entry);
  return real === "outside" ? "outside" : { dir, name, missing: [], real, isLink: true };
}
