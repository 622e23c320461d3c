// Steps as another Unix user (`run_as`): who that user is, whether this server
// may become them, and how a step's program is started as them.
//
// Bun.spawn has uid/gid options, but measured on Bun 1.4 the child then has
// NO supplementary groups (/proc/<pid>/status "Groups:" empty): a user who
// reads a file through a group (`adm` for /var/log, `docker`) would be denied.
// So the program is started through util-linux's `setpriv --reuid --regid
// --init-groups`, which calls initgroups(3) (every group of the user, from
// NSS) and then execs the program in place: the pid, process group and session
// Bun made stay the step's, so the timeout, cancel and crash-recovery kills
// reach the tree as before (the server is root: it may signal and read
// /proc/<pid>/environ of any process). Not sudo or runuser: both go through
// PAM, fork (the step's pid would be theirs, not the program's) and log.
import { spawnSync } from "node:child_process";

export interface Account {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

/** The user's passwd entry through NSS (`getent`, so LDAP/sssd users count too); null when there is none. */
export function lookupUser(name: string): Account | null {
  // a name that getent would read as a uid or an option is no user name
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*\$?$/.test(name)) return null;
  const r = spawnSync("getent", ["passwd", name], { encoding: "utf8" });
  if (r.status !== 0 || typeof r.stdout !== "string") return null;
  const f = r.stdout.split("\n")[0]!.split(":");
  if (f.length < 7 || f[0] !== name) return null;
  return { name, uid: Number(f[2]), gid: Number(f[3]), home: f[5]!, shell: f[6] || "/bin/sh" };
}

/** The name of the user this server runs as (for messages). */
function serverUser(): string {
  const r = spawnSync("getent", ["passwd", String(process.getuid!())], { encoding: "utf8" });
  return (typeof r.stdout === "string" && r.stdout.split(":")[0]) || `uid ${process.getuid!()}`;
}

/**
 * Why a step cannot run as `name` on this server, or null. Checked when a
 * task is saved (422) and again before each step starts (the user may have
 * gone, or the server may have been restarted as someone else).
 */
export function runAsProblem(name: string): string | null {
  const r = resolveRunAs(name);
  return typeof r === "string" ? r : null;
}

/** The account a step runs as, or why it cannot (runAsProblem's reason). */
export function resolveRunAs(name: string): Account | string {
  const account = lookupUser(name);
  if (!account) return `no user named "${name}" on this system`;
  if (process.getuid!() !== 0 && account.uid !== process.getuid!()) {
    return `the server runs as "${serverUser()}", not root, so its steps can only run as that user, not as "${name}"`;
  }
  return account;
}

/** The environment a login as this user would have: HOME, USER, LOGNAME, SHELL. */
export function accountEnv(a: Account): Record<string, string> {
  return { HOME: a.home, USER: a.name, LOGNAME: a.name, SHELL: a.shell };
}

/** setpriv, found once; null when util-linux's setpriv is not installed. */
const SETPRIV = Bun.which("setpriv") ?? Bun.which("setpriv", { PATH: "/usr/bin:/bin:/usr/sbin:/sbin" });

/**
 * The argv that starts `argv` as the account: unchanged when that is already
 * who we are. Throws a plain Error with a reason when setpriv is missing.
 */
export function asUser(a: Account, argv: string[]): string[] {
  if (a.uid === process.getuid!()) return argv;
  if (!SETPRIV) throw new Error("run_as needs setpriv (util-linux), which is not installed");
  return [SETPRIV, `--reuid=${a.uid}`, `--regid=${a.gid}`, "--init-groups", "--", ...argv];
}
