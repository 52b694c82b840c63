"""Docker-free local stack: moto, the API Gateway emulation and the async workers, all read from template.yaml."""
