// A local stand-in for the Functions host's queue trigger (nothing here can run the
// host): polls the events queue in Azurite and hands each message to the trigger's
// handler, with host.json's rules: a message whose handler throws becomes visible
// again after visibilityTimeout; after maxDequeueCount tries it moves to
// `<queue>-poison`. The host decodes base64 (messageEncoding) before the handler sees it.
import { readFileSync } from "node:fs";
import type { QueueClient } from "@azure/storage-queue";

export interface QueueTriggerRules {
  maxDequeueCount: number;
  visibilityTimeoutSeconds: number;
  batchSize: number;
}

/** The rules host.json gives the queue trigger (extensions.queues). */
export function hostQueueRules(hostJson = new URL("../host.json", import.meta.url)): QueueTriggerRules {
  const q = JSON.parse(readFileSync(hostJson, "utf8")).extensions?.queues ?? {};
  const [h, m, s] = String(q.visibilityTimeout ?? "00:00:00")
    .split(":")
    .map(Number);
  return { maxDequeueCount: q.maxDequeueCount ?? 5, visibilityTimeoutSeconds: h! * 3600 + m! * 60 + s!, batchSize: q.batchSize ?? 16 };
}

export interface QueueListenerOptions {
  queue: QueueClient;
  poison: QueueClient;
  /** The function's handler: gets the decoded message text; a throw means "retry later". */
  handle(message: string, dequeueCount: number): Promise<void>;
  rules?: Partial<QueueTriggerRules>;
  pollMs?: number;
  note?: (line: string) => void;
}

export interface QueueListener {
  /** Receives and handles one batch; resolves to how many messages it saw. */
  drain(): Promise<number>;
  close(): Promise<void>;
}

export async function startQueueListener(opts: QueueListenerOptions): Promise<QueueListener> {
  const rules = { ...hostQueueRules(), ...opts.rules };
  const note = opts.note ?? (() => {});
  await opts.queue.createIfNotExists();
  await opts.poison.createIfNotExists();
  let running: Promise<number> | undefined;
  const once = async (): Promise<number> => {
    const batch = await opts.queue.receiveMessages({ numberOfMessages: rules.batchSize, visibilityTimeout: Math.max(1, rules.visibilityTimeoutSeconds) });
    for (const m of batch.receivedMessageItems) {
      try {
        await opts.handle(Buffer.from(m.messageText, "base64").toString("utf8"), m.dequeueCount);
        await opts.queue.deleteMessage(m.messageId, m.popReceipt);
      } catch (e) {
        if (m.dequeueCount >= rules.maxDequeueCount) {
          await opts.poison.sendMessage(m.messageText);
          await opts.queue.deleteMessage(m.messageId, m.popReceipt);
          note(`queue: message ${m.messageId} failed ${m.dequeueCount} time(s), moved to ${opts.poison.name}: ${(e as Error).message}`);
        } else {
          // Left invisible until the visibility timeout ends: that is the "retry later".
          await opts.queue.updateMessage(m.messageId, m.popReceipt, undefined, rules.visibilityTimeoutSeconds);
          note(
            `queue: message ${m.messageId} failed (try ${m.dequeueCount} of ${rules.maxDequeueCount}), retried in ${rules.visibilityTimeoutSeconds} s: ${(e as Error).message}`,
          );
        }
      }
    }
    return batch.receivedMessageItems.length;
  };
  const drain = () => (running ??= once().finally(() => (running = undefined)));
  let stopped = false;
  const timer = opts.pollMs
    ? setInterval(() => {
        if (!stopped) drain().catch((e) => note(`queue: polling failed: ${(e as Error).message}`));
      }, opts.pollMs)
    : undefined;
  timer?.unref();
  return {
    drain,
    close: async () => {
      stopped = true;
      if (timer) clearInterval(timer);
      await running?.catch(() => {});
    },
  };
}
