// Contract tests over the compiled ARM JSON in infra/: what Azure would deploy must hold
// together with what the code does (roles, event filter, queue, settings). The JSON is
// read as Azure reads it (test/infra/armTemplate.ts evaluates its expressions offline);
// .ci/run checks that it is exactly what the Bicep compiles to.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generated, generatedText, GENERATED_PATH } from "../../infra/generate.js";
import { HANDLED_EVENT_TYPES, HANDLED_OPERATION_PREFIXES, isHandledOperation } from "../../shared/events/index.js";
import { PROVIDER_TYPES } from "../../shared/model/providerTypes.js";
import { CONNECTIONS_CHILD } from "../../shared/model/providerTypes.js";
import {
  CONTINUATIONS_POISON_QUEUE,
  CONTINUATIONS_QUEUE,
  DEAD_LETTER_CONTAINER,
  EVENTS_POISON_QUEUE,
  EVENTS_QUEUE,
  PACKAGE_CONTAINER,
  CONFIG_CONTAINER,
  APP_TABLE,
} from "../../shared/runtime/azureNames.js";
import { Evaluator, Unresolved, loadTemplate, moduleTemplate, resourcesOf, type DeployContext, type Template } from "./armTemplate.js";

const root = new URL("../../", import.meta.url).pathname;
const infra = (f: string) => join(root, "infra", f);
const main = loadTemplate(infra("main.json"));
const watch = loadTemplate(infra("watch-subscription.json"));
const rolesMg = loadTemplate(infra("roles.json"));

/** Evaluated instances of every resource of a type in a template. */
function deployed(t: Template, type: string, params: Record<string, unknown> = {}, ctx: DeployContext = {}) {
  const ev = new Evaluator(t, params, ctx);
  return resourcesOf(t)
    .filter((r) => r.type.toLowerCase() === type.toLowerCase() && !r.existing)
    .flatMap((r) => ev.instances(r));
}

const appTemplate = moduleTemplate(main, "app");
const site = deployed(appTemplate, "Microsoft.Web/sites")[0]!.properties as any;
const appSettingNames: string[] = site.siteConfig.appSettings.map((s: { name: string }) => s.name);
const settingValue = (name: string) => site.siteConfig.appSettings.find((s: { name: string }) => s.name === name)?.value;

function rolesByName(t: Template): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of deployed(t, "Microsoft.Authorization/roleDefinitions")) {
    const p = r.properties as any;
    expect(p.type).toBe("CustomRole");
    expect(p.permissions).toHaveLength(1);
    expect(p.permissions[0]).toMatchObject({ notActions: [], dataActions: [], notDataActions: [] });
    out.set(p.roleName, p.permissions[0].actions);
  }
  return out;
}

describe("infra/generated.json", () => {
  it("is what the code generates (npm run infra:generate rewrites it)", () => {
    expect(readFileSync(GENERATED_PATH, "utf8")).toBe(generatedText());
  });

  it("is embedded unchanged in every compiled template that deploys from it", () => {
    const g = generated();
    for (const t of [rolesMg, moduleTemplate(main, "roles"), appTemplate, moduleTemplate(watch, "eventSubscription"), moduleTemplate(watch, "topicAccess")]) {
      expect(new Evaluator(t).variable("generated")).toEqual(g);
    }
  });
});

