// The lines of an import's answer: what happens (or happened) to each pool,
// variable and task, in words with a glyph, and why when the server says.
import { For } from "solid-js";
import type { ImportChange, ImportResult } from "../../types.ts";

const WORDS: Record<ImportChange["action"], [planned: string, done: string]> = {
  create: ["will be created", "created"],
  update: ["will be updated", "updated"],
  unchanged: ["unchanged", "unchanged"],
  kept: ["kept", "kept"],
  skipped: ["skipped", "skipped"],
};

/** "2 to create, 1 to update, 3 unchanged" (or "created", "updated" once applied). */
export function summary(r: ImportResult): string {
  const verb = (a: ImportChange["action"]) => (r.dry_run && (a === "create" || a === "update") ? `to ${a}` : WORDS[a][1]);
  const counts = (Object.keys(WORDS) as ImportChange["action"][]).map((a) => [a, r.changes.filter((c) => c.action === a).length] as const);
  return counts.filter(([, n]) => n > 0).map(([a, n]) => `${n} ${verb(a)}`).join(", ") || "nothing";
}

export default function ImportChanges(props: { result: ImportResult }) {
  const word = (c: ImportChange) => WORDS[c.action]?.[props.result.dry_run ? 0 : 1] ?? c.action;
  return (
    <ul class="changes">
      <For each={props.result.changes} fallback={<li class="muted">The file holds nothing to import.</li>}>
        {(c) => (
          <li class={`change ch-${c.action}`}>
            <span class="change-what">
              {c.kind} <strong class="break">{c.name}</strong>
            </span>
            <span class="change-action">{word(c)}</span>
            {c.detail ? <span class="muted small change-detail">{c.detail}</span> : null}
          </li>
        )}
      </For>
    </ul>
  );
}
