// One log line: ANSI segments as spans of text (never HTML), with the
// search matches wrapped in <mark>.
import { For, Show } from "solid-js";
import type { Seg } from "../../lib/ansi.ts";

function pieces(text: string, q: string): { text: string; hit: boolean }[] {
  if (!q) return [{ text, hit: false }];
  const out: { text: string; hit: boolean }[] = [];
  const low = text.toLowerCase();
  let at = 0;
  for (let i = low.indexOf(q); i >= 0; i = low.indexOf(q, at)) {
    if (i > at) out.push({ text: text.slice(at, i), hit: false });
    out.push({ text: text.slice(i, i + q.length), hit: true });
    at = i + q.length;
  }
  if (at < text.length) out.push({ text: text.slice(at), hit: false });
  return out;
}

function Segment(props: { seg: Seg; query: string }) {
  const style = () =>
    props.seg.fg || props.seg.bg ? { color: props.seg.fg, "background-color": props.seg.bg } : undefined;
  return (
    <span class={props.seg.cls || undefined} style={style()}>
      <Show when={props.query} fallback={props.seg.text}>
        <For each={pieces(props.seg.text, props.query)}>{(p) => (p.hit ? <mark>{p.text}</mark> : p.text)}</For>
      </Show>
    </span>
  );
}

export default function LogLine(props: { segs: Seg[]; query: string; id?: number; current?: boolean; failing?: boolean }) {
  return (
    <div class="ln" classList={{ cur: !!props.current, fail: !!props.failing }} data-id={props.id}>
      <Show when={props.failing}>
        <span class="sr-only">Failing line: </span>
      </Show>
      <For each={props.segs}>{(s) => <Segment seg={s} query={props.query} />}</For>
    </div>
  );
}
