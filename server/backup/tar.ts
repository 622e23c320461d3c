// A minimal ustar writer and reader: backups must not depend on a `tar`
// binary being on the machine the single executable runs on.
import { closeSync, mkdirSync, openSync, readdirSync, readSync, statSync, writeSync } from "node:fs";
import { dirname, join, normalize, sep } from "node:path";

const BLOCK = 512;

export interface TarEntry {
  /** path inside the archive, with / */
  name: string;
  /** a file on disk to copy in */
  path: string;
  mode: number;
  mtime: number;
  size: number;
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, "0") + "\0";
}

function header(name: string, size: number, mode: number, mtime: number): Uint8Array {
  const h = Buffer.alloc(BLOCK);
  let prefix = "";
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf("/", 154);
    if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100) throw new Error(`path too long for a backup archive: ${name}`);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  h.write(base, 0, 100);
  h.write(octal(mode & 0o7777, 8), 100);
  h.write(octal(0, 8), 108);
  h.write(octal(0, 8), 116);
  h.write(octal(size, 12), 124);
  h.write(octal(Math.floor(mtime / 1000), 12), 136);
  h.write("        ", 148); // checksum placeholder
  h.write("0", 156); // regular file
  h.write("ustar\0", 257);
  h.write("00", 263);
  h.write(prefix, 345, 155);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + " ", 148);
  return h;
}

/** Every regular file below `dir`, named `<as>/<relative path>`. */
export function filesBelow(dir: string, as: string): TarEntry[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.sort().flatMap((n) => {
    const p = join(dir, n);
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) return [];
    if (st.isDirectory()) return filesBelow(p, `${as}/${n}`);
    return st.isFile() ? [{ name: `${as}/${n}`, path: p, mode: st.mode, mtime: st.mtimeMs, size: st.size }] : [];
  });
}

/** The archive as a stream of chunks, reading each file as it goes. */
export async function* tarStream(entries: TarEntry[]): AsyncGenerator<Uint8Array> {
  for (const e of entries) {
    yield header(e.name, e.size, e.mode, e.mtime);
    const fd = openSync(e.path, "r");
    try {
      let left = e.size;
      while (left > 0) {
        const buf = Buffer.alloc(Math.min(1 << 20, left));
        const n = readSync(fd, buf, 0, buf.length, e.size - left);
        if (n <= 0) break;
        left -= n;
        yield buf.subarray(0, n);
      }
      if (left > 0) yield Buffer.alloc(left); // the file shrank while we read it: keep the archive well-formed
    } finally {
      closeSync(fd);
    }
    const pad = (BLOCK - (e.size % BLOCK)) % BLOCK;
    if (pad) yield Buffer.alloc(pad);
  }
  yield Buffer.alloc(BLOCK * 2);
}

export async function writeTar(file: string, entries: TarEntry[]): Promise<void> {
  const fd = openSync(file, "w", 0o600);
  try {
    for await (const chunk of tarStream(entries)) writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
}

/** Unpacks regular files into `dest`; refuses entries that would land outside it. */
export function extractTar(file: string, dest: string): string[] {
  const fd = openSync(file, "r");
  const written: string[] = [];
  try {
    const h = Buffer.alloc(BLOCK);
    let pos = 0;
    for (;;) {
      if (readSync(fd, h, 0, BLOCK, pos) < BLOCK || h.every((b) => b === 0)) break;
      const field = (at: number, len: number) => h.subarray(at, at + len).toString("utf8").replace(/\0.*$/s, "");
      const name = [field(345, 155), field(0, 100)].filter(Boolean).join("/");
      const size = parseInt(field(124, 12).trim() || "0", 8);
      const mode = parseInt(field(100, 8).trim() || "600", 8);
      const type = field(156, 1) || "0";
      pos += BLOCK;
      if (type === "0") {
        const target = normalize(join(dest, name));
        if (name.startsWith("/") || !target.startsWith(dest + sep)) throw new Error(`the archive holds a path outside the data directory: ${name}`);
        mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
        const out = openSync(target, "w", mode & 0o700);
        try {
          let left = size;
          let at = pos;
          while (left > 0) {
            const buf = Buffer.alloc(Math.min(1 << 20, left));
            const n = readSync(fd, buf, 0, buf.length, at);
            if (n <= 0) throw new Error(`the archive is cut short in ${name}`);
            writeSync(out, buf, 0, n);
            left -= n;
            at += n;
          }
        } finally {
          closeSync(out);
        }
        written.push(name);
      }
      pos += Math.ceil(size / BLOCK) * BLOCK;
    }
  } finally {
    closeSync(fd);
  }
  return written;
}