describe("custom roles", () => {
  const roles = rolesByName(rolesMg);
  const specs = generated().roles;
  const approver = roles.get(specs.approver.roleName)!;

  it("roles.json defines the four roles, at the management group, and main.json the same four in its subscription", () => {
    expect([...roles.keys()].sort()).toEqual(
      Object.values(specs)
        .map((s) => s.roleName)
        .sort(),
    );
    const subRoles = rolesByName(moduleTemplate(main, "roles"));
    expect(subRoles).toEqual(roles);
    for (const r of deployed(rolesMg, "Microsoft.Authorization/roleDefinitions")) {
      expect((r.properties as any).assignableScopes).toEqual([expect.any(Unresolved)]);
      expect(((r.properties as any).assignableScopes[0] as Unresolved).expression).toContain("managementGroup().id");
    }
  });

  it("main.json, watch-subscription.json and watch-policy.json assign the very role definitions roles.json and main.json create", () => {
    const keyOf = (roleName: string) => Object.entries(specs).find(([, s]) => s.roleName === roleName)![0];
    const created = (t: Template, ctx: DeployContext) =>
      Object.fromEntries(deployed(t, "Microsoft.Authorization/roleDefinitions", {}, ctx).map((r) => [keyOf((r.properties as any).roleName), r.name]));
    const atMg = created(rolesMg, { managementGroup: "mg1" });
    const inSub = created(moduleTemplate(main, "roles"), { subscriptionId: "s1" });
    expect(Object.keys(atMg).sort()).toEqual(Object.keys(specs).sort());
    expect(atMg).not.toEqual(inSub);
    expect(new Evaluator(main, { rolesManagementGroupId: "mg1" }, { subscriptionId: "s1" }).variable("roleGuid")).toEqual(atMg);
    expect(new Evaluator(main, { rolesManagementGroupId: "" }, { subscriptionId: "s1" }).variable("roleGuid")).toEqual(inSub);
    for (const [mg, expected] of [
      ["mg1", atMg],
      ["", inSub],
    ] as const) {
      const w = deployed(
        watch,
        "Microsoft.Authorization/roleAssignments",
        { appSubscriptionId: "s1", rolesManagementGroupId: mg, appPrincipalId: "p" },
        { subscriptionId: "s2" },
      );
      expect(
        w
          .map((r) =>
            String((r.properties as any).roleDefinitionId)
              .split("/")
              .pop(),
          )
          .sort(),
      ).toEqual([expected.consumerReader, expected.endpointCleaner].sort());
    }
    const policyRoles = new Evaluator(loadTemplate(infra("watch-policy.json")), { rolesManagementGroupId: "mg1" }, { managementGroup: "mg1" }).variable(
      "assignableRoles",
    ) as string[];
    expect(policyRoles.slice(0, 2)).toEqual([atMg.consumerReader, atMg.endpointCleaner]);
  });

  it("no action anywhere is a wildcard or a data action", () => {
    for (const actions of roles.values()) {
      expect(actions.length).toBeGreaterThan(0);
      for (const a of actions) expect(a).not.toMatch(/\*/);
    }
  });

  it("the approver covers every registry type: read it, read/write its connections, the approval action where the service has one, the status reads of its updates", () => {
    const has = (a: string) => approver.some((x) => x.toLowerCase() === a.toLowerCase());
    for (const p of PROVIDER_TYPES) {
      const ns = p.type.split("/")[0];
      expect(has(`${p.type}/read`), p.type).toBe(true);
      expect(has(`${p.type}/${CONNECTIONS_CHILD}/read`), p.type).toBe(true);
      expect(has(`${p.type}/${CONNECTIONS_CHILD}/write`), p.type).toBe(true);
      expect(has(`${p.type}/privateEndpointConnectionsApproval/action`), p.type).toBe(p.rbac.approvalAction);
      for (const seg of p.rbac.operationStatus) expect(has(`${ns}/locations/${seg}/read`), p.type).toBe(true);
    }
  });

  it("the approver grants nothing outside the registry types and their namespaces' operation status; it cannot delete", () => {
    const allowedPrefixes = PROVIDER_TYPES.flatMap((p) => [`${p.type}/`, `${p.type.split("/")[0]}/locations/`]).map((x) => x.toLowerCase());
    for (const a of approver) {
      expect(
        allowedPrefixes.some((p) => a.toLowerCase().startsWith(p)),
        a,
      ).toBe(true);
      expect(a).not.toMatch(/\/delete$/);
    }
    // Exactly the registry's share: 3 or 4 actions per type plus the status reads, no extras.
    const expected = new Set(
      PROVIDER_TYPES.flatMap((p) => [
        `${p.type}/read`,
        `${p.type}/${CONNECTIONS_CHILD}/read`,
        `${p.type}/${CONNECTIONS_CHILD}/write`,
        ...(p.rbac.approvalAction ? [`${p.type}/privateEndpointConnectionsApproval/action`] : []),
        ...p.rbac.operationStatus.map((s) => `${p.type.split("/")[0]}/locations/${s}/read`),
      ]),
    );
    expect(new Set(approver)).toEqual(expected);
  });

  it("the DNS writer reads zones and changes A and AAAA record sets only: no zone writes, no virtual network links, no other record types", () => {
    expect(roles.get(specs.dnsWriter.roleName)!.slice().sort()).toEqual([
      "Microsoft.Network/privateDnsZones/A/delete",
      "Microsoft.Network/privateDnsZones/A/read",
      "Microsoft.Network/privateDnsZones/A/write",
      "Microsoft.Network/privateDnsZones/AAAA/delete",
      "Microsoft.Network/privateDnsZones/AAAA/read",
      "Microsoft.Network/privateDnsZones/AAAA/write",
      "Microsoft.Network/privateDnsZones/read",
    ]);
  });

  it("the consumer reader reads endpoints and their NICs, nothing else", () => {
    expect(roles.get(specs.consumerReader.roleName)!.slice().sort()).toEqual([
      "Microsoft.Network/networkInterfaces/read",
      "Microsoft.Network/privateEndpoints/read",
    ]);
  });

  it("the endpoint cleaner deletes endpoints and connections of registry types and polls those deletes; it approves nothing", () => {
    const cleaner = roles.get(specs.endpointCleaner.roleName)!;
    expect(cleaner).toContain("Microsoft.Network/privateEndpoints/delete");
    for (const p of PROVIDER_TYPES) expect(cleaner).toContain(`${p.type}/${CONNECTIONS_CHILD}/delete`);
    for (const a of cleaner) expect(a, a).toMatch(/\/delete$|\/locations\/[^/]+\/read$/);
  });
});

