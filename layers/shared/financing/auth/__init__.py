"""Bearer-token verification for the API's Lambda authorizer."""
