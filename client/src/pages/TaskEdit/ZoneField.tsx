// The task's time zone: the server's by default, or any zone this browser
// knows (Intl.supportedValuesOf), which is the IANA list the server checks.
import { For, Show } from "solid-js";
import Field from "../../components/Field.tsx";
import { serverTz } from "../../session.ts";

/** Every zone the browser knows, read once (some 400 names). */
const zones = (() => {
  const cache: { list: string[] | null } = { list: null };
  return () => (cache.list ??= typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : []);
})();

export default function ZoneField(props: { value: string; error?: string; onChange: (v: string) => void }) {
  return (
    <Field label="Time zone" error={props.error} hint="The zone the schedule is read in, daylight saving time included.">
      {(id) => (
        <select id={id} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
          <option value="" selected={!props.value}>
            {`Server's zone${serverTz() ? ` (${serverTz()})` : ""}`}
          </option>
          <For each={zones()}>{(z) => <option value={z} selected={z === props.value}>{z}</option>}</For>
          {/* a name this browser lists under another spelling (an alias such as US/Eastern) */}
          <Show when={props.value && !zones().includes(props.value)}>
            <option value={props.value} selected>
              {props.value}
            </option>
          </Show>
        </select>
      )}
    </Field>
  );
}
