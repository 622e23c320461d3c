// Keeps the reader's place in the log box while lines are added or dropped
// above what is on screen (an earlier piece loaded, old lines let go).

/** The box's line with this id. */
export const lineIn = (box: HTMLElement, id: number) => box.querySelector<HTMLElement>(`[data-id="${id}"]`);

/** The first line at the top of the box, found by bisection (the lines are in order). */
function topLine(box: HTMLElement): HTMLElement | null {
  const rows = box.querySelectorAll<HTMLElement>(".ln[data-id]");
  let lo = 0;
  let hi = rows.length - 1;
  if (hi < 0) return null;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid].offsetTop + rows[mid].offsetHeight <= box.scrollTop) lo = mid + 1;
    else hi = mid;
  }
  return rows[lo];
}

/** Notes where the line at the top of the view is; the function returned puts it back there. */
export function markTop(box: HTMLElement): () => void {
  const anchor = topLine(box);
  const id = anchor?.dataset.id;
  const shift = anchor ? anchor.offsetTop - box.scrollTop : 0;
  return () => {
    const again = id ? lineIn(box, Number(id)) : null;
    if (again) box.scrollTop = again.offsetTop - shift;
  };
}
