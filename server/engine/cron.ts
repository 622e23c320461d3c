// CRON expressions evaluated in an IANA time zone, with classic cron's DST rule.
//
// The syntax is classic (Vixie) cron, read strictly: every list item is `*`,
// a number, a name (jan-dec, sun-sat) or a range, optionally with `/step`.
// `N/S` means `N-<max>/S` as in Vixie-derived crons (cronie, Debian). Anything
// else (`5#3`, `5L`, `15W`, `?`, `1.5`, `+5`, `5x`, step 0, a reversed or
// out-of-range value) is refused with a message naming the token and field.
// We parse it ourselves rather than through cron-schedule: that package reads
// numbers with parseInt (so `5x`, `1.5` and `5/10` became 5) and its names make
// `sat-sun` a valid range, so every token had to be re-checked here anyway,
// and once checked, expanding it is one loop.
//
// The calendar is walked in "wall-clock" time (a local date-time encoded as if
// it were UTC), then wall-clock minutes are mapped to instants through Intl:
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

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/**
 * The Gregorian calendar repeats every 400 years, weekdays included (146,097
 * days is exactly 20,871 weeks), so a day pattern that matches nowhere in 400
 * years never matches, and one that matches somewhere matches in every
 * 400-year window.
 */
const CYCLE_MONTHS = 400 * 12;

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

/** Why an expression is refused (bad syntax, never fires), or null: the one place a CronError becomes a value. */
export function cronProblem(expr: string): string | null {
  try {
    parseCron(expr);
    return null;
  } catch (e) {
    if (e instanceof CronError) return e.message;
    throw e;
  }
}

const NICKNAMES: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** three-letter names, the first one standing for `min` */
  readonly names?: readonly string[];
}

