// A crontab as Lightflow tasks: one task per schedule line, with one step that
// runs the command the way cron does (`$SHELL -c command`), the line's
// environment through `env`, its `%` input fed on standard input, MAILTO as
// the task's alert addresses and the comments above it as its description.
// What cannot be expressed is listed with the reason and left out. A task
// that already has the same schedule, command and user is left as it is, so a
// second import changes nothing.
import { Value } from "@sinclair/typebox/value";
import { TaskInput } from "../schema/tasks.ts";
import { parseCrontab, type CrontabEntry } from "./crontab.ts";
import { definitionOf, definitionProblem, withDefaults } from "./taskdef.ts";
import type { Task, TaskDef } from "./types.ts";

export interface CrontabOptions {
  /** /etc/crontab and /etc/cron.d format: a user column, which becomes run_as */
  system: boolean;
  /** put before every task name (`<prefix>-<name>`) */
  prefix: string | null;
  /** run_as for a user crontab's tasks (a system crontab names its own) */
  runAs: string | null;
  /** where the text came from, for the descriptions ("crontab", "/etc/cron.d/backup") */
  source: string;
  /** the server's zone (LIGHTFLOW_TIMEZONE), in which every schedule runs */
  timezone: string;
}

export interface CrontabLine {
  line: number;
  text: string;
  action: "create" | "unchanged" | "skipped";
  /** the task's name (for unchanged: the existing task's), or null when skipped */
  name: string | null;
  /** why skipped, or what was left out of a task */
  reason: string | null;
  /** the definition created (or found) */
  task: TaskDef | null;
}

export interface CrontabPlan {
  lines: CrontabLine[];
  /** creates the planned tasks; call inside one transaction */
  apply(create: (def: TaskDef) => void): void;
}

/** cron's own default (crontab(5)); the command runs as `$SHELL -c command` */
const DEFAULT_SHELL = "/bin/sh";
/** names that set how cron runs a line rather than the command's environment */
const CRON_ONLY = new Set(["MAILTO", "SHELL", "MAILFROM", "CONTENT_TYPE", "CONTENT_TRANSFER_ENCODING", "CRON_TZ"]);
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;
/** wrappers skipped when a task name is taken from a command (their next word is theirs too when marked) */
const WRAPPERS = new Set(["nice", "ionice", "nohup", "exec", "env", "sudo", "chronic", "command", "time", "timeout", "run-one", "flock", "setlock", "cd"]);
const TAKES_ARG = new Set(["cd", "flock", "setlock"]);
/** the shell's own words: the job comes after them (`if`, `then`…), or not in this part (`for x in…`, `case`) */
const KEYWORDS = new Set(["!", "if", "then", "else", "elif", "fi", "do", "done", "while", "until"]);
const NO_JOB = new Set(["test", "[", "[[", "true", ":", "for", "case", "exit"]);
const INTERPRETERS = new Set(["sh", "bash", "dash", "zsh", "python", "python3", "perl", "php", "ruby", "node", "bun", "run-parts"]);

