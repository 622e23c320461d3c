// The scripts directory as the editor sees it: list, open, save, delete,
// rename. No HTTP here; expected failures come back as named codes.
import { constants } from "node:fs";
import { lstat, mkdir, open, readdir, realpath, rename, rmdir, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { writeAtomic } from "./atomic.ts";
import { checkPython, type SyntaxProblem } from "./check.ts";
import { followLink, inside, locate, TEMP_PREFIX, type LocateFailure, type Located, type ScriptPath } from "./paths.ts";

export const MAX_SCRIPT_BYTES = 1024 * 1024;
/** Looked at to tell text from binary (as git and grep do). */
const SNIFF_BYTES = 8192;
/** Never edited here, and big: a repository's objects, Python's byte code. */
const SKIPPED_DIRS: ReadonlySet<string> = new Set([".git", "__pycache__"]);

export interface ScriptEntry {
  path: string;
  size: number;
  modified_at: number;
  binary: boolean;
}

export interface Saved {
  path: string;
  size: number;
  created: boolean;
  check: SyntaxProblem | null;
}

export type ScriptFailure = LocateFailure | "not_found" | "not_a_file" | "binary" | "too_large" | "not_empty" | "exists" | "into_itself";

export interface ScriptFilesOptions {
  dir: string;
  /** environment for the python3 syntax check */
  env: Readonly<Record<string, string>>;
}

const code = (e: unknown) => (e as NodeJS.ErrnoException).code;

/** NUL in the first 8 KiB, or bytes that are not UTF-8. `partial`: `bytes` is only the start of the file. */
export function looksBinary(bytes: Uint8Array, partial = false): boolean {
  if (bytes.subarray(0, SNIFF_BYTES).includes(0)) return true;
  try {
    // stream: a character cut at the end of a partial read is not an error
    new TextDecoder("utf-8", { fatal: true }).decode(bytes, { stream: partial });
    return false;
  } catch {
    return true;
  }
}

/** 0750 for a program (shebang, or a .sh file), 0640 for the rest. */
export function modeFor(path: string, data: Uint8Array): number {
  const shebang = data[0] === 0x23 && data[1] === 0x21; // "#!"
  return shebang || path.endsWith(".sh") ? 0o750 : 0o640;
}

async function head(path: string): Promise<Uint8Array> {
  const f = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const buf = new Uint8Array(SNIFF_BYTES);
    const { bytesRead } = await f.read(buf, 0, SNIFF_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await f.close();
  }
}

/** What the editor's routes use: the files, or on a cluster the files kept in the database too (shared.ts). */
export type ScriptEditor = Pick<ScriptFiles, "list" | "read" | "save" | "remove" | "rename">;

export class ScriptFiles {
  constructor(private readonly o: ScriptFilesOptions) {}

  /** The real root; made again if someone removed it. */
  private async root(): Promise<string> {
    await mkdir(this.o.dir, { recursive: true, mode: 0o750 });
    return realpath(this.o.dir);
  }

  /**
   * Every file, recursively, sorted by path. Symlinks are followed while they
   * stay inside, each directory once, so a loop ends. Directories reached
   * through a link are walked after all the others: a directory is listed
   * under its own path whenever it has one, whatever order readdir gives.
   */
  async list(): Promise<ScriptEntry[]> {
    const root = await this.root();
    const out: ScriptEntry[] = [];
    const seen = new Set<string>([root]);
    const linked: { real: string; prefix: string }[] = [];
    const walk = async (dir: string, prefix: string): Promise<void> => {
      for (const e of await readdir(dir, { withFileTypes: true })) {
        if (e.name.startsWith(TEMP_PREFIX) || SKIPPED_DIRS.has(e.name)) continue;
        let real = join(dir, e.name);
        if (e.isSymbolicLink()) {
          const target = await followLink(root, real);
          if (target === "outside") continue;
          real = target;
        }
        const st = await stat(real).catch(() => null);
        if (st?.isDirectory()) {
          if (e.isSymbolicLink()) linked.push({ real, prefix: `${prefix}${e.name}/` });
          else if (!seen.has(real)) {
            seen.add(real);
            await walk(real, `${prefix}${e.name}/`);
          }
        } else if (st?.isFile()) {
          const binary = looksBinary(await head(real).catch(() => new Uint8Array(0)), st.size > SNIFF_BYTES);
          out.push({ path: prefix + e.name, size: st.size, modified_at: st.mtimeMs, binary });
        }
      }
    };
    await walk(root, "");
    // grows while it is read: a linked directory can hold more links
    for (const l of linked) {
      if (seen.has(l.real)) continue;
      seen.add(l.real);
      await walk(l.real, l.prefix);
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async read(path: ScriptPath): Promise<{ text: string } | ScriptFailure> {
    const file = await this.readBytes(path);
    if (typeof file === "string") return file;
    if (looksBinary(file.data)) return "binary";
    return { text: new TextDecoder().decode(file.data) };
  }

  /** The file's bytes and permission bits, whatever it holds (what a cluster shares: scripts/shared.ts). */
  async readBytes(path: ScriptPath): Promise<{ data: Uint8Array; mode: number } | ScriptFailure> {
    const loc = await locate(await this.root(), path);
    if (typeof loc === "string") return loc;
    if (!loc.real) return "not_found";
    // NONBLOCK: a FIFO planted in the directory must not hang the request
    const f = await open(loc.real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      const st = await f.stat();
      if (!st.isFile()) return "not_a_file";
      if (st.size > MAX_SCRIPT_BYTES) return "too_large";
      const data = new Uint8Array(await f.readFile());
      return data.length > MAX_SCRIPT_BYTES ? "too_large" : { data, mode: st.mode & 0o777 };
    } finally {
      await f.close();
    }
  }

  /**
   * Creates or replaces the file atomically; a .py file is syntax-checked after
   * it was saved. `mode`: its permission bits (else by modeFor); `check: false`:
   * no syntax check (a copy of what another node saved).
   */
  async save(path: ScriptPath, data: Uint8Array, o: { mode?: number; check?: boolean } = {}): Promise<Saved | ScriptFailure> {
    const loc = await locate(await this.root(), path);
    if (typeof loc === "string") return loc;
    if (loc.real && !(await stat(loc.real)).isFile()) return "not_a_file";
    const dir = await this.makeDirs(loc);
    if (dir === "outside") return dir;
    const target = loc.real ?? join(dir, loc.name);
    // through a symlink that stays inside, the file it points to is replaced and the link kept
    await writeAtomic(dirname(target), basename(target), data, (o.mode ?? modeFor(path, data)) & 0o777);
    const check = path.endsWith(".py") && o.check !== false ? await checkPython(data, path, { env: this.o.env }) : null;
    return { path, size: data.length, created: !loc.real, check };
  }

  /** A file, a symlink (itself, not what it points to) or an empty directory. */
  async remove(path: ScriptPath): Promise<true | ScriptFailure> {
    const loc = await locate(await this.root(), path);
    if (typeof loc === "string") return loc;
    if (!loc.real) return "not_found";
    const entry = join(loc.dir, loc.name);
    if (!loc.isLink && (await lstat(entry)).isDirectory()) {
      try {
        await rmdir(entry);
      } catch (e) {
        if (code(e) === "ENOTEMPTY" || code(e) === "EEXIST") return "not_empty";
        throw e;
      }
    } else await unlink(entry);
    return true;
  }

  /** Moves a file or directory; the target must not exist. Missing directories of the target are made. */
  async rename(from: ScriptPath, to: ScriptPath): Promise<true | { field: "from" | "to"; failure: ScriptFailure }> {
    const root = await this.root();
    const a = await locate(root, from);
    if (typeof a === "string") return { field: "from", failure: a };
    if (!a.real) return { field: "from", failure: "not_found" };
    const b = await locate(root, to);
    if (typeof b === "string") return { field: "to", failure: b };
    if (b.real) return { field: "to", failure: "exists" };
    const src = join(a.dir, a.name);
    if (!a.isLink && (await lstat(src)).isDirectory() && inside(src, join(b.dir, ...b.missing, b.name))) {
      return { field: "to", failure: "into_itself" };
    }
    const dir = await this.makeDirs(b);
    if (dir === "outside") return { field: "to", failure: dir };
    await rename(src, join(dir, b.name));
    return true;
  }

  /** Creates the missing directories of a located entry; returns the real directory that holds it. */
  private async makeDirs(loc: Located): Promise<string | "outside"> {
    let dir = loc.dir;
    for (const seg of loc.missing) {
      dir = join(dir, seg);
      try {
        await mkdir(dir, { mode: 0o750 });
      } catch (e) {
        // made meanwhile by someone else: use it only if it is a real directory
        if (code(e) !== "EEXIST") throw e;
        const st = await lstat(dir);
        if (!st.isDirectory()) return "outside";
      }
    }
    return dir;
  }
}
