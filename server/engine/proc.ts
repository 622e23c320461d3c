// What Linux tells about processes, through /proc. Used to kill a step's whole
// tree, including processes that left its process group with setsid, and to
// recognise a step process that outlived a crashed server.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

/** Field 22 of a /proc/<pid>/stat text: start time in clock ticks since boot. */
function startTimeOf(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[19]); // fields[0] is field 3 (state)
}

/** The start time of `pid` in clock ticks since boot; null when gone. */
export function procStartTime(pid: number): number | null {
  try {
    return startTimeOf(readFileSync(`/proc/${pid}/stat`, "latin1"));
  } catch {
    return null;
  }
}

/**
 * procStartTime without blocking: right after a spawn the read waits until
 * the child's exec is through, which under load took a third of a
 * millisecond of the event loop per step.
 */
export async function procStartTimeAsync(pid: number): Promise<number | null> {
  try {
    return startTimeOf(await readFile(`/proc/${pid}/stat`, "latin1"));
  } catch {
    return null;
  }
}

export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // ESRCH: the group is empty
  }
}

export function groupAlive(pgid: number): boolean {
  return signalGroup(pgid, 0 as unknown as NodeJS.Signals);
}

/** Whether /proc shows this process's own pid namespace, so that pids read there compare with ours. */
const PROC_IS_OURS = (() => {
  try {
    return readlinkSync("/proc/self") === String(process.pid);
  } catch {
    return false;
  }
})();

/**
 * The last pid handed out in our pid namespace; null when unknown. It is the
 * last field of /proc/loadavg, which reads in a quarter of the time of
 * /proc/sys/kernel/ns_last_pid (this runs at every step's end).
 */
function lastPid(): number | null {
  if (!PROC_IS_OURS) return null;
  try {
    const n = Number(readFileSync("/proc/loadavg", "latin1").trimEnd().split(" ").at(-1));
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

/** Directly probed below this many candidates; above, /proc is listed. */
const PROBE_AT_MOST = 64;

/**
 * The pids to look at: every process in /proc, or, given `after`, only those
 * handed out since that pid (pids are handed out in a cycle, so a process
 * created later has a pid in the cycle from `after` to the last one). The
 * caller makes sure the cycle cannot have come round past `after` since.
 */
function candidates(after?: number): number[] {
  const last = after === undefined ? null : lastPid();
  if (last !== null && after !== undefined) {
    const count = last >= after ? last - after : Infinity; // wrapped: list /proc
    if (count <= PROBE_AT_MOST) return Array.from({ length: count }, (_, i) => after + 1 + i);
  }
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const pids = entries.filter((e) => /^\d+$/.test(e)).map(Number);
  if (last === null || after === undefined) return pids;
  return pids.filter((p) => (last >= after ? p > after && p <= last : p > after || p <= last));
}

export interface EnvScan {
  /** the processes carrying name=value */
  pids: number[];
  /**
   * Processes whose environment read empty while they live: in the middle
   * of an exec (the new program's environment is not in place yet), or
   * started with an empty one. Looked at again a moment later.
   */
  unclear: number[];
}

const PF_KTHREAD = 0x00200000;

/** Whether a process whose environment read empty may still show one: not a zombie, not a kernel thread. */
function mayShowEnv(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return !"ZXx".includes(fields[0]!) && (Number(fields[6]) & PF_KTHREAD) === 0; // fields[6] is field 9 (flags)
  } catch {
    return false;
  }
}

/**
 * Every process carrying `name=value` in its environment. Each step gets a
 * random token there; a child that calls setsid leaves the process group but
 * keeps its environment, so it is still found. (A process that clears its own
 * environment escapes this too; see SECURITY.md.) `after`: look only at
 * processes created after that pid (see `candidates`), which keeps the look
 * at every step's end cheap. `skip`: pids known to be something else.
 */
export function scanEnv(name: string, value: string, after?: number, skip?: (pid: number) => boolean): EnvScan {
  const needle = Buffer.from(`\0${name}=${value}\0`);
  const scan: EnvScan = { pids: [], unclear: [] };
  for (const pid of candidates(after)) {
    if (skip?.(pid)) continue;
    let raw: Buffer;
    try {
      raw = readFileSync(`/proc/${pid}/environ`);
    } catch {
      continue; // gone, or another user's process
    }
    if (raw.length === 0) {
      if (mayShowEnv(pid)) scan.unclear.push(pid);
      continue;
    }
    if (Buffer.concat([Buffer.from([0]), raw, Buffer.from([0])]).includes(needle)) scan.pids.push(pid);
  }
  return scan;
}

export function processesWithEnv(name: string, value: string): number[] {
  return scanEnv(name, value).pids;
}

export function signalProcesses(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * Waits until `alive()` turns false, for at most `maxMs`. The processes it
 * watches are not our children (they left the group, or outlived a crashed
 * server), so no exit event reaches us: a few checks with a growing wait, on
 * these rare paths only. Returns whether they are gone.
 */
export async function waitGone(alive: () => boolean, maxMs: number): Promise<boolean> {
  for (let waited = 0, wait = 5; ; waited += wait, wait = Math.min(wait * 2, 500)) {
    if (!alive()) return true;
    if (waited >= maxMs) return false;
    await sleep(wait);
  }
}
