// What a log WebSocket sent, put back together.
import { expect } from "bun:test";

/** Joins the chunks of a log socket from offset `from`, checking each starts where the last ended. */
export function assemble(messages: any[], from = 0): string {
  let offset = from;
  let text = "";
  for (const m of messages.filter((m) => m.type === "chunk")) {
    expect(m.offset).toBe(offset);
    offset += Buffer.byteLength(m.data);
    text += m.data;
  }
  return text;
}
