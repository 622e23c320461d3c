// One form's requests: busy while one runs, its error kept until the next
// succeeds, the API's `field` errors shown beside their fields, and the
// sentence a success returns. What every form did with its own try/catch.
import { createSignal } from "solid-js";
import { ApiError } from "../api.ts";

/** `fields`: the fields the form shows; an error naming one of them goes beside it, any other above the form. */
export function createSubmit(fields: readonly string[] = []) {
  const [busy, setBusy] = createSignal(false);
  const [failure, setFailure] = createSignal<Error | null>(null);
  const [done, setDone] = createSignal("");
  const fieldOf = (e: Error | null) => (e instanceof ApiError && e.field && fields.includes(e.field) ? e.field : undefined);
  return {
    busy,
    /** the last error as thrown (an ApiError when the server refused) */
    failure,
    /** the last error as a sentence for above the form ("" when none, or when it sits beside its field) */
    error: () => {
      const e = failure();
      return e && !fieldOf(e) ? e.message : "";
    },
    /** the error that belongs beside `name` */
    field: (name: string) => (fieldOf(failure()) === name ? failure()?.message : undefined),
    /** the sentence the last success returned, "" after a failure */
    done,
    /** an error found before asking the server ("" clears it) */
    setError: (message: string) => setFailure(message ? new Error(message) : null),
    /** Runs `f`; true when it succeeded. A string it returns becomes `done`. */
    async run(f: () => Promise<unknown>): Promise<boolean> {
      setBusy(true);
      try {
        const said = await f();
        setFailure(null);
        if (typeof said === "string") setDone(said);
        return true;
      } catch (e) {
        setFailure(e as Error);
        setDone("");
        return false;
      } finally {
        setBusy(false);
      }
    },
  };
}

export type Submit = ReturnType<typeof createSubmit>;
