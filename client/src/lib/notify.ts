// Short messages shown in one aria-live region (errors of actions taken from
// lists, where there is no form to show them beside).
import { createSignal } from "solid-js";

export interface Note {
  id: number;
  text: string;
  kind: "error" | "info";
}

const [notes, setNotes] = createSignal<Note[]>([]);
const seq = { n: 0 };
export { notes };

export function notify(text: string, kind: Note["kind"] = "info") {
  const id = ++seq.n;
  setNotes((ns) => [...ns.slice(-3), { id, text, kind }]);
  // Info fades after a while; errors stay until dismissed.
  if (kind === "info") setTimeout(() => dismiss(id), 5000);
}

export const notifyError = (e: unknown) => notify(e instanceof Error ? e.message : String(e), "error");

export const dismiss = (id: number) => setNotes((ns) => ns.filter((n) => n.id !== id));
