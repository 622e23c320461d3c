// `lightflow import-crontab [FILE|-]... [--system] [--dry-run] [--prefix NAME] [--run-as USER]`:
// sends crontabs to a running server (POST /api/import/crontab), one request
// per file, since cron's environment lines hold within their own file only.
// Over the API rather than on the data directory: the server's scheduler
// learns of the new tasks at once, and the files are read where the command
// runs (usually the server's own machine, where cron ran them).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { clientCommand, out, printJson, TextBody, usageError, type Client } from "./shared.ts";

export const IMPORT_CRONTAB_USAGE =
  "usage: lightflow import-crontab [FILE|-]... [--system] [--dry-run] [--prefix NAME] [--run-as USER] [--json] [--url URL] [--token-file PATH]";

/** Debian's cron reads the files of /etc/cron.d named with letters, digits, `_` and `-` only (no backups, no .dpkg-old). */
const CRON_D_NAME = /^[A-Za-z0-9_-]+$/;

interface Line {
  line: number;
  action: "create" | "unchanged" | "skipped";
  name: string | null;
  reason: string | null;
  task: { cron: string; run_as?: string } | null;
  text: string;
}

/** /etc/crontab, then /etc/cron.d's files in name order: those there are (a minimal system may have neither). */
function systemFiles(): string[] {
  let names: string[] = [];
  try {
    names = readdirSync("/etc/cron.d").filter((n) => CRON_D_NAME.test(n)).sort();
  } catch {
    // no /etc/cron.d: /etc/crontab alone
  }
  const files = [...(existsSync("/etc/crontab") ? ["/etc/crontab"] : []), ...names.map((n) => join("/etc/cron.d", n))];
  if (!files.length) throw usageError(IMPORT_CRONTAB_USAGE, "there is no /etc/crontab and no file in /etc/cron.d to import");
  return files;
}

function read(file: string): string {
  try {
    return file === "-" ? readFileSync(0, "utf8") : readFileSync(file, "utf8");
  } catch (e) {
    throw usageError(IMPORT_CRONTAB_USAGE, `cannot read ${file === "-" ? "standard input" : file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

function lineText(file: string, l: Line): string {
  const where = `${file === "-" ? "stdin" : file}:${l.line}`;
  if (l.action === "skipped") return `skipped    ${where}  ${l.reason}\n`;
  const who = l.task?.run_as ? ` as ${l.task.run_as}` : "";
  const note = l.action === "create" && l.reason ? `  (${l.reason})` : "";
  return `${l.action.padEnd(10)} ${l.name}  ${where}  ${l.task?.cron}${who}${note}\n`;
}

async function importOne(client: Client, file: string, query: URLSearchParams): Promise<Line[]> {
  const q = new URLSearchParams(query);
  q.set("source", file === "-" ? "crontab" : file);
  const answer = await client.call<{ lines: Line[] }>("POST", `/api/import/crontab?${q}`, new TextBody(read(file), "text/plain; charset=utf-8"));
  return answer.lines;
}

export const importCrontab = (argv: string[]) =>
  clientCommand(IMPORT_CRONTAB_USAGE, argv, { flags: ["--system", "--dry-run"], valued: ["--prefix", "--run-as"] }, async ({ client, args, flags, values }) => {
    const system = flags.has("--system");
    const dryRun = flags.has("--dry-run");
    if (!args.length && !system) throw usageError(IMPORT_CRONTAB_USAGE, "which crontab? give a FILE, or - for standard input (crontab -l | lightflow import-crontab -)");
    if (system && values.has("--run-as")) throw usageError(IMPORT_CRONTAB_USAGE, "--run-as is for a user's crontab; a system crontab names the user on each line");
    const files = args.length ? args : systemFiles();
    const query = new URLSearchParams();
    if (dryRun) query.set("dry_run", "1");
    if (system) query.set("system", "1");
    const prefix = values.get("--prefix")?.at(-1);
    if (prefix) query.set("prefix", prefix);
    const runAs = values.get("--run-as")?.at(-1);
    if (runAs) query.set("run_as", runAs);
    // in order: each file's request sees the tasks the previous one made (their names stay unique)
    const results: { file: string; lines: Line[] }[] = [];
    for (const file of files) results.push({ file, lines: await importOne(client, file, query) });
    if (client.json) {
      await printJson({ dry_run: dryRun, files: results });
      return 0;
    }
    for (const { file, lines } of results) for (const l of lines) await out(lineText(file, l));
    const count = (a: Line["action"]) => results.reduce((n, r) => n + r.lines.filter((l) => l.action === a).length, 0);
    const made = count("create");
    await out(
      dryRun
        ? `dry run: ${made} tasks would be created, ${count("unchanged")} exist already, ${count("skipped")} lines not imported; nothing was changed\n`
        : `${made} tasks created, ${count("unchanged")} existed already, ${count("skipped")} lines not imported\n`,
    );
    return 0;
  });