// ---- Event Grid ----

interface AdvancedFilter {
  operatorType: string;
  key: string;
  values: string[];
}

/** Event Grid's advanced filter semantics for the string operators (case-insensitive; all filters must match). */
function admits(filters: AdvancedFilter[], event: Record<string, unknown>): boolean {
  return filters.every((f) => {
    const v = f.key.split(".").reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), event);
    if (typeof v !== "string") return f.operatorType.startsWith("StringNot");
    const s = v.toLowerCase();
    const vals = f.values.map((x) => x.toLowerCase());
    switch (f.operatorType) {
      case "StringBeginsWith":
        return vals.some((x) => s.startsWith(x));
      case "StringNotBeginsWith":
        return !vals.some((x) => s.startsWith(x));
      case "StringIn":
        return vals.includes(s);
      case "StringNotIn":
        return !vals.includes(s);
      case "StringContains":
        return vals.some((x) => s.includes(x));
      case "StringNotContains":
        return !vals.some((x) => s.includes(x));
      case "StringEndsWith":
        return vals.some((x) => s.endsWith(x));
      default:
        throw new Error(`operator ${f.operatorType} not modelled`);
    }
  });
}

/** Operation names seen in the fixtures (real payloads and ours), plus every operation on a registry type's connections. */
function operationCorpus(): string[] {
  const ops = new Set<string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".json")) for (const m of readFileSync(p, "utf8").matchAll(/"operationName"\s*:\s*"([^"]+)"/g)) ops.add(m[1]!);
    }
  };
  walk(join(root, "test/fixtures"));
  for (const p of PROVIDER_TYPES) {
    for (const op of [
      "write",
      "delete",
      "listKeys/action",
      "regenerateKey/action",
      `${CONNECTIONS_CHILD}/write`,
      `${CONNECTIONS_CHILD}/delete`,
      "privateEndpointConnectionsApproval/action",
      "privateEndpointConnectionProxies/write",
      "privateEndpointConnectionProxies/validate/action",
      "privateLinkResources/read",
    ]) {
      ops.add(`${p.type}/${op}`);
    }
  }
  for (const op of ["write", "delete", "privateDnsZoneGroups/write"]) ops.add(`Microsoft.Network/privateEndpoints/${op}`);
  return [...ops];
}

