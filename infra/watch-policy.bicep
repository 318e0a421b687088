// Watches every subscription below a management group, new ones included: an Azure Policy
// (deployIfNotExists on Microsoft.Resources/subscriptions) whose remediation deploys
// watch-subscription.json (embedded here) where the event subscription is missing.
//   az deployment mg create --management-group-id <mg> --location <region> \
//     --template-file infra/watch-policy.json --parameters appSubscriptionId=... appResourceGroupName=... \
//     storageAccountName=... appPrincipalId=...
// Existing subscriptions need a remediation task (az policy remediation create); new ones are
// remediated when they appear. Assign it at a management group that also holds the app's
// subscription: the remediation writes role assignments on the app's storage account.
targetScope = 'managementGroup'

import { builtInRoles, customRoleGuid } from 'modules/common.bicep'

@description('Subscription of the app (main.json).')
param appSubscriptionId string
@description('Resource group of the app (main.json output resourceGroupName).')
param appResourceGroupName string
@description('The app\'s storage account (main.json output storageAccountName).')
param storageAccountName string
@description('Object id of the app\'s managed identity (main.json output identityPrincipalId).')
param appPrincipalId string
@description('Management group the custom roles were deployed to with roles.json.')
param rolesManagementGroupId string = managementGroup().name
@description('Region of the remediation deployments and of the assignment\'s identity.')
param location string = deployment().location
@allowed(['DeployIfNotExists', 'AuditIfNotExists', 'Disabled'])
param effect string = 'DeployIfNotExists'
@description('Subscriptions the policy leaves alone.')
param excludedSubscriptionIds string[] = []

var topicResourceGroupName = 'rg-privatelink-autopilot-events'
var systemTopicName = 'evgt-privatelink-autopilot'
var contributor = 'b24988ac-6180-42a0-ab88-20f7382dd24c'
var rbacAdministrator = 'f58310d9-a9f6-439a-9e8d-f62e7b41a168'
var rolesScopeId = tenantResourceId('Microsoft.Management/managementGroups', rolesManagementGroupId)
// The only roles the remediation may hand out (watch-subscription.json assigns exactly these).
var assignableRoles = [
  customRoleGuid(rolesScopeId, 'consumerReader')
  customRoleGuid(rolesScopeId, 'endpointCleaner')
  builtInRoles.storageQueueDataMessageSender
  builtInRoles.storageBlobDataContributor
]
var roleList = join(assignableRoles, ', ')

resource definition 'Microsoft.Authorization/policyDefinitions@2023-04-01' = {
  name: 'privatelink-autopilot-watch-subscription'
  properties: {
    policyType: 'Custom'
    mode: 'All'
    displayName: 'privatelink-autopilot: deliver resource events of every subscription to the app'
    description: 'Deploys the subscription\'s Event Grid system topic and the privatelink-autopilot event subscription (infra/watch-subscription.json) where it is missing.'
    metadata: { category: 'Event Grid' }
    parameters: {
      effect: { type: 'String', allowedValues: ['DeployIfNotExists', 'AuditIfNotExists', 'Disabled'], defaultValue: 'DeployIfNotExists' }
    }
    policyRule: {
      if: { field: 'type', equals: 'Microsoft.Resources/subscriptions' }
      then: {
        effect: '[parameters(\'effect\')]'
        details: {
          type: 'Microsoft.EventGrid/systemTopics/eventSubscriptions'
          name: '${systemTopicName}/privatelink-autopilot'
          resourceGroupName: topicResourceGroupName
          deploymentScope: 'subscription'
          roleDefinitionIds: [
            '/providers/Microsoft.Authorization/roleDefinitions/${contributor}'
            '/providers/Microsoft.Authorization/roleDefinitions/${rbacAdministrator}'
          ]
          deployment: {
            location: location
            properties: {
              mode: 'incremental'
              template: loadJsonContent('watch-subscription.json')
              parameters: {
                location: { value: location }
                appSubscriptionId: { value: appSubscriptionId }
                appResourceGroupName: { value: appResourceGroupName }
                storageAccountName: { value: storageAccountName }
                appPrincipalId: { value: appPrincipalId }
                rolesManagementGroupId: { value: rolesManagementGroupId }
                topicResourceGroupName: { value: topicResourceGroupName }
                systemTopicName: { value: systemTopicName }
              }
            }
          }
        }
      }
    }
  }
}

resource assignment 'Microsoft.Authorization/policyAssignments@2024-04-01' = {
  name: 'pla-watch-subscriptions'
  location: location
  identity: { type: 'SystemAssigned' }
  properties: {
    displayName: 'privatelink-autopilot: watch every subscription'
    policyDefinitionId: definition.id
    parameters: { effect: { value: effect } }
    notScopes: [for s in excludedSubscriptionIds: '/subscriptions/${s}']
  }
}

resource remediationContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(managementGroup().id, assignment.id, contributor)
  properties: {
    roleDefinitionId: tenantResourceId('Microsoft.Authorization/roleDefinitions', contributor)
    principalId: assignment.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// Constrained delegation: it may create and delete assignments of the four roles above only.
resource remediationRbac 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(managementGroup().id, assignment.id, rbacAdministrator)
  properties: {
    roleDefinitionId: tenantResourceId('Microsoft.Authorization/roleDefinitions', rbacAdministrator)
    principalId: assignment.identity.principalId
    principalType: 'ServicePrincipal'
    conditionVersion: '2.0'
    condition: '((!(ActionMatches{\'Microsoft.Authorization/roleAssignments/write\'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${roleList}})) AND ((!(ActionMatches{\'Microsoft.Authorization/roleAssignments/delete\'})) OR (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${roleList}}))'
  }
}

output policyAssignmentId string = assignment.id
