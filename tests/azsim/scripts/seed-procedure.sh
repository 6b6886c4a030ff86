#!/usr/bin/env bash
# The Azure commands of the manual procedure "Configure cross-tenant workload
# identity on AKS", as written there, run in order. Adaptations, and only these:
#   - `az login --tenant X` becomes a service-principal login (the simulator has
#     no browser), with the credentials in AZSIM_SP_{A,B}_{ID,SECRET};
#   - `az logout` lines are dropped (they would drop both tenants' sessions);
#   - placeholders (<tenant-id>, <subscription-id>, <resource-group-name>,
#     <location>, <cluster-name>) come from the environment.
# The kubectl steps are not Azure commands and are left to the cluster tests.
#
# Usage: seed-procedure.sh setup    # prints NAME=value lines of the variables set
#        seed-procedure.sh cleanup  # needs RESOURCE_GROUP and the tenant variables
# The commands keep the procedure's own unquoted expansions, and some of its
# variables are only printed at the end, so these two checks are off here.
# shellcheck disable=SC2086,SC2034
set -euo pipefail

: "${TENANT_A_ID:?}" "${TENANT_A_SUBSCRIPTION_ID:?}" "${TENANT_B_ID:?}" "${TENANT_B_SUBSCRIPTION_ID:?}"
: "${AZSIM_SP_A_ID:?}" "${AZSIM_SP_A_SECRET:?}" "${AZSIM_SP_B_ID:?}" "${AZSIM_SP_B_SECRET:?}"
: "${SEED_RESOURCE_GROUP:=rg-crosstenant-demo}" "${SEED_LOCATION:=eastus}" "${SEED_CLUSTER_NAME:=aks-crosstenant-demo}"

login_a() { az login --service-principal -u "$AZSIM_SP_A_ID" -p "$AZSIM_SP_A_SECRET" --tenant "$TENANT_A_ID" -o none; }
login_b() { az login --service-principal -u "$AZSIM_SP_B_ID" -p "$AZSIM_SP_B_SECRET" --tenant "$TENANT_B_ID" -o none; }

setup() {
  # --- Configure resources in Tenant A ---
  login_a # az login --tenant $TENANT_A_ID
  az account set --subscription $TENANT_A_SUBSCRIPTION_ID

  RESOURCE_GROUP=$SEED_RESOURCE_GROUP
  LOCATION=$SEED_LOCATION
  az group create --name $RESOURCE_GROUP --location $LOCATION

  CLUSTER_NAME=$SEED_CLUSTER_NAME
  az aks create \
    --resource-group $RESOURCE_GROUP \
    --name $CLUSTER_NAME \
    --enable-oidc-issuer \
    --enable-workload-identity \
    --generate-ssh-keys

  OIDC_ISSUER_URL=$(az aks show --resource-group $RESOURCE_GROUP --name $CLUSTER_NAME --query "oidcIssuerProfile.issuerUrl" --output tsv)

  # --- Configure resources in Tenant B ---
  # az logout (dropped)
  login_b # az login --tenant $TENANT_B_ID
  az account set --subscription $TENANT_B_SUBSCRIPTION_ID

  RESOURCE_GROUP=$SEED_RESOURCE_GROUP
  LOCATION=$SEED_LOCATION
  az group create --name $RESOURCE_GROUP --location $LOCATION

  SERVICEBUS_NAME=sb-crosstenantdemo-$RANDOM
  SERVICEBUS_HOSTNAME=$(az servicebus namespace create \
    --name $SERVICEBUS_NAME \
    --resource-group $RESOURCE_GROUP \
    --disable-local-auth \
    --query serviceBusEndpoint \
    --output tsv | sed -e 's/https:\/\///' -e 's/:443\///')

  az servicebus queue create \
    --name myqueue \
    --namespace $SERVICEBUS_NAME \
    --resource-group $RESOURCE_GROUP

  IDENTITY_NAME=${SERVICEBUS_NAME}-identity
  az identity create --resource-group $RESOURCE_GROUP --name $IDENTITY_NAME

  PRINCIPAL_ID=$(az identity show \
    --resource-group $RESOURCE_GROUP \
    --name $IDENTITY_NAME \
    --query principalId \
    --output tsv)

  CLIENT_ID=$(az identity show \
    --resource-group $RESOURCE_GROUP \
    --name $IDENTITY_NAME \
    --query clientId \
    --output tsv)

  SERVICEBUS_ID=$(az servicebus namespace show \
    --name $SERVICEBUS_NAME \
    --resource-group $RESOURCE_GROUP \
    --query id \
    --output tsv)

  az role assignment create \
    --role "Azure Service Bus Data Owner" \
    --assignee-object-id $PRINCIPAL_ID \
    --assignee-principal-type ServicePrincipal \
    --scope $SERVICEBUS_ID

  az identity federated-credential create \
    --name $IDENTITY_NAME-$RANDOM \
    --identity-name $IDENTITY_NAME \
    --resource-group $RESOURCE_GROUP \
    --issuer $OIDC_ISSUER_URL \
    --subject system:serviceaccount:default:myserviceaccount

  # --- Log in to Tenant A and get AKS credentials ---
  # az logout (dropped)
  login_a # az login --tenant $TENANT_A_ID
  az account set --subscription $TENANT_A_SUBSCRIPTION_ID
  az aks get-credentials --resource-group $RESOURCE_GROUP --name $CLUSTER_NAME

  for v in RESOURCE_GROUP CLUSTER_NAME OIDC_ISSUER_URL SERVICEBUS_NAME SERVICEBUS_HOSTNAME \
    IDENTITY_NAME PRINCIPAL_ID CLIENT_ID SERVICEBUS_ID; do
    echo "$v=${!v}"
  done
}

cleanup() {
  : "${RESOURCE_GROUP:?}"
  # --- Delete resources in Tenant A ---
  login_a # az login --tenant $TENANT_A_ID
  az account set --subscription $TENANT_A_SUBSCRIPTION_ID
  az group delete --name $RESOURCE_GROUP --yes --no-wait

  # --- Delete resources in Tenant B ---
  login_b # az login --tenant $TENANT_B_ID
  az account set --subscription $TENANT_B_SUBSCRIPTION_ID
  az group delete --name $RESOURCE_GROUP --yes --no-wait
}

case "${1:-}" in
  setup) setup ;;
  cleanup) cleanup ;;
  *) echo "usage: $0 setup|cleanup" >&2; exit 2 ;;
esac
