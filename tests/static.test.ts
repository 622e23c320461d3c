// The UI's files on the wire: the brotli or gzip copy made at build time when
// Accept-Encoding allows it, the file itself otherwise, for assets, index.html
// and client-side routes, from client/dist and from LIGHTFLOW_STATIC_DIR.
// Requests go through node:http, which sends only the headers given and
// never decodes, so the test sees the bytes the server sent.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import http from "node:http";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { compressedIsStale, precompress } from "../server/build/precompress.ts";
import { buildUi } from "../server/build/ui.ts";
import { acceptedCodings } from "../server/http/static.ts";
import { tempDir } from "./helpers/engine.ts";
import { startServer, type ServerProcess } from "./helpers/server.ts";

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function raw(url: string, headers: Record<string, string> = {}, method = "GET"): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

function decoded(r: Raw): Buffer {
  const coding = r.headers["content-encoding"];
  if (coding === "br") return brotliDecompressSync(r.body);
  if (coding === "gzip") return gunzipSync(r.body);
  if (coding === undefined) return r.body;
  throw new Error(`unexpected content-encoding ${coding}`);
}

/** What index.html makes the browser fetch before the app runs: scripts, modulepreloads, stylesheets, the icon. */
function loadedBy(html: string): string[] {
  const tags = html.match(/<(?:script|link)\b[^>]*>/g) ?? [];
  return tags.flatMap((tag) => {
    const url = /\b(?:src|href)="([^"]+)"/.exec(tag)?.[1];
    if (!url) return [];
    if (tag.startsWith("<script")) return [url];
    const rel = /\brel="([^"]+)"/.exec(tag)?.[1] ?? "";
    return /\b(?:stylesheet|modulepreload|icon)\b/.test(rel) ? [url] : [];
  });
}

let server: ServerProcess;
let html: string;
let script: string;

beforeAll(async () => {
  await buildUi(); // Vite when client/dist is stale, then the .br/.gz copies when they are missing
  server = await startServer();
  html = (await raw(`${server.url}/`)).body.toString();
  script = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
}, 60_000);

afterAll(async () => {
  if (server) {
    await server.stop();
    server.cleanup();
  }
});

describe("Accept-Encoding", () => {
  test("br and gzip are sent when named, best first, and q=0 refuses one", () => {
    expect(acceptedCodings("gzip, deflate, br, zstd")).toEqual(["br", "gzip"]);
    expect(acceptedCodings("br")).toEqual(["br"]);
    expect(acceptedCodings("gzip")).toEqual(["gzip"]);
    expect(acceptedCodings("br;q=0, gzip")).toEqual(["gzip"]);
    expect(acceptedCodings("BR ; Q=0 , GZip")).toEqual(["gzip"]);
    expect(acceptedCodings("gzip;q=1.0, br;q=0.5")).toEqual(["gzip", "br"]);
    expect(acceptedCodings("x-gzip")).toEqual(["gzip"]);
  });

  test("no header, an empty one, identity alone or a malformed weight get the file itself", () => {
    expect(acceptedCodings(null)).toEqual([]);
    expect(acceptedCodings("")).toEqual([]);
    expect(acceptedCodings("identity")).toEqual([]);
    expect(acceptedCodings("deflate, zstd")).toEqual([]);
    expect(acceptedCodings("br;q=2")).toEqual([]);
    expect(acceptedCodings("br;q=0.5x, gzip;q=")).toEqual([]);
    expect(acceptedCodings("gzip;q=0.000")).toEqual([]);
  });

  test("* stands for the codings not named, and an explicit identity outranks lower ones", () => {
    expect(acceptedCodings("*")).toEqual(["br", "gzip"]);
    expect(acceptedCodings("*;q=0.5, br;q=0")).toEqual(["gzip"]);
    expect(acceptedCodings("gzip, *;q=0")).toEqual(["gzip"]);
    expect(acceptedCodings("identity, br;q=0.5")).toEqual([]);
    expect(acceptedCodings("identity;q=0.5, br")).toEqual(["br"]);
  });
});

