import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ZONE_TABLE_SOURCE, knownZoneNames, publicNamePairings, resolveZone, resolveZoneCandidates, type ZoneMatch } from "../../shared/dns/zones/index.js";
import shipped from "../../shared/dns/data/private-dns-zones.json" with { type: "json" };

interface Entry {
  cloud: "Commercial" | "Government" | "China";
  service: string;
  resourceType: string;
  groupId: string;
  privateDnsZones: string[];
  publicDnsForwarders: string[];
}
const entries = (shipped as unknown as { entries: Entry[] }).entries;

/** zone + record name, the part that must agree between public and privatelink names. */
function zr(m: ZoneMatch | undefined): { zone: string; recordName: string } | undefined {
  return m && { zone: m.zone, recordName: m.recordName };
}

describe("resolveZone: cases from the issue (public names)", () => {
  it.each([
    ["kv.vault.azure.net", "privatelink.vaultcore.azure.net", "kv", "Commercial", "Azure Key Vault"],
    ["amr.westeurope.redis.azure.net", "privatelink.redis.azure.net", "amr.westeurope", "Commercial", "Azure Managed Redis"],
    [
      "re1.westeurope.redisenterprise.cache.azure.net",
      "privatelink.redisenterprise.cache.azure.net",
      "re1.westeurope",
      "Commercial",
      "Azure Cache for Redis Enterprise",
    ],
    ["acct.blob.core.windows.net", "privatelink.blob.core.windows.net", "acct", "Commercial", "Storage account"],
    ["cosmos.documents.azure.com", "privatelink.documents.azure.com", "cosmos", "Commercial", "Azure Cosmos DB"],
    ["cosmos-westeurope.documents.azure.com", "privatelink.documents.azure.com", "cosmos-westeurope", "Commercial", "Azure Cosmos DB"],
    ["cache1.redis.cache.windows.net", "privatelink.redis.cache.windows.net", "cache1", "Commercial", "Azure Cache for Redis"],
    ["sql1.database.windows.net", "privatelink.database.windows.net", "sql1", "Commercial", "Azure SQL Database"],
    ["x.westeurope.azmk8s.io", "privatelink.westeurope.azmk8s.io", "x", "Commercial", "Azure Kubernetes Service"],
    ["adx1.westeurope.kusto.windows.net", "privatelink.westeurope.kusto.windows.net", "adx1", "Commercial", "Azure Data Explorer"],
    ["kv.vault.usgovcloudapi.net", "privatelink.vaultcore.usgovcloudapi.net", "kv", "Government", "Azure Key Vault"],
    ["kv.vaultcore.usgovcloudapi.net", "privatelink.vaultcore.usgovcloudapi.net", "kv", "Government", "Azure Key Vault"],
    ["kv.vault.azure.cn", "privatelink.vaultcore.azure.cn", "kv", "China", "Azure Key Vault"],
    ["kv.vaultcore.azure.cn", "privatelink.vaultcore.azure.cn", "kv", "China", "Azure Key Vault"],
  ])("%s -> %s / %s", (fqdn, zone, recordName, cloud, service) => {
    const m = resolveZone(fqdn);
    expect(m).toBeDefined();
    expect(m).toMatchObject({ zone, recordName, fqdn, cloud });
    expect(m!.service).toContain(service);
  });

  it("a Cosmos DB account and its regional name are two records in the same zone", () => {
    const a = resolveZone("cosmos.documents.azure.com")!;
    const b = resolveZone("cosmos-westeurope.documents.azure.com")!;
    expect(a.zone).toBe(b.zone);
    expect(new Set([a.recordName, b.recordName])).toEqual(new Set(["cosmos", "cosmos-westeurope"]));
  });

  it("Azure Managed Redis and Redis Enterprise (same type and group id) get different zones", () => {
    expect(resolveZone("amr.westeurope.redis.azure.net")!.zone).not.toBe(resolveZone("amr.westeurope.redisenterprise.cache.azure.net")!.zone);
  });
});

