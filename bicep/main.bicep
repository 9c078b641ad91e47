// ControlNet Functions on Azure, pay per use (docs/architecture.md, "Hosting topology"): storage (jobs, models, Durable Task hub),
// monitoring, one managed identity with data-plane roles (no storage keys anywhere), the control-plane
// Flex Consumption function app, and the GPU worker on Container Apps serverless GPU, scaled to zero.
//   az deployment group create -g <rg> -f bicep/main.bicep -p namePrefix=cnf image=<registry>/<image>:<tag> registryServer=<registry>
targetScope = 'resourceGroup'

@description('Short prefix for resource names (letters and digits).')
@minLength(3)
@maxLength(11)
param namePrefix string

param location string = resourceGroup().location

@description('Container image of the app for the GPU worker (CUDA 13 + cuDNN 9 base).')
param image string

@description('Registry server of the image (the managed identity needs AcrPull there).')
param registryServer string

@allowed([
  'Consumption-GPU-NC8as-T4'
  'Consumption-GPU-NC24-A100'
])
param gpuProfileType string = 'Consumption-GPU-NC8as-T4'

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

module controlPlane 'modules/control-plane.bicep' = {
  name: 'control-plane'
  params: {
    name: '${namePrefix}-${suffix}-func'
    location: location
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    blobEndpoint: storage.outputs.blobEndpoint
    insightsConnectionString: monitoring.outputs.connectionString
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
    insightsConnectionString: monitoring.outputs.connectionString
    image: image
    registryServer: registryServer
    gpuProfileType: gpuProfileType
    tags: tags
  }
}

output storageAccountName string = storage.outputs.name
output functionAppName string = controlPlane.outputs.name
output functionAppHostName string = controlPlane.outputs.defaultHostName
output gpuWorkerName string = gpuWorker.outputs.name
