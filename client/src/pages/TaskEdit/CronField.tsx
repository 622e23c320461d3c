// The CRON input: plain words for the expression, and the next five fire
// times from the server as you type (debounced; stale answers ignored), each
// with the server's note when it falls in a DST change.
import { For, Show, createEffect, createSignal, on, onCleanup } from "solid-js";
import { api } from "../../api.ts";
import { describeCron } from "../../lib/cronText.ts";
import { browserTz, fmtShortIn, relative } from "../../lib/time.ts";
import Field from "../../components/Field.tsx";
import type { CronNote } from "../../types.ts";

/** `timezone`: the task's own zone ("" for the server's): the preview reads the expression there. */
export default function CronField(props: { value: string; timezone: string; error?: string; onInput: (v: string) => void }) {
  const [next, setNext] = createSignal<string[]>([]);
  const [notes, setNotes] = createSignal<CronNote[]>([]);
  const notesAt = (t: string) => notes().filter((n) => Date.parse(n.at) === Date.parse(t));
  const [tz, setTz] = createSignal("");
  const [problem, setProblem] = createSignal("");
  /** why fewer fire times than asked came back (a schedule that runs out before the year 10000) */
  const [reason, setReason] = createSignal("");
  const st = { timer: 0 as ReturnType<typeof setTimeout> | 0, seq: 0 };
  onCleanup(() => st.timer && clearTimeout(st.timer));

  createEffect(
    on(
      () => [props.value.trim(), props.timezone] as const,
      ([expr, zone]) => {
        if (st.timer) clearTimeout(st.timer);
        const mine = ++st.seq;
        if (!expr) return (setNext([]), setProblem(""));
        st.timer = setTimeout(async () => {
          try {
            const p = await api.cronPreview(expr, 5, zone || null);
            if (mine !== st.seq) return;
            setNext(p.next);
            setNotes(p.notes ?? []);
            setTz(p.timezone);
            setReason(p.reason ?? "");
            setProblem("");
          } catch (e) {
            if (mine !== st.seq) return;
            setNext([]);
            setReason("");
            setProblem((e as Error).message);
          }
        }, 300);
      },
    ),
  );

  return (
    <Field
      label="Schedule (CRON)"
      error={props.error || problem()}
      hint={
        <Show when={props.value.trim()} fallback="Empty: the task runs only when started by hand.">
          <p>{describeCron(props.value) ?? "Five fields: minute hour day-of-month month day-of-week."}</p>
          <Show when={next().length}>
            <p>Next fire times{tz() ? ` (${tz()})` : ""}{tz() && tz() !== browserTz() ? `, and in your time (${browserTz()})` : ""}:</p>
            <ol class="fire-times">
              <For each={next()}>
                {(t) => (
                  <li>
                    <time dateTime={t}>{tz() ? fmtShortIn(t, tz()) : t}</time>
                    <Show when={tz() && tz() !== browserTz()}>
                      {" "}
                      <span class="your-time">· {fmtShortIn(t, browserTz())} your time</span>
                    </Show>{" "}
                    <span class="muted">({relative(t)})</span>
                    <For each={notesAt(t)}>
                      {(n) => (
                        <span class={`dst-note dst-${n.kind}`}>
                          <abbr title="Daylight saving time">DST</abbr>: {n.message}
                        </span>
                      )}
                    </For>
                  </li>
                )}
              </For>
            </ol>
          </Show>
          <Show when={reason()}>
            <p>{reason()}</p>
          </Show>
        </Show>
      }
    >
      {(id) => (
        <input
          id={id}
          class="mono"
          value={props.value}
          placeholder="0 3 * * *"
          autocomplete="off"
          spellcheck={false}
          onInput={(e) => props.onInput(e.currentTarget.value)}
        />
      )}
    </Field>
  );
}
