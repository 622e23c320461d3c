// A tiny History API router: one signal holding the current location, a
// `navigate` that pushes to it, a `Link` that intercepts plain clicks, and a
// pattern matcher for `/tasks/:name`-style paths. Enough for a dozen routes
// without a dependency.
import { createSignal, splitProps, type JSX } from "solid-js";

export interface Loc {
  path: string;
  query: URLSearchParams;
}

const read = (): Loc => ({
  path: location.pathname.replace(/(.)\/+$/, "$1"),
  query: new URLSearchParams(location.search),
});

const [loc, setLoc] = createSignal<Loc>(read());
window.addEventListener("popstate", () => setLoc(read()));

export { loc };

export function navigate(to: string, opts: { replace?: boolean } = {}) {
  if (to === location.pathname + location.search + location.hash) return;
  const pathChanged = new URL(to, location.href).pathname !== location.pathname;
  history[opts.replace ? "replaceState" : "pushState"](null, "", to);
  setLoc(read());
  if (pathChanged) window.scrollTo(0, 0);
}

/** Changes some query parameters of the current path (null removes one). */
export function setQuery(params: Record<string, string | number | null>, opts: { replace?: boolean } = {}) {
  const q = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(params)) {
    if (v === null) q.delete(k);
    else q.set(k, String(v));
  }
  const s = q.toString();
  navigate(location.pathname + (s ? "?" + s : ""), opts);
}

/** The `?next=` path to return to after signing in; only a path on this site. */
export function nextPath(): string {
  const next = loc().query.get("next") ?? "";
  return /^\/(?![/\\])/.test(next) ? next : "/";
}

/** Params of `path` for `pattern` (`/tasks/:name`), or null when it does not match. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    if (w.startsWith(":")) {
      if (!got[i]) return null;
      try {
        params[w.slice(1)] = decodeURIComponent(got[i]);
      } catch {
        return null;
      }
    } else if (w !== got[i]) return null;
  }
  return params;
}

type LinkProps = JSX.AnchorHTMLAttributes<HTMLAnchorElement> & { href: string };

/** An <a> that navigates without a reload; modified clicks still open new tabs. */
export function Link(props: LinkProps) {
  const [own, rest] = splitProps(props, ["href", "onClick"]);
  const click = (e: MouseEvent) => {
    if (typeof own.onClick === "function") (own.onClick as (e: MouseEvent) => void)(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(own.href);
  };
  return <a href={own.href} onClick={click} {...rest} />;
}
