import { readFile } from "node:fs/promises";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { ALLOW_LIST_SCHEMA, DEFAULTS } from "../../shared/config/index.js";

type Json = Record<string, any>;
const schema = ALLOW_LIST_SCHEMA as Json;

function* objectSchemas(node: unknown, path = "#"): Generator<[string, Json]> {
  if (!node || typeof node !== "object") return;
  const n = node as Json;
  if (n.type === "object") yield [path, n];
  for (const [k, v] of Object.entries(n)) {
    if (k === "enum" || k === "default" || k === "required") continue;
    yield* objectSchemas(v, `${path}/${k}`);
  }
}

describe("allow-list.schema.json", () => {
  it("is the file on disk, with an $id and draft-07 $schema editors understand", async () => {
    const onDisk = JSON.parse(await readFile(new URL("../../shared/config/allow-list.schema.json", import.meta.url), "utf8"));
    expect(onDisk).toEqual(schema);
    expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(typeof schema.$id).toBe("string");
  });

  it("compiles in strict mode", () => {
    const ajv = new Ajv({ strict: true, allErrors: true });
    expect(() => ajv.compile(schema)).not.toThrow();
  });

  it("forbids unknown keys in every object", () => {
    const objects = [...objectSchemas(schema)];
    expect(objects.length).toBeGreaterThanOrEqual(8);
    for (const [path, s] of objects) expect({ path, additionalProperties: s.additionalProperties }).toEqual({ path, additionalProperties: false });
  });

  it("documents every property for editor hover", () => {
    for (const [path, s] of objectSchemas(schema)) {
      for (const [name, prop] of Object.entries((s.properties ?? {}) as Json)) {
        const ref = typeof prop.$ref === "string" ? schema.definitions[prop.$ref.replace("#/definitions/", "")] : undefined;
        const description = prop.description ?? ref?.description;
        expect({ at: `${path}/properties/${name}`, hasDescription: typeof description === "string" && description.length > 0 }).toEqual({
          at: `${path}/properties/${name}`,
          hasDescription: true,
        });
      }
    }
  });

  it("has the same defaults as the loader", () => {
    const p = schema.properties;
    expect(p.approval.properties.unmatched.default).toBe(DEFAULTS.approval.unmatched);
    expect(p.approval.properties.revokeRemoved.default).toBe(DEFAULTS.approval.revokeRemoved);
    for (const k of Object.keys(DEFAULTS.dns) as (keyof typeof DEFAULTS.dns)[]) expect(p.dns.properties[k].default).toBe(DEFAULTS.dns[k]);
    for (const k of Object.keys(DEFAULTS.cleanup) as (keyof typeof DEFAULTS.cleanup)[]) {
      expect(p.cleanup.properties[k].default).toEqual(DEFAULTS.cleanup[k]);
    }
  });

  it("validates subscription GUIDs and resource ids by pattern", () => {
    const ajv = new Ajv({ strict: true });
    const guid = ajv.compile(schema.definitions.guid);
    expect(guid("11111111-aaaa-BBBB-1111-111111111111")).toBe(true);
    expect(guid("11111111-aaaa-bbbb-1111-11111111111")).toBe(false);
    expect(guid("{11111111-aaaa-bbbb-1111-111111111111}")).toBe(false);
    const rg = ajv.compile(schema.definitions.resourceGroupId);
    expect(rg("/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-dns")).toBe(true);
    expect(rg("/SUBSCRIPTIONS/11111111-1111-1111-1111-111111111111/resourcegroups/rg-dns")).toBe(true);
    expect(rg("/subscriptions/11111111-1111-1111-1111-111111111111")).toBe(false);
    expect(rg("/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/A.B/c/d")).toBe(false);
    const scope = ajv.compile(schema.definitions.managedScope);
    expect(scope("/subscriptions/11111111-1111-1111-1111-111111111111")).toBe(true);
    expect(scope("/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-*")).toBe(false);
    const type = ajv.compile(schema.definitions.resourceType);
    expect(type("Microsoft.KeyVault/vaults")).toBe(true);
    expect(type("vaults")).toBe(false);
  });
});
