// The step log viewer: follows a running step live (pause by scrolling up or
// with the Follow button), loads earlier parts when scrolled to the top and
// later ones at the bottom (only a window of the log is ever held, see
// createLog), opens a failed step at its failing line, searches what is
// loaded, and links the whole file for download.
import { For, Show, createEffect, createMemo, createSignal, on, onMount, untrack } from "solid-js";
import { logUrl } from "../../api.ts";
import type { RunStep } from "../../types.ts";
import { matchIds, scrolled, statusText } from "../../lib/logview.ts";
import { createLog } from "./createLog.ts";
import { lineIn, markTop } from "./anchor.ts";
import LogLine from "./LogLine.tsx";
import LogSearch from "./LogSearch.tsx";

/** `attempt`: which try of a retried step to show (default: the latest). */
export default function LogViewer(props: { run: number; step: RunStep; attempt?: number }) {
  // created once per step and attempt (StepLog keys it), so these are read once
  const attempt = untrack(() => props.attempt ?? props.step.attempt);
  const log = createLog(props.run, props.step, { keepPlace: (change) => keepPlaceNow(change), attempt });
  const [follow, setFollow] = createSignal(true);
  const [query, setQuery] = createSignal("");
  const [cur, setCur] = createSignal(0);
  let box!: HTMLDivElement;

  const matches = createMemo(() => matchIds(log.lines(), query()));
  /** Scrolls the log box only (scrollIntoView would move the whole page too). */
  const centre = (id: number) => {
    const el = lineIn(box, id);
    if (el) box.scrollTop = el.offsetTop - box.clientHeight / 2;
  };
  /** Where following last left the box: the reader scrolled up when it is above that now. */
  let followedTo = 0;
  const toBottom = () => {
    box.scrollTop = box.scrollHeight;
    followedTo = box.scrollTop;
  };
  createEffect(
    on([log.lines, log.partial], () => {
      if (!follow() || !log.atEnd()) return;
      // a scroll up whose scroll event has not come yet is a pause too: never pull the reader back down
      if (box.scrollTop < followedTo - 4) setFollow(false);
      else queueMicrotask(toBottom);
    }),
  );

  // A failed step opens at the line it most likely failed at.
  createEffect(
    on(log.failing, (id) => {
      if (id === null) return;
      setFollow(false);
      queueMicrotask(() => centre(id));
    }),
  );

  /** Runs a load that adds or drops lines, keeping the line at the top where it is on screen. */
  const keepPlace = async (load: () => Promise<number>) => {
    const back = markTop(box);
    if ((await load()) > 0) back();
  };
  /** The same for a change made now (old lines dropped while new ones stream in); following needs none. */
  const keepPlaceNow = (change: () => void) => {
    if (!box || follow()) {
      change();
      if (box) followedTo = Math.min(followedTo, box.scrollTop); // lines dropped above may lower it
      return;
    }
    const back = markTop(box);
    change(); // Solid updates the DOM before returning
    back();
  };

  const held = () => ({ start: log.start(), atEnd: log.atEnd(), ended: log.ended() });
  const onScroll = () => {
    const gap = box.scrollHeight - box.scrollTop - box.clientHeight;
    const s = scrolled({ top: box.scrollTop, gap }, { follow: follow(), busy: log.busy() }, held());
    if (s.follow !== follow()) setFollow(s.follow);
    if (s.load) void keepPlace(s.load === "earlier" ? log.loadEarlier : log.loadLater);
  };
  const jump = (i: number) => {
    const ids = matches();
    if (!ids.length) return;
    const n = (i + ids.length) % ids.length;
    setCur(n);
    setFollow(false);
    centre(ids[n]);
  };
  const search = (q: string) => {
    setQuery(q.toLowerCase());
    setCur(0);
    if (q) queueMicrotask(() => jump(0));
  };
  const followNow = async () => {
    if (!log.atEnd()) await log.toEnd();
    setFollow(true);
    toBottom();
  };
  onMount(() => box.addEventListener("scroll", onScroll, { passive: true }));

  /** The latest attempt has ended but the step still runs: it waits to be tried again. */
  const waiting = () => log.ended() && props.step.status === "running" && attempt === props.step.attempt;
  const status = () => statusText(held(), { waiting: waiting(), connected: log.connected(), busy: log.busy() });

  return (
    <div class="log">
      <div class="log-bar">
        <Show when={!log.ended()}>
          <button
            type="button"
            aria-pressed={String(follow() && log.atEnd()) as "true" | "false"}
            onClick={() => (follow() && log.atEnd() ? setFollow(false) : void followNow())}
          >
            {follow() && log.atEnd() ? "Following" : "Follow"}
          </button>
        </Show>
        <button type="button" disabled={log.start() === 0 || log.busy()} onClick={() => void keepPlace(log.loadEarlier)}>
          Load earlier
        </button>
        <Show when={log.ended() && !log.atEnd()}>
          <button type="button" disabled={log.busy()} onClick={() => void log.toEnd().then(toBottom)}>
            Jump to the end
          </button>
        </Show>
        <Show when={log.failing()}>
          {(id) => (
            <button type="button" onClick={() => centre(id())}>
              Failing line
            </button>
          )}
        </Show>
        <LogSearch count={matches().length} current={cur()} onSearch={search} onJump={(d) => jump(cur() + d)} />
        <a
          class="button"
          href={logUrl(props.run, props.step.position, props.step.attempt > 1 ? attempt : undefined)}
          download={`run${props.run}-${props.step.position}-${props.step.name}${props.step.attempt > 1 ? `-attempt${attempt}` : ""}.log`}
        >
          Download
        </a>
        <span class="muted small" role="status">
          {status()}
        </span>
      </div>
      <Show when={log.error()}>
        <p class="form-error" role="alert">
          {log.error()}
        </p>
      </Show>
      <div class="log-body" ref={box} tabIndex={0} role="region" aria-label={`Log of step ${props.step.name}${props.step.attempt > 1 ? `, attempt ${attempt}` : ""}`}>
        <Show when={log.start() > 0}>
          <div class="log-more muted">… earlier output above: scroll up or “Load earlier” …</div>
        </Show>
        <For each={log.lines()}>
          {(l) => <LogLine segs={l.segs} id={l.id} query={query()} current={matches()[cur()] === l.id} failing={log.failing() === l.id} />}
        </For>
        <Show when={log.partial()}>{(segs) => <LogLine segs={segs()} query={query()} />}</Show>
        <Show when={!log.atEnd()}>
          <div class="log-more muted">… later output below: scroll down …</div>
        </Show>
        <Show when={log.ended() && !log.busy() && !log.lines().length && !log.partial()}>
          <div class="muted">(no output)</div>
        </Show>
      </div>
    </div>
  );
}
