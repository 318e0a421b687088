// The app's custom roles at a management group, so that they can be assigned in every
// subscription below it (watched subscriptions, managed scopes, the hub's DNS zones).
//   az deployment mg create --management-group-id <mg> --location <region> --template-file infra/roles.json
// Then deploy main.json with rolesManagementGroupId=<mg>. A single-subscription install can skip this:
// main.json defines the same roles in its own subscription when rolesManagementGroupId is empty.
targetScope = 'managementGroup'

import { generated, customRoleGuid, customRoleProperties } from 'modules/common.bicep'

resource roles 'Microsoft.Authorization/roleDefinitions@2022-04-01' = [
  for key in objectKeys(generated.roles): {
    name: customRoleGuid(managementGroup().id, key)
    properties: customRoleProperties(generated.roles[key], managementGroup().id)
  }
]

@description('Role definition ids by key (approver, dnsWriter, consumerReader, endpointCleaner).')
output roleDefinitionIds object = toObject(objectKeys(generated.roles), key => key, key => tenantResourceId('Microsoft.Authorization/roleDefinitions', customRoleGuid(managementGroup().id, key)))
