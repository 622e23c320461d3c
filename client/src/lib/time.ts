// Times are shown in the server's timezone (where CRON is evaluated), plus a
// relative form ("in 3 h") that follows a local clock signal.
import { createSignal } from "solid-js";
import { serverTz } from "../session.ts";

const [now, setNow] = createSignal(Date.now());
export { now };

// A local clock for the relative texts only; it touches no network. It ticks
// every 30 s while the page is visible and stops while it is hidden.
const clock = { timer: 0 as ReturnType<typeof setInterval> | 0 };
function runClock() {
  if (clock.timer) clearInterval(clock.timer);
  clock.timer = 0;
  if (document.visibilityState !== "visible") return;
  setNow(Date.now());
  clock.timer = setInterval(() => setNow(Date.now()), 30_000);
}
document.addEventListener("visibilitychange", runClock);
runClock();

const formats = new Map<string, Intl.DateTimeFormat>();
function format(kind: "full" | "short", tz: string | undefined): Intl.DateTimeFormat {
  const key = kind + (tz ?? "");
  let f = formats.get(key);
  if (!f) {
    const opts: Intl.DateTimeFormatOptions =
      kind === "full"
        ? { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" }
        : { weekday: "short", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" };
    try {
      f = new Intl.DateTimeFormat(undefined, { ...opts, timeZone: tz });
    } catch {
      f = new Intl.DateTimeFormat(undefined, opts); // unknown zone in this browser
    }
    formats.set(key, f);
  }
  return f;
}

/** "23 Nov 2026, 03:00:00" in the server timezone. */
export const fmtTime = (iso: string | null | undefined) => (iso ? format("full", serverTz()).format(new Date(iso)) : "—");

/** "Mon, 23 Nov, 03:00" in the server timezone: for fire times. */
export const fmtShort = (iso: string | null | undefined) => (iso ? format("short", serverTz()).format(new Date(iso)) : "—");

/** The browser's own zone (what "your time" means in the editor). */
export const browserTz = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** "Mon, 23 Nov, 03:00" in a given zone (a task's own, or the browser's): for fire times. */
export const fmtShortIn = (iso: string, tz: string) => format("short", tz).format(new Date(iso));

/** The calendar day of a moment in the server timezone, as "2026-11-23". */
function dayIn(ms: number, tz: string | undefined): string {
  const f = formats.get("day" + (tz ?? "")) ?? new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit", timeZone: tz });
  formats.set("day" + (tz ?? ""), f);
  return f.format(ms);
}

function clockTime(tz: string | undefined): Intl.DateTimeFormat {
  const key = "clock" + (tz ?? "");
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", timeZone: tz });
    formats.set(key, f);
  }
  return f;
}

/** "14:58:03" in the server timezone: for moments close together. */
export function fmtClock(iso: string | null | undefined): string {
  if (!iso) return "—";
  const tz = serverTz();
  const key = "seconds" + (tz ?? "");
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit", timeZone: tz });
    formats.set(key, f);
  }
  return f.format(new Date(iso));
}

/**
 * A fire time, short enough for a grid cell, in the server timezone:
 * "today 14:30", "tomorrow 03:00", "Fri 03:00" (this week), else "Mon, Nov 30, 04:00".
 */
export function fmtFire(iso: string | null | undefined, at = now()): string {
  if (!iso) return "—";
  const tz = serverTz();
  const ms = new Date(iso).getTime();
  const time = clockTime(tz).format(ms);
  const day = dayIn(ms, tz);
  if (day === dayIn(at, tz)) return `today ${time}`;
  if (day === dayIn(at + 86_400_000, tz)) return `tomorrow ${time}`;
  if (ms - at < 6 * 86_400_000) return `${new Intl.DateTimeFormat(undefined, { weekday: "short", timeZone: tz }).format(ms)} ${time}`;
  return fmtShort(iso);
}

/** "in 3 h", "5 min ago", "just now" relative to the clock signal. */
export function relative(iso: string | null | undefined, at = now()): string {
  if (!iso) return "";
  const ms = new Date(iso).getTime() - at;
  const abs = Math.abs(ms);
  if (abs < 45_000) return ms >= 0 ? "in under a minute" : "just now";
  const text =
    abs < 3_600_000
      ? `${Math.round(abs / 60_000)} min`
      : abs < 48 * 3_600_000
        ? `${Math.round(abs / 3_600_000)} h`
        : `${Math.round(abs / 86_400_000)} d`;
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}

/** "850 ms", "42 s", "3 min 5 s", "2 h 4 min". */
export function fmtDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** Duration between two ISO times; a running thing counts up to the clock. */
export function span(start: string | null, end: string | null): string {
  if (!start) return "";
  const stop = end ? new Date(end).getTime() : now();
  return fmtDuration(stop - new Date(start).getTime());
}
