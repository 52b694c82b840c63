"""The outbox as tests see it: the table stream's records and the rows still waiting to be published."""

from financing.adapters.aws import client
from financing.config import settings


def stream_records():
    streams = client("dynamodbstreams")
    arn = client("dynamodb").describe_table(TableName=settings().table_name)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    records = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    for record in records:
        record["eventSourceARN"] = arn
        record["dynamodb"]["ApproximateCreationDateTime"] = 0
    return records


def outbox_rows():
    rows = client("dynamodb").scan(TableName=settings().table_name)["Items"]
    return [row for row in rows if row["kind"]["S"] == "outbox"]
