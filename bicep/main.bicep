// ControlNet Functions on Azure, pay per use (docs/deployment.md): storage (jobs, models, Durable Task hub,
// generation queues), monitoring, one managed identity with data-plane roles (no storage keys anywhere), a
// registry for the GPU image, the control-plane Flex Consumption function app, and the GPU worker on Container
// Apps serverless GPU, scaled to zero. `azd up` provisions and deploys it (azure.yaml); by hand:
//   az deployment group create -g <rg> -f bicep/main.bicep -p namePrefix=cnf
targetScope = 'resourceGroup'

@description('Short prefix for resource names (letters and digits).')
@minLength(3)
@maxLength(11)
param namePrefix string

param location string = resourceGroup().location

@description('Image of the GPU worker. A placeholder until the first deploy pushes the real one (azd, or infra/Dockerfile.gpu by hand).')
param gpuImage string = 'mcr.microsoft.com/azuredocs/containerapps-helloworld:latest'

@allowed([
  'Consumption-GPU-NC8as-T4'
  'Consumption-GPU-NC24-A100'
])
param gpuProfileType string = 'Consumption-GPU-NC8as-T4'

@description('CRON (six fields, UTC) on which waiting batch manifests are started; default 02:00 every day.')
param batchSchedule string = '0 0 2 * * *'

param tags object = {
  application: 'controlnet-functions'
}

var suffix = uniqueString(resourceGroup().id, namePrefix)

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: toLower('${namePrefix}${take(suffix, 12)}')
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    name: '${namePrefix}-${suffix}'
    location: location
    tags: tags
  }
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: '${namePrefix}-${suffix}-id'
    location: location
    storageAccountName: storage.outputs.name
    insightsName: '${namePrefix}-${suffix}-insights'
    tags: tags
  }
  dependsOn: [
    monitoring
  ]
}

module registry 'modules/registry.bicep' = {
  name: 'registry'
  params: {
    name: toLower('${namePrefix}${take(suffix, 12)}acr')
    location: location
    identityPrincipalId: identity.outputs.principalId
    tags: tags
  }
}

module controlPlane 'modules/control-plane.bicep' = {
  name: 'control-plane'
  params: {
    name: '${namePrefix}-${suffix}-func'
    location: location
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    blobEndpoint: storage.outputs.blobEndpoint
    queueEndpoint: storage.outputs.queueEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    insightsConnectionString: monitoring.outputs.connectionString
    batchSchedule: batchSchedule
    tags: tags
  }
}

module gpuWorker 'modules/gpu-worker.bicep' = {
  name: 'gpu-worker'
  params: {
    name: '${namePrefix}-${take(suffix, 6)}-gpu'
    location: location
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    blobEndpoint: storage.outputs.blobEndpoint
    queueEndpoint: storage.outputs.queueEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    insightsConnectionString: monitoring.outputs.connectionString
    image: gpuImage
    registryServer: registry.outputs.loginServer
    gpuProfileType: gpuProfileType
    batchSchedule: batchSchedule
    tags: tags
  }
}

// azd reads these as environment variables (the registry to push to; the names the post-deploy hook needs).
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = registry.outputs.loginServer
output AZURE_FUNCTION_APP_NAME string = controlPlane.outputs.name
output AZURE_FUNCTION_APP_HOST_NAME string = controlPlane.outputs.defaultHostName
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_EVENTGRID_SYSTEM_TOPIC_NAME string = storage.outputs.eventTopicName
output GPU_WORKER_NAME string = gpuWorker.outputs.name
