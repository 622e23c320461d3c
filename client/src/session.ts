// Who is signed in (GET /api/me) and what the server says about itself
// (GET /api/about: its timezone is the one every time is shown in).
import { createSignal } from "solid-js";
import { api, apiEvents } from "./api.ts";
import type { About, Me } from "./types.ts";

/** undefined while loading, null when signed out */
const [me, setMe] = createSignal<Me | null | undefined>(undefined);
const [about, setAbout] = createSignal<About | null>(null);

export { me, setMe, about };

export const isAdmin = () => me()?.role === "admin";

/** The server's timezone (LIGHTFLOW_TIMEZONE); the browser's until it is known. */
export const serverTz = () => about()?.timezone;

apiEvents.addEventListener("unauthorized", () => setMe(null));

export async function loadSession() {
  const [a, m] = await Promise.allSettled([api.about(), api.me.get()]);
  if (a.status === "fulfilled") setAbout(a.value);
  // Any failure (401, or no server) shows the login page, which says why.
  setMe(m.status === "fulfilled" ? m.value : null);
}

export async function refreshMe() {
  setMe(await api.me.get());
}

export async function signOut() {
  try {
    await api.auth.logout();
  } finally {
    setMe(null);
  }
}
