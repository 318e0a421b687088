// A Storage-queue message as the queue trigger hands it over: Event Grid writes one
// event per message, JSON, base64-encoded. The host decodes base64 (host.json
// messageEncoding) and the worker may pass the JSON parsed or as text; a message put
// there by hand may still be base64. Anything else goes to the parser as is, which
// reports it as malformed.
const MAX_MESSAGE_CHARS = 96 * 1024; // a queue message holds at most 64 KB

export function eventFromQueueMessage(message: unknown): unknown {
  if (Buffer.isBuffer(message) || message instanceof Uint8Array) message = Buffer.from(message).toString("utf8");
  if (typeof message !== "string") return message;
  const text = message.trim();
  if (text.length > MAX_MESSAGE_CHARS) return message;
  const json = tryJson(text);
  if (json !== undefined) return json;
  if (/^[A-Za-z0-9+/=\s]+$/.test(text)) {
    const decoded = tryJson(Buffer.from(text, "base64").toString("utf8").trim());
    if (decoded !== undefined) return decoded;
  }
  return message;
}

function tryJson(text: string): unknown {
  if (!text.startsWith("{") && !text.startsWith("[")) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
