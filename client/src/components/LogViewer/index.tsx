// The step log viewer: follows a running step live (pause by scrolling up or
// with the Follow button), loads earlier parts when scrolled to the top,
// searches what is loaded, and links the whole file for download.
import { For, Show, createEffect, createMemo, createSignal, on } from "solid-js";
import { logUrl } from "../../api.ts";
import type { RunStep } from "../../types.ts";
import { createLog } from "./createLog.ts";
import LogLine from "./LogLine.tsx";
import LogSearch from "./LogSearch.tsx";

export default function LogViewer(props: { run: number; step: RunStep }) {
  const log = createLog(props.run, props.step);
  const [follow, setFollow] = createSignal(true);
  const [query, setQuery] = createSignal("");
  const [cur, setCur] = createSignal(0);
  let box!: HTMLDivElement;

  const matches = createMemo(() => {
    const q = query();
    return q ? log.lines().filter((l) => l.plain.toLowerCase().includes(q)).map((l) => l.id) : [];
  });
  const toBottom = () => (box.scrollTop = box.scrollHeight);
  createEffect(on([log.lines, log.partial], () => follow() && queueMicrotask(toBottom)));

  const onScroll = () => {
    const gap = box.scrollHeight - box.scrollTop - box.clientHeight;
    if (gap > 40 && follow()) setFollow(false);
    else if (gap <= 4 && !follow() && !log.ended()) setFollow(true);
    if (box.scrollTop < 80 && log.start() > 0 && !log.busy()) void earlier();
  };
  const earlier = async () => {
    const before = box.scrollHeight;
    if ((await log.loadEarlier()) > 0) box.scrollTop += box.scrollHeight - before;
  };
  const jump = (i: number) => {
    const ids = matches();
    if (!ids.length) return;
    const n = (i + ids.length) % ids.length;
    setCur(n);
    setFollow(false);
    // Scroll the log box only (scrollIntoView would move the whole page too).
    const el = box.querySelector<HTMLElement>(`[data-id="${ids[n]}"]`);
    if (el) box.scrollTop = el.offsetTop - box.clientHeight / 2;
  };
  const search = (q: string) => {
    setQuery(q.toLowerCase());
    setCur(0);
    if (q) queueMicrotask(() => jump(0));
  };

  return (
    <div class="log">
      <div class="log-bar">
        <Show when={!log.ended()}>
          <button type="button" aria-pressed={String(follow()) as "true" | "false"} onClick={() => (setFollow(!follow()), follow() && toBottom())}>
            {follow() ? "Following" : "Paused"}
          </button>
        </Show>
        <button type="button" disabled={log.start() === 0 || log.busy()} onClick={() => void earlier()}>
          Load earlier
        </button>
        <LogSearch count={matches().length} current={cur()} onSearch={search} onJump={(d) => jump(cur() + d)} />
        <a class="button" href={logUrl(props.run, props.step.position)} download={`run${props.run}-${props.step.position}-${props.step.name}.log`}>
          Download
        </a>
        <span class="muted small" role="status">
          {log.ended() ? "Complete" : log.connected() ? "Live" : log.busy() ? "Loading…" : "Reconnecting…"}
        </span>
      </div>
      <Show when={log.error()}>
        <p class="form-error" role="alert">
          {log.error()}
        </p>
      </Show>
      <div class="log-body" ref={box} onScroll={onScroll} tabIndex={0} role="region" aria-label={`Log of step ${props.step.name}`}>
        <Show when={log.start() > 0}>
          <div class="log-more muted">… earlier output above: scroll up or “Load earlier” …</div>
        </Show>
        <For each={log.lines()}>
          {(l) => <LogLine segs={l.segs} id={l.id} query={query()} current={matches()[cur()] === l.id} />}
        </For>
        <Show when={log.partial()}>{(segs) => <LogLine segs={segs()} query={query()} />}</Show>
        <Show when={log.ended() && !log.lines().length && !log.partial()}>
          <div class="muted">(no output)</div>
        </Show>
      </div>
    </div>
  );
}
