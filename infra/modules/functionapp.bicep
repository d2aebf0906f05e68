// The Function App on the Flex Consumption plan, with a system-assigned managed identity and
// identity-based connections only: no account key, SAS or connection string in its settings.
param namePrefix string
param location string
param storageAccountName string
param deploymentContainerUri string
param eventHubsNamespace string
param eventHubName string
param consumerGroupName string
param insightsConnectionString string

@description('The pipeline settings (Pipeline__*) and the recompute schedule.')
param pipelineSettings object

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: '${namePrefix}-plan'
  location: location
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: '${namePrefix}-app'
  location: location
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUri
          authentication: {
            type: 'SystemAssignedIdentity'
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: 2048
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      appSettings: [
        { name: 'AzureWebJobsStorage__accountName', value: storageAccountName }
        { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
        { name: 'EventHubConnection__fullyQualifiedNamespace', value: eventHubsNamespace }
        { name: 'EventHubConnection__credential', value: 'managedidentity' }
        { name: 'EventHubName', value: eventHubName }
        { name: 'EventHubConsumerGroup', value: consumerGroupName }
        { name: 'RecomputeSchedule', value: pipelineSettings.recomputeSchedule }
        { name: 'Pipeline__EpochLength', value: pipelineSettings.epochLength }
        { name: 'Pipeline__DedupWindow', value: pipelineSettings.dedupWindow }
        { name: 'Pipeline__SealingMargin', value: pipelineSettings.sealingMargin }
        { name: 'Pipeline__FoldChunkEvents', value: pipelineSettings.foldChunkEvents }
        { name: 'Pipeline__RetryHorizon', value: pipelineSettings.retryHorizon }
        { name: 'Pipeline__SettleShardIdentities', value: pipelineSettings.settleShardIdentities }
        { name: 'Pipeline__BatchWriteKeys', value: pipelineSettings.batchWriteKeys }
        { name: 'Pipeline__RetirementGrace', value: pipelineSettings.retirementGrace }
        { name: 'Pipeline__AuditInterval', value: pipelineSettings.auditInterval }
        { name: 'Pipeline__AuditSample', value: pipelineSettings.auditSample }
        { name: 'Pipeline__StalledOperationTimeout', value: pipelineSettings.stalledOperationTimeout }
        { name: 'Pipeline__MaxViewVersions', value: pipelineSettings.maxViewVersions }
        { name: 'Pipeline__StoragePrefix', value: '' }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insightsConnectionString }
        { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'Authorization=AAD' }
      ]
    }
  }
}

output name string = app.name
output principalId string = app.identity.principalId
output defaultHostName string = app.properties.defaultHostName
