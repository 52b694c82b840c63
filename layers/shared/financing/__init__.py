"""The platform's shared package, shipped as a Lambda layer: domain, services, adapters and API glue."""
