// The control plane: a Flex Consumption function app (pay per use, scales to zero) running the triggers (Event
// Grid blob uploads, the HTTP API, scheduled batches), the orchestrators and the CPU activities. Images go to the
// GPU app over the generate-requests queue (Generation__Mode=Queue). Every setting below is read by the app
// (src/ControlNet.Functions/FunctionsSettings.cs) or by the Functions host; a test checks the list.
param name string
param location string
param identityId string
param identityClientId string
param blobEndpoint string
param queueEndpoint string
param tableEndpoint string
param insightsConnectionString string
@description('CRON (six fields, UTC) on which batch manifests waiting in batches/ are started.')
param batchSchedule string
@description('Most instances the app may scale out to (Flex: 40 to 1000).')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40
param tags object = {}

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: '${name}-plan'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'control' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}deployments'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
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
        { name: 'AzureWebJobsStorage__blobServiceUri', value: blobEndpoint }
        { name: 'AzureWebJobsStorage__queueServiceUri', value: queueEndpoint }
        { name: 'AzureWebJobsStorage__tableServiceUri', value: tableEndpoint }
        { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
        { name: 'AzureWebJobsStorage__clientId', value: identityClientId }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insightsConnectionString }
        { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identityClientId};Authorization=AAD' }
        { name: 'Generation__Mode', value: 'Queue' }
        { name: 'CONTROLNET_BATCH_SCHEDULE', value: batchSchedule }
        // Flex Consumption supports only the Event Grid blob trigger; the GPU functions run in the GPU app.
        { name: 'AzureWebJobs.OnInputBlob.Disabled', value: 'true' }
        { name: 'AzureWebJobs.GenerateFromQueue.Disabled', value: 'true' }
        { name: 'AzureWebJobs.GenerationGaveUp.Disabled', value: 'true' }
      ]
    }
  }
}

output name string = app.name
output defaultHostName string = app.properties.defaultHostName
