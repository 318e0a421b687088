// In the app's resource group: lets one Event Grid system topic's identity send to the
// events queue and write dead letters, and nothing else in the account.
import { generated, builtInRoles } from 'common.bicep'

param storageAccountName string
param topicPrincipalId string

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
  resource queues 'queueServices' existing = {
    name: 'default'
    resource events 'queues' existing = { name: generated.names.eventsQueue }
  }
  resource blobs 'blobServices' existing = {
    name: 'default'
    resource deadLetter 'containers' existing = { name: generated.names.deadLetterContainer }
  }
}

resource queueSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::queues::events.id, topicPrincipalId, builtInRoles.storageQueueDataMessageSender)
  scope: storage::queues::events
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.storageQueueDataMessageSender)
    principalId: topicPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource deadLetterWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::blobs::deadLetter.id, topicPrincipalId, builtInRoles.storageBlobDataContributor)
  scope: storage::blobs::deadLetter
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.storageBlobDataContributor)
    principalId: topicPrincipalId
    principalType: 'ServicePrincipal'
  }
}
