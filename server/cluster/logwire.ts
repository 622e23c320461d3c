// A followed step log between two nodes (cluster/logs.ts reads it, the
// internal route in http/internal.ts writes it). Plain bytes would not do: the
// follower must learn how the step ended from the node that ran it, whose run
// row may not be written yet when the log ends. So the body is frames:
// [kind: 1 byte][length: 4 bytes, big-endian][payload], where kind 0 is log
// bytes (they follow each other from the offset in x-log-start) and kind 1 is
// the end, its payload `{"step": StepRun | null}` as JSON.
import type { StepRun } from "../engine/types.ts";

const DATA = 0;
const END = 1;
const HEAD = 5;
/** a sender's pieces are at most 64 KiB (engine/logs.ts) or one write of a step: far below this */
const MAX_FRAME = 16 * 1024 * 1024;

/** The header that carries the cluster secret on the internal routes. */
export const SECRET_HEADER = "x-lightflow-cluster-secret";

export type WireFrame = { data: Uint8Array } | { end: StepRun | null };

function frame(kind: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEAD + payload.length);
  out[0] = kind;
  new DataView(out.buffer).setUint32(1, payload.length);
  out.set(payload, HEAD);
  return out;
}

export const wireFraming = {
  // Bun sends a streamed answer's head with its first bytes: an empty frame at
  // once tells the follower the owner answered, even for a step that prints nothing for hours
  start: () => frame(DATA, new Uint8Array(0)),
  data: (bytes: Uint8Array) => frame(DATA, bytes),
  end: (step: StepRun | null) => frame(END, Buffer.from(JSON.stringify({ step }))),
};

/** Frames out of a body that arrives in pieces of any size. */
export class WireReader {
  private buf: Uint8Array = new Uint8Array(0);

  push(piece: Uint8Array): WireFrame[] {
    const buf = this.buf.length ? Buffer.concat([this.buf, piece]) : piece;
    const out: WireFrame[] = [];
    let at = 0;
    while (buf.length - at >= HEAD) {
      const kind = buf[at];
      const len = new DataView(buf.buffer, buf.byteOffset + at + 1, 4).getUint32(0);
      // told at the head, not after waiting for a length that may never come
      if ((kind !== DATA && kind !== END) || len > MAX_FRAME) throw new Error(`not a log frame (kind ${kind}, ${len} bytes)`);
      if (buf.length - at - HEAD < len) break;
      const payload = buf.subarray(at + HEAD, at + HEAD + len);
      if (kind === DATA) out.push({ data: payload });
      else out.push({ end: (JSON.parse(Buffer.from(payload).toString("utf8")) as { step: StepRun | null }).step });
      at += HEAD + len;
    }
    this.buf = buf.slice(at);
    return out;
  }
}
