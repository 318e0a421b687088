// The subscriptions of the test world: the provider's (targets), a consumer's (endpoints) and the DNS hub's.
export const PROVIDER = "22222222-2222-2222-2222-222222222222";
export const CONSUMER = "11111111-1111-1111-1111-111111111111";
export const HUB = "33333333-3333-3333-3333-333333333333";
export const HUB_RG = `/subscriptions/${HUB}/resourceGroups/rg-dns`;