const APP_OWN_WRITES = [
  "Microsoft.Network/privateDnsZones/A/write",
  "Microsoft.Network/privateDnsZones/A/delete",
  "Microsoft.Network/privateDnsZones/AAAA/write",
  "Microsoft.Network/privateDnsZones/write",
];

describe("event subscription (watch-subscription.json)", () => {
  const sub = deployed(moduleTemplate(watch, "eventSubscription"), "Microsoft.EventGrid/systemTopics/eventSubscriptions", {
    topicName: "t",
    storageAccountId: "/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/a",
  });
  const props = sub[0]!.properties as any;
  const filters: AdvancedFilter[] = props.filter.advancedFilters;
  const event = (operationName: string) => ({ eventType: "Microsoft.Resources.ResourceWriteSuccess", data: { operationName } });

  it("is one subscription for the handled Microsoft.Resources event types", () => {
    expect(sub).toHaveLength(1);
    expect(props.filter.includedEventTypes).toEqual(HANDLED_EVENT_TYPES.filter((t) => t.startsWith("Microsoft.Resources.")));
    expect(props.filter.includedEventTypes).toEqual(
      expect.arrayContaining([
        "Microsoft.Resources.ResourceWriteSuccess",
        "Microsoft.Resources.ResourceDeleteSuccess",
        "Microsoft.Resources.ResourceActionSuccess",
      ]),
    );
  });

  it("stays within Event Grid's limits: at most 25 filter values in all, 512 characters each", () => {
    const values = filters.flatMap((f) => f.values);
    expect(values.length).toBeLessThanOrEqual(25);
    for (const v of values) expect(v.length).toBeLessThanOrEqual(512);
    expect(filters.length).toBeLessThanOrEqual(25);
  });

  it("admits every operation the handler acts on and nothing it ignores (fixtures and every registry type's connection operations)", () => {
    const corpus = operationCorpus();
    expect(corpus.length).toBeGreaterThan(50);
    for (const op of corpus) expect(admits(filters, event(op)), op).toBe(isHandledOperation(op));
    for (const prefix of HANDLED_OPERATION_PREFIXES) expect(admits(filters, event(prefix)), prefix).toBe(true);
    // Case-insensitive, as Event Grid compares.
    expect(admits(filters, event("microsoft.keyvault/VAULTS/privateendpointconnections/write"))).toBe(true);
  });

  it("keeps the app's own DNS writes out, and events without an operation name", () => {
    for (const op of APP_OWN_WRITES) expect(admits(filters, event(op)), op).toBe(false);
    expect(admits(filters, { eventType: "Microsoft.Resources.ResourceWriteSuccess", data: {} })).toBe(false);
  });

  it("delivers to the queue the trigger reads, with the topic's identity; dead letters to the blob container; retries 30 times over 24 h", () => {
    expect(props.eventDeliverySchema).toBe("EventGridSchema");
    expect(props.deliveryWithResourceIdentity).toMatchObject({
      identity: { type: "SystemAssigned" },
      destination: { endpointType: "StorageQueue", properties: { queueName: EVENTS_QUEUE, resourceId: expect.stringContaining("/storageAccounts/") } },
    });
    expect(props.deadLetterWithResourceIdentity).toMatchObject({
      identity: { type: "SystemAssigned" },
      deadLetterDestination: { endpointType: "StorageBlob", properties: { blobContainerName: DEAD_LETTER_CONTAINER } },
    });
    expect(props.retryPolicy).toEqual({ maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 });
    // Every queue trigger in functions/ names that queue or the app's own continuations queue (never written by Event Grid):
    // the shared constant, or its value; and exactly one trigger reads the events queue.
    const read: string[] = [];
    for (const f of readdirSync(join(root, "functions"))) {
      for (const m of readFileSync(join(root, "functions", f), "utf8").matchAll(/queueName:\s*([^,\n}]+)/g)) {
        const named = m[1]!.trim();
        const which = Object.entries({ EVENTS_QUEUE, CONTINUATIONS_QUEUE }).find(([name, q]) => [name, JSON.stringify(q), `'${q}'`].includes(named))?.[1];
        expect(which, `${f}: ${named}`).toBeDefined();
        read.push(which!);
      }
    }
    expect(read.sort()).toEqual([CONTINUATIONS_QUEUE, EVENTS_QUEUE].sort());
    expect(props.deliveryWithResourceIdentity.destination.properties.queueName).not.toBe(CONTINUATIONS_QUEUE);
  });

  it("the topic is the subscription's Microsoft.Resources.Subscriptions system topic with a system-assigned identity", () => {
    const topic = deployed(moduleTemplate(watch, "topic"), "Microsoft.EventGrid/systemTopics", { topicName: "t", create: true, tags: {} });
    expect(topic).toHaveLength(1);
    expect(topic[0]!.properties).toMatchObject({ topicType: "Microsoft.Resources.Subscriptions" });
    const raw = resourcesOf(moduleTemplate(watch, "topic")).find((r) => r.type === "Microsoft.EventGrid/systemTopics" && !r.existing)!;
    expect(raw.identity).toEqual({ type: "SystemAssigned" });
    expect(raw.location).toBe("global");
  });

  it("the topic's identity may send to the events queue and write the dead-letter container, nothing wider", () => {
    const access = moduleTemplate(watch, "topicAccess");
    const assignments = resourcesOf(access).filter((r) => r.type === "Microsoft.Authorization/roleAssignments");
    const ev = new Evaluator(access, { storageAccountName: "a", topicPrincipalId: "p" });
    const byScope = Object.fromEntries(
      assignments.map((r) => [
        String(r.scope),
        String((ev.value(r.properties) as any).roleDefinitionId instanceof Unresolved ? (r.properties as any).roleDefinitionId : ""),
      ]),
    );
    const scopes = Object.keys(byScope);
    expect(scopes.some((s) => s.includes("queueServices") && s.includes("queues"))).toBe(true);
    expect(scopes.some((s) => s.includes("blobServices") && s.includes("containers"))).toBe(true);
    const roleText = JSON.stringify(assignments.map((r) => r.properties));
    expect(roleText).toContain("storageQueueDataMessageSender");
    expect(roleText).toContain("storageBlobDataContributor");
    const names = new Evaluator(access).variable("generated") as any;
    expect(names.names.eventsQueue).toBe(EVENTS_QUEUE);
    expect(names.names.deadLetterContainer).toBe(DEAD_LETTER_CONTAINER);
  });

  it("gives the app's identity the endpoint reader role on the watched subscription (and the cleaner only when asked)", () => {
    const a = resourcesOf(watch).filter((r) => r.type === "Microsoft.Authorization/roleAssignments");
    expect(a.map((r) => JSON.stringify(r.properties)).join()).toContain("'consumerReader'");
    const cleaner = a.find((r) => JSON.stringify(r.properties).includes("'endpointCleaner'"))!;
    expect(cleaner.condition).toBe("[parameters('assignEndpointCleaner')]");
    expect(watch.parameters?.assignEndpointCleaner?.defaultValue).toBe(false);
  });
});

