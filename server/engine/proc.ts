// What Linux tells about processes, through /proc. Used to kill a step's whole
// tree, including processes that left its process group with setsid, and to
// recognise a step process that outlived a crashed server.
import { readdirSync, readFileSync } from "node:fs";
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

/**
 * Every process carrying `name=value` in its environment. Each step gets a
 * random token there; a child that calls setsid leaves the process group but
 * keeps its environment, so it is still found. (A process that clears its own
 * environment escapes this too; see SECURITY.md.)
 */
export function processesWithEnv(name: string, value: string): number[] {
  const needle = Buffer.from(`\0${name}=${value}\0`);
  const found: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = Buffer.concat([Buffer.from([0]), readFileSync(`/proc/${entry}/environ`), Buffer.from([0])]);
      if (env.includes(needle)) found.push(Number(entry));
    } catch {
      // gone, or another user's process
    }
  }
  return found;
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
