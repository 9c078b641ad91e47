// Blob/queue/table storage for jobs (inputs, outputs, batches), models, the Durable Task hub, the generation
// queues of the GPU hand-over and the Flex Consumption deployment package. Shared keys are disabled: every
// caller uses a managed identity. An Event Grid system topic publishes the account's blob events; the
// subscription that feeds the blob trigger is made after code deploy (infra/scripts/eventgrid-subscribe.sh).
param name string
param location string
param tags object = {}

var containers = [
  'inputs'
  'outputs'
  'batches'
  'models'
  'deployments'
]

// The hand-over queues (src/ControlNet.Workflow/Generation/GenerationQueue.cs). The poison queue exists from the
// start: a scale rule on a missing queue blocks scale-down.
var queues = [
  'generate-requests'
  'generate-results'
  'generate-requests-poison'
]

resource account 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    defaultToOAuthAuthentication: true
  }
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' = {
  parent: account
  name: 'default'
  properties: {
    // Inputs are never deleted by the pipeline; soft delete protects them from operator mistakes too.
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource blobContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = [
  for container in containers: {
    parent: blobs
    name: container
    properties: {
      publicAccess: 'None'
    }
  }
]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2025-01-01' = {
  parent: account
  name: 'default'
}

resource generationQueues 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-01-01' = [
  for queue in queues: {
    parent: queueService
    name: queue
  }
]

resource blobEvents 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: '${name}-events'
  location: location
  tags: tags
  properties: {
    source: account.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

output id string = account.id
output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
output queueEndpoint string = account.properties.primaryEndpoints.queue
output tableEndpoint string = account.properties.primaryEndpoints.table
output eventTopicName string = blobEvents.name
