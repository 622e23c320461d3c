// What the log viewer decides from a log window (logwindow.ts) and where its
// box is scrolled: following or paused, which piece to load, the status line,
// and the search over the lines held. Plain data in and out.
import type { Line, LogWindow } from "./logwindow.ts";

type Held = Pick<LogWindow, "start" | "atEnd" | "ended">;

/**
 * A scroll of the log box: `top` pixels above the view, `gap` below it.
 * Scrolling up pauses following; back at the bottom of a live log it follows
 * again. Near the top the earlier piece loads, near the bottom the later one
 * (one load at a time: none while `busy`).
 */
export function scrolled(
  box: { top: number; gap: number },
  now: { follow: boolean; busy: boolean },
  w: Held,
): { follow: boolean; load: "earlier" | "later" | null } {
  let follow = now.follow;
  if (box.gap > 40 && follow) follow = false;
  else if (box.gap <= 4 && !follow && !w.ended && w.atEnd) follow = true;
  if (now.busy) return { follow, load: null };
  return { follow, load: box.top < 80 && w.start > 0 ? "earlier" : box.gap < 80 && !w.atEnd ? "later" : null };
}

/** The status line. `waiting`: this attempt failed and the step is to be tried again. */
export function statusText(w: Held, s: { waiting: boolean; connected: boolean; busy: boolean }): string {
  if (s.waiting) return "This attempt failed; waiting to try again";
  if (w.ended) return "Complete";
  if (!w.atEnd) return "Live output paused while you read";
  if (s.connected) return "Live";
  return s.busy ? "Loading…" : "Reconnecting…";
}

/** Ids of the lines held that contain `q` (lower case), in order. */
export const matchIds = (lines: Line[], q: string): number[] => (q ? lines.filter((l) => l.plain.toLowerCase().includes(q)).map((l) => l.id) : []);
