// Caller extraction from claims / authorization.evidence, and self-event detection.
import { describe, expect, it } from "vitest";
import { isFromPrincipal, parseEvent, type ResourceEvent } from "../../shared/events/index.js";
import { REF, expectEvent, readJson } from "./helpers.js";

const specs = new URL("rest-api-specs-examples/", REF);
const OID = "3c6f0f5e-8b7a-4c1d-9e2f-5a6b7c8d9e01";
const APP = "0d9c8b7a-6f5e-4d3c-2b1a-0f9e8d7c6b5a";

function withData(patch: (data: any) => void): ResourceEvent {
  const raw = readJson(specs, "event-grid-schema.resource_write_success.json");
  patch(raw.data);
  return expectEvent(parseEvent(raw));
}

describe("caller extraction", () => {
  it("short claim names (oid, appid, name)", () => {
    const ev = withData((d) => (d.claims = { oid: OID, appid: APP, name: "Alice" }));
    expect(ev.caller).toEqual({ objectId: OID, appId: APP, name: "Alice" });
  });

  it("long claim URIs and azp", () => {
    const ev = withData(
      (d) =>
        (d.claims = {
          "http://schemas.microsoft.com/identity/claims/objectidentifier": OID,
          azp: APP,
          "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn": "alice@contoso.com",
        }),
    );
    expect(ev.caller).toEqual({ objectId: OID, appId: APP, name: "alice@contoso.com" });
  });

  it("claims win over authorization.evidence; evidence fills the gaps", () => {
    const ev = withData((d) => {
      d.claims = { appid: APP };
      d.authorization.evidence = { role: "Contributor", principalId: OID.replace(/-/g, ""), principalType: "ServicePrincipal" };
    });
    expect(ev.caller).toEqual({ objectId: OID.replace(/-/g, ""), appId: APP, principalType: "ServicePrincipal" });
  });

  it("a Group in evidence is not the caller", () => {
    const ev = withData((d) => {
      d.claims = { idtyp: "user" };
      d.authorization.evidence = { principalId: "group-object-id", principalType: "Group" };
    });
    expect(ev.caller).toEqual({ principalType: "User" });
  });

  it("idtyp app → ServicePrincipal when evidence has no type", () => {
    const ev = withData((d) => {
      d.claims = { oid: OID, idtyp: "app" };
      delete d.authorization;
    });
    expect(ev.caller).toEqual({ objectId: OID, principalType: "ServicePrincipal" });
  });

  it("no claims and no authorization → empty caller, no warnings", () => {
    const ev = withData((d) => {
      delete d.claims;
      delete d.authorization;
    });
    expect(ev.caller).toEqual({});
    expect(ev.warnings).toBeUndefined();
  });

  it("non-string claim values are ignored", () => {
    const ev = withData((d) => (d.claims = { oid: 123, appid: null, name: "" }));
    expect(ev.caller).toEqual({});
  });
});

describe("isFromPrincipal", () => {
  const ev = withData((d) => (d.claims = { oid: OID.toUpperCase(), appid: APP }));

  it("matches on object id, case-insensitively", () => {
    expect(isFromPrincipal(ev, { objectId: OID })).toBe(true);
    expect(isFromPrincipal(ev, { objectId: ` ${OID.toUpperCase()} ` })).toBe(true);
  });

  it("matches on client id against the app id", () => {
    expect(isFromPrincipal(ev, { clientId: APP.toUpperCase() })).toBe(true);
    expect(isFromPrincipal(ev, { objectId: "00000000-0000-0000-0000-000000000000", clientId: APP })).toBe(true);
  });

  it("does not cross-match object id with app id", () => {
    expect(isFromPrincipal(ev, { objectId: APP })).toBe(false);
    expect(isFromPrincipal(ev, { clientId: OID })).toBe(false);
  });

  it("GUIDs match with or without dashes and braces (activity-log evidence drops dashes)", () => {
    const fromEvidence = withData((d) => {
      delete d.claims;
      d.authorization.evidence = { principalId: OID.replace(/-/g, ""), principalType: "ServicePrincipal" };
    });
    expect(isFromPrincipal(fromEvidence, { objectId: OID })).toBe(true);
    expect(isFromPrincipal(fromEvidence, { objectId: `{${OID}}` })).toBe(true);
  });

  it("missing or empty values never match", () => {
    expect(isFromPrincipal(ev, {})).toBe(false);
    expect(isFromPrincipal(ev, { objectId: "", clientId: "" })).toBe(false);
    const anonymous = withData((d) => {
      delete d.claims;
      delete d.authorization;
    });
    expect(isFromPrincipal(anonymous, { objectId: OID, clientId: APP })).toBe(false);
    expect(isFromPrincipal({ ...anonymous, caller: { objectId: "" } }, { objectId: "" })).toBe(false);
  });
});
