// The one-line arguments field: split with shell-like quoting into the array
// the API stores (no shell runs it), and join an array back so that splitting
// the result gives the same array.

/** Splits `a 'b c' "d \"e\"" f\ g` into ["a", "b c", 'd "e"', "f g"]; throws on an open quote. */
export function splitArgs(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote === "'") {
      if (c === "'") quote = null;
      else cur += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === "\\" && i + 1 < line.length && '"\\$`'.includes(line[i + 1])) cur += line[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\") {
      if (i + 1 >= line.length) throw new Error("The line ends with a lone backslash.");
      cur += line[++i];
      inWord = true;
    } else if (c === " " || c === "\t" || c === "\n") {
      if (inWord) out.push(cur);
      cur = "";
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw new Error(`A ${quote === "'" ? "single" : "double"} quote is not closed.`);
  if (inWord) out.push(cur);
  return out;
}

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one argument only when it needs it. */
export const quoteArg = (a: string) => (SAFE.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

export const joinArgs = (args: string[]) => args.map(quoteArg).join(" ");
