// The task editor: /tasks/new and /tasks/:name/edit. Saves with POST or PUT
// and shows the API's field errors beside their fields.
import { For, Show, createSignal } from "solid-js";
import { createStore } from "solid-js/store";
import { api, ApiError } from "../../api.ts";
import { applyTask } from "../../live.ts";
import { Link, navigate } from "../../router.tsx";
import { useTitle } from "../../lib/title.ts";
import { createPageData } from "../../lib/resource.ts";
import { createSubmit } from "../../lib/submit.ts";
import Field, { FormError } from "../../components/Field.tsx";
import Switch from "../../components/Switch.tsx";
import Breakable from "../../components/Breakable.tsx";
import CronField from "./CronField.tsx";
import StepsEditor from "./StepsEditor.tsx";
import DangerZone from "./DangerZone.tsx";
import AlertFields from "./AlertFields.tsx";
import ParamsEditor from "./ParamsEditor.tsx";
import RunAsField from "./RunAsField.tsx";
import RunsOnField from "./RunsOnField.tsx";
import ChainFields from "./ChainFields.tsx";
import ZoneField from "./ZoneField.tsx";
import { blankTask, fieldKey, fromForm, toForm, type Errors } from "./model.ts";

export default function TaskEdit(props: { params: Record<string, string> }) {
  const orig = props.params.name as string | undefined;
  useTitle(() => (orig ? `Edit ${orig}` : "New task"));
  const [form, setForm] = createStore(blankTask());
  const [errors, setErrors] = createSignal<Errors>({});
  // the API's error goes into `errors` with the form's own checks (see save)
  const saving = createSubmit();
  const pools = createPageData(() => api.pools.list().catch(() => []));
  const loaded = createPageData(async () => {
    if (orig) setForm(toForm(await api.tasks.get(orig)));
    return true;
  });

  const showErrors = (e: Errors) => {
    setErrors(e);
    queueMicrotask(() => {
      const el = document.querySelector<HTMLElement>(".field.invalid input, .field.invalid select, .field.invalid textarea, .form-error");
      el?.focus({ preventScroll: true });
      el?.scrollIntoView({ block: "center" }); // clear of the sticky Save bar
    });
  };
  const save = async (e: SubmitEvent) => {
    e.preventDefault();
    const built = fromForm(form);
    if ("errors" in built) return showErrors(built.errors);
    const saved = await saving.run(async () => {
      const t = orig ? await api.tasks.update(orig, built.task) : await api.tasks.create(built.task);
      applyTask(t);
      navigate(`/tasks/${encodeURIComponent(t.name)}`);
    });
    const err = saving.failure();
    if (!saved && err) showErrors({ [err instanceof ApiError && err.field ? fieldKey(err.field) : ""]: err.message });
  };
  const err = (k: string) => errors()[k];

  return (
    <section class="page editor">
      <p class="crumbs">
        <Link href="/">Tasks</Link> /{" "}
        {orig ? <Link href={`/tasks/${encodeURIComponent(orig)}`}>{orig}</Link> : "new"}
      </p>
      <h1>{orig ? ["Edit ", <Breakable text={orig} />] : "New task"}</h1>
      <FormError error={loaded.error()} />
      <Show when={loaded.data()} fallback={<p class="muted">{loaded.loading() ? "Loading…" : ""}</p>}>
        <form class="task-form" onSubmit={save} novalidate>
          <FormError error={err("")} />
          <div class="task-general">
            <Field label="Name" error={err("name")} hint="Letters, digits, _ . - (up to 64); used in URLs.">
              {(id) => <input id={id} required value={form.name} onInput={(e) => setForm("name", e.currentTarget.value)} />}
            </Field>
            <Field label="Description" error={err("description")}>
              {(id) => <textarea id={id} rows={2} value={form.description} onInput={(e) => setForm("description", e.currentTarget.value)} />}
            </Field>
            <CronField value={form.cron} timezone={form.timezone} error={err("cron")} onInput={(v) => setForm("cron", v)} />
            <ZoneField value={form.timezone} error={err("timezone")} onChange={(v) => setForm("timezone", v)} />
            <div class="checks">
              <Switch checked={form.enabled} label="Auto: run on the schedule" showText onChange={(v) => setForm("enabled", v)} />
              <label class="check">
                <input type="checkbox" checked={form.catchup} onChange={(e) => setForm("catchup", e.currentTarget.checked)} />
                Catch up: after downtime, run once for missed fire times
              </label>
            </div>
            <Field label="Pool" error={err("pool")} hint="A pool limits how many of its tasks run at once.">
              {(id) => (
                <select id={id} value={form.pool} onChange={(e) => setForm("pool", e.currentTarget.value)}>
                  {/* `selected` on the options: they arrive after the select, and the chosen one may be swapped */}
                  <option value="" selected={!form.pool}>
                    (no pool)
                  </option>
                  <For each={pools.data() ?? []}>
                    {(p) => <option value={p.name} selected={p.name === form.pool}>{`${p.name} (${p.slots} slot${p.slots === 1 ? "" : "s"})`}</option>}
                  </For>
                  <Show when={form.pool && !(pools.data() ?? []).some((p) => p.name === form.pool)}>
                    <option value={form.pool} selected>
                      {form.pool}
                    </option>
                  </Show>
                </select>
              )}
            </Field>
            <AlertFields form={form} setForm={setForm} errors={errors()} />
            <RunAsField form={form} setForm={setForm} errors={errors()} />
            <RunsOnField form={form} setForm={setForm} errors={errors()} />
            <ChainFields form={form} setForm={setForm} errors={errors()} self={orig} />
          </div>
          <ParamsEditor form={form} setForm={setForm} errors={errors()} clearErrors={() => setErrors({})} />
          <StepsEditor form={form} setForm={setForm} errors={errors()} clearErrors={() => setErrors({})} />
          <FormError error={Object.keys(errors()).some(Boolean) ? "Please fix the fields marked above." : ""} />
          <div class="actions sticky-actions">
            <button type="submit" class="primary" disabled={saving.busy()}>
              {saving.busy() ? "Saving…" : orig ? "Save" : "Create task"}
            </button>
            <Link class="button" href={orig ? `/tasks/${encodeURIComponent(orig)}` : "/"}>
              Cancel
            </Link>
          </div>
        </form>
        <Show when={orig}>{(name) => <DangerZone name={name()} />}</Show>
      </Show>
    </section>
  );
}