describe("resolveZone: privatelink names give the same zone and record name", () => {
  it.each([
    ["kv.vault.azure.net", "kv.privatelink.vaultcore.azure.net"],
    ["acct.blob.core.windows.net", "acct.privatelink.blob.core.windows.net"],
    ["amr.westeurope.redis.azure.net", "amr.westeurope.privatelink.redis.azure.net"],
    ["re1.westeurope.redisenterprise.cache.azure.net", "re1.westeurope.privatelink.redisenterprise.cache.azure.net"],
    ["cosmos.documents.azure.com", "cosmos.privatelink.documents.azure.com"],
    ["cosmos-westeurope.documents.azure.com", "cosmos-westeurope.privatelink.documents.azure.com"],
    ["cache1.redis.cache.windows.net", "cache1.privatelink.redis.cache.windows.net"],
    ["sql1.database.windows.net", "sql1.privatelink.database.windows.net"],
    ["x.westeurope.azmk8s.io", "x.privatelink.westeurope.azmk8s.io"],
    ["adx1.westeurope.kusto.windows.net", "adx1.privatelink.westeurope.kusto.windows.net"],
    ["kv.vault.usgovcloudapi.net", "kv.privatelink.vaultcore.usgovcloudapi.net"],
    ["kv.vault.azure.cn", "kv.privatelink.vaultcore.azure.cn"],
    ["app.scm.azurewebsites.net", "app.scm.privatelink.azurewebsites.net"],
    ["mybatch.westeurope.batch.azure.com", "mybatch.westeurope.privatelink.batch.azure.com"],
    ["ws1-ondemand.sql.azuresynapse.usgovcloudapi.net", "ws1-ondemand.privatelink.sql.azuresynapse.usgovcloudapi.net"],
  ])("%s == %s", (publicName, privatelinkName) => {
    const a = resolveZone(publicName);
    const b = resolveZone(privatelinkName);
    expect(a).toBeDefined();
    expect(zr(b)).toEqual(zr(a));
    expect(b!.cloud).toBe(a!.cloud);
    expect(b!.service).toBe(a!.service);
    expect(b!.fqdn).toBe(privatelinkName);
  });
});

