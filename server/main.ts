// Entry point of the one executable: picks the subcommand, nothing else.
import { ConfigError } from "./config.ts";

const USAGE =
  "usage: lightflow [serve | version | reset-password <email> | backup <file> [--logs] | restore <file> | export [<file>] | import <file> [--dry-run]]\n" +
  "       lightflow [tasks | run TASK [-p NAME=VALUE]... [--wait] [--follow] | runs TASK | logs RUN [STEP] [-f] | cancel RUN] [--json] [--url URL] [--token-file PATH]\n" +
  "       lightflow import-crontab [FILE|-]... [--system] [--dry-run] [--prefix NAME] [--run-as USER]\n" +
  "       (the client commands talk to the server at LIGHTFLOW_URL with the token in LIGHTFLOW_TOKEN)";

async function main(argv: string[]): Promise<number> {
  const [command = "serve", ...rest] = argv;
  switch (command) {
    case "serve":
      if (rest.length) break;
      return (await import("./cli/serve.ts")).serve();
    case "version":
    case "--version":
      if (rest.length) break;
      return (await import("./cli/version.ts")).version();
    case "reset-password":
      if (rest.length !== 1) break;
      return (await import("./cli/reset-password.ts")).resetPassword(rest[0]!);
    case "backup": {
      const logs = rest.includes("--logs");
      const files = rest.filter((a) => a !== "--logs");
      if (files.length !== 1 || files[0]!.startsWith("-")) break;
      return (await import("./cli/backup.ts")).backup(files[0]!, logs);
    }
    case "restore":
      if (rest.length !== 1 || rest[0]!.startsWith("-")) break;
      return (await import("./cli/backup.ts")).restoreBackup(rest[0]!);
    case "export":
      if (rest.length > 1 || rest[0]?.startsWith("-")) break;
      return (await import("./cli/setup.ts")).exportCommand(rest[0]);
    case "import": {
      const dryRun = rest.includes("--dry-run");
      const files = rest.filter((a) => a !== "--dry-run");
      if (files.length !== 1 || files[0]!.startsWith("-")) break;
      return (await import("./cli/setup.ts")).importCommand(files[0]!, dryRun);
    }
    // the command-line client: these talk to a running server over its API
    case "tasks":
      return (await import("./cli/client/tasks.ts")).tasks(rest);
    case "run":
      return (await import("./cli/client/run.ts")).run(rest);
    case "runs":
      return (await import("./cli/client/runs.ts")).runs(rest);
    case "logs":
      return (await import("./cli/client/logs.ts")).logs(rest);
    case "cancel":
      return (await import("./cli/client/cancel.ts")).cancel(rest);
    case "import-crontab":
      return (await import("./cli/client/import-crontab.ts")).importCrontab(rest);
    case "help":
    case "--help":
    case "-h":
      console.log(USAGE);
      return 0;
  }
  console.error(`lightflow: unknown command or argument: ${argv.join(" ")}\n${USAGE}`);
  return 2;
}

try {
  const code = await main(process.argv.slice(2));
  if (code !== -1) process.exit(code);
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(`lightflow: ${e.message}`);
    process.exit(2);
  }
  console.error(`lightflow: ${(e as Error).message}`);
  process.exit(1);
}
