// `lightflow reset-password <email>`: recovery without e-mail. Prints a fresh
// set-password link; works while the server runs (same database, WAL).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { AuthService } from "../auth/service.ts";
import { ConfigError, loadConfig } from "../config.ts";
import { AuditStore } from "../db/audit.ts";
import { openDatabase } from "../db/index.ts";
import { UserStore } from "../db/users.ts";
import { LogMailer } from "../mail/mailer.ts";

export function resetPassword(email: string): number {
  const config = loadConfig();
  const path = join(config.dataDir, "lightflow.db");
  if (!existsSync(path)) throw new ConfigError(`LIGHTFLOW_DATA_DIR: no Lightflow database in ${config.dataDir}`);
  const db = openDatabase(path);
  try {
    const users = new UserStore(db);
    const auth = new AuthService({ config, users, audit: new AuditStore(db), mailer: new LogMailer(), publicUrl: () => config.baseUrl });
    const link = auth.resetLinkFor(email);
    if (!link) {
      console.error(`lightflow: no account with the e-mail address ${email}`);
      return 1;
    }
    console.log(link);
    return 0;
  } finally {
    db.close();
  }
}
