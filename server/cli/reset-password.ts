// `lightflow reset-password <email>`: recovery without e-mail. Prints a fresh
// set-password link; works while the server runs (same database, WAL).
import { AuthService } from "../auth/service.ts";
import { loadConfig } from "../config.ts";
import { LogMailer } from "../mail/mailer.ts";
import { openExisting } from "./open.ts";

export function resetPassword(email: string): number {
  const config = loadConfig();
  const stores = openExisting(config);
  try {
    const auth = new AuthService({ config, users: stores.users, audit: stores.audit, mailer: new LogMailer(), publicUrl: () => config.baseUrl });
    const link = auth.resetLinkFor(email);
    if (!link) {
      console.error(`lightflow: no account with the e-mail address ${email}`);
      return 1;
    }
    console.log(link);
    return 0;
  } finally {
    stores.close();
  }
}
