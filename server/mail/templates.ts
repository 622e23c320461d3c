// The words of every mail Lightflow sends.
import type { MailMessage } from "./mailer.ts";

export function setPasswordMail(to: string, purpose: "setup" | "invite" | "reset", url: string, hours: number, role?: string): MailMessage {
  const valid = hours >= 2 ? `${hours} hours` : `${hours * 60} minutes`;
  const texts = {
    setup: ["Set up your Lightflow admin account", `Lightflow is ready. Choose the password of the admin account ${to} here:`],
    invite: ["You are invited to Lightflow", `You have been invited to Lightflow as ${role === "admin" ? "an admin" : "a viewer"}. Choose your password here:`],
    reset: ["Reset your Lightflow password", `Someone (hopefully you) asked to reset the Lightflow password of ${to}. Choose a new password here:`],
  } as const;
  const [subject, intro] = texts[purpose];
  return {
    to,
    subject,
    text: `${intro}\n\n${url}\n\nThe link works once and expires in ${valid}.${purpose === "reset" ? "\nIf you did not ask for it, ignore this mail: your password stays as it is." : ""}\n`,
  };
}
