// The GPU worker: the same function app code in a container on Azure Container Apps (kind functionapp) with a
// serverless GPU workload profile. It runs only the generate-requests queue functions (one message at a time,
// host.json); everything else is disabled here and runs in the control plane. Scaled by the queue's length with
// the managed identity: 0 replicas when idle, so the GPU costs nothing between jobs. Models are mirrored from the
// storage account's 'models' container at start-up with the identity (CONTROLNET_MODELS is a blob URL).
param name string
param location string
param identityId string
param identityClientId string
param storageAccountName string
param blobEndpoint string
param queueEndpoint string
param tableEndpoint string
param insightsConnectionString string
@description('Container image; azd replaces it with the built image on deploy.')
param image string
@description('Login server of the registry the identity may pull from.')
param registryServer string
@description('Serverless GPU profile: Consumption-GPU-NC8as-T4 or Consumption-GPU-NC24-A100.')
@allowed([
  'Consumption-GPU-NC8as-T4'
  'Consumption-GPU-NC24-A100'
])
param gpuProfileType string = 'Consumption-GPU-NC8as-T4'
@description('CRON of the (disabled here) batch timer; the binding expression must resolve in every app.')
param batchSchedule string
@description('Most GPU replicas at once.')
param maxReplicas int = 2
param tags object = {}

// Functions that belong to the control plane: disabled in the GPU app.
var controlPlaneFunctions = [
  'PostJob'
  'GetJob'
  'DeleteJob'
  'PostBatch'
  'GetBatch'
  'OnInputBlob'
  'OnInputBlobEventGrid'
  'StartScheduledBatches'
  'DeliverGenerationResult'
  'GenerateJob'
  'Batch'
  'ExtractControlMap'
  'GenerateImage'
  'EnqueueGeneration'
  'WriteManifest'
  'WriteFailure'
  'ReadBatchManifest'
  'ReadBatchJobs'
  'WriteBatchOutcomes'
  'WriteBatchResult'
]

var resources = gpuProfileType == 'Consumption-GPU-NC24-A100' ? { cpu: 24, memory: '220Gi' } : { cpu: 8, memory: '56Gi' }

resource environment 'Microsoft.App/managedEnvironments@2025-07-01' = {
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

resource worker 'Microsoft.App/containerApps@2025-07-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'gpu' })
  kind: 'functionapp'
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
      // Event-driven scaling of a functionapp-kind app needs ingress; internal is enough.
      ingress: {
        external: false
        targetPort: 80
      }
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
            cpu: json(string(resources.cpu))
            memory: resources.memory
          }
          env: concat([
            { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'dotnet-isolated' }
            { name: 'AzureWebJobsStorage__blobServiceUri', value: blobEndpoint }
            { name: 'AzureWebJobsStorage__queueServiceUri', value: queueEndpoint }
            { name: 'AzureWebJobsStorage__tableServiceUri', value: tableEndpoint }
            { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
            { name: 'AzureWebJobsStorage__clientId', value: identityClientId }
            { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insightsConnectionString }
            { name: 'CONTROLNET_MODELS', value: '${blobEndpoint}models' }
            { name: 'CONTROLNET_PROVIDER', value: 'cuda' }
            { name: 'CONTROLNET_BATCH_SCHEDULE', value: batchSchedule }
          ], map(controlPlaneFunctions, function => { name: 'AzureWebJobs.${function}.Disabled', value: 'true' }))
        }
      ]
      scale: {
        minReplicas: 0
        maxReplicas: maxReplicas
        rules: [
          {
            name: 'generate-requests'
            azureQueue: {
              accountName: storageAccountName
              queueName: 'generate-requests'
              queueLength: 1
              identity: identityId
            }
          }
        ]
      }
    }
  }
}

output name string = worker.name