const base = (word: string) => word.replace(/^.*\//, "").replace(/\.(sh|bash|py|pl|php|rb|js|ts)$/, "");

/** A task name from a command: its program (or the script an interpreter runs), not `cd`, `nice` and the like. */
export function nameFromCommand(command: string): string {
  // quoted text is an argument (`perl -e '…(…)…'`), never a separator or a program
  const plain = command.replace(/'[^']*'|"[^"]*"/g, " Q ");
  for (const segment of plain.split(/&&|\|\||;|\||\(|\)|\{|\}|`|\$\(/)) {
    const words = segment.trim().split(/\s+/).filter(Boolean);
    let skipNext = false;
    let program: string | null = null;
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      if (w.startsWith("-") || /^[0-9]+[smhd]?$/.test(w) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) continue;
      if (/^[0-9]*[<>]/.test(w)) {
        if (/^[0-9]*[<>]+&?$/.test(w)) skipNext = true; // `> file`: the file goes with it
        continue;
      }
      if (skipNext) {
        skipNext = false;
        continue;
      }
      if (program === null) {
        const b = base(w);
        if (NO_JOB.has(b)) break; // a condition or a loop, not the job
        if (KEYWORDS.has(b)) continue;
        if (WRAPPERS.has(b)) {
          skipNext = TAKES_ARG.has(b);
          continue;
        }
        program = b;
        if (!INTERPRETERS.has(program)) return program;
        continue;
      }
      if (words[i - 1] === "-c" || words[i - 1] === "-e") {
        program = null; // inline code (`perl -e '…'`): the job is in another part of the line
        break;
      }
      return base(w); // the script the interpreter runs
    }
    if (program) return program;
  }
  return "cron";
}

/** `[A-Za-z0-9_.-]`, at most `max` characters, not only digits. */
function tidy(name: string, max: number): string {
  const t = name.replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^[-.]+|[-.]+$/g, "").slice(0, max).replace(/[-.]+$/, "");
  return t === "" || /^[0-9]+$/.test(t) ? `cron-${t || "job"}`.slice(0, max) : t;
}

/** The step that runs the entry as cron would: `[env NAME=value…] $SHELL -c command`, stdin fed through printf. */
function stepOf(e: CrontabEntry, shell: string, env: [string, string][]): { command: string; args: string[] } {
  const argv =
    e.stdin === null
      ? [shell, "-c", e.command]
      : // printf writes the input exactly (no newline added, as cron); the pipe's status is the command's
        ["/bin/sh", "-c", 'printf %s "$2" | exec "$1" -c "$3"', "crontab-input", shell, e.stdin, e.command];
  if (env.length) argv.unshift("/usr/bin/env", ...env.map(([k, v]) => `${k}=${v}`));
  return { command: argv[0]!, args: argv.slice(1) };
}

/** Same schedule, same step, same user: what makes a task this line's. */
const sameJob = (a: TaskDef, b: TaskDef) =>
  a.cron === b.cron &&
  (a.run_as ?? null) === (b.run_as ?? null) &&
  a.steps.length === 1 &&
  JSON.stringify([a.steps[0]!.command, a.steps[0]!.args, a.steps[0]!.run_as ?? null]) ===
    JSON.stringify([b.steps[0]!.command, b.steps[0]!.args, b.steps[0]!.run_as ?? null]);

export function planCrontab(text: string, o: CrontabOptions, existing: Task[]): CrontabPlan {
  const { entries, invalid } = parseCrontab(text, o.system);
  const taken = new Set(existing.map((t) => t.name));
  const lines: CrontabLine[] = invalid.map((s) => ({ ...s, action: "skipped", name: null, task: null }));
  const planned: TaskDef[] = [];
  const skip = (e: CrontabEntry, reason: string) => lines.push({ line: e.line, text: e.text, action: "skipped", name: null, reason, task: null });

  for (const e of entries) {
    if (e.cron.toLowerCase() === "@reboot") {
      skip(e, "@reboot runs once when the machine starts; Lightflow has no start-up trigger (use a systemd unit, or a manual task)");
      continue;
    }
    const vars = new Map(e.env);
    const notes: string[] = [];
    const env = [...vars].filter(([k]) => !CRON_ONLY.has(k));
    const badEnv = env.find(([k]) => !ENV_NAME.test(k));
    if (badEnv) {
      skip(e, `the environment name "${badEnv[0]}" cannot be passed to a program`);
      continue;
    }
    const cronTz = vars.get("CRON_TZ");
    if (cronTz && cronTz !== o.timezone) {
      skip(e, `CRON_TZ=${cronTz}: every schedule here runs in the server's time zone (${o.timezone}, LIGHTFLOW_TIMEZONE)`);
      continue;
    }
    const mailto = (vars.get("MAILTO") ?? "").split(/[\s,]+/).filter(Boolean);
    const notMail = mailto.filter((m) => !EMAIL.test(m));
    if (notMail.length) notes.push(`MAILTO ${notMail.join(", ")}: not an e-mail address, left out (users who opt in still get alerts)`);
    const prefix = o.prefix ? `${o.prefix}${/[-_.]$/.test(o.prefix) ? "" : "-"}` : "";
    const description = [...e.comments, `Imported from ${o.source} line ${e.line}: ${e.text.trim()}`].join("\n").slice(0, 10_000);
    const runAs = o.system ? e.user : o.runAs;
    const draft = withDefaults({
      name: "x",
      description,
      cron: e.cron,
      alert_emails: mailto.filter((m) => EMAIL.test(m)).slice(0, 20),
      ...(runAs ? { run_as: runAs } : {}),
      // cron kills nothing: the longest timeout Lightflow allows
      steps: [{ name: "run", ...stepOf(e, vars.get("SHELL") || DEFAULT_SHELL, env), timeout_s: 604_800 }],
    });
    const same = existing.find((t) => sameJob(t, draft)) ?? planned.find((t) => sameJob(t, draft));
    if (same) {
      const inImport = planned.includes(same);
      if (inImport) skip(e, `the same schedule, command and user as task ${same.name} above`);
      else lines.push({ line: e.line, text: e.text, action: "unchanged", name: same.name, reason: "a task with this schedule, command and user exists", task: definitionOf(same) });
      continue;
    }
    const stem = tidy(prefix + nameFromCommand(e.command), 60);
    let name = stem;
    for (let n = 2; taken.has(name); n++) name = `${stem}-${n}`;
    const def: TaskDef = { ...draft, name };
    const problem = definitionProblem(def, () => false);
    const schema = problem ? null : [...Value.Errors(TaskInput, def)][0];
    if (problem || schema) {
      skip(e, problem ? `${problem.field}: ${problem.message}` : `cannot be expressed: ${(schema!.schema as { error?: string }).error ?? schema!.message}`);
      continue;
    }
    taken.add(name);
    planned.push(def);
    lines.push({ line: e.line, text: e.text, action: "create", name, reason: notes.length ? notes.join("; ") : null, task: def });
  }
  lines.sort((a, b) => a.line - b.line);
  return { lines, apply: (create) => planned.forEach(create) };
}
