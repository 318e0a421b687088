// The allow-list from a blob in the app's own storage account (AUTOPILOT_ALLOW_LIST_URL),
// so admins change it without a redeploy (`privatelink-autopilot publish-allow-list`).
// A blob upload is atomic, so one read is stable; reads are conditional on the ETag of
// the version in force (304: nothing to download).
import type { BlobClient } from "@azure/storage-blob";
import type { AllowListSource, SourceRead } from "./allowListCache.js";

/** An allow-list is a few KB; refuse anything absurd before downloading it. */
export const MAX_ALLOW_LIST_BYTES = 1024 * 1024;
const READ_TIMEOUT_MS = 15_000;

export class BlobAllowListSource implements AllowListSource {
  readonly atomic = true;
  readonly location: string;

  constructor(private readonly blob: BlobClient) {
    this.location = blob.url;
  }

  async read(etag?: string): Promise<SourceRead> {
    try {
      const r = await this.blob.download(0, undefined, {
        conditions: etag ? { ifNoneMatch: etag } : undefined,
        abortSignal: AbortSignal.timeout(READ_TIMEOUT_MS),
      });
      if ((r.contentLength ?? 0) > MAX_ALLOW_LIST_BYTES) {
        r.readableStreamBody?.destroy();
        return { kind: "failed", message: `blob is ${r.contentLength} bytes; an allow-list may be at most ${MAX_ALLOW_LIST_BYTES}` };
      }
      return { kind: "content", text: await text(r.readableStreamBody), etag: r.etag };
    } catch (e) {
      const status = (e as { statusCode?: number }).statusCode;
      if (status === 304) return { kind: "unchanged" };
      if (status === 404) return { kind: "failed", message: "blob not found (publish one with `privatelink-autopilot publish-allow-list`)" };
      if (status === 403) return { kind: "failed", message: "access denied (the app's identity needs Storage Blob Data Reader on the account)" };
      return { kind: "failed", message: (e as Error).message };
    }
  }
}

async function text(body: NodeJS.ReadableStream | undefined): Promise<string> {
  if (!body) return "";
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of body) {
    const b = typeof c === "string" ? Buffer.from(c) : c;
    size += b.length;
    if (size > MAX_ALLOW_LIST_BYTES) throw new Error(`blob is larger than ${MAX_ALLOW_LIST_BYTES} bytes; an allow-list may not be`);
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString("utf8");
}
