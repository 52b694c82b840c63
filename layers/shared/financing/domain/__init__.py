"""Pure domain: models and rules. No boto3, no HTTP, no environment variables."""
