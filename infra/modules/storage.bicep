// Storage for the raw log, the views, Durable Functions' task hub and the app package. Shared keys are
// disabled: every client uses Microsoft Entra ID (the Function App's managed identity).
@description('The account\'s name: 3 to 24 lower-case letters and digits.')
@minLength(3)
@maxLength(24)
param accountName string
param location string

@description('Days each raw log blob version stays immutable (WORM) after it is written.')
@minValue(1)
param rawRetentionDays int

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: accountName
  location: location
  sku: {
    name: 'Standard_LRS'
  }
  kind: 'StorageV2'
  properties: {
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    supportsHttpsTrafficOnly: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    // Version-level immutability needs blob versioning.
    isVersioningEnabled: true
  }
}

// The master dataset: segments are written once (If-None-Match) and never changed. Version-level
// immutability makes that a storage guarantee: no version can be overwritten or deleted until its
// retention has passed, whoever asks.
resource rawContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: 'raw'
  properties: {
    immutableStorageWithVersioning: {
      enabled: true
    }
  }
}

resource rawRetention 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies@2023-05-01' = {
  parent: rawContainer
  name: 'default'
  properties: {
    immutabilityPeriodSinceCreationInDays: rawRetentionDays
    allowProtectedAppendWrites: false
  }
}

resource quarantineContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: 'quarantine'
}

resource batchWorkContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: 'batch-work'
}

// Blob versioning (which the raw log's immutability needs) would keep every overwritten or deleted
// intermediate blob of the batch layer for ever: their earlier versions are deleted a day after.
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'batch-work-earlier-versions'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                '${batchWorkContainer.name}/'
              ]
            }
            actions: {
              version: {
                delete: {
                  daysAfterCreationGreaterThan: 1
                }
              }
            }
          }
        }
      ]
    }
  }
}

// Where the Flex Consumption plan reads the app package from.
resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: 'app-package'
}

output accountName string = account.name
output accountId string = account.id
output blobServiceUri string = account.properties.primaryEndpoints.blob
output tableServiceUri string = account.properties.primaryEndpoints.table
output deploymentContainerUri string = '${account.properties.primaryEndpoints.blob}${deploymentContainer.name}'
