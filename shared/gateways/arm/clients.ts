// One place that builds the SDK clients, all on the same settings (endpoint,
// credential, CA, retry). Clients are per subscription in these SDKs; cache them.
import { NetworkManagementClient } from "@azure/arm-network";
import { PrivateDnsManagementClient } from "@azure/arm-privatedns";
import { KeyVaultManagementClient } from "@azure/arm-keyvault";
import { GenericArmClient } from "./genericClient.js";
import { ResourceGraph } from "./resourceGraph.js";
import { retryOptionsOf, type ArmSettings } from "./settings.js";
import { Pacer } from "./pacing.js";
import { armPolicies } from "./policies.js";

export class ArmClients {
  readonly generic: GenericArmClient;
  private readonly network = new Map<string, NetworkManagementClient>();
  private readonly dns = new Map<string, PrivateDnsManagementClient>();
  private readonly keyvault = new Map<string, KeyVaultManagementClient>();

  /** Azure Resource Graph on the same pipeline (used by the sweep when settings.resourceGraph). */
  readonly graph: ResourceGraph;

  /** One pacer for every client of this process: the buckets are ARM's per subscription, whichever client calls. */
  readonly pacer?: Pacer;

  constructor(readonly settings: ArmSettings) {
    this.pacer = settings.pacing ? new Pacer(settings.pacing) : undefined;
    this.generic = new GenericArmClient(settings, this.pacer);
    this.graph = new ResourceGraph(this.generic);
  }

  private common() {
    const s = this.settings;
    return {
      endpoint: s.endpoint,
      tlsOptions: s.ca ? { ca: s.ca } : undefined,
      retryOptions: retryOptionsOf(s),
      userAgentOptions: { userAgentPrefix: "privatelink-autopilot" },
      ...armPolicies(s, this.pacer),
    };
  }

  networkFor(subscriptionId: string): NetworkManagementClient {
    return cached(
      this.network,
      subscriptionId,
      () => new NetworkManagementClient(this.settings.credential, subscriptionId, { ...this.common(), credentialScopes: [this.settings.scope] }),
    );
  }

  privateDnsFor(subscriptionId: string): PrivateDnsManagementClient {
    return cached(
      this.dns,
      subscriptionId,
      () => new PrivateDnsManagementClient(this.settings.credential, subscriptionId, { ...this.common(), credentialScopes: [this.settings.scope] }),
    );
  }

  keyVaultFor(subscriptionId: string): KeyVaultManagementClient {
    return cached(
      this.keyvault,
      subscriptionId,
      () => new KeyVaultManagementClient(this.settings.credential, subscriptionId, { ...this.common(), credentials: { scopes: [this.settings.scope] } }),
    );
  }
}

function cached<T>(map: Map<string, T>, key: string, make: () => T): T {
  const k = key.toLowerCase();
  let v = map.get(k);
  if (!v) map.set(k, (v = make()));
  return v;
}
