// Random CRON expressions, hostile and valid, against an independent reference:
// a grammar written from the classic (Vixie) cron man page and a brute-force
// matcher that tries every minute of every matching day. The parser must accept
// exactly what the grammar defines (less what never fires), fire exactly when
// the brute force does, and name the offending token when it refuses.
// Replay a failure with LIGHTFLOW_SEED=<printed seed>.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { CronError, nextFires, parseCron } from "../../server/engine/cron.ts";
import { startApi, type Api } from "../helpers/api.ts";
import { pick, prng } from "../helpers/soak.ts";

const ROUNDS = pick(2_000, 60_000);
const seed = Number(process.env.LIGHTFLOW_SEED ?? Date.now() % 100_000);
const random = prng(seed);
const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
const pickOne = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;

const MIN = 60_000;
const DAY = 86_400_000;

// ---- the reference grammar ---------------------------------------------------

interface RefField { name: string; lo: number; hi: number; names?: string[] }
const REF: RefField[] = [
  { name: "minute", lo: 0, hi: 59 },
  { name: "hour", lo: 0, hi: 23 },
  { name: "day-of-month", lo: 1, hi: 31 },
  { name: "month", lo: 1, hi: 12, names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"] },
  { name: "day-of-week", lo: 0, hi: 7, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
];
const NICKNAMES: Record<string, string> = {
  "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
};

/** An item stands for from, from+step, … up to `to`. */
interface RefItem { from: number; to: number; step: number }

/** `*`, `N`, `N-M`, each optionally `/S`; N/M digits or a name of the field; `N/S` is `N-hi/S`. null when invalid. */
function refItem(item: string, f: RefField): RefItem | null {
  const slash = item.split("/");
  if (slash.length > 2) return null;
  const [body, stepText] = slash as [string, string | undefined];
  if (stepText !== undefined && !/^[0-9]+$/.test(stepText)) return null;
  const step = stepText === undefined ? 1 : Number(stepText);
  if (step < 1) return null;
  if (body === "*") return { from: f.lo, to: f.hi, step };
  const value = (s: string) =>
    /^[0-9]+$/.test(s) ? Number(s) : f.names?.includes(s.toLowerCase()) ? f.lo + f.names.indexOf(s.toLowerCase()) : NaN;
  const dash = body.split("-");
  if (dash.length > 2) return null;
  const from = value(dash[0]!);
  const to = dash.length === 2 ? value(dash[1]!) : stepText !== undefined ? f.hi : from;
  if (!(from >= f.lo && to <= f.hi && from <= to)) return null;
  return { from, to, step };
}

const inItem = (v: number, i: RefItem) => v >= i.from && v <= i.to && (v - i.from) % i.step === 0;

type RefVerdict =
  | { ok: true; fields: string[]; items: RefItem[][] }
  | { ok: false; kind: "count"; count: number }
  | { ok: false; kind: "nickname"; token: string }
  /** the first bad field; `token` is the field itself when it has an empty item, else its first bad item */
  | { ok: false; kind: "token"; field: string; token: string };

function reference(input: string): RefVerdict {
  const trimmed = input.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "");
  if (trimmed.startsWith("@") && !/[ \t]/.test(trimmed) && !(trimmed.toLowerCase() in NICKNAMES)) return { ok: false, kind: "nickname", token: trimmed };
  const fields = (NICKNAMES[trimmed.toLowerCase()] ?? trimmed).split(/[ \t]+/).filter((x) => x !== "");
  if (fields.length !== 5) return { ok: false, kind: "count", count: fields.length };
  const items: RefItem[][] = [];
  for (let i = 0; i < 5; i++) {
    const parts = fields[i]!.split(",");
    if (parts.includes("")) return { ok: false, kind: "token", field: REF[i]!.name, token: fields[i]! };
    const parsed = parts.map((p) => refItem(p, REF[i]!));
    const bad = parsed.findIndex((p) => p === null);
    if (bad >= 0) return { ok: false, kind: "token", field: REF[i]!.name, token: parts[bad]! };
    items.push(parsed as RefItem[]);
  }
  return { ok: true, fields, items };
}

// ---- the brute-force matcher ---------------------------------------------------

function refMatcher(v: Extract<RefVerdict, { ok: true }>) {
  const has = (i: number, x: number) => v.items[i]!.some((it) => inItem(x, it));
  const daysAnd = v.fields[2]!.startsWith("*") || v.fields[4]!.startsWith("*");
  const day = (d: Date) => {
    if (!has(3, d.getUTCMonth() + 1)) return false;
    const dom = has(2, d.getUTCDate());
    const dow = has(4, d.getUTCDay()) || (d.getUTCDay() === 0 && has(4, 7));
    return daysAnd ? dom && dow : dom || dow;
  };
  const time = (h: number, m: number) => has(1, h) && has(0, m);
  return { day, time };
}

/** Every matching minute in (after, end), up to `count` of them (UTC). */
function bruteForce(v: Extract<RefVerdict, { ok: true }>, after: number, end: number, count: number): number[] {
  const { day, time } = refMatcher(v);
  const out: number[] = [];
  const first = Math.floor(after / MIN) * MIN + MIN;
  for (let d = Math.floor(first / DAY) * DAY; d < end && out.length < count; d += DAY) {
    if (!day(new Date(d))) continue;
    for (let m = 0; m < 1440 && out.length < count; m++) {
      const t = d + m * MIN;
      if (t >= first && t < end && time(Math.floor(m / 60), m % 60)) out.push(t);
    }
  }
  return out;
}

/** Whether any day at all matches: the calendar repeats every 400 years. */
const firesEver = (v: Extract<RefVerdict, { ok: true }>) => {
  const { day } = refMatcher(v);
  for (let d = Date.UTC(2000, 0, 1); d < Date.UTC(2400, 0, 1); d += DAY) if (day(new Date(d))) return true;
  return false;
};

// ---- the generator ---------------------------------------------------------------

const HOSTILE = "0123456789*/-,#LWlw?.+xXe@ \t\u00a0é٣";
const WEIRD = ["5#3", "L", "5L", "15W", "W", "?", "1.5", "+5", "-5", "5x", "3/0", "*/0", "1e1", "0x1", "５", "*/", "/5", "-", ",", "**", "5-", "-5-"];

function value(f: RefField): string {
  const r = random();
  if (f.names && r < 0.25) return (random() < 0.2 ? (s: string) => s.toUpperCase() : (s: string) => s)(pickOne(f.names));
  if (r < 0.3 && random() < 0.1) return String(pickOne([f.lo === 1 ? 0 : f.hi + 2, f.hi + 1, 99, 100_000]));
  const n = int(f.lo, f.hi);
  return random() < 0.05 ? `0${n}` : String(n);
}

/** Mostly in order, sometimes reversed */
function range(f: RefField): string {
  const [a, b] = [value(f), value(f)];
  const n = (x: string) => (/^[0-9]+$/.test(x) ? Number(x) : f.lo + f.names!.indexOf(x.toLowerCase()));
  return random() < 0.9 && n(a) > n(b) ? `${b}-${a}` : `${a}-${b}`;
}

function validishItem(f: RefField): string {
  const step = () => `/${random() < 0.05 ? 0 : random() < 0.1 ? int(f.hi, 200) : int(1, 12)}`;
  switch (int(0, 5)) {
    case 0: return "*";
    case 1: return `*${step()}`;
    case 2: return value(f);
    case 3: return range(f);
    case 4: return `${range(f)}${step()}`;
    default: return `${value(f)}${step()}`;
  }
}

function hostileToken(f: RefField): string {
  const r = random();
  if (r < 0.3) return pickOne(WEIRD);
  if (r < 0.6) {
    const base = validishItem(f);
    const at = int(0, base.length);
    return base.slice(0, at) + pickOne([...HOSTILE]) + base.slice(at);
  }
  return Array.from({ length: int(1, 5) }, () => pickOne([...HOSTILE])).join("");
}

function field(f: RefField): string {
  if (random() < 0.05) return hostileToken(f);
  const items = Array.from({ length: random() < 0.8 ? 1 : int(2, 3) }, () => (random() < 0.03 ? hostileToken(f) : validishItem(f)));
  return items.join(",");
}

function expression(): string {
  const r = random();
  if (r < 0.02) return pickOne([...Object.keys(NICKNAMES), "@reboot", "@every", "@", "@Daily", " @hourly "]);
  const fields = REF.map(field);
  if (r < 0.05) fields.splice(int(0, 4), 1);
  else if (r < 0.08) fields.push(field(REF[0]!));
  return (random() < 0.05 ? " " : "") + fields.join(random() < 0.1 ? pickOne(["  ", "\t", " \t "]) : " ");
}

// ---- the properties ----------------------------------------------------------------

/** The first JSON string a message starts with (the named token), or null. */
function namedToken(message: string): string | null {
  const m = /^("(?:[^"\\]|\\.)*")/.exec(message);
  return m ? (JSON.parse(m[1]!) as string) : null;
}

