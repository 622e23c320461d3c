// Which highlighting a script gets; kept apart from CodeEditor so the page
// does not pull CodeMirror into its chunk.
export type Lang = "python" | "shell" | "plain";

/** Python for .py, shell for .sh/.bash or a sh/bash shebang, else plain text. */
export function langOf(path: string, text: string): Lang {
  if (/\.py$/i.test(path) || /^#!.*python/.test(text)) return "python";
  if (/\.(sh|bash)$/i.test(path) || /^#!.*\b(ba|da|z)?sh\b/.test(text)) return "shell";
  return "plain";
}
