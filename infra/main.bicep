// The pipeline's storage: the raw event log (Blob) and the views (Table), reached only through
// Microsoft Entra ID. Deploy with:
//   az deployment group create -g <resource-group> -f infra/main.bicep -p infra/main.parameters.json
targetScope = 'resourceGroup'

@description('Prefix for resource names; lower-case letters and digits.')
@minLength(3)
@maxLength(11)
param namePrefix string

@description('Azure region.')
param location string = resourceGroup().location

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    accountName: '${namePrefix}${uniqueString(resourceGroup().id)}'
    location: location
  }
}

output storageAccountName string = storage.outputs.accountName
output blobServiceUri string = storage.outputs.blobServiceUri
output tableServiceUri string = storage.outputs.tableServiceUri
