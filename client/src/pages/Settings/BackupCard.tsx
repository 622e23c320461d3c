// Backups to download: a consistent copy taken while the server runs.
import { downloads } from "../../api.ts";

export default function BackupCard() {
  return (
    <section class="card" aria-labelledby="backup-h">
      <h2 id="backup-h">Backup</h2>
      <p class="hint">
        A consistent copy, taken while Lightflow runs. Restore it into an empty data directory with <code>lightflow restore &lt;file&gt;</code>.
      </p>
      <div class="actions">
        <a class="button" href={downloads.backup(false)} download="">
          Database only (.db)
        </a>
        <a class="button" href={downloads.backup(true)} download="">
          Database, scripts and logs (.tar)
        </a>
      </div>
    </section>
  );
}
