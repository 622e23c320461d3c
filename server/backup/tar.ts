// Backup archives: a pax tar writer that never follows a symlink, and the
// reader restore uses. Written here rather than taken from npm: a library
// would still leave us the parts that matter (never following links, reading a
// log that grows while it is archived, refusing entries that lead out on
// restore), while pax itself is one extra header of "length key=value\n"
// records. tar.test.ts checks both directions against GNU tar.
import { closeSync, lstatSync, mkdirSync, openSync, readSync, symlinkSync, writeSync, constants } from "node:fs";
import { lstat, open, readdir, readlink, stat, type FileHandle } from "node:fs/promises";
import { join } from "node:path";

const BLOCK = 512;
const ZEROS = new Uint8Array(BLOCK * 2);
/** The largest size an 11-digit octal field holds; past it the size goes in a pax record. */
const MAX_OCTAL_SIZE = 0o77777777777;
const COPY_CHUNK = 1 << 20;
/** A pax or GNU long-name header larger than this is not a name: refused rather than read into memory. */
const MAX_META = 1 << 20;

type Kind = "0" | "2" | "5" | "x";

interface Header {
  name: string;
  type: Kind;
  size: number;
  mode: number;
  mtime: number;
  linkname?: string;
}

const octal = (n: number, width: number) => n.toString(8).padStart(width - 1, "0") + "\0";

function ustar(e: Header): Buffer {
  const h = Buffer.alloc(BLOCK);
  // Too long names are cut here and given in full by the pax header before.
  h.write(e.name, 0, 100);
  h.write(octal(e.mode & 0o7777, 8), 100);
  h.write(octal(0, 8), 108);
  h.write(octal(0, 8), 116);
  h.write(octal(Math.min(e.size, MAX_OCTAL_SIZE), 12), 124);
  h.write(octal(Math.max(0, Math.floor(e.mtime / 1000)), 12), 136);
  h.write("        ", 148);
  h.write(e.type, 156);
  if (e.linkname) h.write(e.linkname, 157, 100);
  h.write("ustar\0", 257);
  h.write("00", 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + " ", 148);
  return h;
}

/** One pax record, "<length> <key>=<value>\n", where the length counts its own digits. */
export function paxRecord(key: string, value: string): string {
  const rest = Buffer.byteLength(` ${key}=${value}\n`);
  let len = rest + 1;
  while (String(len).length + rest !== len) len++;
  return `${len} ${key}=${value}\n`;
}

/** The header blocks of one entry: a pax header first when a field does not fit in ustar. */
export function headerBlocks(e: Header): Buffer[] {
  let pax = "";
  if (Buffer.byteLength(e.name) > 100) pax += paxRecord("path", e.name);
  if (e.linkname && Buffer.byteLength(e.linkname) > 100) pax += paxRecord("linkpath", e.linkname);
  if (e.size > MAX_OCTAL_SIZE) pax += paxRecord("size", String(e.size));
  if (!pax) return [ustar(e)];
  const body = Buffer.from(pax);
  const base = e.name.split("/").filter(Boolean).at(-1) ?? "entry";
  const x = ustar({ name: `PaxHeaders/${base}`.slice(0, 80), type: "x", size: body.length, mode: 0o644, mtime: e.mtime });
  return [x, body, Buffer.alloc((BLOCK - (body.length % BLOCK)) % BLOCK), ustar(e)];
}

/** The error code of a failed system call (ENOENT, EEXIST, …), or undefined for any other error. */
export const errno = (e: unknown): string | undefined => {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
};

/**
 * Writes an archive into an open file. `tree` never follows a symlink below
 * the directory it is given: a link is stored as a link (its target text),
 * so a loop cannot recur and a file outside is never read.
 */
export class TarWriter {
  /** entries written so far, directories included */
  count = 0;

  constructor(private readonly out: FileHandle) {}

  private async entry(e: Header): Promise<void> {
    await this.put(...headerBlocks(e));
    this.count++;
  }

  private async put(...chunks: Uint8Array[]): Promise<void> {
    for (const c of chunks) if (c.length) await this.out.write(c);
  }

