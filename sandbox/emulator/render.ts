// Resources as ARM GET returns them: stored body plus what real services compute
// on read (a provider's current connections, a VNet's subnets, a zone's record
// set count).
import type { ArmResource } from "../estate.js";
import { PRIVATE_DNS_ZONES, isType, typeInfo, type EmbedStyle } from "./resourceTypes.js";
import type { Store } from "./store.js";

export function render(store: Store, res: ArmResource): ArmResource {
  const out = structuredClone(res);
  const info = typeInfo(res.type);
  if (info?.embeds) {
    const { property, style } = info.embeds;
    out.properties = { ...(out.properties ?? {}), [property]: store.children(res.id, property).map((c) => embed(render(store, c), style)) };
  }
  if (isType(res.type, PRIVATE_DNS_ZONES) && out.properties) {
    out.properties.numberOfRecordSets = store.children(res.id).filter((c) => typeInfo(c.type)?.recordSet).length;
  }
  return out;
}

function embed(copy: ArmResource, style: EmbedStyle): unknown {
  switch (style) {
    case "idOnly":
      return { id: copy.id };
    case "idProps":
      return { id: copy.id, properties: copy.properties };
    case "idEtagProps":
      return { id: copy.id, etag: copy.etag, properties: copy.properties };
    default:
      return copy;
  }
}
