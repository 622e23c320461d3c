import { createSignal } from "solid-js";

/** Copies `text` to the clipboard and says so. */
export default function CopyButton(props: { text: string; label?: string }) {
  const [done, setDone] = createSignal(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text);
      setDone(true);
      setTimeout(() => setDone(false), 2000);
    } catch {
      // no clipboard access (plain http): the text is selectable beside the button
    }
  };
  return (
    <button type="button" onClick={copy} aria-live="polite">
      {done() ? "Copied" : (props.label ?? "Copy")}
    </button>
  );
}
