// Describes a 5-field CRON expression in plain words ("At 03:00, on Monday
// through Friday"). It only describes: whether the expression is valid and
// when it fires is the server's answer (/api/cron/preview).

type Item = { from: number; to: number; step: number };
type Field = { any: boolean; step: number; items: Item[] };

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MON_ABBR = MONTHS.map((m) => m.slice(0, 3).toLowerCase());
const DAY_ABBR = DAYS.map((d) => d.slice(0, 3).toLowerCase());

function num(s: string, min: number, max: number, names?: string[], offset = 0): number {
  const i = names ? names.indexOf(s.toLowerCase()) : -1;
  const n = i >= 0 ? i + offset : /^\d+$/.test(s) ? Number(s) : NaN;
  if (!(n >= min && n <= max)) throw new Error(s);
  return n;
}

function parse(src: string, min: number, max: number, names?: string[], offset = 0): Field {
  if (src === "*") return { any: true, step: 1, items: [] };
  const m = /^\*\/(\d+)$/.exec(src);
  if (m) return { any: true, step: Number(m[1]) || 1, items: [] };
  const items = src.split(",").map((part) => {
    const [range, stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!(step >= 1)) throw new Error(part);
    const [a, b] = range === "*" ? [String(min), String(max)] : range.split("-");
    const from = num(a, min, max, names, offset);
    const to = b === undefined ? (stepText === undefined ? from : max) : num(b, min, max, names, offset);
    return { from, to, step };
  });
  return { any: false, step: 1, items };
}

/** The single values of a field, when it is only a short list of them. */
function singles(f: Field): number[] | null {
  if (f.any || f.items.some((i) => i.from !== i.to)) return null;
  return f.items.map((i) => i.from);
}

const and = (xs: string[]) => (xs.length < 2 ? (xs[0] ?? "") : `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`);
const ord = (n: number) => n + (n % 10 === 1 && n % 100 !== 11 ? "st" : n % 10 === 2 && n % 100 !== 12 ? "nd" : n % 10 === 3 && n % 100 !== 13 ? "rd" : "th");
const pad = (n: number) => String(n).padStart(2, "0");

function items(f: Field, name: (n: number) => string, unit: string): string {
  return and(
    f.items.map((i) => {
      if (i.from === i.to) return name(i.from);
      const range = `${name(i.from)} through ${name(i.to)}`;
      return i.step > 1 ? `every ${ord(i.step)} ${unit} from ${range}` : range;
    }),
  );
}

function timeOfDay(min: Field, hour: Field): string {
  const ms = singles(min);
  const hs = singles(hour);
  if (ms && hs && ms.length * hs.length <= 6) {
    const times = hs.sort((a, b) => a - b).flatMap((h) => [...ms].sort((a, b) => a - b).map((m) => `${pad(h)}:${pad(m)}`));
    return `at ${and(times)}`;
  }
  const one = min.items.length === 1 ? min.items[0] : null;
  const minutes = min.any
    ? min.step > 1
      ? `every ${min.step} minutes`
      : "every minute"
    : one && one.step > 1
      ? `every ${one.step} minutes from minute ${one.from} through ${one.to}`
      : `at minute${ms && ms.length === 1 ? "" : "s"} ${items(min, String, "minute")}`;
  if (hour.any && hour.step === 1) return minutes.startsWith("every") ? minutes : `${minutes} past every hour`;
  if (hour.any) return `${minutes} past every ${ord(hour.step)} hour`;
  const hours = hour.items.map((i) =>
    i.from === i.to
      ? `${pad(i.from)}:00–${pad(i.from)}:59`
      : `${i.step > 1 ? `every ${ord(i.step)} hour ` : ""}from ${pad(i.from)}:00 through ${pad(i.to)}:59`,
  );
  return `${minutes}${minutes.startsWith("at") ? " past every hour" : ""}, ${and(hours)}`;
}

function days(dom: Field, month: Field, dow: Field): string {
  const parts: string[] = [];
  const dayOfMonth = dom.any
    ? dom.step > 1
      ? `every ${ord(dom.step)} day of the month`
      : ""
    : `on day${singles(dom)?.length === 1 ? "" : "s"} ${items(dom, String, "day")} of the month`;
  const weekday = dow.any ? "" : `on ${items(dow, (n) => DAYS[n % 7], "day")}`;
  // Classic cron: when both are restricted, a day matches if EITHER does.
  if (dayOfMonth && weekday) parts.push(`${dayOfMonth} or ${weekday}`);
  else parts.push(dayOfMonth || weekday || "every day");
  if (!month.any) parts.push(`in ${items(month, (n) => MONTHS[n - 1], "month")}`);
  else if (month.step > 1) parts.push(`every ${ord(month.step)} month`);
  return parts.join(", ");
}

/** Plain words for a 5-field expression, or null when it cannot be read. */
export function describeCron(expr: string): string | null {
  const f = expr.trim().split(/\s+/);
  if (f.length !== 5) return null;
  try {
    const min = parse(f[0], 0, 59);
    const hour = parse(f[1], 0, 23);
    const dom = parse(f[2], 1, 31);
    const month = parse(f[3], 1, 12, MON_ABBR, 1);
    const dow = parse(f[4], 0, 7, DAY_ABBR);
    const time = timeOfDay(min, hour);
    const day = days(dom, month, dow);
    // "Every 15 minutes" says it all; "At 03:00" needs its ", every day".
    const text = day === "every day" && !time.includes(":") ? time : `${time}, ${day}`;
    return text[0].toUpperCase() + text.slice(1);
  } catch {
    return null;
  }
}
