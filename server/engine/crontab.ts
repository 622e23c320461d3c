// A crontab read as Vixie cron (crontab(5), Debian's cron and cronie) reads
// it: environment lines, comments and schedule lines, each schedule line with
// the environment set above it (cron applies a setting to the lines after it
// only). Nothing here decides what becomes of a line; crontab-plan.ts does.

export interface CrontabEntry {
  /** 1-based line number in the text */
  line: number;
  /** the line as written */
  text: string;
  /** the 5 fields, or an @nickname, as written */
  cron: string;
  /** the system crontab's user column (/etc/crontab, /etc/cron.d) */
  user: string | null;
  /** the command up to its first unescaped `%`, with `\%` made `%` */
  command: string;
  /** after the first unescaped `%`: the command's standard input (crontab(5)), or null */
  stdin: string | null;
  /** the environment lines above this line, in order (last one wins) */
  env: [string, string][];
  /** the comment lines right above it (no blank line between), without `#` */
  comments: string[];
}

export interface CrontabSkip {
  line: number;
  text: string;
  reason: string;
}

export interface Crontab {
  entries: CrontabEntry[];
  /** lines that are neither blank, comment, environment nor a schedule line */
  invalid: CrontabSkip[];
}

// NAME=value, spaces allowed around `=`; the name may be quoted (crontab(5), cronie's env.c)
const ENV_LINE = /^[ \t]*("[^"]*"|'[^']*'|[^\s="']+)[ \t]*=[ \t]*(.*)$/;
const unquote = (s: string) => (s.length >= 2 && (s[0] === '"' || s[0] === "'") && s.at(-1) === s[0] ? s.slice(1, -1) : s);

/** A value is quoted to keep its blanks; unquoted, the blanks at its end go. */
function envValue(raw: string): string {
  const v = raw.replace(/[ \t\r]+$/, "");
  return unquote(v);
}

/**
 * The command and its standard input, as cron's do_command.c splits them: the
 * first unescaped `%` ends the command; in the input every further unescaped
 * `%` is a newline; `\%` is a literal `%` in both, other backslashes stay.
 */
export function splitPercent(raw: string): { command: string; stdin: string | null } {
  let command = "";
  let i = 0;
  for (; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === "\\" && raw[i + 1] === "%") {
      command += "%";
      i++;
    } else if (c === "%") break;
    else command += c;
  }
  if (i >= raw.length) return { command, stdin: null };
  let stdin = "";
  for (i++; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === "\\") {
      if (raw[i + 1] === "%") (stdin += "%"), i++;
      else if (i + 1 < raw.length) (stdin += "\\" + raw[i + 1]), i++;
      // a backslash at the very end is dropped, as cron does
    } else stdin += c === "%" ? "\n" : c;
  }
  return { command, stdin };
}

/** Reads a crontab; `system`: each schedule line has a user column after the time fields. */
export function parseCrontab(text: string, system: boolean): Crontab {
  const entries: CrontabEntry[] = [];
  const invalid: CrontabSkip[] = [];
  const env: [string, string][] = [];
  let comments: string[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = i + 1;
    const body = raw.replace(/\r$/, "");
    const trimmed = body.trim();
    if (trimmed === "") return void (comments = []);
    if (trimmed.startsWith("#")) return void comments.push(trimmed.replace(/^#+ ?/, ""));
    const words = trimmed.split(/[ \t]+/);
    const timeWords = words[0]!.startsWith("@") ? 1 : 5;
    // a schedule line starts with a time field; anything else that has `=` is an environment line
    const env_ = /^[0-9*@]/.test(trimmed) ? null : ENV_LINE.exec(body);
    if (env_) {
      env.push([unquote(env_[1]!), envValue(env_[2]!)]);
      comments = [];
      return;
    }
    const need = timeWords + (system ? 1 : 0) + 1;
    if (words.length < need || !/^[0-9*@]/.test(trimmed)) {
      invalid.push({ line, text: body, reason: system ? "not a schedule line (time fields, a user and a command), an environment line or a comment" : "not a schedule line (time fields and a command), an environment line or a comment" });
      comments = [];
      return;
    }
    // the command is the rest of the line as written, its inner blanks kept
    const rest = trimmed.replace(new RegExp(`^(?:[^ \\t]+[ \\t]+){${need - 1}}`), "");
    const { command, stdin } = splitPercent(rest);
    entries.push({
      line,
      text: body,
      cron: words.slice(0, timeWords).join(" "),
      user: system ? words[timeWords]! : null,
      command,
      stdin,
      env: env.map(([k, v]) => [k, v]),
      comments,
    });
    comments = [];
  });
  return { entries, invalid };
}