describe("the UI's files on the wire", () => {
  const cases: [string, string | undefined][] = [
    ["br", "br"],
    ["gzip", "gzip"],
    ["br;q=0, gzip", "gzip"],
    ["gzip;q=0.5, br;q=0.8", "br"],
    ["identity", undefined],
  ];

  for (const [path, what] of [["/", "index.html"], ["script", "a JS asset"], ["/tasks/nightly/runs/7", "a client-side route (index.html)"]] as const) {
    test(`${what} comes as the coding Accept-Encoding picks, the same bytes once decoded`, async () => {
      const url = server.url + (path === "script" ? script : path);
      const plain = await raw(url);
      expect(plain.status).toBe(200);
      expect(plain.headers["content-encoding"]).toBeUndefined();
      expect(plain.headers.vary).toBe("accept-encoding");
      expect(Number(plain.headers["content-length"])).toBe(plain.body.length);
      for (const [accept, coding] of cases) {
        const r = await raw(url, { "accept-encoding": accept });
        expect(r.status).toBe(200);
        expect({ accept, coding: r.headers["content-encoding"] }).toEqual({ accept, coding });
        expect(r.headers.vary).toBe("accept-encoding");
        expect(r.headers["content-type"]).toBe(plain.headers["content-type"]);
        expect(r.headers["cache-control"]).toBe(plain.headers["cache-control"]);
        expect(Number(r.headers["content-length"])).toBe(r.body.length);
        // the headers every response carries (server/http/headers.ts)
        expect(r.headers["content-security-policy"]).toContain("default-src 'self'");
        expect(r.headers["x-content-type-options"]).toBe("nosniff");
        expect(decoded(r).equals(plain.body)).toBe(true);
        if (coding) expect(r.body.length).toBeLessThan(plain.body.length);
      }
    });
  }

  test("content types and caching are those of the file: JavaScript for a script, HTML for a route", async () => {
    const js = await raw(server.url + script, { "accept-encoding": "br" });
    expect(js.headers["content-type"]).toContain("javascript");
    expect(js.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    const route = await raw(`${server.url}/tasks/nightly`, { "accept-encoding": "gzip" });
    expect(route.headers["content-type"]).toContain("text/html");
    expect(route.headers["cache-control"]).toBe("no-cache");
  });

  test("HEAD answers with the headers of the GET it stands for, and no body", async () => {
    const url = server.url + script;
    for (const accept of ["br", "gzip", ""]) {
      const get = await raw(url, { "accept-encoding": accept });
      const head = await raw(url, { "accept-encoding": accept }, "HEAD");
      expect(head.status).toBe(200);
      expect(head.body.length).toBe(0);
      expect(head.headers["content-encoding"]).toBe(get.headers["content-encoding"]);
      expect(head.headers["content-length"]).toBe(String(get.body.length));
      expect(head.headers["content-type"]).toBe(get.headers["content-type"]);
    }
  });

  test("a Range request gets bytes of the file itself, whatever Accept-Encoding says", async () => {
    const url = server.url + script;
    const plain = await raw(url);
    const r = await raw(url, { "accept-encoding": "br, gzip", range: "bytes=10-109" });
    expect(r.status).toBe(206);
    expect(r.headers["content-encoding"]).toBeUndefined();
    expect(r.headers["content-range"]).toBe(`bytes 10-109/${plain.body.length}`);
    expect(r.body.equals(plain.body.subarray(10, 110))).toBe(true);
  });

  test("the first page (index.html and what it loads) is under 40 KB on the wire with br, and with gzip", async () => {
    const urls = ["/", ...loadedBy(html)];
    expect(urls).toContain(script);
    expect(urls.some((u) => u.endsWith(".css"))).toBe(true);
    const total: Record<string, number> = {};
    for (const accept of ["br", "gzip", ""]) {
      let sum = 0;
      for (const u of urls) {
        const r = await raw(server.url + u, accept ? { "accept-encoding": accept } : {});
        expect(r.status).toBe(200);
        sum += r.body.length;
      }
      total[accept || "identity"] = sum;
    }
    console.log(`first page, ${urls.length} files: ${JSON.stringify(total)} bytes`);
    expect(total.br!).toBeLessThan(40 * 1024);
    expect(total.gzip!).toBeLessThan(40 * 1024);
    expect(total.br!).toBeLessThan(total.gzip!);
    expect(total.gzip!).toBeLessThan(total.identity! / 2);
  });
});

describe("LIGHTFLOW_STATIC_DIR", () => {
  let dir: string;
  let other: ServerProcess;
  const page = `<!doctype html><title>custom</title>${"<p>a custom page that is long enough to compress</p>\n".repeat(20)}`;
  const app = `export const lines = [${Array.from({ length: 100 }, (_, i) => `"line ${i}"`).join(", ")}];\n`;

  beforeAll(async () => {
    dir = tempDir("lightflow-static-");
    mkdirSync(join(dir, "assets"));
    writeFileSync(join(dir, "index.html"), page);
    writeFileSync(join(dir, "assets", "app.js"), app);
    writeFileSync(join(dir, "assets", "tiny.js"), "export {};\n");
    expect(compressedIsStale(dir)).toBe(true);
    expect(await precompress(dir)).toBe(2); // tiny.js is not worth it
    expect(compressedIsStale(dir)).toBe(false);
    other = await startServer({ env: { LIGHTFLOW_STATIC_DIR: dir } });
  });

  afterAll(async () => {
    await other?.stop();
    other?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  test("uses the .br and .gz beside a file, also for index.html behind a client-side route", async () => {
    const js = await raw(`${other.url}/assets/app.js`, { "accept-encoding": "br" });
    expect(js.headers["content-encoding"]).toBe("br");
    expect(decoded(js).toString()).toBe(app);
    const route = await raw(`${other.url}/somewhere`, { "accept-encoding": "gzip" });
    expect(route.headers["content-encoding"]).toBe("gzip");
    expect(route.headers["content-type"]).toContain("text/html");
    expect(decoded(route).toString()).toBe(page);
    const tiny = await raw(`${other.url}/assets/tiny.js`, { "accept-encoding": "br" });
    expect(tiny.headers["content-encoding"]).toBeUndefined();
    expect(tiny.body.toString()).toBe("export {};\n");
  });

  test("a copy older than its file, or not smaller than it, is not used", async () => {
    const future = new Date(Date.now() + 60_000);
    utimesSync(join(dir, "assets", "app.js"), future, future); // the file was replaced after its copies were made
    expect(compressedIsStale(dir)).toBe(true);
    const js = await raw(`${other.url}/assets/app.js`, { "accept-encoding": "br, gzip" });
    expect(js.headers["content-encoding"]).toBeUndefined();
    expect(js.body.toString()).toBe(app);

    writeFileSync(join(dir, "index.html.br"), Buffer.alloc(page.length + 1)); // newer, but bigger
    const index = await raw(`${other.url}/`, { "accept-encoding": "br, gzip" });
    expect(index.headers["content-encoding"]).toBe("gzip");
    expect(decoded(index).toString()).toBe(page);
  });
});
