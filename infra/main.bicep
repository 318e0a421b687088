// privatelink-autopilot in one subscription-scope deployment: the app (identity, storage,
// monitoring, Flex Consumption Function App on Node 22), its custom roles (unless deployed
// at a management group with roles.json), their assignments on the managed scopes and the
// hub's DNS zone groups, and the watch of this subscription (watch-subscription.bicep).
//   az deployment sub create --location <region> --template-file infra/main.json --parameters @infra/main.parameters.example.json
targetScope = 'subscription'

import { customRoleGuid } from 'modules/common.bicep'

@description('Region of the app\'s resources.')
param location string = deployment().location
@description('Name of the environment (azd sets it); names the resource group and tags everything.')
param environmentName string = 'privatelink-autopilot'
param resourceGroupName string = 'rg-${environmentName}'
@description('Management group that holds the custom roles (deployed with roles.json). Empty: define them in this subscription, assignable here only.')
param rolesManagementGroupId string = ''
@description('Where the app approves connections: ids of subscriptions (/subscriptions/{id}) or resource groups (/subscriptions/{id}/resourceGroups/{name}), as in the allow-list\'s approval.managedScopes.')
param managedScopes string[] = []
@description('Resource groups (/subscriptions/{id}/resourceGroups/{name}) that hold the hub\'s Private DNS zones (the allow-list\'s dns.zones).')
param dnsZoneResourceGroupIds string[] = []
@description('Watch this subscription: its system topic delivers resource events to the app\'s queue. Other subscriptions: deploy watch-subscription.json there.')
param watchThisSubscription bool = true
@description('Let the app delete Disconnected endpoints and connections (allow-list cleanup.*): assigns the endpoint cleaner role on the managed scopes and this subscription.')
param enableCleanup bool = false
@description('Compute and log every decision, write nothing (AUTOPILOT_DRY_RUN). Turn off once the decisions look right.')
param dryRun bool = true
@description('Subscriptions the reconcile sweep lists endpoints in (AUTOPILOT_SUBSCRIPTIONS); empty: every subscription the identity can read.')
param sweepSubscriptionIds string[] = []
@description('NCRONTAB schedule of the reconcile sweep (AUTOPILOT_SWEEP_SCHEDULE).')
param sweepSchedule string = '0 */15 * * * *'
@description('The sweep stops after this many seconds and resumes on the next run (below the 5-minute function timeout).')
param sweepBudgetSeconds int = 240
@description('How often, at most, the app checks the allow-list blob for a new version.')
param allowListRefreshSeconds int = 60
@minValue(1)
param maximumInstanceCount int = 40
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048
@description('E-mail for the error alert; empty: the alert rule fires without notifying anyone.')
param alertEmailAddress string = ''
@minValue(5)
param alertWindowMinutes int = 15
@description('The alert fires when more than this many errors were counted in the window.')
param alertErrorThreshold int = 0

var tags = { app: 'privatelink-autopilot', 'azd-env-name': environmentName }
var rolesScopeId = empty(rolesManagementGroupId) ? subscription().id : tenantResourceId('Microsoft.Management/managementGroups', rolesManagementGroupId)
var roleGuid = {
  approver: customRoleGuid(rolesScopeId, 'approver')
  dnsWriter: customRoleGuid(rolesScopeId, 'dnsWriter')
  consumerReader: customRoleGuid(rolesScopeId, 'consumerReader')
  endpointCleaner: customRoleGuid(rolesScopeId, 'endpointCleaner')
  groupReader: customRoleGuid(rolesScopeId, 'groupReader')
}
// '/subscriptions/{id}' splits into 3 parts, '/subscriptions/{id}/resourceGroups/{name}' into 5.
var managedSubscriptions = filter(managedScopes, s => length(split(s, '/')) == 3)
var managedResourceGroups = filter(managedScopes, s => length(split(s, '/')) == 5)

resource group 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: resourceGroupName
  location: location
  tags: tags
}

module roles 'modules/subscriptionRoles.bicep' = if (empty(rolesManagementGroupId)) {
  name: 'autopilot-roles'
}

