// The app in its resource group: identity, storage (queues, containers, table), monitoring,
// a Flex Consumption plan and the Function App on Node 22, the data-plane roles, one alert rule.
import { generated, builtInRoles } from 'common.bicep'

param location string
param tags object
@description('Prefix-free unique suffix for globally unique names.')
param suffix string
param dryRun bool
param subscriptions string[]
param sweepSchedule string
param sweepBudgetSeconds int
param allowListRefreshSeconds int
param maximumInstanceCount int
param instanceMemoryMB int
param alertEmailAddress string
param alertWindowMinutes int
param alertErrorThreshold int

var names = generated.names

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-privatelink-autopilot'
  location: location
  tags: tags
}

// Shared keys off: the host, the app and Event Grid all use Entra ID.
resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: 'stpla${suffix}'
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [
  for name in [names.packageContainer, names.deadLetterContainer, names.configContainer]: {
    parent: blobService
    name: name
    properties: { publicAccess: 'None' }
  }
]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource eventsQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queueService
  name: names.eventsQueue
}

// The host creates it on first use; created here so an admin can re-drive it before that.
resource poisonQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queueService
  name: names.eventsPoisonQueue
}

// The app's continuations (DNS after a slow approval) and their poison queue: read by their own trigger.
resource continuationQueues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [
  for name in [names.continuationsQueue, names.continuationsPoisonQueue]: {
    parent: queueService
    name: name
  }
]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource appTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = {
  parent: tableService
  name: names.appTable
}

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-privatelink-autopilot-${suffix}'
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
    features: { disableLocalAuth: true }
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-privatelink-autopilot-${suffix}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: true
  }
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-privatelink-autopilot-${suffix}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { tier: 'FlexConsumption', name: 'FC1' }
  properties: { reserved: true }
}

var blobEndpoint = storage.properties.primaryEndpoints.blob

// Every setting the code reads in Azure (local.settings.example.json lists them; test/infra checks).
// Flex Consumption takes the runtime from functionAppConfig: no FUNCTIONS_WORKER_RUNTIME,
// WEBSITE_NODE_DEFAULT_VERSION or WEBSITE_RUN_FROM_PACKAGE here.
var armHost = split(environment().resourceManager, '/')[2]
var appSettings = [
  { name: 'AzureWebJobsStorage__blobServiceUri', value: blobEndpoint }
  { name: 'AzureWebJobsStorage__queueServiceUri', value: storage.properties.primaryEndpoints.queue }
  { name: 'AzureWebJobsStorage__tableServiceUri', value: storage.properties.primaryEndpoints.table }
  { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
  { name: 'AzureWebJobsStorage__clientId', value: identity.properties.clientId }
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: appInsights.properties.ConnectionString }
  // Local auth is off: the host and the exporter authenticate with the identity.
  { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identity.properties.clientId};Authorization=AAD' }
  { name: 'AUTOPILOT_ALLOW_LIST_URL', value: '${blobEndpoint}${names.configContainer}/${names.allowListBlob}' }
  { name: 'AUTOPILOT_ALLOW_LIST_REFRESH_SECONDS', value: string(allowListRefreshSeconds) }
  { name: 'AUTOPILOT_MANAGEMENT_GROUP_REFRESH_SECONDS', value: '300' }
  { name: 'AUTOPILOT_DRY_RUN', value: string(dryRun) }
  { name: 'AUTOPILOT_PRINCIPAL_ID', value: identity.properties.principalId }
  { name: 'AZURE_CLIENT_ID', value: identity.properties.clientId }
  { name: 'AZURE_ARM_ENDPOINT', value: 'https://${armHost}' }
  { name: 'AZURE_ARM_SCOPE', value: 'https://${armHost}/.default' }
  { name: 'AUTOPILOT_POLL_INTERVAL_MS', value: '' }
  { name: 'AUTOPILOT_ARM_MAX_RETRIES', value: '' }
  { name: 'AUTOPILOT_ARM_PACING', value: '' }
  { name: 'AUTOPILOT_SUBSCRIPTIONS', value: join(subscriptions, ',') }
  { name: 'AUTOPILOT_SWEEP_SCHEDULE', value: sweepSchedule }
  { name: 'AUTOPILOT_SWEEP_BUDGET_SECONDS', value: string(sweepBudgetSeconds) }
  // Slow approvals: 8 side by side per target, at most 4 waited for (10 s) at once per instance; DNS continues
  // on the continuations queue just after the provider's recorded approval time, then every 30 s.
  { name: 'AUTOPILOT_APPROVAL_CONCURRENCY', value: '8' }
  { name: 'AUTOPILOT_APPROVAL_WAIT_SECONDS', value: '10' }
  { name: 'AUTOPILOT_CONTINUE_AFTER_SECONDS', value: '30' }
]

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: 'func-plautopilot-${suffix}'
  location: location
  tags: union(tags, { 'azd-service-name': 'autopilot' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}${names.packageContainer}'
          authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: identity.id }
        }
      }
      scaleAndConcurrency: { maximumInstanceCount: maximumInstanceCount, instanceMemoryMB: instanceMemoryMB }
      runtime: { name: 'node', version: '22' }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: appSettings
    }
  }
  dependsOn: [storageRoles, metricsPublisher]
}

// Data plane for the identity: blobs (host leases, the deployment package, the allow-list),
// queues (the events queue and its poison queue), the app's table; telemetry with Entra ID.
var storageRoleIds = [builtInRoles.storageBlobDataOwner, builtInRoles.storageQueueDataContributor, builtInRoles.storageTableDataContributor]

resource storageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in storageRoleIds: {
    name: guid(storage.id, identity.id, roleId)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: identity.properties.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identity.id, builtInRoles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtInRoles.monitoringMetricsPublisher)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmailAddress)) {
  name: 'ag-privatelink-autopilot'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'autopilot'
    enabled: true
    emailReceivers: [{ name: 'platform-team', emailAddress: alertEmailAddress, useCommonAlertSchema: true }]
  }
}

// One alert: the app reported errors (failed writes, invalid allow-list, unreadable ARM) in the window.
resource errorsAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-privatelink-autopilot-errors'
  location: location
  tags: tags
  properties: {
    displayName: 'privatelink-autopilot reports errors'
    description: 'The autopilot.errors counter rose in the last ${alertWindowMinutes} minutes: see the app\'s traces for the decisions that failed.'
    severity: 2
    enabled: true
    scopes: [appInsights.id]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT${alertWindowMinutes}M'
    criteria: {
      allOf: [
        {
          query: 'customMetrics | where name == "autopilot.errors" | summarize errors = sum(valueSum)'
          timeAggregation: 'Total'
          metricMeasureColumn: 'errors'
          operator: 'GreaterThan'
          threshold: alertErrorThreshold
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    autoMitigate: true
    actions: { actionGroups: empty(alertEmailAddress) ? [] : [actionGroup.id] }
  }
}

// The report's figures over the app's telemetry (README "The report page"): the workbook
// reads the decision log records and counters that shared/telemetry/signals.ts emits.
resource reportWorkbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, 'privatelink-autopilot-report')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'privatelink-autopilot report'
    category: 'workbook'
    sourceId: appInsights.id
    serializedData: loadTextContent('reportWorkbook.json')
  }
}

output identityPrincipalId string = identity.properties.principalId
output identityClientId string = identity.properties.clientId
output storageAccountId string = storage.id
output storageAccountName string = storage.name
output functionAppName string = functionApp.name
output allowListUrl string = '${blobEndpoint}${names.configContainer}/${names.allowListBlob}'
