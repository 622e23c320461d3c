// A page's data: loaded once at creation, reloadable, with its error as a
// sentence. Unlike createResource it never suspends, so reloading after a
// live event does not blank the page.
import { createSignal } from "solid-js";

export function createLoader<T>(fetch: () => Promise<T>) {
  const [data, setData] = createSignal<T | undefined>(undefined);
  const [error, setError] = createSignal("");
  const [loading, setLoading] = createSignal(true);
  const reload = async () => {
    setLoading(true);
    try {
      const v = await fetch();
      setData(() => v);
      setError("");
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoading(false);
    }
  };
  void reload();
  return { data, error, loading, reload, set: (v: T) => setData(() => v) };
}
