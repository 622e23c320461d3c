// A page's data: Solid's createResource (the newest request wins, refetch,
// mutate), read through storage of our own so that it never suspends and never
// throws. App wraps pages in a Suspense: read as `resource()`, every reload
// after a live event would swap the page for "Loading…", and a failed reload
// would throw instead of showing its sentence beside what is on screen.
import { createResource, createSignal, type Signal } from "solid-js";

export function createPageData<T>(fetcher: () => Promise<T>) {
  const [value, setValue] = createSignal<T>();
  const [res, { refetch, mutate }] = createResource(() => fetcher(), { storage: () => [value, setValue] as Signal<T | undefined> });
  return {
    /** the last value loaded: kept through a reload, and through a failed one */
    data: value,
    /** why the last load failed, as a sentence ("" once one succeeds) */
    error: () => (res.error ? (res.error as Error).message : ""),
    loading: () => res.loading,
    /** loads again; resolves once done (never rejects: the error shows instead) */
    reload: async () => void (await refetch()),
    set: (v: T) => void mutate(() => v),
  };
}
