// One step in the editor: name, command, arguments line, run rule, timeout,
// retries and their delay, and buttons to move or remove it.
import type { RunRule } from "../../types.ts";
import { RETRY_DELAY_S, STEP_RETRIES, STEP_TIMEOUT_S, STEPS_PER_TASK } from "../../../../server/schema/limits.ts";
import Field from "../../components/Field.tsx";
import { argsError, type Errors, type StepForm } from "./model.ts";
import { splitArgs } from "../../lib/shellwords.ts";

interface Props {
  step: StepForm;
  index: number;
  count: number;
  errors: Errors;
  onSet: (k: keyof StepForm, v: string) => void;
  onMove: (delta: number) => void;
  onRemove: () => void;
}

export default function StepRow(props: Props) {
  const err = (k: string): string | undefined => props.errors[`steps.${props.index}.${k}`];
  const argsHint = () => {
    if (argsError(props.step.args)) return undefined;
    const n = splitArgs(props.step.args).length;
    return `${n} argument${n === 1 ? "" : "s"}. Quote with ' or " as in a shell; no shell runs it (use bash -c '…' for one).`;
  };
  const n = () => props.index + 1;
  return (
    <fieldset class="step-edit">
      <legend>Step {n()}</legend>
      <div class="step-grid">
        <Field label="Name" error={err("name")}>
          {(id) => (
            <input id={id} value={props.step.name} onInput={(e) => props.onSet("name", e.currentTarget.value)} />
          )}
        </Field>
        <Field label="Command" error={err("command")}>
          {(id) => (
            <input
              id={id}
              class="mono"
              placeholder="python3"
              value={props.step.command}
              onInput={(e) => props.onSet("command", e.currentTarget.value)}
            />
          )}
        </Field>
        <Field label="Arguments" class="span2" error={err("args") ?? argsError(props.step.args)} hint={argsHint()}>
          {(id) => (
            // a textarea: a `bash -c '…'` script is easier to read over several lines (line breaks outside quotes separate arguments)
            <textarea
              id={id}
              class="mono args"
              rows={2}
              placeholder="backup.py --target 'my disk'"
              value={props.step.args}
              onInput={(e) => props.onSet("args", e.currentTarget.value)}
            />
          )}
        </Field>
        <Field label="Runs" error={err("run_rule")}>
          {(id) => (
            <select id={id} value={props.step.run_rule} onChange={(e) => props.onSet("run_rule", e.currentTarget.value as RunRule)}>
              <option value="on_success">only if no earlier step failed</option>
              <option value="always">always (cleanup)</option>
            </select>
          )}
        </Field>
        <Field label="Timeout (seconds)" error={err("timeout_s")}>
          {(id) => (
            <input
              id={id}
              type="number"
              min={STEP_TIMEOUT_S.min}
              max={STEP_TIMEOUT_S.max}
              inputmode="numeric"
              value={props.step.timeout_s}
              onInput={(e) => props.onSet("timeout_s", e.currentTarget.value)}
            />
          )}
        </Field>
        <Field label="Retries" error={err("retries")} hint={`Tries again after a failure or a timeout (${STEP_RETRIES.min} to ${STEP_RETRIES.max}).`}>
          {(id) => (
            <input
              id={id}
              type="number"
              min={STEP_RETRIES.min}
              max={STEP_RETRIES.max}
              inputmode="numeric"
              value={props.step.retries}
              onInput={(e) => props.onSet("retries", e.currentTarget.value)}
            />
          )}
        </Field>
        <Field label="Delay before a retry (seconds)" error={err("retry_delay_s")}>
          {(id) => (
            <input
              id={id}
              type="number"
              min={RETRY_DELAY_S.min}
              max={RETRY_DELAY_S.max}
              inputmode="numeric"
              value={props.step.retry_delay_s}
              onInput={(e) => props.onSet("retry_delay_s", e.currentTarget.value)}
            />
          )}
        </Field>
      </div>
      <div class="actions">
        <button type="button" disabled={props.index === 0} onClick={() => props.onMove(-1)} aria-label={`Move step ${n()} up`}>
          ↑ Up
        </button>
        <button type="button" disabled={props.index === props.count - 1} onClick={() => props.onMove(1)} aria-label={`Move step ${n()} down`}>
          ↓ Down
        </button>
        <button type="button" class="danger" disabled={props.count <= STEPS_PER_TASK.min} onClick={props.onRemove} aria-label={`Remove step ${n()}`}>
          Remove
        </button>
      </div>
    </fieldset>
  );
}
