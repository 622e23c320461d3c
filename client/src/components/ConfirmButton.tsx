// A destructive button that asks once more in place ("Delete? Yes / No"),
// which works with a keyboard and on a phone without a modal dialog.
import { Show, createSignal } from "solid-js";

export default function ConfirmButton(props: {
  label: string;
  question?: string;
  confirmLabel?: string;
  onConfirm: () => void | Promise<void>;
  disabled?: boolean;
  class?: string;
}) {
  const [asking, setAsking] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  let yes!: HTMLButtonElement;
  const ask = () => {
    setAsking(true);
    yes.focus();
  };
  const confirm = async () => {
    setBusy(true);
    try {
      await props.onConfirm();
    } finally {
      setBusy(false);
      setAsking(false);
    }
  };
  return (
    <span class="confirm">
      <Show when={!asking()}>
        <button type="button" class={props.class ?? "danger"} disabled={props.disabled} onClick={ask}>
          {props.label}
        </button>
      </Show>
      <span class="confirm-ask" hidden={!asking()}>
        <span role="alert">{props.question ?? "Are you sure?"}</span>
        <button type="button" class="danger" ref={yes} disabled={busy()} onClick={confirm}>
          {props.confirmLabel ?? "Yes, " + props.label.toLowerCase()}
        </button>
        <button type="button" onClick={() => setAsking(false)}>
          No
        </button>
      </span>
    </span>
  );
}
