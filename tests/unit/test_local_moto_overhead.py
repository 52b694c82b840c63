"""The embedded AWS's overhead removals (local/moto_overhead.py) answer exactly what moto answers."""

import http.client
import json
import socket
import threading
from collections.abc import Iterator

import boto3
import jsonpath_ng.ext
import pytest
import urllib3.connection
from moto.events.utils import EventTemplateParser
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

from local import moto_overhead

HOSTS = [
    None,
    "dynamodb.us-east-1.amazonaws.com",
    "sqs.us-east-1.amazonaws.com",
    "events.us-east-1.amazonaws.com",
    "s3.amazonaws.com",
    "127.0.0.1:5000",
    "moto_api",
]


@pytest.fixture
def installed() -> Iterator[None]:
    moto_overhead.install()
    try:
        yield
    finally:
        moto_overhead.uninstall()


@pytest.fixture
def endpoint(installed: None) -> Iterator[str]:
    """moto's server with the keep-alive handler, on a free port of loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = DomainDispatcherApplication(create_backend_app)
    server = make_server("127.0.0.1", port, app, True, request_handler=moto_overhead.keep_alive_handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()


def test_backend_lookup_answers_what_moto_answers_once_per_host(installed: None) -> None:
    cached = DomainDispatcherApplication(create_backend_app)
    answers = {host: cached.get_backend_for_host(host) for host in HOSTS}
    moto_overhead.uninstall()
    plain = DomainDispatcherApplication(create_backend_app)
    assert answers == {host: plain.get_backend_for_host(host) for host in HOSTS}
    moto_overhead.install()
    assert set(cached.__dict__["_backend_by_host"]) == set(HOSTS)


def test_eventbridge_input_paths_render_the_same_event_and_are_parsed_once(installed: None) -> None:
    event = {
        "version": "0",
        "id": "0b1c",
        "detail-type": "invoice_funded-1",
        "source": "invoice-financing",
        "account": "123456789012",
        "time": 1796540400,  # moto keeps it as a number until it renders the event
        "region": "us-east-1",
        "resources": [],
        "detail": {"object": {"id": "inv_1", "amount": 12345}},
        "ingestion-time": 1.5,
    }
    paths = {"id": "$.detail.object.id", "amount": "$.detail.object.amount"}
    template = '{"invoice": "<id>", "amount": <amount>}'
    rendered = [EventTemplateParser.parse(None, {}, event), EventTemplateParser.parse(template, paths, event)]
    assert jsonpath_ng.ext.parse.cache_info().misses > 0
    before = jsonpath_ng.ext.parse.cache_info()
    assert EventTemplateParser.parse(template, paths, event) == rendered[1]
    assert jsonpath_ng.ext.parse.cache_info().misses == before.misses
    moto_overhead.uninstall()
    assert rendered == [
        EventTemplateParser.parse(None, {}, event),
        EventTemplateParser.parse(template, paths, event),
    ]
    assert rendered[1] == {"invoice": "inv_1", "amount": 12345}
    moto_overhead.install()


def test_the_sdk_reuses_one_connection_for_many_calls(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[object] = []
    new_conn = urllib3.connection.HTTPConnection._new_conn

    def counted(self: object) -> object:
        opened.append(self)
        return new_conn(self)

    monkeypatch.setattr(urllib3.connection.HTTPConnection, "_new_conn", counted)
    sqs = boto3.client(
        "sqs",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="a",
        aws_secret_access_key="b",
    )
    url = sqs.create_queue(QueueName="kept-alive")["QueueUrl"]
    for n in range(20):
        sqs.send_message(QueueUrl=url, MessageBody=f"message {n}")
    received = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        received += [m["Body"] for m in messages]
    assert sorted(received) == sorted(f"message {n}" for n in range(20))
    assert len(opened) == 1


def _list_tables(connection: http.client.HTTPConnection, **headers: str) -> dict:
    connection.request(
        "POST",
        "/",
        body=json.dumps({}),
        headers={
            "X-Amz-Target": "DynamoDB_20120810.ListTables",
            "Content-Type": "application/x-amz-json-1.0",
            "Authorization": "AWS4-HMAC-SHA256 Credential=a/20261206/us-east-1/dynamodb/aws4_request, "
            "SignedHeaders=host, Signature=0",
            **headers,
        },
    )
    reply = connection.getresponse()
    assert reply.status == 200
    return json.loads(reply.read())


def test_a_body_the_service_ignores_does_not_leak_into_the_next_request(endpoint: str) -> None:
    connection = http.client.HTTPConnection(endpoint.removeprefix("http://"), timeout=5)
    # moto's S3 backend never reads the body of a ListBuckets; the next request on the connection is intact.
    connection.request("GET", "/", body=b"x" * 5000, headers={"Host": "s3.amazonaws.com"})
    first = connection.getresponse()
    assert first.status == 200 and first.getheader("Connection") != "close"
    first.read()
    assert _list_tables(connection) == {"TableNames": []}
    assert _list_tables(connection) == {"TableNames": []}
    connection.close()


def test_a_chunked_request_is_answered_and_its_connection_closed(endpoint: str) -> None:
    connection = http.client.HTTPConnection(endpoint.removeprefix("http://"), timeout=5)
    connection.request(
        "POST",
        "/",
        body=iter([b"{", b"}"]),
        encode_chunked=True,
        headers={
            "X-Amz-Target": "DynamoDB_20120810.ListTables",
            "Content-Type": "application/x-amz-json-1.0",
            "Authorization": "AWS4-HMAC-SHA256 Credential=a/20261206/us-east-1/dynamodb/aws4_request, "
            "SignedHeaders=host, Signature=0",
        },
    )
    reply = connection.getresponse()
    assert reply.status == 200 and json.loads(reply.read()) == {"TableNames": []}
    assert reply.getheader("Connection") == "close"
    connection.close()


def test_a_stream_reader_waiting_for_records_wakes_when_a_write_reaches_the_stream(installed: None) -> None:
    from moto import mock_aws

    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        ddb.create_table(
            TableName="streamed",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        )
        seen = moto_overhead.stream_writes()
        woke = threading.Event()

        def reader() -> None:
            moto_overhead.wait_for_stream_write(seen, timeout=60)
            woke.set()

        threading.Thread(target=reader, daemon=True).start()
        assert not woke.wait(0.2)  # nothing written yet: it waits
        ddb.put_item(TableName="streamed", Item={"pk": {"S": "a"}})
        assert woke.wait(10), "the write did not wake the reader"
        assert moto_overhead.stream_writes() == seen + 1
        stream = ddb.describe_table(TableName="streamed")["Table"]["LatestStreamArn"]
        streams = boto3.client("dynamodbstreams", region_name="us-east-1")
        shard = streams.describe_stream(StreamArn=stream)["StreamDescription"]["Shards"][0]["ShardId"]
        iterator = streams.get_shard_iterator(
            StreamArn=stream, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
        )
        records = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
        assert [r["dynamodb"]["NewImage"] for r in records] == [{"pk": {"S": "a"}}]


def test_the_embedded_aws_sets_no_delay_on_its_kept_alive_connections(
    endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = moto_overhead.keep_alive_handler()
    no_delay: list[int] = []
    setup = handler.setup

    def observed(self: object) -> None:
        setup(self)
        no_delay.append(self.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    monkeypatch.setattr(handler, "setup", observed)
    connection = http.client.HTTPConnection(endpoint.removeprefix("http://"), timeout=5)
    assert _list_tables(connection) == {"TableNames": []}
    connection.close()
    assert no_delay and no_delay[0] != 0


def _queue_counts(sqs, url: str) -> dict[str, str]:
    names = [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
    ]
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]


def _sends(sqs, url: str, fifo: bool) -> list[str]:
    """Single and batched sends, delayed ones, a received one, and (FIFO) a body deduplicated by content."""
    group = {"MessageGroupId": "g"} if fifo else {}
    sqs.send_message(QueueUrl=url, MessageBody="one", **group)
    sqs.send_message(QueueUrl=url, MessageBody="one", **group)  # deduplicated on a content-based FIFO queue
    entries = [{"Id": str(n), "MessageBody": f"batch {n}", **group} for n in range(5)]
    if not fifo:
        entries[0]["DelaySeconds"] = 600
        sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=600)
    sqs.send_message_batch(QueueUrl=url, Entries=entries)
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2)["Messages"]
    return sorted(m["Body"] for m in received)


@pytest.mark.parametrize("fifo", [False, True])
def test_sending_to_a_queue_answers_and_counts_what_moto_does(
    fifo: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto import mock_aws

    attributes = {"FifoQueue": "true", "ContentBasedDeduplication": "true"} if fifo else {}
    name = "q.fifo" if fifo else "q"

    def run() -> tuple[list[str], dict[str, str]]:
        with mock_aws():
            sqs = boto3.client("sqs", region_name="us-east-1")
            url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
            return _sends(sqs, url, fifo), _queue_counts(sqs, url)

    plain = run()
    moto_overhead.install()
    try:
        assert run() == plain
    finally:
        moto_overhead.uninstall()


def test_a_send_or_a_receive_does_not_count_the_messages_already_waiting(
    installed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto import mock_aws
    from moto.sqs.models import Queue

    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="backlog")["QueueUrl"]
        for _ in range(30):
            sqs.send_message_batch(
                QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": "x"} for i in range(10)]
            )
        scanned = []
        messages = Queue.messages.fget
        monkeypatch.setattr(Queue, "messages", property(lambda queue: scanned.append(1) or messages(queue)))
        sqs.send_message(QueueUrl=url, MessageBody="one more")
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "and more"}])
        assert scanned == []
        assert len(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]) == 10
        assert len(scanned) == 1  # receiving looks through the queue once, not again for each message
        assert _queue_counts(sqs, url)["ApproximateNumberOfMessages"] == "292"
