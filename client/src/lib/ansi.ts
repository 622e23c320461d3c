// A small ANSI SGR parser: turns one line of terminal output into segments of
// plain text with a class (16 colours, bold, dim, italic, underline) and, for
// 256-colour and true-colour codes, an inline colour set through the DOM.
// Segments are rendered as text nodes: log output never becomes HTML.
// Other escape sequences (cursor moves, OSC titles) are dropped.

export interface Seg {
  text: string;
  cls: string;
  fg?: string;
  bg?: string;
}

export interface SgrState {
  bold: boolean;
  dim: boolean;
  italic: boolean;
  underline: boolean;
  inverse: boolean;
  fg: number | string | null;
  bg: number | string | null;
}

export const freshState = (): SgrState => ({
  bold: false,
  dim: false,
  italic: false,
  underline: false,
  inverse: false,
  fg: null,
  bg: null,
});

// CSI … final byte | OSC … BEL/ST | two-byte ESC sequences | other C0 controls but tab.
const ESCAPES = /\x1b\[([0-9;:?]*)[ -/]*([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]?|[\x00-\x08\x0b-\x1f\x7f]/g;

const CUBE = [0, 95, 135, 175, 215, 255];
function color256(n: number): number | string {
  if (n < 16) return n;
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v},${v},${v})`;
  }
  const i = n - 16;
  return `rgb(${CUBE[Math.floor(i / 36)]},${CUBE[Math.floor(i / 6) % 6]},${CUBE[i % 6]})`;
}

function applySgr(params: string, st: SgrState) {
  const codes = params === "" ? [0] : params.split(/[;:]/).map((p) => (p === "" ? 0 : Number(p)));
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c === 0) Object.assign(st, freshState());
    else if (c === 1) st.bold = true;
    else if (c === 2) st.dim = true;
    else if (c === 3) st.italic = true;
    else if (c === 4) st.underline = true;
    else if (c === 7) st.inverse = true;
    else if (c === 22) st.bold = st.dim = false;
    else if (c === 23) st.italic = false;
    else if (c === 24) st.underline = false;
    else if (c === 27) st.inverse = false;
    else if (c >= 30 && c <= 37) st.fg = c - 30;
    else if (c >= 90 && c <= 97) st.fg = c - 90 + 8;
    else if (c === 39) st.fg = null;
    else if (c >= 40 && c <= 47) st.bg = c - 40;
    else if (c >= 100 && c <= 107) st.bg = c - 100 + 8;
    else if (c === 49) st.bg = null;
    else if (c === 38 || c === 48) {
      let v: number | string | null = null;
      if (codes[i + 1] === 5) {
        v = color256((codes[i + 2] ?? 0) & 255);
        i += 2;
      } else if (codes[i + 1] === 2) {
        const [r, g, b] = [codes[i + 2] ?? 0, codes[i + 3] ?? 0, codes[i + 4] ?? 0];
        v = `rgb(${r & 255},${g & 255},${b & 255})`;
        i += 4;
      }
      if (c === 38) st.fg = v;
      else st.bg = v;
    }
  }
}

function segOf(text: string, st: SgrState): Seg {
  const [fg, bg] = st.inverse ? [st.bg ?? "inv-fg", st.fg ?? "inv-bg"] : [st.fg, st.bg];
  const cls: string[] = [];
  const seg: Seg = { text, cls: "" };
  if (typeof fg === "number") cls.push(`a-f${fg}`);
  else if (fg === "inv-fg") cls.push("a-invf");
  else if (fg) seg.fg = fg;
  if (typeof bg === "number") cls.push(`a-b${bg}`);
  else if (bg === "inv-bg") cls.push("a-invb");
  else if (bg) seg.bg = bg;
  if (st.bold) cls.push("a-bold");
  if (st.dim) cls.push("a-dim");
  if (st.italic) cls.push("a-it");
  if (st.underline) cls.push("a-ul");
  seg.cls = cls.join(" ");
  return seg;
}

function parseInto(text: string, st: SgrState, out: Seg[] | null) {
  let last = 0;
  ESCAPES.lastIndex = 0;
  for (let m = ESCAPES.exec(text); m; m = ESCAPES.exec(text)) {
    if (out && m.index > last) out.push(segOf(text.slice(last, m.index), st));
    if (m[2] === "m") applySgr(m[1], st);
    last = ESCAPES.lastIndex;
  }
  if (out && last < text.length) out.push(segOf(text.slice(last), st));
}

/**
 * Parses one line (without its newline), updating `st` so colours carry on
 * to the next line as in a terminal. A carriage return (progress bars) shows
 * only what was written after the last one.
 */
export function parseLine(line: string, st: SgrState): Seg[] {
  const parts = line.split("\r");
  let shown = parts.length - 1;
  while (shown > 0 && parts[shown] === "") shown--;
  for (let i = 0; i < shown; i++) parseInto(parts[i], st, null);
  const out: Seg[] = [];
  parseInto(parts[shown], st, out);
  for (let i = shown + 1; i < parts.length; i++) parseInto(parts[i], st, null);
  return out;
}

export const plainText = (segs: Seg[]) => segs.map((s) => s.text).join("");

/** The text of a string without any escape sequence (for plain outputs such as pip's). */
export const stripAnsi = (s: string) => s.replace(ESCAPES, (m) => (m === "\n" || m === "\t" ? m : ""));
