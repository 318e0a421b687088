// Continuations on the app's own queue (`autopilot-continuations`): the message stays
// invisible for the delay, then that queue's trigger hands it to the same handler as the
// events (handleRawEvent recognises it). Base64 JSON, as Event Grid writes its events.
import type { QueueClient } from "@azure/storage-queue";
import type { Continuation, ContinuationSink } from "../autopilot/continuations.js";

/** A queue message stays invisible at most 7 days. */
const MAX_DELAY_SECONDS = 7 * 24 * 3600;

export class QueueContinuations implements ContinuationSink {
  constructor(private readonly queue: QueueClient) {}

  async later(c: Continuation, delayMs: number): Promise<void> {
    const visibilityTimeout = Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(delayMs / 1000)));
    await this.queue.sendMessage(Buffer.from(JSON.stringify(c), "utf8").toString("base64"), { visibilityTimeout });
  }
}