// ---- The app ----

const example = JSON.parse(readFileSync(join(root, "local.settings.example.json"), "utf8")) as { Values: Record<string, string>; _localOnly: string[] };

/** App settings the code reads: names in process.env / env reads and the AzureWebJobsStorage prefix family. */
function settingsReadByCode(): Set<string> {
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts")) {
        const text = readFileSync(p, "utf8");
        for (const m of text.matchAll(/\benv(?:\.|\[["'`])([A-Z][A-Za-z0-9_]*)/g)) found.add(m[1]!);
      }
    }
  };
  for (const d of ["shared", "functions", "cli"]) walk(join(root, d));
  return found;
}

describe("function app (main.json)", () => {
  it("runs Node 22 on Flex Consumption, with none of the settings Flex refuses", () => {
    const plan = deployed(appTemplate, "Microsoft.Web/serverfarms")[0]!;
    const rawPlan = resourcesOf(appTemplate).find((r) => r.type === "Microsoft.Web/serverfarms")!;
    expect(rawPlan.sku).toEqual({ tier: "FlexConsumption", name: "FC1" });
    expect(plan.properties).toMatchObject({ reserved: true });
    expect(site.functionAppConfig.runtime).toEqual({ name: "node", version: "22" });
    expect(site.functionAppConfig.deployment.storage).toMatchObject({ type: "blobContainer", authentication: { type: "UserAssignedIdentity" } });
    expect(
      String(
        site.functionAppConfig.deployment.storage.value instanceof Unresolved
          ? site.functionAppConfig.deployment.storage.value.expression
          : site.functionAppConfig.deployment.storage.value,
      ),
    ).toContain("packageContainer");
    for (const refused of [
      "FUNCTIONS_WORKER_RUNTIME",
      "WEBSITE_NODE_DEFAULT_VERSION",
      "WEBSITE_RUN_FROM_PACKAGE",
      "FUNCTIONS_EXTENSION_VERSION",
      "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",
      "WEBSITE_CONTENTSHARE",
      "AzureWebJobsStorage",
    ]) {
      expect(appSettingNames).not.toContain(refused);
    }
    expect(site.httpsOnly).toBe(true);
  });

  it("sets every setting local.settings.example.json lists except the local-only ones", () => {
    for (const k of example._localOnly) expect(Object.keys(example.Values), k).toContain(k);
    const needed = Object.keys(example.Values).filter((k) => !example._localOnly.includes(k));
    expect(needed.length).toBeGreaterThan(5);
    for (const k of needed) expect(appSettingNames, k).toContain(k);
  });

  it("every setting the code reads is listed in local.settings.example.json (so the check above sees it)", () => {
    const read = settingsReadByCode();
    expect(read).toContain("AUTOPILOT_DRY_RUN");
    for (const k of read) {
      if (k.startsWith("AzureWebJobsStorage")) continue; // the identity-based family, checked below
      expect(Object.keys(example.Values), `${k} is read by the code`).toContain(k);
    }
  });

  it("uses identity-based AzureWebJobsStorage with the user-assigned identity (no connection string)", () => {
    for (const k of ["blobServiceUri", "queueServiceUri", "tableServiceUri", "credential", "clientId"])
      expect(appSettingNames).toContain(`AzureWebJobsStorage__${k}`);
    expect(settingValue("AzureWebJobsStorage__credential")).toBe("managedidentity");
    // Safe by default: a first deployment only logs what it would do.
    expect(main.parameters!.dryRun!.defaultValue).toBe(true);
    expect(appSettingNames).toContain("AUTOPILOT_ALLOW_LIST_URL");
    expect((settingValue("AUTOPILOT_ALLOW_LIST_URL") as Unresolved).expression).toMatch(/configContainer.*allowListBlob/);
  });

  it("storage: shared keys off; the events and continuations queues, their poison queues, the dead-letter, package and config containers and the app's table exist", () => {
    const acct = deployed(appTemplate, "Microsoft.Storage/storageAccounts")[0]!.properties as any;
    expect(acct).toMatchObject({ allowSharedKeyAccess: false, allowBlobPublicAccess: false, minimumTlsVersion: "TLS1_2" });
    const leaf = (type: string) => deployed(appTemplate, type, { suffix: "x" }).map((r) => String(r.name).split("/").pop());
    expect(leaf("Microsoft.Storage/storageAccounts/queueServices/queues").sort()).toEqual(
      [EVENTS_QUEUE, EVENTS_POISON_QUEUE, CONTINUATIONS_QUEUE, CONTINUATIONS_POISON_QUEUE].sort(),
    );
    expect(leaf("Microsoft.Storage/storageAccounts/blobServices/containers").sort()).toEqual(
      [PACKAGE_CONTAINER, DEAD_LETTER_CONTAINER, CONFIG_CONTAINER].sort(),
    );
    expect(leaf("Microsoft.Storage/storageAccounts/tableServices/tables")).toEqual([APP_TABLE]);
  });

  it("monitoring: Log Analytics and Application Insights with local auth off; one alert rule on the errors counter", () => {
    expect((deployed(appTemplate, "Microsoft.OperationalInsights/workspaces")[0]!.properties as any).features.disableLocalAuth).toBe(true);
    expect((deployed(appTemplate, "Microsoft.Insights/components")[0]!.properties as any).DisableLocalAuth).toBe(true);
    const alerts = deployed(appTemplate, "Microsoft.Insights/scheduledQueryRules");
    expect(alerts).toHaveLength(1);
    expect((alerts[0]!.properties as any).criteria.allOf[0].query).toContain('"autopilot.errors"');
    expect(appSettingNames).toEqual(expect.arrayContaining(["APPLICATIONINSIGHTS_CONNECTION_STRING", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]));
  });

  it("the identity gets blob owner, queue contributor and table contributor on the account, metrics publisher on App Insights", () => {
    const ev = new Evaluator(appTemplate);
    const builtInIds = ev.variable("builtInRoles") as Record<string, string>;
    expect(ev.variable("storageRoleIds")).toEqual([
      builtInIds.storageBlobDataOwner,
      builtInIds.storageQueueDataContributor,
      builtInIds.storageTableDataContributor,
    ]);
    const storageRoles = (appTemplate.resources as Record<string, any>).storageRoles;
    expect(storageRoles.scope).toContain("Microsoft.Storage/storageAccounts");
    expect(storageRoles.copy.count).toContain("variables('storageRoleIds')");
    const publisher = (appTemplate.resources as Record<string, any>).metricsPublisher;
    expect(JSON.stringify(publisher.properties)).toContain("monitoringMetricsPublisher");
    expect(publisher.scope).toContain("Microsoft.Insights/components");
    const builtIn = new Evaluator(appTemplate).variable("builtInRoles") as Record<string, string>;
    // Azure's built-in role ids (learn.microsoft.com, built-in roles).
    expect(builtIn).toMatchObject({
      storageBlobDataOwner: "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
      storageQueueDataContributor: "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
      storageTableDataContributor: "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
      monitoringMetricsPublisher: "3913510d-42f4-4e42-8a64-420c390055eb",
    });
  });
});

describe("scope assignments (main.json)", () => {
  it("approver on each managed subscription and resource group, DNS writer on each zone resource group, cleaner only with enableCleanup", () => {
    const modules = resourcesOf(main).filter((r) => r.type === "Microsoft.Resources/deployments");
    const text = (name: string) => JSON.stringify((main.resources as Record<string, unknown>)[name]);
    expect(text("approverOnSubscriptions")).toContain("variables('managedSubscriptions')");
    expect(text("approverOnGroups")).toContain("variables('managedResourceGroups')");
    expect(text("dnsWriter")).toContain("parameters('dnsZoneResourceGroupIds')");
    expect(text("cleanerOnSubscriptions")).toContain("parameters('enableCleanup')");
    expect(main.parameters?.enableCleanup?.defaultValue).toBe(false);
    const ev = new Evaluator(main, { managedScopes: ["/subscriptions/a", "/subscriptions/b/resourceGroups/rg1"] });
    expect(ev.variable("managedSubscriptions")).toEqual(["/subscriptions/a"]);
    expect(ev.variable("managedResourceGroups")).toEqual(["/subscriptions/b/resourceGroups/rg1"]);
    expect(modules.length).toBeGreaterThanOrEqual(8);
  });
});

describe("policy for new subscriptions (watch-policy.json)", () => {
  const policy = loadTemplate(infra("watch-policy.json"));
  const params = {
    appSubscriptionId: "a",
    appResourceGroupName: "g",
    storageAccountName: "s",
    appPrincipalId: "p",
    rolesManagementGroupId: "mg",
    location: "westeurope",
  };
  const def = deployed(policy, "Microsoft.Authorization/policyDefinitions", params)[0]!.properties as any;

  it("deploys watch-subscription.json, unchanged, where a subscription lacks the event subscription", () => {
    expect(def.policyRule.if).toEqual({ field: "type", equals: "Microsoft.Resources/subscriptions" });
    const then = def.policyRule.then;
    expect(then.effect).toBe("[parameters('effect')]");
    expect(then.details).toMatchObject({ type: "Microsoft.EventGrid/systemTopics/eventSubscriptions", deploymentScope: "subscription" });
    expect(then.details.deployment.properties.template).toEqual(JSON.parse(readFileSync(infra("watch-subscription.json"), "utf8")));
    // The existence check looks for what the template creates.
    const p = then.details.deployment.properties.parameters;
    expect(then.details.name).toBe(`${p.systemTopicName.value}/privatelink-autopilot`);
    expect(then.details.resourceGroupName).toBe(p.topicResourceGroupName.value);
    const sub = (moduleTemplate(watch, "eventSubscription").resources as Record<string, any>).toQueue;
    expect(sub.name).toContain("'privatelink-autopilot'");
    for (const k of Object.keys(p)) expect(Object.keys(watch.parameters ?? {}), k).toContain(k);
  });

  it("its remediation identity may assign only the roles watch-subscription.json hands out", () => {
    const raw = (policy.resources as Record<string, any>).remediationRbac.properties;
    expect(raw.conditionVersion).toBe("2.0");
    // Both the write and the delete branch compare against the same list.
    expect(raw.condition.match(/GuidEquals \{\{\{\d\}\}\}/g)).toHaveLength(2);
    expect(raw.condition).toContain("variables('roleList')");
    const ev = new Evaluator(policy, params);
    const builtIn = ev.variable("builtInRoles") as Record<string, string>;
    const roles = ev.variable("assignableRoles") as unknown[];
    expect(roles.slice(2)).toEqual([builtIn.storageQueueDataMessageSender, builtIn.storageBlobDataContributor]);
    expect(roles.slice(0, 2)).toEqual([expect.stringMatching(/^[0-9a-f-]{36}$/), expect.stringMatching(/^[0-9a-f-]{36}$/)]);
    expect((policy.variables as any).assignableRoles.slice(0, 2)).toEqual([
      expect.stringContaining("'consumerReader'"),
      expect.stringContaining("'endpointCleaner'"),
    ]);
    // Exactly what watch-subscription.json assigns: the two custom roles here, the two storage roles in topicAccess.
    const watchText = JSON.stringify(watch) + JSON.stringify(moduleTemplate(watch, "topicAccess"));
    for (const k of ["consumerReader", "endpointCleaner", "storageQueueDataMessageSender", "storageBlobDataContributor"]) expect(watchText).toContain(k);
    expect(ev.variable("rbacAdministrator")).toBe("f58310d9-a9f6-439a-9e8d-f62e7b41a168");
    expect(ev.variable("contributor")).toBe("b24988ac-6180-42a0-ab88-20f7382dd24c");
  });
});
