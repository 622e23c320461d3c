// The audit log, newest first, paged with ?before=<id>.
import { For, Show, createSignal } from "solid-js";
import { api } from "../../api.ts";
import type { AuditEntry } from "../../types.ts";
import { useTitle } from "../../lib/title.ts";
import { createSubmit } from "../../lib/submit.ts";
import { fmtTime } from "../../lib/time.ts";
import { FormError } from "../../components/Field.tsx";

const PAGE = 50;
const detailText = (d: unknown) => (d === null || d === undefined ? "" : typeof d === "string" ? d : JSON.stringify(d));

export default function AuditPage() {
  useTitle(() => "Audit");
  const [rows, setRows] = createSignal<AuditEntry[]>([]);
  const [more, setMore] = createSignal(false);
  const paging = createSubmit();
  const load = (before?: number) =>
    paging.run(async () => {
      const page = await api.audit(PAGE, before);
      setRows((r) => (before ? [...r, ...page] : page));
      setMore(page.length === PAGE);
    });
  void load();
  return (
    <section class="page wide">
      <h1 id="audit-h">Audit log</h1>
      <FormError error={paging.error()} />
      {/* on a phone the table scrolls sideways, and nothing in it takes focus: the box itself must, for the keyboard */}
      <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="audit-h">
        <table class="list">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">Target</th>
              <th scope="col">Detail</th>
              <th scope="col">Node</th>
            </tr>
          </thead>
          <tbody>
            <For each={rows()} fallback={<tr><td colSpan={6} class="muted">{paging.busy() ? "Loading…" : "Nothing yet."}</td></tr>}>
              {(r) => (
                <tr>
                  <td class="nowrap">{fmtTime(r.at)}</td>
                  <td class="break">{r.user ?? "—"}</td>
                  <td>{r.action}</td>
                  <td class="break">{r.target ?? ""}</td>
                  <td class="break small">{detailText(r.detail)}</td>
                  <td class="break">{r.node ?? ""}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
      <Show when={more()}>
        <button type="button" disabled={paging.busy()} onClick={() => void load(rows()[rows().length - 1]?.id)}>
          Older entries
        </button>
      </Show>
    </section>
  );
}