  /**
   * A regular file, `size` bytes as it was when it was opened: a log that
   * grows meanwhile is cut there, one that shrinks is padded, so the headers
   * stay true. A file gone since it was listed (retention) is left out.
   */
  async file(name: string, path: string): Promise<void> {
    let f: FileHandle;
    try {
      // NOFOLLOW: swapped for a link since it was listed, it is not read; NONBLOCK: nor is a FIFO waited on
      f = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (e) {
      if (errno(e) === "ENOENT") return;
      throw e;
    }
    try {
      const st = await f.stat();
      if (!st.isFile()) return;
      await this.entry({ name, type: "0", size: st.size, mode: st.mode, mtime: st.mtimeMs });
      const buf = Buffer.alloc(Math.min(COPY_CHUNK, Math.max(st.size, 1)));
      let done = 0;
      while (done < st.size) {
        const { bytesRead } = await f.read(buf, 0, Math.min(buf.length, st.size - done), done);
        if (bytesRead <= 0) break;
        await this.put(buf.subarray(0, bytesRead));
        done += bytesRead;
      }
      if (done < st.size) await this.put(Buffer.alloc(st.size - done));
      await this.put(ZEROS.subarray(0, (BLOCK - (st.size % BLOCK)) % BLOCK));
    } finally {
      await f.close();
    }
  }

  /** `dir` (followed if it is itself a link: it is what the admin configured) and everything below it, as `as/…`. */
  async tree(dir: string, as: string): Promise<void> {
    let names: string[];
    try {
      names = (await readdir(dir)).sort();
    } catch (e) {
      if (errno(e) === "ENOENT") return;
      throw e;
    }
    const st = await stat(dir).catch(() => null);
    await this.entry({ name: `${as}/`, type: "5", size: 0, mode: st?.mode ?? 0o700, mtime: st?.mtimeMs ?? Date.now() });
    for (const n of names) {
      const path = join(dir, n);
      const name = `${as}/${n}`;
      let entry;
      try {
        entry = await lstat(path);
      } catch (e) {
        if (errno(e) === "ENOENT") continue;
        throw e;
      }
      if (entry.isSymbolicLink()) {
        const linkname = await readlink(path).catch((e) => (errno(e) === "ENOENT" ? null : Promise.reject(e)));
        if (linkname !== null) await this.entry({ name, type: "2", size: 0, mode: 0o777, mtime: entry.mtimeMs, linkname });
      } else if (entry.isDirectory()) await this.tree(path, name);
      else if (entry.isFile()) await this.file(name, path);
      // sockets, FIFOs and devices are not backed up
    }
  }

  async end(): Promise<void> {
    await this.put(ZEROS);
  }
}

// ---- reading ------------------------------------------------------------------

export interface Extracted {
  /** regular files written, by name in the archive */
  files: string[];
  /** symlinks made */
  links: string[];
}

/** A name from an archive as a safe relative path, or null when it would lead out of `dest`. */
function safeName(raw: string): string | null {
  const name = raw.replace(/^(\.\/)+/, "").replace(/\/+$/, "");
  if (name === "") return raw.startsWith(".") ? "" : null; // "./": the top directory itself
  if (name.startsWith("/")) return null;
  return name.split("/").some((s) => s === ".." || s === "") ? null : name;
}

function numeric(h: Buffer, at: number, len: number): number {
  // GNU tar writes large values in base-256, marked by the high bit
  if (h[at]! & 0x80) return h.subarray(at + 1, at + len).reduce((n, b) => n * 256 + b, h[at]! & 0x7f);
  // octal digits, maybe led by spaces, ended by NUL or space
  const s = h.subarray(at, at + len).toString("latin1").replace(/^ +/, "").replace(/[\0 ].*$/s, "");
  return s ? parseInt(s, 8) : 0;
}

function text(h: Buffer, at: number, len: number): string {
  const f = h.subarray(at, at + len);
  const end = f.indexOf(0);
  return f.subarray(0, end < 0 ? len : end).toString("utf8");
}

function parsePax(body: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let rest = body;
  while (rest.length) {
    const space = rest.indexOf(0x20);
    const len = parseInt(rest.subarray(0, space).toString("latin1"), 10);
    if (!(space > 0 && len > space && len <= rest.length)) throw new Error("the archive has a damaged pax header");
    const record = rest.subarray(space + 1, len - 1).toString("utf8");
    const eq = record.indexOf("=");
    out.set(record.slice(0, eq), record.slice(eq + 1));
    rest = rest.subarray(len);
  }
  return out;
}

/** Makes `name`'s missing directories below `dest`; refuses to pass through a symlink (an earlier entry could have planted one). */
function parentDirs(dest: string, name: string): void {
  let dir = dest;
  for (const seg of name.split("/").slice(0, -1)) {
    dir = join(dir, seg);
    const st = lstatSync(dir, { throwIfNoEntry: false });
    if (!st) mkdirSync(dir, { mode: 0o700 });
    else if (!st.isDirectory()) throw new Error(`the archive puts ${name} below a symlink or a file; refused`);
  }
}

/**
 * Unpacks files, directories and symlinks into `dest` (ustar, pax and GNU
 * long names). Symlinks are made last, after every file, so no file is ever
 * written through one, whatever the archive's order; entries that would land
 * outside `dest` are refused. A link whose name `linkAllowed` refuses is left out.
 */
export function extractTar(file: string, dest: string, linkAllowed: (name: string) => boolean = () => true): Extracted {
  const fd = openSync(file, "r");
  const done: Extracted = { files: [], links: [] };
  const links: { name: string; target: string }[] = [];
  const read = (len: number, at: number, what: string) => {
    const buf = Buffer.alloc(len);
    if (readSync(fd, buf, 0, len, at) !== len) throw new Error(`the archive is cut short in ${what}`);
    return buf;
  };
  try {
    let pos = 0;
    let pax = new Map<string, string>();
    let longName: string | null = null;
    let longLink: string | null = null;
    for (;;) {
      const h = Buffer.alloc(BLOCK);
      const got = readSync(fd, h, 0, BLOCK, pos);
      if (got === 0 || (got === BLOCK && h.every((b) => b === 0))) break;
      if (got < BLOCK) throw new Error("the archive is cut short");
      let sum = 0;
      for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
      if (sum !== numeric(h, 148, 8)) throw new Error("not a tar archive (a header's checksum is wrong)");
      const type = text(h, 156, 1) || "0";
      const prefix = h.subarray(257, 262).toString("latin1") === "ustar" ? text(h, 345, 155) : "";
      const raw = longName ?? pax.get("path") ?? [prefix, text(h, 0, 100)].filter(Boolean).join("/");
      const linkname = longLink ?? pax.get("linkpath") ?? text(h, 157, 100);
      const size = pax.has("size") ? Number(pax.get("size")) : numeric(h, 124, 12);
      if (!Number.isSafeInteger(size) || size < 0) throw new Error("not a tar archive (a size is not a number)");
      pos += BLOCK;
      const data = pos;
      pos += Math.ceil(size / BLOCK) * BLOCK;
      if (type === "x" || type === "L" || type === "K") {
        if (size > MAX_META) throw new Error("the archive has an oversized long-name header");
        const body = read(size, data, "a long name");
        if (type === "x") pax = parsePax(body);
        else if (type === "L") longName = body.toString("utf8").replace(/\0+$/, "");
        else longLink = body.toString("utf8").replace(/\0+$/, "");
        continue;
      }
      pax = new Map();
      longName = longLink = null;
      if (type === "g") continue;
      const name = safeName(raw);
      if (name === null || (name === "" && type !== "5")) throw new Error(`the archive holds a path outside the data directory: ${raw}`);
      const target = join(dest, name);
      if (type === "5") {
        parentDirs(dest, `${name}/`);
      } else if (type === "2") {
        if (linkAllowed(name)) links.push({ name, target: linkname });
      } else if (type === "0" || type === "7") {
        parentDirs(dest, name);
        const mode = numeric(h, 100, 8);
        // the owner's bits only, and always readable and writable by the service that restores it
        const out = openSync(target, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, (mode & 0o700) | 0o600);
        try {
          for (let left = size, at = data; left > 0; ) {
            const buf = read(Math.min(COPY_CHUNK, left), at, name);
            writeSync(out, buf);
            left -= buf.length;
            at += buf.length;
          }
        } finally {
          closeSync(out);
        }
        done.files.push(name);
      }
      // hard links, devices and FIFOs are never in a Lightflow backup: skipped
    }
    for (const l of links) {
      parentDirs(dest, l.name);
      symlinkSync(l.target, join(dest, l.name));
      done.links.push(l.name);
    }
  } finally {
    closeSync(fd);
  }
  return done;
}