const wallFormat = new Intl.DateTimeFormat("en-US", {
  timeZone: "Europe/Berlin", hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric",
});
function wallDate(t: number): { date: Date; h: number; m: number } {
  const p = Object.fromEntries(wallFormat.formatToParts(new Date(t)).map((x) => [x.type, Number(x.value)]));
  return { date: new Date(Date.UTC(p.year!, p.month! - 1, p.day!)), h: p.hour!, m: p.minute! };
}

function check(expr: string): { accepted: boolean } {
  const where = `seed ${seed}, expression ${JSON.stringify(expr)}`;
  const ref = reference(expr);
  let spec;
  try {
    spec = parseCron(expr);
  } catch (e) {
    if (!(e instanceof CronError)) throw new Error(`${where}: threw ${String(e)}`);
    const message = e.message;
    if (ref.ok) {
      // the only refusal of a well-formed expression: it can never fire
      expect([where, message]).toEqual([where, expect.stringContaining("never fires")]);
      expect([where, firesEver(ref)]).toEqual([where, false]);
    } else if (ref.kind === "count") {
      expect([where, message]).toEqual([where, `a CRON expression has 5 fields (minute hour day-of-month month day-of-week), this one has ${ref.count}`]);
    } else if (ref.kind === "nickname") {
      expect([where, namedToken(message)]).toEqual([where, ref.token]);
    } else {
      expect([where, namedToken(message), message.slice(JSON.stringify(ref.token).length)]).toEqual([
        where, ref.token, expect.stringMatching(new RegExp(`^ in ${ref.field} (is |has )`)),
      ]);
    }
    return { accepted: false };
  }
  expect([where, ref.ok]).toEqual([where, true]);
  if (!ref.ok) return { accepted: true };

  // UTC, minute by minute: the same fire times, strictly after a random start
  const after = Date.UTC(int(1995, 2035), int(0, 11), int(1, 28), int(0, 23), int(0, 59)) + (random() < 0.2 ? int(1, 59) * 1000 : 0);
  const end = after + 800 * DAY;
  const want = bruteForce(ref, after, end, 6);
  const got = nextFires(spec, "UTC", after, 6).filter((t) => t < end);
  expect([where, new Date(after).toISOString(), got.map((t) => new Date(t).toISOString())]).toEqual([
    where, new Date(after).toISOString(), want.map((t) => new Date(t).toISOString()),
  ]);

  // a schedule that follows real time fires only at existing matching wall times, in order, across a DST change
  if (ref.fields[1]!.startsWith("*")) {
    const { day, time } = refMatcher(ref);
    const from = pickOne([Date.UTC(2026, 2, 28, 22), Date.UTC(2026, 9, 24, 22)]);
    const fires = nextFires(spec, "Europe/Berlin", from, 8);
    fires.forEach((t, i) => {
      const w = wallDate(t);
      expect([where, new Date(t).toISOString(), day(w.date) && time(w.h, w.m), t > (i ? fires[i - 1]! : from)]).toEqual([
        where, new Date(t).toISOString(), true, true,
      ]);
    });
  }
  return { accepted: true };
}