describe("resolveZone: longest suffix and structure", () => {
  it("Cosmos DB Table API is not Storage table", () => {
    expect(resolveZone("foo.table.cosmos.azure.com")).toMatchObject({
      zone: "privatelink.table.cosmos.azure.com",
      recordName: "foo",
      service: "Azure Cosmos DB",
    });
    expect(resolveZone("foo.table.core.windows.net")).toMatchObject({
      zone: "privatelink.table.core.windows.net",
      recordName: "foo",
      service: "Storage account",
    });
    expect(resolveZone("foo.privatelink.table.cosmos.azure.com")!.zone).toBe("privatelink.table.cosmos.azure.com");
  });

  it("SQL Managed Instance ({dnsPrefix}) vs SQL Database", () => {
    expect(zr(resolveZone("mi1.a1b2c3d4e5f6.database.windows.net"))).toEqual({
      zone: "privatelink.a1b2c3d4e5f6.database.windows.net",
      recordName: "mi1",
    });
    expect(zr(resolveZone("mi1.privatelink.a1b2c3d4e5f6.database.windows.net"))).toEqual({
      zone: "privatelink.a1b2c3d4e5f6.database.windows.net",
      recordName: "mi1",
    });
    expect(resolveZone("sql1.database.windows.net")!.zone).toBe("privatelink.database.windows.net");
  });

  it("a literal label beats a placeholder at equal length (Monitor agentsvc vs Automation {regionCode})", () => {
    expect(zr(resolveZone("ws1.agentsvc.azure-automation.net"))).toEqual({
      zone: "privatelink.agentsvc.azure-automation.net",
      recordName: "ws1",
    });
    expect(zr(resolveZone("0f1e2d3c.webhook.weu.azure-automation.net"))).toEqual({
      zone: "privatelink.azure-automation.net",
      recordName: "0f1e2d3c.webhook.weu",
    });
  });

  it("Event Grid MQTT topic spaces go to privatelink.ts.eventgrid.azure.net", () => {
    expect(zr(resolveZone("ns1.westeurope-1.ts.eventgrid.azure.net"))).toEqual({
      zone: "privatelink.ts.eventgrid.azure.net",
      recordName: "ns1.westeurope-1",
    });
    expect(zr(resolveZone("ns1.westeurope-1.eventgrid.azure.net"))).toEqual({
      zone: "privatelink.eventgrid.azure.net",
      recordName: "ns1.westeurope-1",
    });
  });

  it("forwarder labels outside the zone stay in the record name (Batch, Site Recovery, Health Data Services)", () => {
    expect(zr(resolveZone("mybatch.westeurope.batch.azure.com"))).toEqual({
      zone: "privatelink.batch.azure.com",
      recordName: "mybatch.westeurope",
    });
    expect(zr(resolveZone("mybatch.westeurope.service.batch.azure.com"))).toEqual({
      zone: "privatelink.batch.azure.com",
      recordName: "mybatch.westeurope.service",
    });
    expect(zr(resolveZone("vault1-asr-pod01-srs1.weu.siterecovery.windowsazure.com"))).toEqual({
      zone: "privatelink.siterecovery.windowsazure.com",
      recordName: "vault1-asr-pod01-srs1.weu",
    });
    expect(zr(resolveZone("ws-fhir1.fhir.azurehealthcareapis.com"))).toEqual({
      zone: "privatelink.azurehealthcareapis.com",
      recordName: "ws-fhir1.fhir",
    });
    expect(zr(resolveZone("ws-dicom1.dicom.azurehealthcareapis.com"))).toEqual({
      zone: "privatelink.dicom.azurehealthcareapis.com",
      recordName: "ws-dicom1",
    });
  });

  it("placeholders in the zone stem are filled from the name (Container Apps, Prometheus, Backup, Static Web Apps)", () => {
    expect(zr(resolveZone("app1.env-abc.westeurope.azurecontainerapps.io"))).toEqual({
      zone: "privatelink.westeurope.azurecontainerapps.io",
      recordName: "app1.env-abc",
    });
    expect(zr(resolveZone("amw1-abcd.westeurope.prometheus.monitor.azure.com"))).toEqual({
      zone: "privatelink.westeurope.prometheus.monitor.azure.com",
      recordName: "amw1-abcd",
    });
    expect(zr(resolveZone("123-ab-weu.weu.backup.windowsazure.com"))).toEqual({
      zone: "privatelink.weu.backup.windowsazure.com",
      recordName: "123-ab-weu",
    });
    expect(zr(resolveZone("site1.azurestaticapps.net"))).toEqual({ zone: "privatelink.azurestaticapps.net", recordName: "site1" });
    expect(zr(resolveZone("site1.3.azurestaticapps.net"))).toEqual({ zone: "privatelink.3.azurestaticapps.net", recordName: "site1" });
  });

  it("a placeholder never matches the privatelink label or stands in for the resource name", () => {
    // {region}.redis.azure.net needs the cache name in front of the region
    expect(resolveZone("westeurope.redis.azure.net")).toBeUndefined();
    expect(resolveZone("westeurope.azmk8s.io")).toBeUndefined();
    // {cachename} IS the resource name, so nothing more is needed
    expect(zr(resolveZone("re1.westeurope.redisenterprise.cache.azure.net"))).toEqual({
      zone: "privatelink.redisenterprise.cache.azure.net",
      recordName: "re1.westeurope",
    });
    // a name under an unlisted privatelink zone is not claimed by a public forwarder
    expect(resolveZone("x.privatelink.blob.storage.azure.net")).toBeUndefined();
    expect(resolveZone("x.privatelink.vault.azure.net")).toBeUndefined();
  });
});

