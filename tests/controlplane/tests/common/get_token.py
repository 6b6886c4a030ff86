"""Gets a token with the Azure Identity SDK's WorkloadIdentityCredential, as an
application in the pod would, and prints the token's claims as one JSON object.

argv: tenant_id client_id token_file_path authority scope

Exit 0: {"tid", "appid", "azp", "aud", "iss", "expires_on"} of the token.
Exit 3: the SDK refused, {"error": <exception class>, "message": <its message>}.
Anything else (a traceback) is a fault of the set-up, not an answer from Entra.
"""

import base64
import json
import sys

from azure.core.exceptions import ClientAuthenticationError
from azure.identity import WorkloadIdentityCredential


def claims(jwt):
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def main():
    tenant_id, client_id, token_file_path, authority, scope = sys.argv[1:]
    credential = WorkloadIdentityCredential(
        tenant_id=tenant_id,
        client_id=client_id,
        token_file_path=token_file_path,
        # No disable_instance_discovery: this credential posts the assertion
        # straight to <authority>/<tenant>/oauth2/v2.0/token through the SDK's
        # own client, not MSAL's, so it never asks the public cloud whether the
        # simulator's host is a known authority (checked with azure-identity 1.27).
        authority=authority,
    )
    try:
        token = credential.get_token(scope)
    except ClientAuthenticationError as e:
        print(json.dumps({"error": type(e).__name__, "message": e.message}))
        return 3
    c = claims(token.token)
    keys = ("tid", "appid", "azp", "aud", "iss")
    print(json.dumps({**{k: c.get(k) for k in keys}, "expires_on": token.expires_on}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
