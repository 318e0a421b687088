// The story `npm start` tells: an allow-listed team's endpoint is approved within
// seconds; a stranger's stays pending. Every step goes through the real SDK
// clients, the emulator and the local Event Grid webhook.
import type { EventGridPublisherClient } from "@azure/eventgrid";
import type { ArmClients } from "../../shared/gateways/arm/clients.js";
import type { Decision } from "../../shared/model/decision.js";
import type { SweepReport } from "../../shared/autopilot/sweep.js";
import { eventGridEvent } from "../eventFactory.js";

export const DEMO = {
  vaultId: "/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg-shared/providers/Microsoft.KeyVault/vaults/kv-shared",
  web: { subscriptionId: "11111111-1111-1111-1111-111111111111", resourceGroup: "rg-app-web", endpoint: "pe-web-kv", vnet: "vnet-app-web" },
  stranger: { subscriptionId: "99999999-9999-9999-9999-999999999999", resourceGroup: "rg-stranger", endpoint: "pe-stranger-kv", vnet: "vnet-stranger" },
};

interface DemoContext {
  arm: ArmClients;
  publisher: EventGridPublisherClient<"EventGrid">;
  decisions: Decision[];
  say: (line: string) => void;
  /** One reconcile sweep, as the timer function runs it. */
  sweep(): Promise<SweepReport>;
}

type Team = typeof DEMO.web;

async function createEndpoint(ctx: DemoContext, team: Team, message: string): Promise<string> {
  const net = ctx.arm.networkFor(team.subscriptionId);
  const pe = await net.privateEndpoints.beginCreateOrUpdateAndWait(team.resourceGroup, team.endpoint, {
    location: "westeurope",
    subnet: {
      id: `/subscriptions/${team.subscriptionId}/resourceGroups/${team.resourceGroup}/providers/Microsoft.Network/virtualNetworks/${team.vnet}/subnets/snet-pe`,
    },
    manualPrivateLinkServiceConnections: [{ name: "kv-shared", privateLinkServiceId: DEMO.vaultId, groupIds: ["vault"], requestMessage: message }],
  });
  return pe.id!;
}

async function endpointState(ctx: DemoContext, team: Team): Promise<string> {
  const pe = await ctx.arm.networkFor(team.subscriptionId).privateEndpoints.get(team.resourceGroup, team.endpoint);
  return pe.manualPrivateLinkServiceConnections?.[0]?.privateLinkServiceConnectionState?.status ?? "unknown";
}

/** One line a person can read: what was decided, and on what. */
export function describeDecision(d: Decision): string {
  if (d.dns?.zone) {
    const rec = `${d.dns.record}.${d.dns.zone} A ${(d.dns.ips ?? []).join(", ")}${d.dns.ttl ? ` (TTL ${d.dns.ttl})` : ""}`;
    return `${d.action} ${rec}: ${d.reason}`;
  }
  return `${d.action}${d.rule ? ` (rule ${d.rule})` : ""}: ${d.reason}`;
}

async function publishWrite(ctx: DemoContext, endpointId: string, kind: "write" | "delete" = "write"): Promise<Decision[]> {
  const before = ctx.decisions.length;
  const started = Date.now();
  await ctx.publisher.send([
    eventGridEvent({
      resourceId: endpointId,
      operationName: `Microsoft.Network/privateEndpoints/${kind}`,
      eventType: kind === "write" ? "Microsoft.Resources.ResourceWriteSuccess" : "Microsoft.Resources.ResourceDeleteSuccess",
    }),
  ]);
  const mine = ctx.decisions.slice(before);
  ctx.say(`  handled in ${Date.now() - started} ms`);
  return mine;
}

export async function playDemo(ctx: DemoContext): Promise<void> {
  const { say } = ctx;
  say("1. Team 'web' (subscription 1111…, resource group rg-app-web) creates private endpoint pe-web-kv to the shared Key Vault kv-shared.");
  const webId = await createEndpoint(ctx, DEMO.web, "web app needs its secrets");
  say(`   Azure made a Pending connection on kv-shared; the endpoint shows '${await endpointState(ctx, DEMO.web)}'.`);
  say("2. Event Grid delivers Microsoft.Resources.ResourceWriteSuccess for the endpoint to the webhook.");
  for (const d of await publishWrite(ctx, webId)) say(`   -> ${describeDecision(d)}`);
  say(`   The endpoint now shows '${await endpointState(ctx, DEMO.web)}' (read back through the SDK).`);

  say("3. An unknown subscription (9999…) asks for the same Key Vault.");
  const strangerId = await createEndpoint(ctx, DEMO.stranger, "let me in");
  for (const d of await publishWrite(ctx, strangerId)) say(`   -> ${describeDecision(d)}`);
  say(`   The stranger's endpoint still shows '${await endpointState(ctx, DEMO.stranger)}': no rule allows it, so a human decides.`);

  say("4. Team 'web' deletes pe-web-kv; Event Grid delivers Microsoft.Resources.ResourceDeleteSuccess.");
  await ctx.arm.networkFor(DEMO.web.subscriptionId).privateEndpoints.beginDeleteAndWait(DEMO.web.resourceGroup, DEMO.web.endpoint, { updateIntervalInMs: 10 });
  for (const d of await publishWrite(ctx, webId, "delete")) say(`   -> ${describeDecision(d)}`);

  say("5. A partner tenant (7777…) asked for kv-shared while nobody watched: Azure sends the provider no event for that.");
  say("   The reconcile timer's sweep lists every managed resource's connections and finds it:");
  const report = await ctx.sweep();
  for (const d of report.decisions.filter((x) => x.action !== "ignore" && x.action !== "dns-skip")) say(`   -> ${describeDecision(d)}`);
  say(
    `   sweep ${report.complete ? "complete" : "stopped at its deadline"}: ${Object.entries(report.totals)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
  );
}
