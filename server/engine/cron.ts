// CRON expressions evaluated in an IANA time zone, with classic cron's DST rule.
//
// cron-schedule parses the expression (ranges, lists, steps, names, 0/7 for
// Sunday) but computes in the process time zone, and shifts a time inside a
// spring gap by a whole hour. So we use its parsed field sets and walk the
// calendar ourselves in "wall-clock" time (a local date-time encoded as if it
// were UTC), then map wall-clock minutes to instants through Intl:
//
// - hour field not starting with `*` (fixed times): each matching wall time
//   fires once, at its first occurrence; a time inside a spring gap fires at
//   the end of the gap (the first valid minute), and several of those on one
//   night collapse into one run because they map to the same instant.
// - hour field starting with `*`: follows real time; wall times that do not
//   exist never fire, repeated ones fire on both passes.
//
// Assumes a zone changes its offset at most once in any two days (true of
// every zone in the tz database).
import { parseCronExpression } from "cron-schedule";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** Far enough to find Feb 29 on a given weekday (28-year cycle plus a skipped leap year). */
const SEARCH_DAYS = 366 * 30;

export interface CronSpec {
  readonly expr: string;
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly days: ReadonlySet<number>;
  readonly months: ReadonlySet<number>; // 0-11
  readonly weekdays: ReadonlySet<number>; // 0-6, Sunday 0
  /** classic cron: when either day field starts with `*`, both must match; else either may */
  readonly daysAnd: boolean;
  readonly followsRealTime: boolean;
}

export class CronError extends Error {}

const NICKNAMES: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/** Parses a 5-field expression (or an @nickname); throws CronError with a reason a person can act on. */
export function parseCron(input: string): CronSpec {
  const expr = NICKNAMES[input.trim().toLowerCase()] ?? input.trim();
  const fields = expr.split(/\s+/).filter(Boolean);
  if (fields.length !== 5) {
    throw new CronError(`a CRON expression has 5 fields (minute hour day-of-month month day-of-week), this one has ${fields.length}`);
  }
  let parsed;
  try {
    parsed = parseCronExpression(fields.join(" "));
  } catch (e) {
    throw new CronError(`invalid CRON expression: ${(e as Error).message.replace(/^Failed to parse /, "")}`);
  }
  const spec: CronSpec = {
    expr: fields.join(" "),
    minutes: [...parsed.minutes].sort((a, b) => a - b),
    hours: [...parsed.hours].sort((a, b) => a - b),
    days: new Set(parsed.days),
    months: new Set(parsed.months),
    weekdays: new Set(parsed.weekdays.map((d) => d % 7)),
    daysAnd: fields[2]!.startsWith("*") || fields[4]!.startsWith("*"),
    followsRealTime: fields[1]!.startsWith("*"),
  };
  if (nextWallMatch(spec, Date.UTC(2000, 0, 1)) === null) {
    throw new CronError(`the CRON expression "${input.trim()}" never fires (no such date)`);
  }
  return spec;
}

// ---- time zone arithmetic ----------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(tz, f);
  }
  return f;
}

/** The zone's offset from UTC at an instant, in milliseconds. */
export function offsetAt(tz: string, instant: number): number {
  const p: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(new Date(instant))) {
    if (part.type !== "literal") p[part.type] = Number(part.value);
  }
  const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return wall - Math.floor(instant / 1000) * 1000;
}

export function wallOf(tz: string, instant: number): number {
  return instant + offsetAt(tz, instant);
}

/** Every instant whose local time is `wall`: none in a gap, two in a repeated hour (earliest first). */
export function instantsOf(tz: string, wall: number): number[] {
  const out = new Set<number>();
  for (const off of [offsetAt(tz, wall - DAY), offsetAt(tz, wall + DAY)]) {
    const t = wall - off;
    if (offsetAt(tz, t) === off) out.add(t);
  }
  return [...out].sort((a, b) => a - b);
}

/** The first instant in (lo, hi] whose offset differs from the offset at lo (to the minute). */
function transitionIn(tz: string, lo: number, hi: number): number {
  const off = offsetAt(tz, lo);
  let a = lo; // offset === off
  let b = hi; // offset !== off
  while (b - a > MIN) {
    const mid = a + Math.floor((b - a) / 2 / MIN) * MIN;
    if (offsetAt(tz, mid) === off) a = mid;
    else b = mid;
  }
  return b;
}

// ---- calendar walk in wall-clock time ----------------------------------------

function dayMatches(spec: CronSpec, day: Date): boolean {
  if (!spec.months.has(day.getUTCMonth())) return false;
  const dom = spec.days.has(day.getUTCDate());
  const dow = spec.weekdays.has(day.getUTCDay());
  return spec.daysAnd ? dom && dow : dom || dow;
}

