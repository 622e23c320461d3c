// The task's alert settings: a start deadline (a "did not start" alert) and
// addresses that get this task's alerts besides the users who opted in.
import type { SetStoreFunction } from "solid-js/store";
import Field from "../../components/Field.tsx";
import { START_DEADLINE_S } from "../../../../server/schema/limits.ts";
import { splitEmails, type Errors, type TaskForm } from "./model.ts";

export default function AlertFields(props: { form: TaskForm; setForm: SetStoreFunction<TaskForm>; errors: Errors }) {
  const form = props.form;
  const setForm = props.setForm;
  const err = (k: string): string | undefined => props.errors[k];
  /** The list's error, or one address's (`alert_emails.2`), naming that address. */
  const emailError = () => {
    if (err("alert_emails")) return err("alert_emails");
    const key = Object.keys(props.errors).find((k) => k.startsWith("alert_emails."));
    if (!key) return undefined;
    const bad = splitEmails(form.alert_emails)[Number(key.split(".")[1])];
    return bad === undefined ? props.errors[key] : `${props.errors[key]} (“${bad}” is not one)`;
  };
  return (
    <>
      <Field
        label="Start deadline (seconds)"
        error={err("start_deadline_s")}
        hint="A scheduled run that has not started this long after its fire time sends a “did not start” alert. Empty: no deadline."
      >
        {(id) => (
          <input
            id={id}
            type="number"
            min={START_DEADLINE_S.min}
            max={START_DEADLINE_S.max}
            inputmode="numeric"
            placeholder="none"
            value={form.start_deadline_s}
            onInput={(e) => setForm("start_deadline_s", e.currentTarget.value)}
          />
        )}
      </Field>
      <Field
        label="Alert e-mails"
        error={emailError()}
        hint="Besides the users who turned alerts on, these addresses hear when this task fails, recovers or does not start. Separate them with commas or new lines."
      >
        {(id) => (
          <textarea
            id={id}
            rows={2}
            class="mono"
            placeholder="ops@example.com"
            autocomplete="off"
            spellcheck={false}
            value={form.alert_emails}
            onInput={(e) => setForm("alert_emails", e.currentTarget.value)}
          />
        )}
      </Field>
    </>
  );
}