describe("resolveZone: alternative zone layouts ({subzone} and friends)", () => {
  it("AKS: the base zone privatelink.{region}.azmk8s.io wins; the {subzone} layout is a candidate", () => {
    const name = "aks1-a1b2c3d4.3f2e1d0c-1111-2222-3333-444455556666.privatelink.westeurope.azmk8s.io";
    expect(zr(resolveZone(name))).toEqual({
      zone: "privatelink.westeurope.azmk8s.io",
      recordName: "aks1-a1b2c3d4.3f2e1d0c-1111-2222-3333-444455556666",
    });
    const sub = resolveZoneCandidates("aks1.team1.privatelink.westeurope.azmk8s.io");
    expect(sub.map(zr)).toEqual([
      { zone: "privatelink.westeurope.azmk8s.io", recordName: "aks1.team1" },
      { zone: "team1.privatelink.westeurope.azmk8s.io", recordName: "aks1" },
    ]);
    expect(resolveZoneCandidates("aks1.team1.westeurope.azmk8s.io").map(zr)).toEqual(sub.map(zr));
    // a single label in front of the region has no room for a subzone
    expect(resolveZoneCandidates("aks1.privatelink.westeurope.azmk8s.io").map(zr)).toEqual([{ zone: "privatelink.westeurope.azmk8s.io", recordName: "aks1" }]);
  });

  it("ACR data endpoints and Web Apps SCM go to the base zone (table footnotes: do not deploy the extra zone)", () => {
    expect(zr(resolveZone("reg1.westeurope.data.azurecr.io"))).toEqual({
      zone: "privatelink.azurecr.io",
      recordName: "reg1.westeurope.data",
    });
    expect(zr(resolveZone("reg1.westeurope.data.privatelink.azurecr.io"))).toEqual({
      zone: "privatelink.azurecr.io",
      recordName: "reg1.westeurope.data",
    });
    expect(resolveZoneCandidates("reg1.westeurope.data.azurecr.io").map(zr)).toContainEqual({
      zone: "westeurope.data.privatelink.azurecr.io",
      recordName: "reg1",
    });
    expect(zr(resolveZone("app1.scm.azurewebsites.net"))).toEqual({ zone: "privatelink.azurewebsites.net", recordName: "app1.scm" });
    expect(zr(resolveZone("app1.scm.privatelink.azurewebsites.net"))).toEqual({
      zone: "privatelink.azurewebsites.net",
      recordName: "app1.scm",
    });
  });

  it("the first candidate is always resolveZone()", () => {
    for (const n of ["kv.vault.azure.net", "a.b.westeurope.azmk8s.io", "reg1.westeurope.data.azurecr.io", "rdweb.wvd.microsoft.com"]) {
      expect(resolveZoneCandidates(n)[0]).toEqual(resolveZone(n));
    }
    expect(resolveZoneCandidates("foo.example.com")).toEqual([]);
    expect(resolveZoneCandidates(42 as unknown as string)).toEqual([]);
  });

  it("Azure Virtual Desktop: public names go to privatelink.wvd.*, privatelink-global names keep their zone", () => {
    expect(zr(resolveZone("rdweb.wvd.microsoft.com"))).toEqual({ zone: "privatelink.wvd.microsoft.com", recordName: "rdweb" });
    expect(zr(resolveZone("rdweb.privatelink-global.wvd.microsoft.com"))).toEqual({
      zone: "privatelink-global.wvd.microsoft.com",
      recordName: "rdweb",
    });
    expect(resolveZoneCandidates("rdweb.wvd.microsoft.com").map((m) => m.zone)).toContain("privatelink-global.wvd.microsoft.com");
  });
});