const FIELDS: readonly Field[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"] },
  // 7 is Sunday too; the names stop at sat, so `sat-sun` is a reversed range, as in Vixie cron
  { name: "day-of-week", min: 0, max: 7, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
];

// `*`, `N` or `N-M`, then an optional `/S`; N and M are digits or a name, S digits
const ITEM = /^(?:(\*)|([0-9]+|[a-z]+)(?:-([0-9]+|[a-z]+))?)(?:\/([0-9]+))?$/i;

const quote = (token: string) => JSON.stringify(token);

/** The values one list item stands for; throws CronError naming the item. */
function expandItem(item: string, field: Field): number[] {
  const what = `${quote(item)} in ${field.name}`;
  const m = ITEM.exec(item);
  if (!m) throw new CronError(`${what} is not classic cron syntax`);
  const value = (text: string): number => {
    if (/^[0-9]+$/.test(text)) {
      const n = Number(text);
      if (n < field.min || n > field.max) throw new CronError(`${what} is out of range (${field.min}-${field.max})`);
      return n;
    }
    const i = field.names?.indexOf(text.toLowerCase()) ?? -1;
    if (i < 0) {
      throw new CronError(
        field.names
          ? `${what} is not classic cron syntax (names are ${field.names[0]}-${field.names.at(-1)})`
          : `${what} is not classic cron syntax`,
      );
    }
    return field.min + i;
  };
  const [, star, a, b, s] = m;
  const step = s === undefined ? 1 : Number(s);
  if (step < 1) throw new CronError(`${what} has step 0 (a step is 1 or more)`);
  const from = star ? field.min : value(a!);
  // `N/S` runs from N to the end of the field (Vixie-derived crons); a bare `N` is N alone
  const to = star ? field.max : b !== undefined ? value(b) : s !== undefined ? field.max : from;
  if (from > to) throw new CronError(`${what} is a reversed range (${from} > ${to})`);
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

/** The values of one field (a comma-separated list); throws CronError naming the token. */
function expandField(token: string, field: Field): Set<number> {
  const items = token.split(",");
  if (items.some((i) => i === "")) throw new CronError(`${quote(token)} in ${field.name} has an empty list item`);
  return new Set(items.flatMap((i) => expandItem(i, field)));
}

/** `input` without the spaces, tabs and line ends around it: a cron line is split on spaces and tabs only, any other character is part of a token */
const trimCron = (input: string) => input.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "");

/** A schedule as saved: trimmed as the parser trims it (a no-break space stays, to be named as part of its token); null when nothing is left. */
export function cronText(input: string | null | undefined): string | null {
  return input ? trimCron(input) || null : null;
}

/** Parses a 5-field expression (or an @nickname); throws CronError with a reason a person can act on. */
export function parseCron(input: string): CronSpec {
  const trimmed = trimCron(input);
  if (trimmed.startsWith("@") && !/[ \t]/.test(trimmed) && !(trimmed.toLowerCase() in NICKNAMES)) {
    throw new CronError(`${quote(trimmed)} is not a known nickname (${Object.keys(NICKNAMES).join(", ")})`);
  }
  const expr = NICKNAMES[trimmed.toLowerCase()] ?? trimmed;
  const fields = expr.split(/[ \t]+/).filter(Boolean);
  if (fields.length !== 5) {
    throw new CronError(`a CRON expression has 5 fields (minute hour day-of-month month day-of-week), this one has ${fields.length}`);
  }
  const [minutes, hours, days, months, weekdays] = fields.map((token, i) => expandField(token, FIELDS[i]!)) as [
    Set<number>, Set<number>, Set<number>, Set<number>, Set<number>,
  ];
  const spec: CronSpec = {
    expr: fields.join(" "),
    minutes: [...minutes].sort((a, b) => a - b),
    hours: [...hours].sort((a, b) => a - b),
    days,
    months: new Set([...months].map((m) => m - 1)),
    weekdays: new Set([...weekdays].map((d) => d % 7)),
    daysAnd: fields[2]!.startsWith("*") || fields[4]!.startsWith("*"),
    followsRealTime: fields[1]!.startsWith("*"),
  };
  if (nextWallMatch(spec, Date.UTC(2000, 0, 1)) === null) {
    throw new CronError(`the CRON expression "${trimmed}" never fires (no such date)`);
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
  const wall = utcDate(p.year!, p.month! - 1, p.day!) + ((p.hour! * 60 + p.minute!) * 60 + p.second!) * 1000;
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

/** Midnight UTC of a date; unlike Date.UTC, years 0-99 are not read as 1900-1999. */
function utcDate(year: number, month: number, day: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, day);
  return d.getTime();
}

/** The first minute of the day at or after `fromMinute` whose hour and minute match, or null. */
function timeOfDay(spec: CronSpec, fromMinute: number): number | null {
  const fromHour = Math.floor(fromMinute / 60);
  for (const h of spec.hours) {
    if (h < fromHour) continue;
    const from = h === fromHour ? fromMinute % 60 : 0;
    for (const m of spec.minutes) if (m >= from) return h * 60 + m;
  }
  return null;
}

/**
 * The first wall-clock minute at or after `wall` that matches, or null if it
 * never does. Skips months that do not match and reads weekdays arithmetically,
 * so even Feb 29 on a Sunday (up to 40 years apart) costs a few hundred steps.
 */
export function nextWallMatch(spec: CronSpec, wall: number): number | null {
  const start = new Date(Math.ceil(wall / MIN) * MIN);
  let year = start.getUTCFullYear();
  let month = start.getUTCMonth();
  let day = start.getUTCDate();
  let fromMinute = start.getUTCHours() * 60 + start.getUTCMinutes();
  for (let i = 0; i <= CYCLE_MONTHS; i++) {
    if (spec.months.has(month)) {
      const first = utcDate(year, month, 1);
      const length = (utcDate(year, month + 1, 1) - first) / DAY;
      const firstWeekday = new Date(first).getUTCDay();
      for (; day <= length; day++, fromMinute = 0) {
        const dom = spec.days.has(day);
        const dow = spec.weekdays.has((firstWeekday + day - 1) % 7);
        if (!(spec.daysAnd ? dom && dow : dom || dow)) continue;
        const minute = timeOfDay(spec, fromMinute);
        if (minute !== null) return first + (day - 1) * DAY + minute * MIN;
      }
    }
    day = 1;
    fromMinute = 0;
    if (++month === 12) {
      month = 0;
      year++;
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

/** The next `count` fire times strictly after `after` and before `until`. */
export function nextFires(spec: CronSpec, tz: string, after: number, count: number, until = Infinity): number[] {
  const out: number[] = [];
  let t = after;
  while (out.length < count) {
    const next = nextFire(spec, tz, t);
    if (next === null || next >= until) break;
    out.push(next);
    t = next;
  }
  return out;
}

/** ISO 8601 writes a year with four digits, so a preview ends with the year 9999. */
const PREVIEW_END = utcDate(10000, 0, 1);

export interface Preview {
  next: number[];
  notes: DstNote[];
  /** why `next` holds fewer times than asked, when it does */
  reason: string | null;
}

/**
 * What the editor shows: the next `count` fire times and their DST notes.
 * Any expression parseCron accepts fires at least 13 times in every 400 years,
 * so the list is only short when it reaches the year 10000.
 */
export function preview(spec: CronSpec, tz: string, after: number, count: number): Preview {
  const next = nextFires(spec, tz, after, count, PREVIEW_END);
  const times = next.length === 0 ? "does not fire again" : next.length === 1 ? "fires only once more" : `fires only ${next.length} more times`;
  const reason = next.length < count ? `this schedule ${times} before the year 10000, where the preview ends` : null;
  return { next, notes: dstNotes(spec, tz, after, next), reason };
}

// ---- explaining DST to people -------------------------------------------------------

export interface DstNote {
  at: number;
  kind: "skipped" | "repeated";
  message: string;
}

const hhmm = (wall: number) => new Date(wall).toISOString().slice(11, 16);

/**
 * Why each of `fires` (consecutive fire times after `after`) is special around
 * a DST change, in words; fire times with nothing to say get no note.
 */
export function dstNotes(spec: CronSpec, tz: string, after: number, fires: readonly number[]): DstNote[] {
  const out: DstNote[] = [];
  let previous = after;
  for (const at of fires) {
    const note = repeatedNote(spec, tz, at) ?? (spec.followsRealTime ? skippedSince(spec, tz, previous, at) : gapMovedHere(spec, tz, at));
    if (note) out.push(note);
    previous = at;
  }
  return out;
}

function repeatedNote(spec: CronSpec, tz: string, at: number): DstNote | null {
  const wall = wallOf(tz, at);
  if (instantsOf(tz, wall).length !== 2) return null;
  return {
    at,
    kind: "repeated",
    message: spec.followsRealTime
      ? `${hhmm(wall)} happens twice this night (clocks go back); this schedule follows real time and fires on both passes`
      : `${hhmm(wall)} happens twice this night (clocks go back); Lightflow runs once, at the first`,
  };
}

/** A fixed-time schedule: did `at` receive a time of the schedule that fell in a spring gap? */
function gapMovedHere(spec: CronSpec, tz: string, at: number): DstNote | null {
  const wall = wallOf(tz, at);
  if (offsetAt(tz, at - MIN) >= offsetAt(tz, at)) return null; // the clocks did not jump forward right now
  const missed = nextWallMatch(spec, wallOf(tz, at - MIN) + MIN);
  if (missed === null || missed >= wall) return null;
  return {
    at,
    kind: "skipped",
    message: `${hhmm(missed)} does not exist this night (clocks go forward); Lightflow runs at ${hhmm(wall)}, the first minute after the gap`,
  };
}

/**
 * A real-time schedule: did a time of the schedule fall in a spring gap since
 * the previous fire time? It never fires then, and the gap may hold no fire
 * time of its own (`30 * * * *` fires at 01:30 and 03:30), so the note goes on
 * the first fire time after it.
 */
function skippedSince(spec: CronSpec, tz: string, previous: number, at: number): DstNote | null {
  const to = wallOf(tz, at);
  // a real-time schedule fires at every matching wall time that exists, so a match in between is one that does not
  const missed = nextWallMatch(spec, Math.floor(wallOf(tz, previous) / MIN) * MIN + MIN);
  if (missed === null || missed >= to || instantsOf(tz, missed).length > 0) return null;
  const end = gapEnd(tz, missed);
  const gapFrom = wallOf(tz, end - MIN) + MIN;
  const gapTo = wallOf(tz, end);
  const times: number[] = [];
  for (let m: number | null = missed; m !== null && m < gapTo; m = nextWallMatch(spec, m + MIN)) times.push(m);
  const listed = times.map(hhmm);
  const which =
    times.length <= 4
      ? `it does not fire at ${listed.length === 1 ? listed[0] : `${listed.slice(0, -1).join(", ")} or ${listed.at(-1)}`}`
      : `its ${times.length} times in that interval do not fire`;
  return {
    at,
    kind: "skipped",
    message: `${hhmm(gapFrom)}–${hhmm(gapTo - MIN)} does not exist this night (clocks go forward); this schedule follows real time, so ${which}`,
  };
}
