// A real SMTP server for the tests (smtp-server), plain or with STARTTLS and
// authentication; every received mail is parsed enough to read links from it.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SMTPServer } from "smtp-server";
import { tempDir } from "./engine.ts";

export interface Mail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  user: string | null;
  secure: boolean;
}

export interface Smtp {
  port: number;
  mails: Mail[];
  /** resolves with the first mail (received so far or later) that matches */
  next(pred: (m: Mail) => boolean): Promise<Mail>;
  /** PEM of the self-signed certificate, for STARTTLS */
  certFile: string | null;
  close(): Promise<void>;
}

function decodeQuotedPrintable(s: string): string {
  const bytes = s.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
  return Buffer.from(bytes, "latin1").toString("utf8");
}

function parse(raw: string): { subject: string; text: string } {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = head!.replace(/\r?\n[ \t]+/g, " ");
  const subject = /^Subject: (.*)$/im.exec(headers)?.[1] ?? "";
  let body = rest.join("\n\n");
  if (/Content-Transfer-Encoding: quoted-printable/i.test(headers)) body = decodeQuotedPrintable(body);
  if (/Content-Transfer-Encoding: base64/i.test(headers)) body = Buffer.from(body, "base64").toString("utf8");
  return { subject, text: body.replace(/\r\n/g, "\n") };
}

/** The server's settings for sending to this test SMTP server (plain, no login). */
export const smtpEnv = (smtp: { port: number }): Record<string, string> => ({
  SMTP_HOST: "127.0.0.1",
  SMTP_PORT: String(smtp.port),
  SMTP_SECURITY: "none",
  SMTP_FROM: "lightflow@example.com",
});

export async function startSmtp(o: { starttls?: boolean; auth?: { user: string; pass: string } } = {}): Promise<Smtp> {
  let key: Buffer | undefined;
  let cert: Buffer | undefined;
  let certFile: string | null = null;
  if (o.starttls) {
    const dir = tempDir("lightflow-smtp-");
    execFileSync("openssl", [
      "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
      "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
      "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"),
    ], { stdio: "ignore" });
    key = readFileSync(join(dir, "key.pem"));
    cert = readFileSync(join(dir, "cert.pem"));
    certFile = join(dir, "cert.pem");
  }
  const mails: Mail[] = [];
  const waiters: { pred: (m: Mail) => boolean; resolve: (m: Mail) => void }[] = [];
  const server = new SMTPServer({
    secure: false,
    key,
    cert,
    disabledCommands: o.starttls ? [] : ["STARTTLS"],
    authOptional: !o.auth,
    allowInsecureAuth: !o.starttls,
    logger: false,
    onAuth(auth, _session, cb) {
      if (o.auth && auth.username === o.auth.user && auth.password === o.auth.pass) return cb(null, { user: auth.username });
      cb(new Error("invalid credentials"));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const { subject, text } = parse(Buffer.concat(chunks).toString("latin1"));
        const mail: Mail = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          subject,
          text,
          user: (session.user as string | undefined) ?? null,
          secure: session.secure,
        };
        mails.push(mail);
        for (const w of [...waiters]) if (w.pred(mail)) waiters.splice(waiters.indexOf(w), 1), w.resolve(mail);
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    mails,
    certFile,
    next: (pred) =>
      new Promise((resolve) => {
        const m = mails.find(pred);
        if (m) return resolve(m);
        waiters.push({ pred, resolve });
      }),
    close: () => new Promise((r) => server.close(() => r())),
  };
}

export const linkIn = (m: Mail) => /(https?:\/\/\S+\/set-password#token=[\w-]+)/.exec(m.text)?.[1] ?? null;
