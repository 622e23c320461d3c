// Server settings an admin changes at run time (not configuration, which is
// the environment). The only SQL about settings.
import type { SqlDb } from "./sql.ts";
import type { Settings, SettingsStore } from "../engine/stores.ts";

export type { Settings };

const DEFAULTS: Settings = { alert_webhook_url: null };

export class SqlSettingsStore implements SettingsStore {
  constructor(private readonly db: SqlDb) {}

  get(): Settings {
    const rows = this.db.query<{ key: string; value: string }, []>("SELECT key, value FROM settings").all();
    const out: Settings = { ...DEFAULTS };
    for (const r of rows) if (r.key in DEFAULTS) (out as unknown as Record<string, unknown>)[r.key] = JSON.parse(r.value);
    return out;
  }

  set(patch: Partial<Settings>): Settings {
    const put = this.db.query("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    this.db.transaction(() => {
      for (const [k, v] of Object.entries(patch)) if (v !== undefined) put.run(k, JSON.stringify(v));
    });
    return this.get();
  }
}
