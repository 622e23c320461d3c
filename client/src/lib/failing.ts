// Which line of a failed step's log to open at: the last one that says it
// failed (error, fatal, exception, denied, …); else the last line with text.

/** Words that mark a failure in the output of common tools. */
const FAILURE = /error|fail|fatal|exception|traceback|panic|denied|refused|not found|no such|cannot|can't|unable|timed? ?out|killed|abort/i;

export function failingLine<L extends { plain: string }>(lines: L[]): L | undefined {
  for (let i = lines.length - 1; i >= 0; i--) if (FAILURE.test(lines[i].plain)) return lines[i];
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i].plain.trim()) return lines[i];
  return undefined;
}
