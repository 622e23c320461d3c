import { createEffect } from "solid-js";

/** Keeps document.title as "<page> · Lightflow". */
export function useTitle(title: () => string) {
  createEffect(() => {
    document.title = `${title()} · Lightflow`;
  });
}