describe("resolveZone: special cases", () => {
  it("Azure Resource Manager's umbrella forwarder azure.com only takes management.azure.com", () => {
    expect(resolveZone("management.azure.com")).toMatchObject({
      zone: "privatelink.azure.com",
      recordName: "management",
      service: "Azure Resource Manager",
    });
    expect(resolveZone("management.privatelink.azure.com")).toMatchObject({ zone: "privatelink.azure.com", recordName: "management" });
    expect(resolveZone("foo.azure.com")).toBeUndefined();
    expect(resolveZone("ep1.westeurope.inference.ml.azure.com")).toBeUndefined();
    expect(resolveZone("westeurope-5.in.applicationinsights.azure.com")).toBeUndefined();
  });

  it("forwarders without a zone of their own stay unresolved (AML instances, Monitor extras)", () => {
    expect(resolveZone("ci1.westeurope.instances.azureml.ms")).toBeUndefined();
    expect(resolveZone("x.aznbcontent.net")).toBeUndefined();
    expect(resolveZone("dc.services.visualstudio.com")).toBeUndefined();
  });

  it("wildcard record names are kept", () => {
    expect(zr(resolveZone("*.0f1e2d3c.inference.westeurope.api.azureml.ms"))).toEqual({
      zone: "privatelink.api.azureml.ms",
      recordName: "*.0f1e2d3c.inference.westeurope",
    });
  });
});

describe("resolveZone: input handling", () => {
  it("is case-insensitive, tolerates a trailing dot and surrounding blanks", () => {
    expect(resolveZone("KV.Vault.Azure.NET.")).toEqual(resolveZone("kv.vault.azure.net"));
    expect(resolveZone("  acct.PrivateLink.Blob.Core.Windows.Net.  ")).toMatchObject({
      zone: "privatelink.blob.core.windows.net",
      recordName: "acct",
      fqdn: "acct.privatelink.blob.core.windows.net",
    });
  });

  it("unknown names are undefined", () => {
    expect(resolveZone("foo.example.com")).toBeUndefined();
    expect(resolveZone("foo.windows.net")).toBeUndefined();
    expect(resolveZone("foo.core.windows.net")).toBeUndefined();
  });

  it("a bare zone or forwarder (no record label) is undefined", () => {
    expect(resolveZone("privatelink.blob.core.windows.net")).toBeUndefined();
    expect(resolveZone("blob.core.windows.net")).toBeUndefined();
    expect(resolveZone("vault.azure.net")).toBeUndefined();
    expect(resolveZone("privatelink.westeurope.azmk8s.io")).toBeUndefined();
  });

  it.each([
    "",
    " ",
    ".",
    "..",
    "a..b.vault.azure.net",
    ".kv.vault.azure.net",
    "kv.vault.azure.net..",
    "localhost",
    "net",
    "https://kv.vault.azure.net/",
    "kv.vault.azure.net:443",
    "kv vault.azure.net",
    "-kv.vault.azure.net",
    "kv-.vault.azure.net",
    "k*v.vault.azure.net",
    "kv.*.vault.azure.net",
    "kv.väult.azure.net",
    "10.0.0.4",
    `${"a".repeat(64)}.vault.azure.net`,
    `${Array.from({ length: 130 }, () => "a").join(".")}.vault.azure.net`,
  ])("garbage %j -> undefined", (input) => {
    expect(resolveZone(input)).toBeUndefined();
  });

  it.each([undefined, null, 42, {}, [], ["kv.vault.azure.net"], Symbol("x"), () => "kv.vault.azure.net"])("non-string %s -> undefined, no throw", (input) => {
    expect(() => resolveZone(input as string)).not.toThrow();
    expect(resolveZone(input as string)).toBeUndefined();
  });
});

describe("knownZoneNames", () => {
  it("lists every zone pattern of the table once, placeholders kept", () => {
    const names = knownZoneNames();
    const fromTable = [...new Set(entries.flatMap((e) => e.privateDnsZones.map((z) => z.trim())))].sort();
    expect(names).toEqual(fromTable);
    expect(names).toHaveLength(178);
    expect(names).toContain("privatelink.vaultcore.azure.net");
    expect(names).toContain("privatelink.{regionName}.azmk8s.io");
    expect(names).toContain("{subzone}.privatelink.{regionName}.azmk8s.io");
    expect(names).toContain("privatelink.redis.azure.net");
    expect(names).toContain("privatelink.redisenterprise.cache.azure.net");
    names.push("mutated");
    expect(knownZoneNames()).not.toContain("mutated");
  });
});

