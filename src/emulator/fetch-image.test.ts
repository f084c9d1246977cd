import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchImage, ImageFetchError, type FetchProgress } from "./fetch-image.ts";

const BODY = new Uint8Array(300_000).map((_, i) => i & 0xff);
let server: Server;
let base = "";

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === "/image.bin") {
      res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": BODY.length });
      // Several chunks, so progress is reported more than once.
      for (let i = 0; i < BODY.length; i += 65536) res.write(BODY.subarray(i, i + 65536));
      res.end();
    } else if (req.url === "/fallback.bin") {
      res.writeHead(200, { "Content-Type": "text/html" });
      res.end("<!doctype html>");
    } else {
      res.writeHead(404, "Not Found");
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("fetchImage", () => {
  it("returns the bytes and reports growing progress against Content-Length", async () => {
    const progress: FetchProgress[] = [];
    const buffer = await fetchImage(`${base}/image.bin`, (p) => progress.push(p));
    expect(new Uint8Array(buffer)).toEqual(BODY);
    expect(progress.length).toBeGreaterThan(2);
    expect(progress[0]).toMatchObject({ loaded: 0, total: BODY.length });
    const loaded = progress.map((p) => p.loaded);
    expect(loaded).toEqual([...loaded].sort((a, b) => a - b));
    expect(progress.at(-1)).toMatchObject({ loaded: BODY.length, total: BODY.length });
  });

  it("names the URL and HTTP status of a missing file", async () => {
    const error = await fetchImage(`${base}/missing.bin`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageFetchError);
    expect(error).toMatchObject({ url: `${base}/missing.bin`, status: 404 });
    expect(String(error)).toMatch(/missing\.bin: HTTP 404 Not Found/);
  });

  it("treats an HTML answer (a dev server's fallback) as a missing file", async () => {
    await expect(fetchImage(`${base}/fallback.bin`)).rejects.toThrow(/file not found/);
  });

  it("reports a network error", async () => {
    await expect(fetchImage("http://127.0.0.1:1/none.bin")).rejects.toThrow(/network error/);
  });
});
