"""The four public shapes (core, monite, pismo, openfinance) as serializers over the one domain model."""
