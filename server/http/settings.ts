// Routes: settings an admin changes at run time.
//   GET /api/settings    admin
//   PUT /api/settings    admin   {"alert_webhook_url"?: string | null}
import { Elysia, t } from "elysia";
import type { AuditStore } from "../engine/stores.ts";
import type { SettingsStore } from "../engine/stores.ts";
import { ErrorBody } from "../schema/common.ts";
import { SettingsOut } from "../schema/resources.ts";
import { invalid } from "./errors.ts";
import type { guard } from "./guard.ts";

const SettingsInput = t.Object(
  {
    alert_webhook_url: t.Optional(
      t.Nullable(t.String({ maxLength: 2000, error: "alert_webhook_url: an http:// or https:// URL, or null" })),
    ),
  },
  { additionalProperties: false },
);

export function settingsRoutes(settings: SettingsStore, audit: AuditStore, auth: ReturnType<typeof guard>) {
  return new Elysia({ name: "settings" })
    .use(auth)
    .get("/api/settings", () => settings.get(), { role: "admin", response: SettingsOut })
    .put(
      "/api/settings",
      ({ body, principal }) => {
        const url = body.alert_webhook_url;
        if (url) {
          let ok = false;
          try {
            ok = ["http:", "https:"].includes(new URL(url).protocol);
          } catch {}
          if (!ok) throw invalid("alert_webhook_url: an http:// or https:// URL, or null", "alert_webhook_url");
        }
        const saved = settings.set({ alert_webhook_url: url === "" ? null : url });
        audit.add(principal.user.email, "settings.update", Object.keys(body).join(", "));
        return saved;
      },
      { role: "admin", body: SettingsInput, response: { 200: SettingsOut, 422: ErrorBody } },
    );
}
