// The app's custom roles at a management group, so that they can be assigned in every
// subscription below it (watched subscriptions, managed scopes, the hub's DNS zones).
//   az deployment mg create --management-group-id <mg> --location <region> --template-file infra/roles.json
// Then deploy main.json with rolesManagementGroupId=<mg>. A single-subscription install can skip this:
// main.json defines the same roles in its own subscription when rolesManagementGroupId is empty.
targetScope = 'managementGroup'

import { generated, customRoleGuid, customRoleProperties } from 'modules/common.bicep'

@description('Optional: the app identity\'s principal id (main.json output identityPrincipalId). Set, it gets the management group reader role here, so allow-list rules with requesterManagementGroups can list the subscriptions below this group and every group under it. Deploy roles.json again with it once main.json has run.')
param groupReaderPrincipalId string = ''

resource roles 'Microsoft.Authorization/roleDefinitions@2022-04-01' = [
  for key in objectKeys(generated.roles): {
    name: customRoleGuid(managementGroup().id, key)
    properties: customRoleProperties(generated.roles[key], managementGroup().id)
  }
]

resource groupReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(groupReaderPrincipalId)) {
  name: guid(managementGroup().id, groupReaderPrincipalId, 'groupReader')
  properties: {
    roleDefinitionId: tenantResourceId('Microsoft.Authorization/roleDefinitions', customRoleGuid(managementGroup().id, 'groupReader'))
    principalId: groupReaderPrincipalId
    principalType: 'ServicePrincipal'
  }
  dependsOn: [roles]
}

@description('Role definition ids by key (approver, dnsWriter, consumerReader, endpointCleaner, groupReader).')
output roleDefinitionIds object = toObject(objectKeys(generated.roles), key => key, key => tenantResourceId('Microsoft.Authorization/roleDefinitions', customRoleGuid(managementGroup().id, key)))
