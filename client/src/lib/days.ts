// Calendar days of the server's timezone as instants, for the date filters:
// "2026-11-01" in Europe/Berlin starts at 2026-10-31T23:00:00Z. Pure (the
// zone is a parameter), so it is unit tested without a browser.

const formats = new Map<string, Intl.DateTimeFormat>();

function wallFormat(tz: string | undefined): Intl.DateTimeFormat {
  const key = tz ?? "";
  let f = formats.get(key);
  if (!f) {
    const opts: Intl.DateTimeFormatOptions = {
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    };
    try {
      f = new Intl.DateTimeFormat("en-US", { ...opts, timeZone: tz });
    } catch {
      f = new Intl.DateTimeFormat("en-US", opts); // a zone this browser does not know: its own
    }
    formats.set(key, f);
  }
  return f;
}

/** How far the wall clock of `tz` is ahead of UTC at instant `ms`, in ms. */
export function zoneOffset(ms: number, tz: string | undefined): number {
  const p: Record<string, number> = {};
  for (const part of wallFormat(tz).formatToParts(ms)) if (part.type !== "literal") p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - (ms - (((ms % 1000) + 1000) % 1000));
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The instant (ISO) day `YYYY-MM-DD` begins in `tz`; null for anything else. */
export function dayStart(day: string, tz: string | undefined): string | null {
  const m = DAY.exec(day);
  if (!m) return null;
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (Number.isNaN(wall)) return null;
  // twice: the offset at the first guess may differ from the one at midnight (a DST change that day)
  let at = wall - zoneOffset(wall, tz);
  at = wall - zoneOffset(at, tz);
  return new Date(at).toISOString();
}

/** The day after `YYYY-MM-DD`. */
export function nextDay(day: string): string {
  const m = DAY.exec(day);
  if (!m) return day;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1)).toISOString().slice(0, 10);
}
