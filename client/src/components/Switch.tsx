// An on/off switch: a real checkbox with role="switch", styled in forms.css.
export default function Switch(props: {
  checked: boolean;
  label: string;
  onChange: (on: boolean) => void;
  disabled?: boolean;
  showText?: boolean;
}) {
  return (
    <label class="switch">
      <input
        type="checkbox"
        role="switch"
        checked={props.checked}
        disabled={props.disabled}
        aria-label={props.showText ? undefined : props.label}
        onChange={(e) => {
          const el = e.currentTarget;
          props.onChange(el.checked);
          // Controlled: if the owner did not take the change, show its state again.
          queueMicrotask(() => (el.checked = props.checked));
        }}
      />
      <span class="track" aria-hidden="true" />
      {props.showText ? <span>{props.label}</span> : null}
    </label>
  );
}
