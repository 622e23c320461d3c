// The main navigation. Viewers see no admin pages at all. On a phone it
// collapses behind a "Menu" button (see layout.css).
import { For, Show, createSignal } from "solid-js";
import { Link, loc, navigate } from "../router.tsx";
import { isAdmin, me, signOut } from "../session.ts";
import { grid } from "../live.ts";

const LINKS = [
  { href: "/", label: "Tasks", admin: false },
  { href: "/pools", label: "Pools", admin: false },
  { href: "/variables", label: "Variables", admin: false },
  { href: "/nodes", label: "Nodes", admin: false },
  { href: "/scripts", label: "Scripts", admin: true },
  { href: "/packages", label: "Packages", admin: true },
  { href: "/users", label: "Users", admin: true },
  { href: "/audit", label: "Audit", admin: true },
  { href: "/settings", label: "Settings", admin: true },
  { href: "/about", label: "About", admin: false },
];

const current = (href: string) => (href === "/" ? loc().path === "/" || loc().path.startsWith("/tasks") : loc().path.startsWith(href));

export default function Nav() {
  const [open, setOpen] = createSignal(false);
  const close = () => setOpen(false);
  const out = async () => {
    close();
    await signOut().catch(() => undefined);
    navigate("/login");
  };
  return (
    <header class="top">
      <Link href="/" class="brand" onClick={close}>
        <span class="brand-mark" aria-hidden="true" />
        Lightflow
      </Link>
      <span class={grid.connected ? "live on" : "live off"} role="status">
        {grid.connected ? "Live" : "Offline"}
      </span>
      <button type="button" class="menu-btn" aria-expanded={open()} aria-controls="main-nav" onClick={() => setOpen(!open())}>
        Menu
      </button>
      <nav id="main-nav" class={open() ? "nav open" : "nav"} aria-label="Main">
        <ul>
          <For each={LINKS.filter((l) => !l.admin || isAdmin())}>
            {(l) => (
              <li>
                <Link href={l.href} aria-current={current(l.href) ? "page" : undefined} onClick={close}>
                  {l.label}
                </Link>
              </li>
            )}
          </For>
        </ul>
        <div class="nav-user">
          <Show when={me()}>
            {(m) => (
              <Link href="/profile" aria-current={current("/profile") ? "page" : undefined} onClick={close} title="Your profile">
                {m().email}
              </Link>
            )}
          </Show>
          <button type="button" class="link-btn" onClick={out}>
            Sign out
          </button>
        </div>
      </nav>
    </header>
  );
}