describe(`CRON parser against a reference grammar and a brute-force matcher (seed ${seed})`, () => {
  test(`${ROUNDS} random expressions: accepted exactly when classic, fire times match, refusals name the token`, () => {
    let accepted = 0;
    for (let i = 0; i < ROUNDS; i++) if (check(expression()).accepted) accepted++;
    // both sides of the grammar are exercised, not one
    expect(accepted).toBeGreaterThan(ROUNDS * 0.15);
    expect(accepted).toBeLessThan(ROUNDS * 0.85);
  }, 300_000);

  test("the tokens of issue 14 and their neighbours", () => {
    for (const expr of ["0 0 * * 5#3", "0 0 * * 5L", "0 0 15W * *", "1.5 * * * *", "5x * * * *", "+5 * * * *", "3/0 * * * *", "5/10 * * * *", "0 0 29 2 */7", "0 0 L * *", "0 0 ? * *"]) {
      check(expr);
    }
  });
});

describe("through the real HTTP API", () => {
  let api: Api;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => api?.close());

  test("a task with a token classic cron does not define is refused with 422 on the cron field, naming the token", async () => {
    const step = { name: "s", command: "true" };
    const r = await api.json("POST", "/api/tasks", { name: "fridays", cron: "0 0 * * 5#3", steps: [step] });
    expect(r).toEqual({ status: 422, body: { error: 'cron: "5#3" in day-of-week is not classic cron syntax', field: "cron" } });
    // a few random refusals say over HTTP exactly what the parser says
    for (let i = 0, sent = 0; sent < 10 && i < 1000; i++) {
      const cron = expression();
      const ref = reference(cron);
      if (ref.ok || ref.kind === "count" || cron.length > 200) continue;
      sent++;
      let message = "";
      try {
        parseCron(cron);
      } catch (e) {
        message = (e as Error).message;
      }
      expect([cron, await api.json("POST", "/api/tasks", { name: `fuzz-${i}`, cron, steps: [step] })]).toEqual([
        cron, { status: 422, body: { error: `cron: ${message}`, field: "cron" } },
      ]);
    }
    expect((await api.json("GET", "/api/tasks")).body).toEqual([]);
    // and `5/10` is accepted, firing at :05, :15, …
    const ok = await api.json("GET", `/api/cron/preview?expr=${encodeURIComponent("5/10 * * * *")}&count=3&from=2026-01-01T00:00:00Z`);
    expect(ok.body.next).toEqual(["2026-01-01T00:05:00.000Z", "2026-01-01T00:15:00.000Z", "2026-01-01T00:25:00.000Z"]);
  }, 60_000);

  test("the preview of a very sparse schedule lists as many times as asked", async () => {
    const r = await api.json("GET", `/api/cron/preview?expr=${encodeURIComponent("0 0 29 2 */7")}&count=20&from=2026-01-01T00:00:00Z`);
    expect(r.status).toBe(200);
    expect(r.body.next.length).toBe(20);
    expect(r.body.reason).toBeUndefined();
    const late = await api.json("GET", `/api/cron/preview?expr=${encodeURIComponent("0 0 29 2 */7")}&count=5&from=9950-01-01T00:00:00Z`);
    expect(late.body).toMatchObject({ next: ["9976-02-29T00:00:00.000Z"], reason: expect.stringContaining("year 10000") });
  }, 60_000);
});
