// Re-driving the events queue's poison queue: the messages the host gave up on
// (maxDequeueCount failed tries) go back to the events queue unchanged (still the
// base64 Event Grid message), once the cause is fixed. Each is sent before it is
// deleted: a crash in between leaves a duplicate, which the event ledger recognises,
// never a lost event.
import type { QueueClient } from "@azure/storage-queue";

export interface RedriveResult {
  moved: number;
  /** Message ids moved (the poison queue's ids; the events queue gives new ones). */
  ids: string[];
}

export async function redrivePoison(poison: QueueClient, target: QueueClient, opts: { max?: number; dryRun?: boolean } = {}): Promise<RedriveResult> {
  const max = opts.max ?? Infinity;
  const ids: string[] = [];
  if (!(await poison.exists())) return { moved: 0, ids };
  if (opts.dryRun) {
    // Peek does not hide messages; it sees at most 32.
    const peeked = await poison.peekMessages({ numberOfMessages: Math.min(32, Number.isFinite(max) ? max : 32) });
    return { moved: 0, ids: peeked.peekedMessageItems.map((m) => m.messageId) };
  }
  await target.createIfNotExists();
  while (ids.length < max) {
    const batch = await poison.receiveMessages({ numberOfMessages: Math.min(32, max - ids.length), visibilityTimeout: 300 });
    if (batch.receivedMessageItems.length === 0) break;
    for (const m of batch.receivedMessageItems) {
      await target.sendMessage(m.messageText);
      await poison.deleteMessage(m.messageId, m.popReceipt);
      ids.push(m.messageId);
    }
  }
  return { moved: ids.length, ids };
}