/** The first wall-clock minute at or after `wall` that matches, or null if none within 30 years. */
export function nextWallMatch(spec: CronSpec, wall: number): number | null {
  const start = Math.ceil(wall / MIN) * MIN;
  let dayStart = Math.floor(start / DAY) * DAY;
  let fromMinuteOfDay = (start - dayStart) / MIN;
  for (let i = 0; i < SEARCH_DAYS; i++, dayStart += DAY, fromMinuteOfDay = 0) {
    if (!dayMatches(spec, new Date(dayStart))) continue;
    const fromHour = Math.floor(fromMinuteOfDay / 60);
    for (const h of spec.hours) {
      if (h < fromHour) continue;
      const fromMinute = h === fromHour ? fromMinuteOfDay % 60 : 0;
      for (const m of spec.minutes) {
        if (m >= fromMinute) return dayStart + h * HOUR + m * MIN;
      }
    }
  }
  return null;
}

// ---- next fire time ------------------------------------------------------------

/** The first fire time strictly after `after` (ms since epoch), or null if it never fires. */
export function nextFire(spec: CronSpec, tz: string, after: number): number | null {
  return spec.followsRealTime ? nextRealTime(spec, tz, after) : nextFixed(spec, tz, after);
}

/** Every minute of real time whose local wall time matches. */
function nextRealTime(spec: CronSpec, tz: string, after: number): number | null {
  let lo = Math.floor(after / MIN) * MIN + MIN; // earliest candidate instant
  for (let guard = 0; guard < 10_000; guard++) {
    const off = offsetAt(tz, lo);
    const match = nextWallMatch(spec, lo + off);
    if (match === null) return null;
    const cand = match - off;
    if (cand - lo > 2 * DAY) {
      lo = Math.floor((cand - DAY) / MIN) * MIN; // come closer, then look at offsets near the candidate
      continue;
    }
    if (offsetAt(tz, cand) === off) return cand;
    lo = transitionIn(tz, lo, cand); // the offset changes before the candidate: continue from the change
  }
  return null;
}

/** Each matching wall time once: its first occurrence, or the end of the gap it falls in. */
function nextFixed(spec: CronSpec, tz: string, after: number): number | null {
  // A wall time up to a few hours before `after` can map to an instant after it
  // (a spring gap maps forward), so start the walk early; the mapping is monotonic.
  let wall = Math.floor(wallOf(tz, after) / MIN) * MIN - 3 * HOUR;
  for (let guard = 0; guard < 10_000; guard++) {
    const match = nextWallMatch(spec, wall);
    if (match === null) return null;
    const at = instantsOf(tz, match)[0] ?? gapEnd(tz, match);
    if (at > after) return at;
    wall = match + MIN;
  }
  return null;
}

/** For a wall time inside a spring gap: the instant the gap ends (the first valid minute after it). */
function gapEnd(tz: string, wall: number): number {
  const before = offsetAt(tz, wall - DAY);
  const after = offsetAt(tz, wall + DAY);
  // read with the later offset, the wall time lies before the change; with the earlier, after it
  return transitionIn(tz, wall - after, wall - before);
}

/** The next `count` fire times strictly after `after`. */
export function nextFires(spec: CronSpec, tz: string, after: number, count: number): number[] {
  const out: number[] = [];
  let t = after;
  while (out.length < count) {
    const next = nextFire(spec, tz, t);
    if (next === null) break;
    out.push(next);
    t = next;
  }
  return out;
}

// ---- explaining DST to people -------------------------------------------------------

export interface DstNote {
  at: number;
  kind: "skipped" | "repeated";
  message: string;
}

const hhmm = (wall: number) => new Date(wall).toISOString().slice(11, 16);

/** Why a fire time is special around a DST change, in words; null when it is not. */
export function dstNote(spec: CronSpec, tz: string, at: number): DstNote | null {
  const wall = wallOf(tz, at);
  if (instantsOf(tz, wall).length === 2) {
    return {
      at,
      kind: "repeated",
      message: spec.followsRealTime
        ? `${hhmm(wall)} happens twice this night (clocks go back); this schedule follows real time and fires on both passes`
        : `${hhmm(wall)} happens twice this night (clocks go back); Lightflow runs once, at the first`,
    };
  }
  const before = offsetAt(tz, at - MIN);
  if (before < offsetAt(tz, at)) {
    // the clocks jumped forward right at this instant: did a time of the schedule fall in the gap?
    const gapStart = wallOf(tz, at - MIN) + MIN;
    const missed = nextWallMatch(spec, gapStart);
    if (missed !== null && missed < wall) {
      return {
        at,
        kind: "skipped",
        message: spec.followsRealTime
          ? `${hhmm(gapStart)}–${hhmm(wall - MIN)} does not exist this night (clocks go forward); this schedule follows real time, so nothing fires then`
          : `${hhmm(missed)} does not exist this night (clocks go forward); Lightflow runs at ${hhmm(wall)}, the first minute after the gap`,
      };
    }
  }
  return null;
}
