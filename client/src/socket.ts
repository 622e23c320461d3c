// The one way the client opens a WebSocket (as api.ts is the one fetch): JSON
// messages, opened again after a drop with a growing delay (one timer per
// close, never a poll), or at once when the browser comes back online, until
// the stream is finished or stopped. Used by /api/events (live.ts), step logs
// and package jobs (logstream.ts).

/** Ends a stream from inside its message handler: no reconnect after this. */
export interface Finish {
  finish(): void;
}

export interface SocketOptions<T> {
  url: () => string;
  /** the first retry's delay (ms), doubled per failed try up to `maxDelay` */
  firstDelay?: number;
  maxDelay: number;
  /** spread each delay by ±25 %, so the clients of a restarted server do not all come back at once */
  jitter?: boolean;
  onMessage(msg: T, f: Finish, first: boolean): void;
  onOpen?(): void;
  /** `opened`: the socket was open before it closed (false: it never connected) */
  onClose?(opened: boolean): void;
  /** after a drop: false gives up */
  onDrop?(e: CloseEvent, tries: number): boolean;
}

/** Opens the socket; returns a function that stops it for good. */
export function reconnecting<T>(o: SocketOptions<T>): () => void {
  const s = { ws: null as WebSocket | null, timer: 0 as ReturnType<typeof setTimeout> | 0, tries: 0, done: false };
  const open = () => {
    s.timer = 0;
    const ws = new WebSocket(o.url());
    s.ws = ws;
    let opened = false;
    let first = true;
    const f: Finish = {
      finish: () => {
        s.done = true;
        ws.close();
      },
    };
    ws.onopen = () => {
      opened = true;
      s.tries = 0;
      o.onOpen?.();
    };
    ws.onmessage = (m) => {
      if (s.ws !== ws) return; // stopped: what was already on its way is dropped
      let msg: T;
      try {
        msg = JSON.parse(String(m.data)) as T;
      } catch {
        return;
      }
      o.onMessage(msg, f, first);
      first = false;
    };
    ws.onclose = (e) => {
      if (s.ws !== ws) return;
      s.ws = null;
      o.onClose?.(opened);
      if (s.done || (o.onDrop && !o.onDrop(e, s.tries))) return;
      const delay = Math.min(o.maxDelay, (o.firstDelay ?? 500) * 2 ** s.tries++);
      s.timer = setTimeout(open, o.jitter ? delay * (0.75 + Math.random() / 2) : delay);
    };
  };
  // Back online: try now rather than when the timer says.
  const retryNow = () => {
    if (s.done || s.ws || !s.timer) return;
    clearTimeout(s.timer);
    open();
  };
  addEventListener("online", retryNow);
  open();
  return () => {
    s.done = true;
    removeEventListener("online", retryNow);
    if (s.timer) clearTimeout(s.timer);
    const ws = s.ws;
    s.ws = null;
    ws?.close();
  };
}
