// The GPU sampling worker: the same container image as the control plane, on Azure Container Apps with a
// serverless GPU workload profile, scaled by the length of the generation queue (0 replicas when idle, so
// the GPU costs nothing between jobs). Models are read from the storage account's `models` container at
// start-up with the managed identity.
param name string
param location string
param identityId string
param identityClientId string
param storageAccountName string
param insightsConnectionString string
@description('Container image of the app, e.g. myregistry.azurecr.io/controlnet-functions:1.0.0')
param image string
@description('Registry server of the image; the identity needs AcrPull on it.')
param registryServer string
@description('Serverless GPU profile: Consumption-GPU-NC8as-T4 or Consumption-GPU-NC24-A100.')
@allowed([
  'Consumption-GPU-NC8as-T4'
  'Consumption-GPU-NC24-A100'
])
param gpuProfileType string = 'Consumption-GPU-NC8as-T4'
@description('Queue the control plane writes generation work items to.')
param generationQueue string = 'generation'
@description('Most GPU replicas at once.')
param maxReplicas int = 2
param tags object = {}

resource environment 'Microsoft.App/managedEnvironments@2025-01-01' = {
  name: '${name}-env'
  location: location
  tags: tags
  properties: {
    // Logs go through Azure Monitor diagnostic settings: no workspace key in the template.
    appLogsConfiguration: {
      destination: 'azure-monitor'
    }
    workloadProfiles: [
      {
        name: 'Consumption'
        workloadProfileType: 'Consumption'
      }
      {
        name: 'gpu'
        workloadProfileType: gpuProfileType
      }
    ]
  }
}

resource worker 'Microsoft.App/containerApps@2025-01-01' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    environmentId: environment.id
    workloadProfileName: 'gpu'
    configuration: {
      activeRevisionsMode: 'Single'
      registries: [
        {
          server: registryServer
          identity: identityId
        }
      ]
    }
    template: {
      containers: [
        {
          name: 'worker'
          image: image
          resources: {
            cpu: json('8')
            memory: '56Gi'
          }
          env: [
            { name: 'AzureWebJobsStorage__accountName', value: storageAccountName }
            { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
            { name: 'AzureWebJobsStorage__clientId', value: identityClientId }
            { name: 'AZURE_CLIENT_ID', value: identityClientId }
            { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insightsConnectionString }
            { name: 'CONTROLNET_GENERATION_QUEUE', value: generationQueue }
          ]
        }
      ]
      scale: {
        minReplicas: 0
        maxReplicas: maxReplicas
        rules: [
          {
            name: 'generation-queue'
            custom: {
              type: 'azure-queue'
              metadata: {
                accountName: storageAccountName
                queueName: generationQueue
                queueLength: '1'
              }
              identity: identityId
            }
          }
        ]
      }
    }
  }
}

output name string = worker.name
