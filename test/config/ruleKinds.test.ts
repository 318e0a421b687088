// Reject rules, service-managed requesters and request messages in the allow-list file (issue 13).
import { describe, expect, it } from "vitest";
import { parseConfigText } from "../../shared/config/index.js";

const head = "approval:\n  managedScopes: [/subscriptions/00000000-0000-0000-0000-0000000000aa]\n  rules:\n";
const parse = (rules: string) => parseConfigText(head + rules, "a.yaml");
const problems = (rules: string) => {
  const r = parse(rules);
  return r.ok ? [] : r.problems.map((p) => `${p.line}:${p.key}: ${p.message}`);
};

describe("allow-list rule kinds", () => {
  it("loads a reject rule without a requester, and an allow rule named by endpoint ids and messages", () => {
    const r = parse(
      "    - name: no-blob\n      action: reject\n      groupIds: [blob]\n" +
        "    - name: afd\n      requesterEndpointIds: [/subscriptions/aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa/resourceGroups/eafd-*]\n      requestMessages: ['afd-web*']\n" +
        "    - name: corp\n      requesterManagementGroups: [corp]\n",
    );
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.config.approval.rules).toEqual([
      { name: "no-blob", action: "reject", groupIds: ["blob"] },
      { name: "afd", requesterEndpointIds: ["/subscriptions/aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa/resourceGroups/eafd-*"], requestMessages: ["afd-web*"] },
      { name: "corp", requesterManagementGroups: ["corp"] },
    ]);
  });

  it("refuses an allow rule that only the request message would decide", () => {
    expect(problems("    - name: by-message\n      requestMessages: ['please approve']\n")).toEqual([
      "4:approval.rules[0]: an allow rule must name the requester: add requesterSubscriptions, requesterManagementGroups or requesterEndpointIds (requestMessages is written by the requester, so it can only narrow a rule), or make it a reject rule (action: reject)",
    ]);
  });

  it("refuses an allow rule's endpoint id pattern with a wildcard subscription", () => {
    expect(problems("    - name: afd\n      requesterEndpointIds: ['/subscriptions/*/resourceGroups/eafd-Prod-*/*']\n")).toEqual([
      "5:approval.rules[0].requesterEndpointIds[0]: '/subscriptions/*/resourceGroups/eafd-Prod-*/*': an allow rule's endpoint id pattern must name the subscription literally (/subscriptions/{GUID}/...), since the rest of the id is chosen by whoever creates the endpoint",
    ]);
    // A reject rule may: it can only keep connections from being approved.
    expect(problems("    - name: afd\n      action: reject\n      requesterEndpointIds: ['/subscriptions/*/resourceGroups/eafd-Prod-*/*']\n")).toEqual([]);
  });

  it("refuses an unknown action and a malformed management group id", () => {
    expect(problems("    - name: x\n      action: deny\n      requesterSubscriptions: [11111111-1111-1111-1111-111111111111]\n")[0]).toMatch(
      /action: .*'deny'.* is not allowed; use one of 'allow', 'reject'/,
    );
    expect(problems("    - name: x\n      requesterManagementGroups: ['corp landing zones']\n")[0]).toMatch(/requesterManagementGroups\[0\]/);
  });
});
