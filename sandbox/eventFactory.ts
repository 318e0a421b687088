// Builds resource events shaped like the ones Azure sends (see
// test/fixtures/reference/eventgrid), for the sandbox scenario and tests.
import { randomUUID } from "node:crypto";
import { parseResourceId } from "../shared/model/resourceId.js";

export type ResourceEventType =
  "Microsoft.Resources.ResourceWriteSuccess" | "Microsoft.Resources.ResourceDeleteSuccess" | "Microsoft.Resources.ResourceActionSuccess";

export interface ResourceEventSpec {
  eventType?: ResourceEventType;
  resourceId: string;
  operationName: string;
  tenantId?: string;
  /** The caller's object id, as it appears in the claims. */
  callerObjectId?: string;
}

function data(spec: ResourceEventSpec) {
  const id = parseResourceId(spec.resourceId);
  const caller = spec.callerObjectId ?? randomUUID();
  return {
    authorization: { scope: spec.resourceId, action: spec.operationName, evidence: { role: "Contributor", principalId: caller, principalType: "User" } },
    // Real payloads often carry claims as a JSON-encoded string.
    claims: JSON.stringify({
      "http://schemas.microsoft.com/identity/claims/objectidentifier": caller,
      name: "sandbox user",
      appid: "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
    }),
    correlationId: randomUUID(),
    resourceProvider: spec.operationName.split("/")[0],
    resourceUri: spec.resourceId,
    operationName: spec.operationName,
    status: "Succeeded",
    subscriptionId: id.subscriptionId,
    tenantId: spec.tenantId ?? "72f988bf-86f1-41af-91ab-2d7cd011db47",
  };
}

/** Event Grid schema input for EventGridPublisherClient<"EventGrid">. */
export function eventGridEvent(spec: ResourceEventSpec) {
  const id = parseResourceId(spec.resourceId);
  return {
    id: randomUUID(),
    eventType: spec.eventType ?? "Microsoft.Resources.ResourceWriteSuccess",
    // Real subjects use lower-case `resourcegroups` at times.
    subject: spec.resourceId.replace("/resourceGroups/", "/resourcegroups/"),
    eventTime: new Date(),
    dataVersion: "2",
    data: data(spec),
    topic: `/subscriptions/${id.subscriptionId}`,
  };
}

/** CloudEvents 1.0 input for EventGridPublisherClient<"CloudEvent">. */
export function cloudEvent(spec: ResourceEventSpec) {
  const id = parseResourceId(spec.resourceId);
  return {
    id: randomUUID(),
    type: spec.eventType ?? "Microsoft.Resources.ResourceWriteSuccess",
    source: `/subscriptions/${id.subscriptionId}/resourceGroups/${id.resourceGroup}`,
    subject: spec.resourceId,
    time: new Date(),
    data: data(spec),
  };
}
