// The app: resolves the current path to a page, keeps signed-out visitors on
// the public pages, hides admin pages from viewers, and runs the live
// connection while someone is signed in.
import { Match, Suspense, Switch, createEffect, createMemo, on } from "solid-js";
import { Dynamic } from "solid-js/web";
import Layout from "./components/Layout.tsx";
import NotFound from "./pages/NotFound/index.tsx";
import { routes } from "./routes.ts";
import { loc, matchPath, navigate, nextPath } from "./router.tsx";
import { isAdmin, me } from "./session.ts";
import { startLive, stopLive } from "./live.ts";

function resolve(path: string) {
  for (const route of routes) {
    const params = matchPath(route.path, path);
    if (params) return { route, params };
  }
  return null;
}

export default function App() {
  const path = createMemo(() => loc().path);
  const match = createMemo(() => resolve(path()));
  const signedIn = createMemo(() => !!me());

  createEffect(on(signedIn, (on) => (on ? startLive() : stopLive())));
  createEffect(() => {
    const m = match();
    if (me() === undefined || !m) return;
    // Signing in lands here too: go where the visitor was heading.
    if (me() && m.route.guest) navigate(nextPath(), { replace: true });
    else if (!me() && !m.route.public) {
      const here = location.pathname + location.search;
      navigate(here === "/" ? "/login" : `/login?next=${encodeURIComponent(here)}`, { replace: true });
    }
  });

  return (
    <Layout>
      <Switch>
        <Match when={me() === undefined}>
          <p class="page muted">Loading…</p>
        </Match>
        <Match when={!match()}>
          <NotFound />
        </Match>
        <Match when={match()?.route.admin && me() && !isAdmin()}>
          <NotFound message="Admins only" />
        </Match>
        <Match when={match()?.route.public || me()}>
          <Suspense fallback={<p class="page muted">Loading…</p>}>
            <Switch>
              <Match when={match()} keyed>
                {(m) => <Dynamic component={m.route.view} params={m.params} />}
              </Match>
            </Switch>
          </Suspense>
        </Match>
      </Switch>
    </Layout>
  );
}
