// Request bodies, checked before any route sees them: at most MAX_BODY bytes
// (counted as they arrive, not only by Content-Length), and JSON never nested
// deeper than MAX_DEPTH. A hostile body is refused in the time it takes to read
// it; it never reaches JSON.parse or the validator, whose recursion a
// 100,000-deep array would overflow (and stall every other request meanwhile).
import { Elysia } from "elysia";
import { HttpError } from "./errors.ts";

/** JSON bodies and scripts are at most 1 MiB (plus room for the JSON around a script). */
export const MAX_BODY = 1024 * 1024 + 16 * 1024;
/** Deeper than any payload of the API (an import file is about 6 levels). */
export const MAX_DEPTH = 64;

export const tooLarge = () => new HttpError(413, "the request body is too big (at most 1 MiB)");

/** The body's bytes, refused with 413 past `max`: by its Content-Length first, then by what really arrives. */
export async function readBody(request: Request, max = MAX_BODY, refuse: () => Error = tooLarge): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > max) throw refuse();
  if (!request.body) return new Uint8Array(0);
  const parts: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      void reader.cancel().catch(() => {});
      throw refuse();
    }
    parts.push(value);
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/**
 * The deepest nesting of arrays and objects in a JSON text's UTF-8 bytes
 * (strings skipped), stopping early past `limit`. The bytes that matter are
 * ASCII, and no byte of a multi-byte character is, so there is no need to decode.
 */
export function jsonDepth(bytes: Uint8Array, limit = MAX_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > deepest && (deepest = depth) > limit) return deepest;
    } else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
  }
  return deepest;
}

/** Routes that take their body as raw bytes, whatever its content type (a script's new content). */
export type RawBody = (method: string, pathname: string) => boolean;

/**
 * Every body is checked before routing, on a copy: read within the limit, and, when
 * it is JSON for a route that takes JSON, checked for depth before anything parses
 * it. The route then parses the original as usual. A body sent as something else
 * than JSON (a form, as `curl -d` sends) is explained by errors.ts when its route
 * cannot use it.
 */
export function bodyLimits(raw: RawBody) {
  return new Elysia({ name: "body" }).onRequest(async ({ request }) => {
    if (!request.body || request.method === "GET" || request.method === "HEAD") return;
    const declared = Number(request.headers.get("content-length") ?? "0");
    if (declared > MAX_BODY) throw tooLarge();
    const json = isJson(request.headers.get("content-type"));
    if (!json && declared > 0) return; // its size is known and allowed; raw routes count what arrives themselves
    const bytes = await readBody(request.clone());
    if (json && !raw(request.method, new URL(request.url).pathname) && jsonDepth(bytes) > MAX_DEPTH) {
      throw new HttpError(400, `the body is nested too deeply (at most ${MAX_DEPTH} levels of arrays and objects)`);
    }
  });
}

/** Whether a Content-Type header says JSON (`application/json`, `application/*+json`, with or without parameters). */
export function isJson(header: string | null): boolean {
  const type = (header ?? "").split(";")[0]!.trim().toLowerCase();
  return type === "application/json" || /^application\/[\w.+-]*\+json$/.test(type);
}
