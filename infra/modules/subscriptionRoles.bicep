// The app's custom roles defined in (and assignable only within) the current subscription.
targetScope = 'subscription'

import { generated, customRoleGuid, customRoleProperties } from 'common.bicep'

resource roles 'Microsoft.Authorization/roleDefinitions@2022-04-01' = [
  for key in objectKeys(generated.roles): {
    name: customRoleGuid(subscription().id, key)
    properties: customRoleProperties(generated.roles[key], subscription().id)
  }
]