describe("shipped data", () => {
  it("is the reference table, unchanged, with its provenance", () => {
    const fixture = readFileSync(new URL("../fixtures/reference/private-link-dns-zones/private-endpoint-dns-zones.json", import.meta.url), "utf8");
    const data = readFileSync(new URL("../../shared/dns/data/private-dns-zones.json", import.meta.url), "utf8");
    expect(data).toBe(fixture);
    expect(ZONE_TABLE_SOURCE).toMatchObject({
      publishedAt: "https://learn.microsoft.com/azure/private-link/private-endpoint-dns",
      storedCopy: { commit: "1ab2e5ad64e925bfafdf6243312a3be7e17941c1" },
    });
    expect(entries).toHaveLength(215);
  });
});

// ---- table-wide ------------------------------------------------------------------------------

const VALUES: Record<string, string> = {
  regionName: "westeurope",
  region: "westeurope",
  regionCode: "weu",
  dnsPrefix: "a1b2c3d4e5f6",
  partitionId: "3",
  cachename: "cache1",
  workspaceName: "ws1",
  subzone: "team1",
};
const fill = (pattern: string): string =>
  pattern
    .trim()
    .replace(/\{(\w+)\}/g, (_m, n: string) => {
      const v = VALUES[n];
      if (v === undefined) throw new Error(`no test value for placeholder {${n}}`);
      return v;
    })
    .toLowerCase();
const isVariantZone = (zone: string): boolean => !/^privatelink(-[a-z]+)?\./.test(zone);

/** Forwarders the table lists without any zone they can be paired with (checked: resolve to undefined). */
const EXPECTED_UNRESOLVED = [
  "applicationinsights.azure.com",
  "aznbcontent.net",
  "inference.ml.azure.cn",
  "inference.ml.azure.com",
  "inference.ml.azure.us",
  "instances.azureml.cn",
  "instances.azureml.ms",
  "instances.azureml.us",
  "services.visualstudio.com",
];

/** (cloud | service | forwarder) that do not pair within their own entry. */
const EXPECTED_UNPAIRED = [
  "Commercial|Azure Machine Learning workspace|instances.azureml.ms",
  "Commercial|Azure Machine Learning workspace|aznbcontent.net",
  "Commercial|Azure Machine Learning workspace|inference.ml.azure.com",
  "Commercial|Azure IoT Central|privatelink.azure-devices.net",
  "Commercial|Azure IoT Central|privatelink.servicebus.windows.net",
  "Commercial|Azure IoT Central|privatelink.azure-devices-provisioning.net",
  "Commercial|Azure Monitor|services.visualstudio.com",
  "Commercial|Azure Monitor|applicationinsights.azure.com",
  "Government|Azure Machine Learning|instances.azureml.us",
  "Government|Azure Machine Learning|aznbcontent.net",
  "Government|Azure Machine Learning|inference.ml.azure.us",
  "Government|Azure IoT Hub|servicebus.usgovcloudapi.net",
  "Government|Microsoft Purview|purview.azure.com",
  "China|Azure Machine Learning|instances.azureml.cn",
  "China|Azure Machine Learning|aznbcontent.net",
  "China|Azure Machine Learning|inference.ml.azure.cn",
];

