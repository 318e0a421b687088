// One deployment per watched subscription (Event Grid has no management-group topic):
// the subscription's system topic, an event subscription delivering the resource events the
// app acts on to its Storage queue (topic identity; retries 30 / 24 h; dead letters to blob),
// the topic's rights on that queue and container, and read access to endpoints for the app.
//   az deployment sub create --subscription <watched> --location <region> \
//     --template-file infra/watch-subscription.json --parameters appSubscriptionId=... appResourceGroupName=... \
//     storageAccountName=... appPrincipalId=... [rolesManagementGroupId=<mg>]
targetScope = 'subscription'

import { customRoleGuid } from 'modules/common.bicep'

@description('Region of the resource group that holds the system topic (the topic itself is global).')
param location string = deployment().location
@description('Subscription of the app (main.json), where its storage account is.')
param appSubscriptionId string
@description('Resource group of the app (main.json output resourceGroupName).')
param appResourceGroupName string
@description('The app\'s storage account (main.json output storageAccountName).')
param storageAccountName string
@description('Object id of the app\'s managed identity (main.json output identityPrincipalId).')
param appPrincipalId string
@description('Management group the custom roles were deployed to with roles.json; empty: they are defined in the app\'s subscription (watching that subscription only).')
param rolesManagementGroupId string = ''
@description('Resource group for the system topic in this subscription.')
param topicResourceGroupName string = 'rg-privatelink-autopilot-events'
@description('Name of the system topic; an existing Microsoft.Resources.Subscriptions topic of this subscription when createSystemTopic is false.')
param systemTopicName string = 'evgt-privatelink-autopilot'
param createSystemTopic bool = true
@description('Also let the app delete Disconnected private endpoints here (allow-list cleanup.deleteDisconnectedEndpoints).')
param assignEndpointCleaner bool = false
param tags object = { app: 'privatelink-autopilot' }

var rolesScopeId = empty(rolesManagementGroupId) ? '/subscriptions/${appSubscriptionId}' : tenantResourceId('Microsoft.Management/managementGroups', rolesManagementGroupId)

resource topicGroup 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: topicResourceGroupName
  location: location
  tags: tags
}

module topic 'modules/systemTopic.bicep' = {
  name: 'autopilot-system-topic'
  scope: topicGroup
  params: { topicName: systemTopicName, create: createSystemTopic, tags: tags }
}

module topicAccess 'modules/topicStorageAccess.bicep' = {
  name: 'autopilot-topic-access-${uniqueString(subscription().id)}'
  scope: resourceGroup(appSubscriptionId, appResourceGroupName)
  params: { storageAccountName: storageAccountName, topicPrincipalId: topic.outputs.principalId }
}

module eventSubscription 'modules/eventSubscription.bicep' = {
  name: 'autopilot-event-subscription'
  scope: topicGroup
  params: {
    topicName: systemTopicName
    storageAccountId: resourceId(appSubscriptionId, appResourceGroupName, 'Microsoft.Storage/storageAccounts', storageAccountName)
  }
  dependsOn: [topicAccess]
}

resource consumerReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(subscription().id, appPrincipalId, customRoleGuid(rolesScopeId, 'consumerReader'))
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', customRoleGuid(rolesScopeId, 'consumerReader'))
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource endpointCleaner 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (assignEndpointCleaner) {
  name: guid(subscription().id, appPrincipalId, customRoleGuid(rolesScopeId, 'endpointCleaner'))
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', customRoleGuid(rolesScopeId, 'endpointCleaner'))
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

output systemTopicId string = resourceId(topicResourceGroupName, 'Microsoft.EventGrid/systemTopics', systemTopicName)
