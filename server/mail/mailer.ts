// Mail as a one-method seam: SMTP through nodemailer, or the server log when
// no SMTP_HOST is set. A mail that cannot be sent is logged with the reason
// and never breaks the request or the run that caused it.
import type { Transporter } from "nodemailer";
import type { SmtpConfig } from "../config.ts";

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(m: MailMessage): Promise<void>;
}

export class LogMailer implements Mailer {
  async send(m: MailMessage): Promise<void> {
    console.log(`lightflow: mail (no SMTP_HOST set, printed instead)\nTo: ${m.to}\nSubject: ${m.subject}\n\n${m.text}\n-- end of mail --`);
  }
}

/**
 * nodemailer is loaded with the first mail: a server that sends none (most
 * of the time) does not carry its ~90 modules on its heap.
 */
export class SmtpMailer implements Mailer {
  private transport: Promise<Transporter> | null = null;
  constructor(private readonly c: SmtpConfig) {}

  private async connect(): Promise<Transporter> {
    const c = this.c;
    const { default: nodemailer } = await import("nodemailer");
    return nodemailer.createTransport({
      host: c.host,
      port: c.port,
      secure: c.security === "tls",
      requireTLS: c.security === "starttls",
      ignoreTLS: c.security === "none",
      auth: c.user ? { user: c.user, pass: c.password ?? "" } : undefined,
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 30_000,
    });
  }

  async send(m: MailMessage): Promise<void> {
    this.transport ??= this.connect();
    await (await this.transport).sendMail({ from: this.c.from, to: m.to, subject: m.subject, text: m.text });
  }
}

export function createMailer(smtp: SmtpConfig | null): Mailer {
  return smtp ? new SmtpMailer(smtp) : new LogMailer();
}

/** Sends without making the caller wait or fail; problems go to the server log. */
export function sendLater(mailer: Mailer, m: MailMessage): Promise<void> {
  return mailer.send(m).catch((e) => {
    console.error(`lightflow: could not send mail "${m.subject}" to ${m.to}: ${(e as Error).message}`);
  });
}
