// A labelled form control with its error beside it, for the `field` the API
// names in an error. The control is made once (so it keeps focus while an
// error comes and goes); its aria-describedby and aria-invalid follow here.
import { Show, children as resolve, createRenderEffect, createUniqueId, untrack, type JSX } from "solid-js";

export default function Field(props: {
  label: string;
  error?: string;
  hint?: JSX.Element;
  /** the control, with this id */
  children: (id: string) => JSX.Element;
  class?: string;
}) {
  const id = createUniqueId();
  // resolved once: reading props.hint again would build its elements again
  const hint = resolve(() => props.hint);
  const describedBy = () => [props.error ? `${id}-err` : "", hint() ? `${id}-hint` : ""].filter(Boolean).join(" ");
  const control = untrack(() => props.children(id));
  createRenderEffect(() => {
    if (!(control instanceof Element)) return;
    const d = describedBy();
    if (d) control.setAttribute("aria-describedby", d);
    else control.removeAttribute("aria-describedby");
    if (props.error) control.setAttribute("aria-invalid", "true");
    else control.removeAttribute("aria-invalid");
  });
  return (
    <div class={`field ${props.class ?? ""}`} classList={{ invalid: !!props.error }}>
      <label for={id}>{props.label}</label>
      {control}
      <Show when={hint()}>
        <div class="hint" id={`${id}-hint`}>
          {hint()}
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
