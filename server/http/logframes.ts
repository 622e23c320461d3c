// A followed step log framed for its client: JSON chunk messages on a
// WebSocket, or plain bytes in an HTTP body. No transport here (routes in
// live.ts and runs.ts): a socket is anything that sends text and says how much
// it has not sent yet. A client too slow to keep up is dropped, not buffered
// without bound; it reconnects from its last offset.
import type { LogReader, LogRef, LogSink } from "../engine/logstore.ts";
import type { StepRun } from "../engine/types.ts";
import { stepOut } from "./serialize.ts";

/** A client that has this much unsent is too slow: it is closed and reconnects from its offset. */
export const MAX_BUFFERED = 8 * 1024 * 1024;
export const CLOSE_TOO_SLOW = 1013;
/** The log is on a node that went away while it was followed. */
export const CLOSE_LOG_UNAVAILABLE = 1011;
/** A follow=1 reader that has not read this much stays behind: it is dropped, not buffered. */
const MAX_BEHIND = 8 * 1024 * 1024;

/** What a viewer's socket must do: Bun's ServerWebSocket as it is, or a test's fake. */
export interface FrameSocket {
  send(text: string): unknown;
  close(code: number, reason: string): void;
  /** bytes queued on the socket and not sent yet */
  getBufferedAmount(): number;
}

/** The length of the longest prefix of `b` that ends on a UTF-8 character boundary. */
export function utf8Boundary(b: Uint8Array): number {
  let i = b.length - 1;
  for (let back = 0; i >= 0 && back < 4; i--, back++) {
    const c = b[i]!;
    if ((c & 0xc0) === 0x80) continue; // continuation byte
    const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return b.length - i >= need ? b.length : i;
  }
  return b.length;
}

/**
 * Chunk messages, shared by every viewer of one server. Every caught-up viewer
 * of a step gets the same live chunk (the same bytes at the same offset): it is
 * decoded and serialized once for all of them, not once per viewer (bench P9:
 * 100 viewers of 1 MiB/s cost 30 % of a core, now 7 %).
 */
export class ChunkFrames {
  private readonly decoder = new TextDecoder();
  private readonly last = { data: null as Uint8Array | null, offset: -1, cut: 0, text: "" };

  /** The message for the whole characters at the start of `data`, and where they end (0: none). */
  shared(offset: number, data: Uint8Array): { readonly cut: number; readonly text: string } {
    const last = this.last;
    if (last.data !== data || last.offset !== offset) {
      const cut = utf8Boundary(data);
      last.data = data;
      last.offset = offset;
      last.cut = cut;
      last.text = cut > 0 ? this.chunk(offset, data.subarray(0, cut)) : "";
    }
    return last;
  }

  chunk(offset: number, bytes: Uint8Array): string {
    return JSON.stringify({ type: "chunk", offset, data: this.decoder.decode(bytes) });
  }
}

/**
 * One viewer's socket: chunk messages that each end on a whole character
 * (the rest waits for the next piece), then an "end" message, then the close.
 */
export class SocketViewer implements LogSink {
  private pending: Uint8Array = new Uint8Array(0);
  /** the offset of the first byte not sent yet */
  private next: number;
  private wake: (() => void) | null = null;
  private stopFollowing: () => void = () => {};

  constructor(
    private readonly socket: FrameSocket,
    private readonly frames: ChunkFrames,
    offset: number,
    /** the step as the viewer asked for it: what "end" says if the run is gone by then */
    private readonly step: StepRun,
  ) {
    this.next = offset;
  }

  follow(logs: LogReader, ref: LogRef): this {
    this.stopFollowing = logs.follow(ref, this.next, this);
    return this;
  }

  stop(): void {
    this.stopFollowing();
  }

  write(offset: number, data: Uint8Array): boolean {
    const { socket } = this;
    if (socket.getBufferedAmount() > MAX_BUFFERED) {
      this.stop();
      socket.close(CLOSE_TOO_SLOW, "too slow: reconnect from your last offset");
      return true;
    }
    if (this.pending.length === 0) {
      const f = this.frames.shared(offset, data);
      this.pending = data.slice(f.cut);
      if (f.cut > 0) socket.send(f.text);
      this.next = offset + f.cut;
    } else {
      const bytes = Buffer.concat([this.pending, data]);
      const cut = utf8Boundary(bytes);
      const start = offset - this.pending.length;
      this.pending = bytes.slice(cut);
      if (cut > 0) socket.send(this.frames.chunk(start, bytes.subarray(0, cut)));
      this.next = start + cut;
    }
    return socket.getBufferedAmount() < MAX_BUFFERED / 4;
  }

  end(final: StepRun | null): void {
    if (this.pending.length) this.socket.send(this.frames.chunk(this.next, this.pending));
    this.socket.send(JSON.stringify({ type: "end", step: stepOut(final ?? this.step) }));
    this.socket.close(1000, "end of the log"); // api.md: the stream is closed by "end"
  }

  drained(): Promise<void> {
    return new Promise<void>((r) => (this.wake = r));
  }

  /** The node that holds the log went away: the viewer may reconnect from its offset (and get a 503 until it is back). */
  fail(message: string): void {
    if (this.pending.length) this.socket.send(this.frames.chunk(this.next, this.pending));
    this.socket.close(CLOSE_LOG_UNAVAILABLE, message.slice(0, 120)); // a close reason holds 123 bytes
  }

  /** The socket sent what it had queued: the feed may go on. */
  drain(): void {
    this.wake?.();
    this.wake = null;
  }
}

/** How a followed log is put in a body: the bytes as they are (a user's follow=1), or framed (to another node). */
export interface BodyFraming {
  /** what goes first, at once */
  start?(): Uint8Array;
  data(bytes: Uint8Array): Uint8Array;
  /** what goes last (null: nothing) */
  end(step: StepRun | null): Uint8Array | null;
}

const plainBytes: BodyFraming = { data: (bytes) => bytes.slice(), end: () => null };

/** The log as an HTTP body (?follow=1): the bytes as they come, closed at the attempt's end. */
export function followStream(logs: LogReader, ref: LogRef, offset: number, framing: BodyFraming = plainBytes): ReadableStream<Uint8Array> {
  let stop = () => {};
  let wake: (() => void) | null = null;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const first = framing.start?.();
        if (first) controller.enqueue(first);
        stop = logs.follow(ref, offset, {
          write(_offset, data) {
            try {
              controller.enqueue(framing.data(data));
            } catch {
              stop();
              return true;
            }
            if ((controller.desiredSize ?? 0) < -MAX_BEHIND) {
              stop();
              controller.error(new Error("follower too slow"));
            }
            return (controller.desiredSize ?? 0) > 0;
          },
          end(step) {
            try {
              const last = framing.end(step);
              if (last) controller.enqueue(last);
              controller.close();
            } catch {}
          },
          fail(message) {
            // the reader sees the body break off, not a log that ended
            controller.error(new Error(message));
          },
          drained: () => new Promise<void>((r) => (wake = r)),
        });
      },
      pull() {
        wake?.();
        wake = null;
      },
      cancel() {
        stop();
      },
    },
    { highWaterMark: 1024 * 1024, size: (c) => c?.byteLength ?? 0 },
  );
}
