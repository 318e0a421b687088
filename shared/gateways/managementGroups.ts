// Which subscriptions lie below a management group, for the allow-list's
// `requesterManagementGroups`. Read through ARM's management-group descendants list
// (GET /providers/Microsoft.Management/managementGroups/{groupId}/descendants,
// api-version 2023-04-01: azure-rest-api-specs
// specification/managementgroups/resource-manager/Microsoft.Management/ManagementGroups/stable/2023-04-01/management.json,
// operation ManagementGroups_GetDescendants, pageable by nextLink; subscriptions come back with
// type "Microsoft.Management/managementGroups/subscriptions" and id "/subscriptions/{id}",
// examples/GetDescendants.json), with the identity's
// Microsoft.Management/managementGroups/descendants/read. Cached per process and
// refreshed after `refreshMs`; a group that cannot be read is remembered as an error
// (and so matches nothing) until the next refresh.
import type { ArmClients } from "./arm/clients.js";
import type { AllowListConfig } from "../config/index.js";
import type { GroupMembership } from "../approval/rules.js";

export const MANAGEMENT_GROUPS_API_VERSION = "2023-04-01";

/** A landing zone has hundreds of subscriptions, not millions: a bound so a hostile answer cannot exhaust memory. */
const MAX_DESCENDANTS = 100_000;

type Entry = { at: number; value: ReadonlySet<string> | { error: string } };

export class ManagementGroupDirectory implements GroupMembership {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<void>>();

  /** ARM is read only when a group must be (an Autopilot without such rules never calls ARM for it). */
  constructor(
    private readonly clients: ArmClients,
    private readonly refreshMs = 300_000,
    private readonly now: () => number = Date.now,
  ) {}

  subscriptionsOf(group: string): ReadonlySet<string> | { error: string } | undefined {
    return this.entries.get(group.toLowerCase())?.value;
  }

  /** Reads every group the allow-list names whose entry is missing or older than the refresh interval. */
  async load(approval: AllowListConfig["approval"]): Promise<void> {
    const names = new Set(approval.rules.flatMap((r) => r.requesterManagementGroups ?? []).map((g) => g.toLowerCase()));
    await Promise.all([...names].map((g) => this.refresh(g)));
  }

  private refresh(group: string): Promise<void> {
    const cur = this.entries.get(group);
    if (cur && this.now() - cur.at < this.refreshMs) return Promise.resolve();
    let p = this.inflight.get(group);
    if (!p) {
      p = this.read(group).finally(() => this.inflight.delete(group));
      this.inflight.set(group, p);
    }
    return p;
  }

  private async read(group: string): Promise<void> {
    const subs = new Set<string>();
    let value: Entry["value"];
    try {
      const path = `/providers/Microsoft.Management/managementGroups/${encodeURIComponent(group)}/descendants`;
      for await (const d of this.clients.generic.list<{ id?: string; type?: string }>(path, MANAGEMENT_GROUPS_API_VERSION)) {
        const m = /^\/subscriptions\/([^/]+)\/?$/i.exec(typeof d?.id === "string" ? d.id : "");
        if (m) subs.add(m[1]!.toLowerCase());
        if (subs.size > MAX_DESCENDANTS) throw new Error(`more than ${MAX_DESCENDANTS} subscriptions below it`);
      }
      value = subs;
    } catch (e) {
      const status = (e as { statusCode?: number }).statusCode;
      const code = (e as { code?: string }).code;
      const hint =
        status === 403 ? " (grant the app's identity Microsoft.Management/managementGroups/descendants/read on it, e.g. Management Group Reader)" : "";
      value = { error: `cannot be read: ${status ?? ""} ${code ?? ""} ${(e as Error).message}`.replace(/\s+/g, " ").trim() + hint };
    }
    this.entries.set(group, { at: this.now(), value });
  }
}
