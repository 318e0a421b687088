// Refusals worth remembering between sweeps, e.g. a provider namespace a subscription
// has not registered (409 MissingSubscriptionRegistration): nothing of its types can
// exist there, so listing it again every 15 minutes only costs reads and audit rows.
// In memory: a fresh instance asks ARM once more, which is cheap and self-correcting.

export interface RefusalMemory {
  /** The refusal remembered for `key` (reason and until when), if it has not expired. */
  get(key: string, now: number): { reason: string; until: number } | undefined;
  remember(key: string, reason: string, until: number): void;
}

export class MemoryRefusals implements RefusalMemory {
  private readonly byKey = new Map<string, { reason: string; until: number }>();

  get(key: string, now: number) {
    const k = key.toLowerCase();
    const r = this.byKey.get(k);
    if (r && r.until <= now) this.byKey.delete(k);
    return r && r.until > now ? r : undefined;
  }

  remember(key: string, reason: string, until: number): void {
    this.byKey.set(key.toLowerCase(), { reason, until });
  }
}
