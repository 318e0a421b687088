// The emulator in a process of its own (forked by remoteEmulator.ts), so the app's
// memory and CPU figures are the app's alone. Driven over the IPC channel.
import { startEmulator, type Emulator } from "../../sandbox/emulator/index.js";
import type { EmulatorRequest } from "./remoteEmulator.js";
import { processUsage } from "./usage.js";
import { ArmClients } from "../../shared/gateways/arm/clients.js";
import { staticTokenCredential } from "../../shared/gateways/arm/settings.js";
import type { Estate } from "../../sandbox/estate.js";
import { consumer, createEndpoint, vaultId } from "./world.js";

/**
 * Creates the endpoints through the SDK against a throw-away emulator (no throttle, instant
 * operations) and returns the estate they make: the benchmark's emulator starts from it.
 * Endpoint i goes to vault kv-i from consumer subscription i mod `consumers`.
 */
async function seedEndpoints(base: Estate, seed: { endpoints: number; consumers: number; auto?: boolean }): Promise<{ estate: Estate; endpoints: string[] }> {
  const tmp = await startEmulator({ estate: base, throttle: false, lroDelayMs: 0 });
  const arm = new ArmClients({ endpoint: tmp.url, ca: tmp.ca, credential: staticTokenCredential(), scope: `${tmp.url}/.default`, pollIntervalMs: 1 });
  const endpoints: string[] = new Array(seed.endpoints);
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      for (let i = next++; i < seed.endpoints; i = next++)
        endpoints[i] = await createEndpoint(arm, consumer(i % seed.consumers), `pe-${i}`, vaultId(`kv-${i}`), seed.auto);
    }),
  );
  const estate = tmp.snapshot();
  await tmp.close();
  return { estate, endpoints };
}

/** Connections by status and A record sets, counted here so the app process never holds the estate. */
function countEstate(e: Estate): { connections: Record<string, number>; records: number; recordsWithIp: number } {
  const connections: Record<string, number> = {};
  let records = 0;
  let recordsWithIp = 0;
  for (const r of e.resources) {
    if (/\/privateEndpointConnections\//i.test(r.id) && /^Microsoft\.KeyVault/i.test(r.type ?? "")) {
      const s = r.properties?.privateLinkServiceConnectionState?.status ?? "none";
      connections[s] = (connections[s] ?? 0) + 1;
    } else if (/\/privateDnsZones\/[^/]+\/A\//i.test(r.id)) {
      records++;
      if ((r.properties?.aRecords ?? []).length) recordsWithIp++;
    }
  }
  return { connections, records, recordsWithIp };
}

let emu: Emulator | undefined;

function reply(id: number, value?: unknown, error?: string): void {
  process.send!({ id, value, error });
}

process.on("message", (m: EmulatorRequest) => void handle(m));

async function handle(m: EmulatorRequest): Promise<void> {
  try {
    switch (m.op) {
      case "start": {
        const seeded = m.seed ? await seedEndpoints(m.options.estate!, m.seed) : undefined;
        emu = await startEmulator({ ...m.options, ...(seeded ? { estate: seeded.estate } : {}) });
        return reply(m.id, { url: emu.url, ca: emu.ca, endpoints: seeded?.endpoints ?? [] });
      }
      case "count":
        return reply(m.id, countEstate(emu!.snapshot()));
      case "calls":
        return reply(m.id, m.clear ? emu!.calls.splice(0) : [...emu!.calls]);
      case "clearCalls":
        emu!.clearCalls();
        return reply(m.id);
      case "load":
        emu!.load(m.estate);
        return reply(m.id);
      case "reset":
        emu!.reset(m.estate);
        return reply(m.id);
      case "getResource":
        return reply(m.id, emu!.getResource(m.resourceId));
      case "snapshot":
        return reply(m.id, emu!.snapshot());
      case "injectFault":
        emu!.injectFault(m.fault);
        return reply(m.id);
      case "usage":
        return reply(m.id, processUsage());
      case "close":
        await emu?.close();
        reply(m.id);
        return process.exit(0);
    }
  } catch (e) {
    reply(m.id, undefined, e instanceof Error ? (e.stack ?? e.message) : String(e));
  }
}
process.on("disconnect", () => process.exit(0));
