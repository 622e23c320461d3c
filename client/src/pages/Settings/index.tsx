// Settings (admins): the alert webhook, backups, tasks as code (export and
// an import that shows its changes before applying them), and how to scrape
// the Prometheus metrics; a crontab import with its own preview.
import { useTitle } from "../../lib/title.ts";
import WebhookForm from "./WebhookForm.tsx";
import BackupCard from "./BackupCard.tsx";
import SetupCard from "./SetupCard.tsx";
import CrontabCard from "./CrontabCard.tsx";
import MetricsCard from "./MetricsCard.tsx";

export default function SettingsPage() {
  useTitle(() => "Settings");
  return (
    <section class="page profile">
      <h1>Settings</h1>
      <div class="cards">
        <div>
          <WebhookForm />
          <BackupCard />
          <MetricsCard />
        </div>
        <div>
          <SetupCard />
          <CrontabCard />
        </div>
      </div>
    </section>
  );
}
