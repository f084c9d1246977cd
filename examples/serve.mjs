#!/usr/bin/env node
/**
 * Serves examples/ as a cross-origin isolated site (COOP same-origin + COEP require-corp), the way a
 * third-party page embedding webvirgl must be served. `node examples/serve.mjs [port]` (default 5300),
 * then open http://localhost:PORT/embed-host.html?embed=http://127.0.0.1:5173/embed.html
 */
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL(".", import.meta.url));
const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css" };

export function startExampleServer(port = 0, host = "localhost") {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    const file = join(root, path === "/" ? "embed-host.html" : path);
    const headers = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp", "Cache-Control": "no-store" };
    try {
      const body = await readFile(file);
      res.writeHead(200, { ...headers, "Content-Type": types[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404, { ...headers, "Content-Type": "text/plain" });
      res.end(`not found: ${path}`);
    }
  });
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const server = await startExampleServer(Number(process.argv[2] ?? 5300));
  const { port } = server.address();
  console.log(`examples on http://localhost:${port}/embed-host.html (COOP/COEP set)`);
}
