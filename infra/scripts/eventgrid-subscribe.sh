#!/bin/sh
# Subscribes the control plane's Event Grid blob trigger (OnInputBlobEventGrid) to BlobCreated events under
# inputs/. Run after the code is deployed (azd runs it as the postdeploy hook); safe to run again.
# Needs: az CLI logged in; AZURE_RESOURCE_GROUP, AZURE_FUNCTION_APP_NAME, AZURE_FUNCTION_APP_HOST_NAME and
# AZURE_EVENTGRID_SYSTEM_TOPIC_NAME (azd sets them from the deployment's outputs).
set -eu
: "${AZURE_RESOURCE_GROUP:?}" "${AZURE_FUNCTION_APP_NAME:?}" "${AZURE_FUNCTION_APP_HOST_NAME:?}" "${AZURE_EVENTGRID_SYSTEM_TOPIC_NAME:?}"

# The blobs_extension system key exists once code with an Event Grid blob trigger has started; wait for it.
key=""
for attempt in 1 2 3 4 5 6 7 8 9 10 11 12; do
  key=$(az functionapp keys list -g "$AZURE_RESOURCE_GROUP" -n "$AZURE_FUNCTION_APP_NAME" --query systemKeys.blobs_extension -o tsv 2>/dev/null || true)
  [ -n "$key" ] && break
  echo "waiting for the blobs_extension key of $AZURE_FUNCTION_APP_NAME ($attempt/12)"
  sleep 10
done
[ -n "$key" ] || { echo "no blobs_extension key: is the code deployed and running?" >&2; exit 1; }

endpoint="https://$AZURE_FUNCTION_APP_HOST_NAME/runtime/webhooks/blobs?functionName=Host.Functions.OnInputBlobEventGrid&code=$key"
# The trailing slash keeps a container named e.g. 'inputs2' out.
az eventgrid system-topic event-subscription create \
  -g "$AZURE_RESOURCE_GROUP" --system-topic-name "$AZURE_EVENTGRID_SYSTEM_TOPIC_NAME" -n inputs-blob-created \
  --endpoint-type webhook --endpoint "$endpoint" \
  --included-event-types Microsoft.Storage.BlobCreated \
  --subject-begins-with /blobServices/default/containers/inputs/ \
  --max-events-per-batch 1 --event-delivery-schema eventgridschema >/dev/null
echo "Event Grid: BlobCreated under inputs/ now starts jobs on $AZURE_FUNCTION_APP_NAME"
