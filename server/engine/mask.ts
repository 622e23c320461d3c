// Replaces every occurrence of a secret value in a byte stream with `***`,
// even when the occurrence is split across chunks: a tail that could be the
// start of a secret (at most the longest secret - 1 bytes) is held back until
// the next chunk shows whether it is one. Any other output is written at once,
// so a step that prints "waiting…" and sleeps shows it live.

const STARS = Buffer.from("***");
export const MIN_SECRET_LENGTH = 4;

export class Masker {
  private readonly secrets: Buffer[];
  private readonly hold: number;
  /** the first bytes of the secrets: only where one of these stands can a secret start */
  private readonly starts: Set<number>;
  private held: Buffer = Buffer.alloc(0);

  constructor(values: Iterable<string>) {
    const unique = new Set([...values].filter((v) => v.length >= MIN_SECRET_LENGTH));
    this.secrets = [...unique].map((v) => Buffer.from(v)).sort((a, b) => b.length - a.length);
    this.hold = this.secrets.length ? this.secrets[0]!.length - 1 : 0;
    this.starts = new Set(this.secrets.map((b) => b[0]!));
  }

  get active(): boolean {
    return this.secrets.length > 0;
  }

  /** Masked bytes that are safe to write now. */
  push(chunk: Uint8Array): Buffer {
    if (!this.active) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const buf = this.held.length ? Buffer.concat([this.held, chunk]) : Buffer.from(chunk);
    const safeEnd = this.heldFrom(buf);
    const { out, pos } = this.scan(buf, safeEnd);
    const cut = Math.max(pos, safeEnd);
    out.push(buf.subarray(pos, cut));
    this.held = Buffer.from(buf.subarray(cut));
    return Buffer.concat(out);
  }

  /** The rest, at the end of the stream. */
  flush(): Buffer {
    const buf = this.held;
    this.held = Buffer.alloc(0);
    const { out, pos } = this.scan(buf, buf.length);
    out.push(buf.subarray(pos));
    return Buffer.concat(out);
  }

  /**
   * Where the tail that must wait begins: the first position from which the
   * rest of `buf` is the start of a secret (shorter than it). A match that
   * starts before it is complete: a longer secret starting at the same place
   * would have made that place the start of the tail.
   */
  private heldFrom(buf: Buffer): number {
    for (let j = Math.max(0, buf.length - this.hold); j < buf.length; j++) {
      if (!this.starts.has(buf[j]!)) continue;
      const rest = buf.length - j;
      for (const s of this.secrets) if (s.length > rest && buf.compare(s, 0, rest, j) === 0) return j;
    }
    return buf.length;
  }

  /** Replaces matches that start before `limit`; returns the pieces and where it stopped. */
  private scan(buf: Buffer, limit: number): { out: Buffer[]; pos: number } {
    const out: Buffer[] = [];
    let pos = 0;
    for (;;) {
      let best = -1;
      let bestLen = 0;
      for (const s of this.secrets) {
        const i = buf.indexOf(s, pos);
        if (i !== -1 && (best === -1 || i < best)) {
          best = i;
          bestLen = s.length;
        }
      }
      if (best === -1 || best >= limit) return { out, pos };
      out.push(buf.subarray(pos, best), STARS);
      pos = best + bestLen;
    }
  }
}