module app 'modules/app.bicep' = {
  name: 'autopilot-app'
  scope: group
  params: {
    location: location
    tags: tags
    suffix: uniqueString(subscription().id, resourceGroupName)
    dryRun: dryRun
    subscriptions: sweepSubscriptionIds
    sweepSchedule: sweepSchedule
    sweepBudgetSeconds: sweepBudgetSeconds
    allowListRefreshSeconds: allowListRefreshSeconds
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    alertEmailAddress: alertEmailAddress
    alertWindowMinutes: alertWindowMinutes
    alertErrorThreshold: alertErrorThreshold
  }
}

// Approver (and, with cleanup, the cleaner) where connections are approved.
module approverOnSubscriptions 'modules/subscriptionRoleAssignment.bicep' = [
  for (scope, i) in managedSubscriptions: {
    name: 'autopilot-approver-sub-${i}'
    scope: subscription(split(scope, '/')[2])
    params: { principalId: app.outputs.identityPrincipalId, roleGuid: roleGuid.approver }
    dependsOn: [roles]
  }
]

module approverOnGroups 'modules/roleAssignment.bicep' = [
  for (scope, i) in managedResourceGroups: {
    name: 'autopilot-approver-rg-${i}'
    scope: resourceGroup(split(scope, '/')[2], split(scope, '/')[4])
    params: { principalId: app.outputs.identityPrincipalId, roleGuid: roleGuid.approver }
    dependsOn: [roles]
  }
]

module cleanerOnSubscriptions 'modules/subscriptionRoleAssignment.bicep' = [
  for (scope, i) in (enableCleanup ? managedSubscriptions : []): {
    name: 'autopilot-cleaner-sub-${i}'
    scope: subscription(split(scope, '/')[2])
    params: { principalId: app.outputs.identityPrincipalId, roleGuid: roleGuid.endpointCleaner }
    dependsOn: [roles]
  }
]

module cleanerOnGroups 'modules/roleAssignment.bicep' = [
  for (scope, i) in (enableCleanup ? managedResourceGroups : []): {
    name: 'autopilot-cleaner-rg-${i}'
    scope: resourceGroup(split(scope, '/')[2], split(scope, '/')[4])
    params: { principalId: app.outputs.identityPrincipalId, roleGuid: roleGuid.endpointCleaner }
    dependsOn: [roles]
  }
]

// DNS writer on the resource groups of the hub's zones (A record sets only; not zones, not links).
module dnsWriter 'modules/roleAssignment.bicep' = [
  for (zoneGroup, i) in dnsZoneResourceGroupIds: {
    name: 'autopilot-dns-writer-${i}'
    scope: resourceGroup(split(zoneGroup, '/')[2], split(zoneGroup, '/')[4])
    params: { principalId: app.outputs.identityPrincipalId, roleGuid: roleGuid.dnsWriter }
    dependsOn: [roles]
  }
]

module watch 'watch-subscription.bicep' = if (watchThisSubscription) {
  name: 'autopilot-watch-${uniqueString(subscription().id)}'
  params: {
    location: location
    appSubscriptionId: subscription().subscriptionId
    appResourceGroupName: group.name
    storageAccountName: app.outputs.storageAccountName
    appPrincipalId: app.outputs.identityPrincipalId
    rolesManagementGroupId: rolesManagementGroupId
    assignEndpointCleaner: enableCleanup
    tags: tags
  }
  dependsOn: [roles]
}

output AZURE_LOCATION string = location
output AZURE_RESOURCE_GROUP string = group.name
output resourceGroupName string = group.name
output functionAppName string = app.outputs.functionAppName
output storageAccountName string = app.outputs.storageAccountName
output identityPrincipalId string = app.outputs.identityPrincipalId
output identityClientId string = app.outputs.identityClientId
output allowListUrl string = app.outputs.allowListUrl
@description('Parameters for watch-subscription.json in each further subscription to watch.')
output watchSubscriptionParameters object = {
  appSubscriptionId: subscription().subscriptionId
  appResourceGroupName: group.name
  storageAccountName: app.outputs.storageAccountName
  appPrincipalId: app.outputs.identityPrincipalId
  rolesManagementGroupId: rolesManagementGroupId
}
