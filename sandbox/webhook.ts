// A local stand-in for an Event Grid webhook subscription's endpoint: the
// subscription-validation handshake (Event Grid schema), the CloudEvents OPTIONS
// abuse-protection handshake, an `aeg-sas-key` check, then each event to the
// same handler the Function uses.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { timingSafeEqual } from "node:crypto";
import { subscriptionValidation } from "../shared/events/index.js";

export interface WebhookOptions {
  port?: number;
  /** Shared key publishers must send as `aeg-sas-key` (EventGridPublisherClient + AzureKeyCredential). */
  key: string;
  onEvent(event: unknown): Promise<void>;
  /** Where to write what happens (one line each). */
  note?: (line: string) => void;
}

export interface Webhook {
  url: string;
  server: Server;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024; // Event Grid batches are at most 1 MB

export async function startWebhook(opts: WebhookOptions): Promise<Webhook> {
  const note = opts.note ?? (() => {});
  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      note(`webhook: ${(e as Error).message}`);
      if (!res.headersSent) send(res, 500, { error: (e as Error).message });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    if (req.url?.split("?")[0] !== "/api/events") return send(res, 404, { error: "POST events to /api/events" });
    if (req.method === "OPTIONS") {
      // CloudEvents 1.0 webhook validation: allow the requesting origin.
      const origin = req.headers["webhook-request-origin"];
      res.setHeader("WebHook-Allowed-Origin", typeof origin === "string" ? origin : "*");
      res.setHeader("WebHook-Allowed-Rate", "*");
      return send(res, 200);
    }
    if (req.method !== "POST") return send(res, 405, { error: "POST only" });
    if (!keyMatches(req.headers["aeg-sas-key"], opts.key)) return send(res, 401, { error: "missing or wrong aeg-sas-key" });
    const text = await readBody(req);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (e) {
      return send(res, 400, { error: `body is not JSON: ${(e as Error).message}` });
    }
    const events = Array.isArray(body) ? body : [body];
    const validation = events.length === 1 ? subscriptionValidation(events[0]) : undefined;
    if (validation) {
      note(`webhook: answered the subscription validation handshake`);
      return send(res, 200, { validationResponse: validation.validationCode });
    }
    // Like the Functions host, hand events over one at a time; a failure asks the publisher to retry.
    let failed = 0;
    for (const ev of events) {
      try {
        await opts.onEvent(ev);
      } catch (e) {
        failed++;
        note(`webhook: event left for redelivery: ${(e as Error).message}`);
      }
    }
    return send(res, failed ? 500 : 200, failed ? { error: `${failed} event(s) failed` } : undefined);
  }

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}/api/events`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function keyMatches(given: string | string[] | undefined, key: string): boolean {
  if (typeof given !== "string") return false;
  const a = Buffer.from(given);
  const b = Buffer.from(key);
  return a.length === b.length && timingSafeEqual(a, b);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error("body larger than 1 MB"));
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body?: unknown) {
  res.statusCode = status;
  if (body !== undefined) {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(body));
  } else res.end();
}
