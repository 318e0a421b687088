// Resource events of the watched subscription → the app's Storage queue, with the topic's identity.
// The filter admits exactly the operations the handler acts on (shared/events/operations.ts).
import { generated } from 'common.bicep'

param topicName string
param storageAccountId string

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = {
  name: topicName
}

resource toQueue 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
  parent: topic
  name: 'privatelink-autopilot'
  properties: {
    eventDeliverySchema: 'EventGridSchema'
    deliveryWithResourceIdentity: {
      identity: { type: 'SystemAssigned' }
      destination: {
        endpointType: 'StorageQueue'
        properties: {
          resourceId: storageAccountId
          queueName: generated.names.eventsQueue
          // -1: the message never expires in the queue; retries belong to the queue trigger from here on.
          queueMessageTimeToLiveInSeconds: -1
        }
      }
    }
    filter: {
      includedEventTypes: generated.eventFilter.includedEventTypes
      enableAdvancedFilteringOnArrays: false
      advancedFilters: [
        {
          operatorType: 'StringBeginsWith'
          key: 'data.operationName'
          values: generated.eventFilter.operationNamePrefixes
        }
      ]
    }
    retryPolicy: { maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 }
    deadLetterWithResourceIdentity: {
      identity: { type: 'SystemAssigned' }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: { resourceId: storageAccountId, blobContainerName: generated.names.deadLetterContainer }
      }
    }
  }
}
