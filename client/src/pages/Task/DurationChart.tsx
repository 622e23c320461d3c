// How long the listed runs took, over time: an inline SVG (no library).
// x = when a run started, y = how long it ran. Each outcome has its own
// shape besides its colour (success ●, failed ✕, cancelled □), the summary is
// the image's accessible name, and the runs table below holds every figure.
// A click on a mark opens that run (the table's links do it by keyboard).
import { For, Show, createMemo, createSignal, onCleanup, onMount } from "solid-js";
import type { Run } from "../../types.ts";
import { durationScale, tickLabel } from "../../lib/chart.ts";
import { fmtClock, fmtDuration, fmtShort } from "../../lib/time.ts";
import { runLabel } from "../../lib/status.ts";

const H = 170;
const PAD = { left: 58, right: 14, top: 12, bottom: 26 };
const INSET = 10;

interface Point {
  run: Run;
  at: number;
  ms: number;
}

/** The mark of one outcome, centred on 0,0. */
export function Mark(props: { status: string }) {
  return (
    <>
      <Show when={props.status === "failed"}>
        <path class="mk mk-failed" d="M-4.5,-4.5L4.5,4.5M-4.5,4.5L4.5,-4.5" />
      </Show>
      <Show when={props.status === "cancelled"}>
        <rect class="mk mk-cancelled" x="-4" y="-4" width="8" height="8" />
      </Show>
      <Show when={props.status !== "failed" && props.status !== "cancelled"}>
        <circle class="mk mk-success" r="4.5" />
      </Show>
    </>
  );
}

export default function DurationChart(props: { runs: Run[]; selected?: number; onPick: (id: number) => void }) {
  let box!: HTMLDivElement;
  const [width, setWidth] = createSignal(640);
  onMount(() => {
    // the SVG is drawn at the box's own width, so its text stays its real size on a phone
    const ro = new ResizeObserver(([e]) => setWidth(Math.max(240, Math.floor(e.contentRect.width))));
    ro.observe(box);
    onCleanup(() => ro.disconnect());
  });

  const points = createMemo<Point[]>(() =>
    props.runs
      .filter((r) => r.started_at && r.ended_at)
      .map((r) => ({ run: r, at: Date.parse(r.started_at!), ms: Date.parse(r.ended_at!) - Date.parse(r.started_at!) }))
      .sort((a, b) => a.at - b.at),
  );
  const span = createMemo(() => {
    const p = points();
    const lo = p[0]?.at ?? 0;
    const hi = p.at(-1)?.at ?? 0;
    // one run (or all at the same instant): put it in the middle of a minute
    return hi === lo ? { lo: lo - 30_000, hi: hi + 30_000 } : { lo, hi };
  });
  const scale = createMemo(() => durationScale(Math.max(...points().map((p) => p.ms), 1)));
  // INSET keeps the first and last marks clear of the axis labels and the edge
  const x = (at: number) => PAD.left + INSET + ((at - span().lo) / (span().hi - span().lo)) * (width() - PAD.left - PAD.right - 2 * INSET);
  const y = (ms: number) => PAD.top + (1 - ms / scale().top) * (H - PAD.top - PAD.bottom);
  /** The x axis's end labels: with seconds when the runs are all within an hour (the day is then the same or plain). */
  const when = (iso: string | null | undefined) => (span().hi - span().lo < 3_600_000 ? fmtClock(iso) : fmtShort(iso));
  const ticks = () => Array.from({ length: Math.round(scale().top / scale().step) + 1 }, (_, i) => i * scale().step);

  const summary = () => {
    const p = points();
    const ms = p.map((q) => q.ms);
    const failed = p.filter((q) => q.run.status === "failed").length;
    return (
      `Run durations: ${p.length} finished run${p.length === 1 ? "" : "s"} from ${fmtShort(p[0]?.run.started_at)} to ${fmtShort(p.at(-1)?.run.started_at)}; ` +
      `shortest ${fmtDuration(Math.min(...ms))}, longest ${fmtDuration(Math.max(...ms))}; ${failed} failed.`
    );
  };

  return (
    <figure class="chart" ref={box}>
      <Show when={points().length} fallback={<p class="muted small">No finished runs to chart.</p>}>
        <svg class="durations" width={width()} height={H} viewBox={`0 0 ${width()} ${H}`} role="img" aria-label={summary()}>
          <For each={ticks()}>
            {(t) => (
              <g class="tick">
                <line x1={PAD.left} x2={width() - PAD.right} y1={y(t)} y2={y(t)} />
                <text x={PAD.left - 6} y={y(t) + 4} text-anchor="end">
                  {tickLabel(t)}
                </text>
              </g>
            )}
          </For>
          <text class="axis-x" x={PAD.left} y={H - 6} text-anchor="start">
            {when(points()[0]?.run.started_at)}
          </text>
          <Show when={points().length > 1}>
            <text class="axis-x" x={width() - PAD.right} y={H - 6} text-anchor="end">
              {when(points().at(-1)?.run.started_at)}
            </text>
            <polyline class="trend" points={points().map((p) => `${x(p.at)},${y(p.ms)}`).join(" ")} />
          </Show>
          <For each={points()}>
            {(p) => (
              <g
                class="mark"
                classList={{ sel: props.selected === p.run.id }}
                data-run={p.run.id}
                transform={`translate(${x(p.at)},${y(p.ms)})`}
                onClick={() => props.onPick(p.run.id)}
              >
                <title>{`Run #${p.run.id}: ${runLabel[p.run.status]}, ${fmtDuration(p.ms)}, started ${fmtShort(p.run.started_at)}`}</title>
                <circle class="hit" r="9" />
                <Show when={props.selected === p.run.id}>
                  <circle class="ring" r="8" />
                </Show>
                <Mark status={p.run.status} />
              </g>
            )}
          </For>
        </svg>
        <figcaption>
          <ul class="legend" aria-hidden="true">
            <For each={["success", "failed", "cancelled"]}>
              {(s) => (
                <li>
                  <svg class="legend-mark" width="14" height="14" viewBox="-7 -7 14 14">
                    <Mark status={s} />
                  </svg>
                  {s}
                </li>
              )}
            </For>
          </ul>
        </figcaption>
      </Show>
    </figure>
  );
}
