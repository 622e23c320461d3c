// A real PostgreSQL for the tests (Debian's `postgresql` package): one cluster
// per test process, made with initdb in a temporary directory on a free
// loopback port, stopped when the run ends. Each Lightflow data directory gets
// its own database, so a server restarted on the same directory finds its data.
//
// LIGHTFLOW_TEST_STORE=postgres runs the whole-system suites on it
// (`bun run test:postgres`); tests/postgres.test.ts uses it directly.
import { SQL } from "bun";
import { chmodSync, chownSync, existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { lookupUser } from "../../server/engine/runas.ts";
import { freePort } from "./server.ts";
import { tempDir } from "./tmp.ts";

export const onPostgres = process.env.LIGHTFLOW_TEST_STORE === "postgres";

export interface Cluster {
  dir: string;
  port: number;
  password: string;
  /** the URL of database `db` */
  url(db: string): string;
  /** pg_ctl with these arguments (restart, stop…), as the cluster's owner */
  ctl(...args: string[]): Promise<void>;
}

function binDir(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  if (!versions.length) throw new Error("PostgreSQL is not installed: apt-get install postgresql (README, \"Running the tests\")");
  return join(root, versions[0]!, "bin");
}

/** initdb refuses to run as root: then the package's `postgres` user runs the cluster */
const asOwner = (cmd: string[]) => (process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--", ...cmd] : cmd);

async function run(cmd: string[]): Promise<void> {
  const p = Bun.spawn(asOwner(cmd), { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  if (code !== 0) throw new Error(`${cmd.join(" ")} failed (${code}):\n${out}${err}`);
}

let cluster: Promise<Cluster> | null = null;
let stopCluster: (() => void) | null = null;

/** `durable`: fsync on, as a real server (the bench); tests skip it for speed */
async function start(durable: boolean): Promise<Cluster> {
  const bin = binDir();
  const dir = tempDir("lightflow-pg-");
  const password = `pw-${crypto.randomUUID()}`;
  const pwfile = join(dir, "pwfile");
  writeFileSync(pwfile, `${password}\n`);
  if (process.getuid?.() === 0) {
    const owner = lookupUser("postgres");
    if (!owner) throw new Error("no postgres user: apt-get install postgresql");
    const { uid, gid } = owner;
    chownSync(dir, uid, gid);
    chownSync(pwfile, uid, gid);
  }
  chmodSync(dir, 0o700);
  const data = join(dir, "data");
  await run([join(bin, "initdb"), "-D", data, "-A", "scram-sha-256", "-U", "lf", `--pwfile=${pwfile}`, "-E", "UTF8", ...(durable ? [] : ["--no-sync"])]);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200${durable ? "" : " -c fsync=off"}`;
  const ctl = (...args: string[]) => run([join(bin, "pg_ctl"), "-D", data, "-w", "-o", opts, "-l", join(dir, "log"), ...args]);
  await ctl("start");
  const stopNow = () => Bun.spawnSync(asOwner([join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "stop"]), { stdout: "ignore", stderr: "ignore" });
  stopCluster = () => void stopNow();
  process.once("exit", () => void stopNow());
  return { dir, port, password, url: (db) => `postgres://lf:${encodeURIComponent(password)}@127.0.0.1:${port}/${db}`, ctl };
}

/** The process's cluster, started on first use (the first caller says whether it syncs to disk). */
export function pgCluster(o: { durable?: boolean } = {}): Promise<Cluster> {
  cluster ??= start(o.durable ?? false);
  return cluster;
}

let counter = 0;
const byDataDir = new Map<string, Promise<string>>();

/** A new empty database; its URL. */
export async function freshDatabase(): Promise<string> {
  const c = await pgCluster();
  const name = `lf_${process.pid}_${++counter}`;
  const admin = new SQL(c.url("postgres"), { max: 1 });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.close();
  }
  return c.url(name);
}

/** The database that goes with a data directory (made on first use). */
export function databaseFor(dataDir: string): Promise<string> {
  let url = byDataDir.get(dataDir);
  if (!url) byDataDir.set(dataDir, (url = freshDatabase()));
  return url;
}

/** Stops the cluster (the global afterAll); its directory goes with the other temp dirs. */
export function stopPostgres(): void {
  stopCluster?.();
  stopCluster = null;
  cluster = null;
}
