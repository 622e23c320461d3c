// The idle baseline: an empty Bun.serve on 127.0.0.1, compiled like the real
// executable. It prints one line when it listens, as Lightflow does.
const port = Number(process.env.PORT ?? 0);
const server = Bun.serve({ hostname: "127.0.0.1", port, fetch: () => Response.json({ ok: true }) });
console.log(`empty server: listening on http://127.0.0.1:${server.port}`);
