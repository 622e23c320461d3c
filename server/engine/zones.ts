// Per-task time zones: which names are zones, and which zone a task's CRON is
// read in. The one place for both (API, setup files, scheduler, catch-up).

/** The zone a name stands for, as Intl spells it ("europe/berlin" → "Europe/Berlin"), or null when it is no zone. */
function resolved(name: string): string | null {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** Why `name` is not a time zone Lightflow can use, or null. */
export function timezoneProblem(name: string): string | null {
  // Intl also takes offsets ("+05:00"); a fixed offset has no DST rule to follow, and the API promises IANA names
  if (!/^[A-Za-z]/.test(name) || resolved(name) === null) return `"${name}" is not a known IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)`;
  return null;
}

/** A zone name in its canonical spelling; a name that is no zone is kept as given, for timezoneProblem to refuse. */
export function canonicalZone(name: string): string {
  return (/^[A-Za-z]/.test(name) && resolved(name)) || name;
}

/** The zone a task's schedule is read in: its own, else the server's. */
export function zoneOf(task: { timezone: string | null }, serverZone: string): string {
  return task.timezone ?? serverZone;
}
