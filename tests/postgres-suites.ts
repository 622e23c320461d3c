// `bun run test:postgres`: the whole-system suites again, with every server on
// PostgreSQL instead of SQLite (LIGHTFLOW_TEST_STORE=postgres; tests/helpers/pg.ts
// gives each data directory its own database on one test cluster).
//
// Left out, and why: the browser, binary, nginx and package suites (they test
// the UI, the executable, the proxy and pip, through the same API these run);
// backup.test.ts (the SQLite snapshot; on PostgreSQL backup refuses, which
// tests/postgres.test.ts checks); datadir.test.ts (the SQLite file's own lock);
// restarts.test.ts (an engine inside the test process, on SQLite);
// unit tests beside the code (no server); postgres.test.ts (runs in `bun run test`).
const SUITES = [
  "tests/access.test.ts",
  "tests/accounts.test.ts",
  "tests/alerts.test.ts",
  "tests/api.test.ts",
  "tests/chains.test.ts",
  "tests/cli-client.test.ts",
  "tests/crontab.test.ts",
  "tests/errors.test.ts",
  "tests/history.test.ts",
  "tests/live.test.ts",
  "tests/mail.test.ts",
  "tests/metrics.test.ts",
  "tests/recovery.test.ts",
  "tests/run-as.test.ts",
  "tests/schemas.test.ts",
  "tests/scripts.test.ts",
  "tests/setup.test.ts",
  "tests/step-env.test.ts",
  "tests/timezones.test.ts",
  "tests/variables.test.ts",
  "tests/reliability/crash.test.ts",
  "tests/reliability/environment.test.ts",
  "tests/reliability/fuzz.test.ts",
  "tests/reliability/processes.test.ts",
  "tests/reliability/races.test.ts",
  "tests/reliability/revocation.test.ts",
];

const proc = Bun.spawn(["bun", "test", "--timeout", "60000", ...SUITES, ...process.argv.slice(2)], {
  env: { ...process.env, LIGHTFLOW_TEST_STORE: "postgres" },
  stdio: ["inherit", "inherit", "inherit"],
});
process.exit(await proc.exited);
export {};
