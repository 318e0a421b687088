// A sandbox estate for the report: the demo estate plus an approved connection, a pending
// request whose message tries to inject a script, owned/claimed/foreign record sets, and an
// audit trail over several days with one failure. Used by the unit tests and the browser check.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AuditEntry } from "../../shared/store/audit/index.js";
import { encodeOwnership } from "../../shared/dns/ownership.js";
import type { Estate } from "../../sandbox/estate.js";

const root = new URL("../../", import.meta.url).pathname;
export const KV = "/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg-shared/providers/Microsoft.KeyVault/vaults/kv-shared";
export const ZONE_RG = "/subscriptions/33333333-3333-3333-3333-333333333333/resourceGroups/rg-dns";
export const ZONE = "privatelink.vaultcore.azure.net";
export const INJECTION = `<script>document.title="pwned";document.body.setAttribute("data-pwned","1")</script><img src=x onerror="document.body.setAttribute('data-pwned','2')">`;
export const EVIL_CONN = `${KV}/privateEndpointConnections/pe-evil-kv.0badc0de-0000-4000-8000-000000000001`;
export const NOW = new Date("2026-11-30T12:00:00Z");

const pe = (sub: string, rg: string, name: string) => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/privateEndpoints/${name}`;

function connection(name: string, endpoint: string, status: string, description: string) {
  return {
    id: `${KV}/privateEndpointConnections/${name}`,
    name,
    type: "Microsoft.KeyVault/vaults/privateEndpointConnections",
    etag: "",
    properties: {
      provisioningState: "Succeeded",
      privateEndpoint: { id: endpoint },
      privateLinkServiceConnectionState: { status, description, actionsRequired: "None" },
    },
  };
}

function recordSet(name: string, ip: string, metadata: Record<string, string>) {
  return {
    id: `${ZONE_RG}/providers/Microsoft.Network/privateDnsZones/${ZONE}/A/${name}`,
    name,
    type: "Microsoft.Network/privateDnsZones/A",
    properties: { ttl: 600, metadata, aRecords: [{ ipv4Address: ip }] },
  };
}

export function reportEstate(): Estate {
  const estate = JSON.parse(readFileSync(join(root, "sandbox/demo/estate.json"), "utf8")) as Estate;
  const web = pe("11111111-1111-1111-1111-111111111111", "rg-app-web", "pe-web-kv");
  const web2 = pe("11111111-1111-1111-1111-111111111111", "rg-app-api", "pe-api-kv");
  estate.resources.push(
    connection("pe-web-kv.6f1f0e3a-4b8c-4d2e-9a57-0c1d2e3f4a5b", web, "Approved", "Approved by privatelink-autopilot"),
    connection(
      "pe-old-kv.11111111-2222-4333-8444-555555555555",
      pe("11111111-1111-1111-1111-111111111111", "rg-app-old", "pe-old-kv"),
      "Rejected",
      "Rejected by an admin",
    ),
    connection(
      "pe-evil-kv.0badc0de-0000-4000-8000-000000000001",
      pe("99999999-9999-9999-9999-999999999999", "rg-stranger", "pe-evil-kv"),
      "Pending",
      INJECTION,
    ),
    recordSet("kv-shared", "10.10.1.4", encodeOwnership({ owner: web, claimants: [web2] })),
    recordSet("kv-other", "10.10.1.5", encodeOwnership({ owner: web2, claimants: [] })),
    recordSet("legacy", "10.0.0.9", { owner: "the network team" }),
  );
  return estate;
}

/** Five days of decisions: approvals, DNS writes, leave-pending rows (the oldest for the injected request 3 days ago), one failure. */
export function reportAudit(): AuditEntry[] {
  const at = (daysAgo: number, h = 0) => new Date(NOW.getTime() - daysAgo * 86_400_000 + h * 3_600_000).toISOString();
  const e = (time: string, action: string, resource: string, outcome: string, extra: Partial<AuditEntry> = {}): AuditEntry => ({
    time,
    trigger: "sweep:test",
    resource,
    action,
    reason: `${action} reason`,
    outcome,
    ...extra,
  });
  return [
    e(at(4), "approve", `${KV}/privateEndpointConnections/pe-web-kv.6f1f0e3a-4b8c-4d2e-9a57-0c1d2e3f4a5b`, "applied", { rule: "corp-spokes" }),
    e(at(4, 1), "dns-create", `${KV}/privateEndpointConnections/pe-web-kv.6f1f0e3a-4b8c-4d2e-9a57-0c1d2e3f4a5b`, "applied", {
      zone: ZONE,
      record: "kv-shared",
    }),
    e(at(3), "leave-pending", EVIL_CONN, "skipped"),
    e(at(2), "leave-pending", EVIL_CONN, "skipped"),
    e(at(1), "dns-update", pe("11111111-1111-1111-1111-111111111111", "rg-app-api", "pe-api-kv"), "failed", { error: "429 TooManyRequests <b>throttled</b>" }),
    e(at(0, -2), "leave-pending", EVIL_CONN, "skipped"),
    e(at(40), "approve", `${KV}/privateEndpointConnections/ancient`, "applied"), // outside the window
  ];
}

/** Writes the estate, the allow-list and the audit trail (as `audit --json` prints it) to a fresh folder. */
export function writeReportSandbox(): { dir: string; estate: string; config: string; audit: string } {
  const dir = mkdtempSync(join(tmpdir(), "report-"));
  const estate = join(dir, "estate.json");
  const audit = join(dir, "audit.jsonl");
  writeFileSync(estate, JSON.stringify(reportEstate()));
  writeFileSync(
    audit,
    reportAudit()
      .map((x) => JSON.stringify(x))
      .join("\n") + "\n",
  );
  return { dir, estate, config: join(root, "sandbox/demo/allow-list.yaml"), audit };
}
