// Mail transport: STARTTLS with authentication against a real SMTP server, and
// a mail server that is down never breaks the request that wanted to mail.
import { afterEach, expect, test } from "bun:test";
import { createServer } from "node:net";
import { request } from "./helpers/api.ts";
import { startServer, type ServerProcess } from "./helpers/server.ts";
import { linkIn, startSmtp, type Smtp } from "./helpers/smtp.ts";

let server: ServerProcess | undefined;
let smtp: Smtp | undefined;
afterEach(async () => {
  await server?.stop();
  server?.cleanup();
  await smtp?.close();
  server = smtp = undefined;
});

test("STARTTLS with a user and password", async () => {
  smtp = await startSmtp({ starttls: true, auth: { user: "mailer", pass: "smtp-pass-123" } });
  server = await startServer({
    env: {
      LIGHTFLOW_ADMIN_EMAIL: "tls@example.com",
      SMTP_HOST: "localhost",
      SMTP_PORT: String(smtp.port),
      SMTP_SECURITY: "starttls",
      SMTP_USER: "mailer",
      SMTP_PASSWORD: "smtp-pass-123",
      NODE_EXTRA_CA_CERTS: smtp.certFile!, // trust the test's self-signed certificate
    },
  });
  expect((await request(server.url, "POST", "/api/auth/setup-link")).status).toBe(202);
  const mail = await smtp.next((m) => m.to.includes("tls@example.com"));
  expect(mail.secure).toBe(true);
  expect(mail.user).toBe("mailer");
  expect(linkIn(mail)).toContain("/set-password#token=");
  expect(server.output()).not.toContain("smtp-pass-123");
});

test("a mail server that is down is logged with the reason; the request still succeeds", async () => {
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, "127.0.0.1", () => r()));
  const port = (closed.address() as { port: number }).port;
  await new Promise<void>((r) => closed.close(() => r())); // nothing listens there now
  server = await startServer({ env: { LIGHTFLOW_ADMIN_EMAIL: "down@example.com", SMTP_HOST: "127.0.0.1", SMTP_PORT: String(port), SMTP_SECURITY: "none" } });
  expect((await request(server.url, "POST", "/api/auth/setup-link")).status).toBe(202);
  expect(await server.waitForLine(/could not send mail/)).toContain("down@example.com");
  expect(server.output()).toContain("admin setup link for down@example.com");
});
