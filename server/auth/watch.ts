// Open streams (WebSockets, followed logs) were allowed when they opened; this
// ends them when the access behind them ends: sign-out, a password change that
// ends other sessions, a revoked token, a disabled, demoted or deleted user, a
// session that expires. Every change of access in the user store is an event
// (UserStore.onAccessChange); each held stream is checked again then, and a
// session's expiry is a timer, so nothing polls.
import type { Role } from "./store.ts";
import { systemClock, type Clock, type Timer } from "../engine/clock.ts";
import type { AuthService, Principal } from "./service.ts";

interface Held {
  principal: Principal;
  role: Role | "any";
  end: () => void;
  timer: Timer | null;
}

export class AccessWatch {
  private readonly held = new Set<Held>();
  private pending = false;

  constructor(
    private readonly auth: Pick<AuthService, "stillValid" | "onAccessChange">,
    private readonly clock: Clock = systemClock,
  ) {
    auth.onAccessChange(() => {
      // one check after the change is done (disabling deletes sessions, then tokens)
      if (this.pending || this.held.size === 0) return;
      this.pending = true;
      queueMicrotask(() => {
        this.pending = false;
        for (const h of this.held) this.check(h);
      });
    });
  }

  /** Calls `end` once, when the principal may no longer hold the stream; returns the release. */
  hold(principal: Principal, role: Role | "any", end: () => void): () => void {
    const h: Held = { principal, role, end, timer: null };
    this.held.add(h);
    // a session ends at its expiry too: checked then (the clock waits past setTimeout's 24.8 days)
    if (principal.expiresAt !== null) h.timer = this.clock.at(principal.expiresAt, () => this.check(h));
    return () => this.release(h);
  }

  private check(h: Held): void {
    if (!this.held.has(h)) return;
    const user = this.auth.stillValid(h.principal);
    if (user && (h.role === "any" || user.role === h.role)) return;
    this.release(h);
    h.end();
  }

  private release(h: Held): void {
    h.timer?.cancel();
    this.held.delete(h);
  }
}

/** A byte stream that errors (the client sees a cut, not an end) once its holder's access ends. */
export function untilRevoked(watch: AccessWatch, principal: Principal, role: Role | "any", inner: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = inner.getReader();
  let release = () => {};
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        release = watch.hold(principal, role, () => {
          controller.error(new Error("access ended"));
          void reader.cancel("access ended").catch(() => {});
        });
      },
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            release();
            controller.close();
          } else controller.enqueue(value);
        } catch {
          // cancelled because access ended: the controller is errored already
        }
      },
      cancel(reason) {
        release();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
