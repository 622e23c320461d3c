// A labelled form control with its error beside it (aria-describedby), for
// the `field` the API names in an error.
import { Show, createUniqueId, type JSX } from "solid-js";

export default function Field(props: {
  label: string;
  error?: string;
  hint?: JSX.Element;
  children: (id: string, describedBy: string | undefined) => JSX.Element;
  class?: string;
}) {
  const id = createUniqueId();
  const describedBy = () => [props.error ? `${id}-err` : "", props.hint ? `${id}-hint` : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div class={`field ${props.class ?? ""}`} classList={{ invalid: !!props.error }}>
      <label for={id}>{props.label}</label>
      {props.children(id, describedBy())}
      <Show when={props.hint}>
        <div class="hint" id={`${id}-hint`}>
          {props.hint}
        </div>
      </Show>
      <Show when={props.error}>
        <div class="error-text" id={`${id}-err`}>
          {props.error}
        </div>
      </Show>
    </div>
  );
}

/** A form-level error (the API's sentence when no single field is at fault). */
export function FormError(props: { error?: string }) {
  return (
    <Show when={props.error}>
      <p class="form-error" role="alert" tabIndex={-1}>
        {props.error}
      </p>
    </Show>
  );
}
