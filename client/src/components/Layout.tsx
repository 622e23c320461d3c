// The page frame: navigation when signed in, the notes region, and <main>,
// which receives focus after each client-side navigation so that screen
// reader and keyboard users start at the new page.
import { Show, createEffect, on, type JSX } from "solid-js";
import Nav from "./Nav.tsx";
import Notes from "./Notes.tsx";
import { loc } from "../router.tsx";
import { me } from "../session.ts";

export default function Layout(props: { children: JSX.Element }) {
  let main!: HTMLElement;
  createEffect(
    on(
      () => loc().path,
      () => main.focus({ preventScroll: true }),
      { defer: true },
    ),
  );
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <Show when={me()}>
        <Nav />
      </Show>
      <Notes />
      <main id="main" ref={main} tabIndex={-1}>
        {props.children}
      </main>
    </>
  );
}
