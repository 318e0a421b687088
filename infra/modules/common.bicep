// Values shared by every template: what follows from the code (generated.json) and the
// ids of the roles the app gets. Imported with `import { ... } from 'modules/common.bicep'`.

@export()
@description('Generated from shared/ by `npm run infra:generate`: storage names, the event filter, the custom roles.')
var generated = loadJsonContent('../generated.json')

@export()
@description('Built-in roles the app and the Event Grid topics get on the app\'s own storage account and Application Insights.')
var builtInRoles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageQueueDataMessageSender: 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

@export()
@description('Name (GUID) of a custom role of this app, defined at the given scope (a management group or subscription id).')
func customRoleGuid(definitionScopeId string, key string) string => guid(definitionScopeId, 'privatelink-autopilot', key)

@export()
@description('Properties of a custom role (an entry of generated.roles), assignable at one scope (a management group or subscription id).')
func customRoleProperties(spec object, assignableScopeId string) object => {
  roleName: spec.roleName
  description: spec.description
  type: 'CustomRole'
  assignableScopes: [assignableScopeId]
  permissions: [{ actions: spec.actions, notActions: [], dataActions: [], notDataActions: [] }]
}
