// The pipeline in Azure: storage (the raw log under WORM, the views, the task hub), Event Hubs, the
// Function App on Flex Consumption with its managed identity and roles, and Application Insights.
// Deploy with:
//   az deployment group create -g <resource-group> -f infra/main.bicep -p infra/main.parameters.json
targetScope = 'resourceGroup'

@description('Prefix for resource names; lower-case letters and digits.')
@minLength(3)
@maxLength(11)
param namePrefix string

@description('Azure region.')
param location string = resourceGroup().location

@description('Partitions of the event hub (fixed once created on the Standard tier).')
@minValue(1)
@maxValue(32)
param partitionCount int = 8

@description('Days each raw log blob version stays immutable.')
param rawRetentionDays int = 365

@description('NCRONTAB schedule of the batch timer (recompute due views, retire covered speed rows).')
param recomputeSchedule string = '0 5 * * * *'

@description('Length of an ingestion epoch (the batch/speed boundary).')
param epochLength string = '01:00:00'

@description('How long the speed layer remembers event ids to drop producer retries.')
param dedupWindow string = '00:15:00'

@description('How far the event hub\'s clock may be behind the app\'s: a caught-up partition seals up to now less this.')
param sealingMargin string = '00:00:02'

@description('About how many raw records one fold activity reads (a partition\'s log is split into chunks of whole epochs this size, folded in parallel).')
param foldChunkEvents string = '1000000'

@description('How far apart in enqueued time two copies of one event (source, id), in any partitions, still count once in batch views; at least the epoch length.')
param retryHorizon string = '7.00:00:00'

@description('About how many event identities one settle activity merges (streamed: sets its length, not its memory).')
param settleShardIdentities string = '4000000'

@description('How many keys the batch write holds before it writes the days it has passed.')
param batchWriteKeys string = '20000'

@description('How long after a batch commit the speed rows it covers are kept.')
param retirementGrace string = '00:05:00'

@description('How often each serving view version is audited against the raw log (the batch timer starts audits when due).')
param auditInterval string = '1.00:00:00'

@description('How many keys a scheduled audit checks.')
param auditSample string = '200'

@description('How long a recompute, replay or audit may go without progress before the batch timer stops it and starts it again (00:00:00: never); above functionTimeout.')
param stalledOperationTimeout string = '01:00:00'

@description('The most view versions the registry holds (shipped and dropped ones included).')
param maxViewVersions string = '50'

var suffix = uniqueString(resourceGroup().id)

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    // uniqueString gives 13 characters: the name is 13 to 24 characters, whatever the prefix.
    accountName: take('${toLower(replace(namePrefix, '-', ''))}${suffix}', 24)
    location: location
    rawRetentionDays: rawRetentionDays
  }
}

module eventHubs 'modules/eventhubs.bicep' = {
  name: 'eventhubs'
  params: {
    namespaceName: '${namePrefix}-${suffix}'
    location: location
    hubName: 'events'
    partitionCount: partitionCount
    consumerGroupName: 'pipeline'
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    namePrefix: '${namePrefix}-${suffix}'
    location: location
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    namePrefix: '${namePrefix}-${suffix}'
    location: location
    storageAccountName: storage.outputs.accountName
    deploymentContainerUri: storage.outputs.deploymentContainerUri
    eventHubsNamespace: eventHubs.outputs.fullyQualifiedNamespace
    eventHubName: eventHubs.outputs.hubName
    consumerGroupName: eventHubs.outputs.consumerGroupName
    insightsConnectionString: monitoring.outputs.connectionString
    pipelineSettings: {
      recomputeSchedule: recomputeSchedule
      epochLength: epochLength
      dedupWindow: dedupWindow
      sealingMargin: sealingMargin
      foldChunkEvents: foldChunkEvents
      retryHorizon: retryHorizon
      settleShardIdentities: settleShardIdentities
      batchWriteKeys: batchWriteKeys
      retirementGrace: retirementGrace
      maxViewVersions: maxViewVersions
      auditInterval: auditInterval
      auditSample: auditSample
      stalledOperationTimeout: stalledOperationTimeout
    }
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  params: {
    principalId: functionApp.outputs.principalId
    storageAccountName: storage.outputs.accountName
    eventHubNamespaceName: eventHubs.outputs.namespaceName
    insightsName: monitoring.outputs.insightsName
  }
}

output functionAppName string = functionApp.outputs.name
output functionAppHost string = functionApp.outputs.defaultHostName
output storageAccountName string = storage.outputs.accountName
output eventHubsNamespace string = eventHubs.outputs.fullyQualifiedNamespace
