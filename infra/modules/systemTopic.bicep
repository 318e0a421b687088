// The watched subscription's Event Grid system topic (there is no management-group topic),
// with a system-assigned identity that delivers to the app's queue. A subscription has at most
// one Microsoft.Resources.Subscriptions topic: when one exists already, reuse it (create = false;
// it needs its system-assigned identity turned on).
param topicName string
param create bool
param tags object

resource newTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' = if (create) {
  name: topicName
  location: 'global'
  tags: tags
  identity: { type: 'SystemAssigned' }
  properties: {
    source: subscription().id
    topicType: 'Microsoft.Resources.Subscriptions'
  }
}

resource existingTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = if (!create) {
  name: topicName
}

output principalId string = create ? newTopic!.identity.principalId : existingTopic!.identity.principalId
