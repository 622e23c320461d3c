// Crontab import: paste a crontab, see what each line would become (a dry
// run on the server), then import. Importing again adds nothing.
import { For, Show, createSignal } from "solid-js";
import { api } from "../../api.ts";
import type { CrontabImport, CrontabLine } from "../../types.ts";
import { createSubmit } from "../../lib/submit.ts";
import { FormError } from "../../components/Field.tsx";

const WORDS: Record<CrontabLine["action"], [planned: string, done: string]> = {
  create: ["will be created", "created"],
  unchanged: ["exists already", "exists already"],
  skipped: ["not imported", "not imported"],
};

/** The command as cron would run it: the shell's `-c` text is the last argument in every form the import writes. */
const commandOf = (l: CrontabLine) => l.task?.steps[0]?.args?.at(-1) ?? "";

export default function CrontabCard() {
  const [text, setText] = createSignal("");
  const [system, setSystem] = createSignal(false);
  const [prefix, setPrefix] = createSignal("");
  const [plan, setPlan] = createSignal<CrontabImport | null>(null);
  const form = createSubmit();
  const send = (dryRun: boolean) => form.run(async () => void setPlan(await api.importCrontab(text(), { system: system(), prefix: prefix().trim(), dryRun })));
  const creates = () => plan()?.lines.filter((l) => l.action === "create").length ?? 0;
  const edited = () => setPlan(null);

  return (
    <section class="card" aria-labelledby="crontab-h">
      <h2 id="crontab-h">Import a crontab</h2>
      <p class="hint">
        Each schedule line becomes a task that runs the command as cron would (its SHELL, its environment lines, MAILTO as alert addresses).
        Preview first; importing the same crontab again adds nothing.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void send(true);
        }}
      >
        <div class="field">
          <label for="crontab-text">Crontab (the output of crontab -l, or a file of /etc/cron.d)</label>
          <textarea id="crontab-text" rows={8} spellcheck={false} class="mono" value={text()} onInput={(e) => (setText(e.currentTarget.value), edited())} />
        </div>
        <div class="field">
          <label>
            <input type="checkbox" checked={system()} onChange={(e) => (setSystem(e.currentTarget.checked), edited())} /> System crontab: a user column after
            the time fields (steps run as that user)
          </label>
        </div>
        <div class="field">
          <label for="crontab-prefix">Name prefix (optional)</label>
          <input id="crontab-prefix" value={prefix()} maxLength={32} onInput={(e) => (setPrefix(e.currentTarget.value), edited())} />
        </div>
        <FormError error={form.error()} />
        <button type="submit" disabled={form.busy() || !text().trim()}>
          Preview
        </button>
      </form>
      <Show when={plan()}>
        {(p) => (
          <div class="import-plan">
            <h4>{p().dry_run ? "What importing this crontab would do" : "Imported"}</h4>
            <ul class="changes">
              <For each={p().lines} fallback={<li class="muted">No schedule lines.</li>}>
                {(l) => (
                  <li class={`change ch-${l.action}`}>
                    <span class="change-what">
                      line {l.line} {l.name ? <strong class="break">{l.name}</strong> : null}
                    </span>
                    <span class="change-action">{WORDS[l.action][p().dry_run ? 0 : 1]}</span>
                    <span class="muted small change-detail mono">
                      {l.task ? `${l.task.cron}  ${commandOf(l)}${l.task.run_as ? `  (as ${l.task.run_as})` : ""}` : l.text}
                    </span>
                    {l.reason ? <span class="small change-detail">{l.reason}</span> : null}
                  </li>
                )}
              </For>
            </ul>
            <Show when={p().dry_run}>
              <Show when={creates()} fallback={<p class="muted">Nothing to import.</p>}>
                <button type="button" class="primary" disabled={form.busy()} onClick={() => void send(false)}>
                  {form.busy() ? "Importing…" : `Import ${creates()} task${creates() === 1 ? "" : "s"}`}
                </button>
              </Show>
            </Show>
          </div>
        )}
      </Show>
    </section>
  );
}