describe("table-wide: every entry of the shipped data", () => {
  // forwarder -> every concrete zone of every entry that lists it (entries may share a forwarder)
  const zonesByForwarder = new Map<string, Set<string>>();
  for (const e of entries) {
    for (const f of e.publicDnsForwarders) {
      const set = zonesByForwarder.get(fill(f)) ?? new Set<string>();
      for (const z of e.privateDnsZones) set.add(fill(z));
      zonesByForwarder.set(fill(f), set);
    }
  }
  const cloudsByZone = new Map<string, Set<string>>();
  for (const e of entries) for (const z of e.privateDnsZones) cloudsByZone.set(fill(z), (cloudsByZone.get(fill(z)) ?? new Set()).add(e.cloud));

  const pairings = publicNamePairings();
  const publicCases = entries.flatMap((e, i) =>
    e.publicDnsForwarders.map((f) => {
      const fw = fill(f);
      const pairing = pairings.find((p) => p.cloud === e.cloud && p.resourceType === e.resourceType && p.groupId === e.groupId && fill(p.forwarder) === fw);
      // ARM's azure.com only takes management.azure.com (special case). A forwarder shorter than its
      // zone's stem (Container Apps: azurecontainerapps.io vs privatelink.{regionName}.azurecontainerapps.io)
      // needs the stem's labels in the name: the sample is built from the stem.
      const sample =
        pairing?.how === "zone-longer"
          ? `sample.${fill(pairing.zone!).replace(/^privatelink\./, "")}`
          : `${fw === "azure.com" ? "management" : "sample"}.${fw}`;
      return { label: `#${i} ${e.cloud} ${e.service} [${e.groupId}] ${f}`, sample, entry: e, forwarder: fw };
    }),
  );

  it.each(publicCases)("public $label", ({ sample, entry, forwarder }) => {
    const m = resolveZone(sample);
    if (EXPECTED_UNRESOLVED.includes(forwarder)) {
      expect(m).toBeUndefined();
      return;
    }
    expect(m, sample).toBeDefined();
    const own = new Set(entry.privateDnsZones.map(fill));
    const shared = zonesByForwarder.get(forwarder)!;
    expect(own.has(m!.zone) || shared.has(m!.zone), `${sample} -> ${m!.zone}`).toBe(true);
    expect(cloudsByZone.get(m!.zone)).toContain(m!.cloud);
    expect(m!.service).not.toBe("");
    // round trip: the privatelink name of the answer gives the same answer
    expect(zr(resolveZone(`${m!.recordName}.${m!.zone}`))).toEqual(zr(m));
  });

  const zoneCases = entries.flatMap((e, i) =>
    e.privateDnsZones.map((z) => ({ label: `#${i} ${e.cloud} ${e.service} [${e.groupId}] ${z}`, zone: fill(z), entry: e })),
  );

  it.each(zoneCases)("privatelink $label", ({ zone, entry }) => {
    const sample = `sample.${zone}`;
    const m = resolveZone(sample);
    expect(m, sample).toBeDefined();
    expect(m!.cloud).toBe(entry.cloud);
    if (isVariantZone(zone)) {
      // alternative layout: the base zone of the same entry wins, the layout itself is a candidate
      expect(entry.privateDnsZones.map(fill)).toContain(m!.zone);
      expect(resolveZoneCandidates(sample).map(zr)).toContainEqual({ zone, recordName: "sample" });
    } else {
      expect(zr(m)).toEqual({ zone, recordName: "sample" });
    }
  });

  it("the forwarders that do not pair inside their own entry are exactly the known ones", () => {
    const unpaired = publicNamePairings()
      .filter((p) => p.zone === undefined)
      .map((p) => `${p.cloud}|${p.service}|${p.forwarder}`);
    expect([...new Set(unpaired)]).toEqual(EXPECTED_UNPAIRED);
  });

  it("special-cased pairings are labelled", () => {
    const special = publicNamePairings()
      .filter((p) => p.zone !== undefined && p.note)
      .map((p) => `${p.cloud}|${p.forwarder}|${p.zone}`);
    expect(special).toEqual(["Commercial|azure.com|privatelink.azure.com", "China|vault.azure.cn|privatelink.vaultcore.azure.cn"]);
  });
});
